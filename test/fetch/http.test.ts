import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadManifest } from '../../src/manifest/load.js';
import { vendor } from '../../src/fetch/vendor.js';
import { readLock } from '../../src/lock/lock.js';
import { isTarsmithError, renderDiagnostic, type TarsmithError } from '../../src/core/errors.js';
import { finalFiles, makeTarball, project, sha256, startServer, writeManifest, type Project, type Server } from '../support/rig.js';

async function setup(tag: string): Promise<{ p: Project; s: Server; tgz: Buffer; done: () => Promise<void> }> {
  const p = await project(tag);
  const s = await startServer();
  const tgz = await makeTarball(p.root, 'zlib-1.3', { 'README': 'zlib\n', 'src/z.c': 'int z;\n' });
  s.files.set('zlib-1.3.tar.gz', tgz);
  return { p, s, tgz, done: async () => { await s.close(); await p.cleanup(); } };
}

const run = async (p: Project, opts = {}) => vendor(await loadManifest({ cwd: p.dir }), opts);

async function failureOf(p: Promise<unknown>): Promise<TarsmithError> {
  try {
    await p;
  } catch (e) {
    if (isTarsmithError(e)) return e;
    throw e;
  }
  assert.fail('expected a failure');
}

test('a url source is downloaded, locked, then found in place, then in the cache', async () => {
  const { p, s, tgz, done } = await setup('url');
  try {
    await writeManifest(p.dir, [{ name: 'zlib', url: `${s.base}/files/zlib-1.3.tar.gz` }]);
    const r1 = await run(p);
    assert.equal(r1.items[0]?.via, 'origin');
    assert.equal(r1.lockChanged, true);
    const lock = await readLock(p.dir);
    assert.equal(lock?.sources.zlib?.sha256, sha256(tgz));
    assert.equal(lock?.sources.zlib?.file, 'packages/zlib-1.3.tar.gz');
    assert.equal(lock?.sources.zlib?.size, tgz.length);
    assert.match(lock?.sources.zlib?.treeHash ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(await fs.readFile(path.join(p.dir, 'packages', 'zlib-1.3.tar.gz')), tgz);
    assert.equal((await fs.readFile(path.join(p.cache, 'tarsmith', 'sha256', sha256(tgz)))).length, tgz.length);

    const r2 = await run(p);
    assert.equal(r2.items[0]?.via, 'present');
    assert.equal(r2.lockChanged, false);

    await fs.rm(path.join(p.dir, 'packages', 'zlib-1.3.tar.gz'));
    const hits = s.hits.length;
    const r3 = await run(p);
    assert.equal(r3.items[0]?.via, 'cache');
    assert.equal(s.hits.length, hits, 'no request when the cache has the file');
    assert.deepEqual(await fs.readFile(path.join(p.dir, 'packages', 'zlib-1.3.tar.gz')), tgz);
  } finally {
    await done();
  }
});

test('mirrors are tried before the origin: content-addressed first, then by file name', async () => {
  const { p, s, tgz, done } = await setup('mirror');
  try {
    const h = sha256(tgz);
    await writeManifest(p.dir, [{ name: 'zlib', url: `${s.base}/status/404/zlib-1.3.tar.gz`, sha256: h, mirrors: [`${s.base}/mirror/a`, `${s.base}/mirror/b/`] }]);
    s.mirror.set(`b/sha256/${h}`, tgz);
    const r1 = await run(p);
    assert.equal(r1.items[0]?.via, 'mirror');
    assert.deepEqual(s.hits, [`/mirror/a/sha256/${h}`, `/mirror/b/sha256/${h}`]);

    await fs.rm(path.join(p.dir, 'packages', 'zlib-1.3.tar.gz'));
    await fs.rm(path.join(p.cache, 'tarsmith'), { recursive: true });
    s.mirror.clear();
    s.mirror.set('b/zlib-1.3.tar.gz', tgz);
    s.hits.length = 0;
    const r2 = await run(p);
    assert.equal(r2.items[0]?.via, 'mirror');
    assert.deepEqual(s.hits, [`/mirror/a/sha256/${h}`, `/mirror/b/sha256/${h}`, '/mirror/a/zlib-1.3.tar.gz', '/mirror/b/zlib-1.3.tar.gz']);
  } finally {
    await done();
  }
});

test('redirects are followed; a flaky 500 is retried; too many redirects fail', async () => {
  const { p, s, tgz, done } = await setup('redirect');
  try {
    s.files.set('b.tar.gz', tgz);
    await writeManifest(p.dir, [
      { name: 'zlib', url: `${s.base}/redirect/3/zlib-1.3.tar.gz` },
      { name: 'b', url: `${s.base}/flaky/b.tar.gz` },
    ]);
    const r = await run(p);
    assert.deepEqual(r.items.map((i) => i.sha256), [sha256(tgz), sha256(tgz)]);
    assert.equal(s.hits.filter((h) => h === '/flaky/b.tar.gz').length, 2);

    await writeManifest(p.dir, [{ name: 'far', url: `${s.base}/redirect/9/zlib-1.3.tar.gz` }]);
    const e = await failureOf(run(p));
    assert.equal(e.failures[0]?.code, 'vendor.too-many-redirects');
    assert.equal(e.exit, 3);

    await writeManifest(p.dir, [{ name: 'sneaky', url: `${s.base}/tofile/passwd` }]);
    const f = await failureOf(run(p));
    assert.equal(f.failures[0]?.code, 'vendor.unsupported-url', 'a server cannot redirect to a local file');
    assert.deepEqual((await finalFiles(p.dir)).filter((n) => n === 'passwd'), []);
  } finally {
    await done();
  }
});

test('404, 500, a cut connection and an unreachable host fail with exit 3 and leave no file under a final name', async () => {
  const { p, s, done } = await setup('bad');
  try {
    const cases: [string, string][] = [
      [`${s.base}/status/404/x.tar.gz`, 'vendor.http-status'],
      [`${s.base}/status/500/y.tar.gz`, 'vendor.http-status'],
      [`${s.base}/trunc/zlib-1.3.tar.gz`, 'vendor.truncated'],
      ['http://127.0.0.1:1/z.tar.gz', 'vendor.unreachable'],
    ];
    for (const [url, code] of cases) {
      await writeManifest(p.dir, [{ name: 'x', url }]);
      const e = await failureOf(run(p));
      assert.equal(e.failures[0]?.code, code, renderDiagnostic(e.failures[0]!));
      assert.equal(e.exit, 3);
      assert.equal(e.failures[0]?.value?.startsWith('http://'), true);
      assert.deepEqual(await finalFiles(p.dir), [], `nothing left in packages/ after ${url}`);
      assert.deepEqual((await fs.readdir(path.join(p.dir, 'packages'))).filter((f) => f !== '.rejected'), []);
    }
    assert.equal(await readLock(p.dir), undefined);
  } finally {
    await done();
  }
});

test('a server that never answers, or stalls mid-body, hits the idle timeout (exit 3)', async () => {
  const { p, s, done } = await setup('timeout');
  process.env.TARSMITH_HTTP_TIMEOUT_MS = '300';
  try {
    for (const [route, code, says] of [
      ['hang/x.tar.gz', 'vendor.timeout', /no answer within 300 ms/],
      ['stall/zlib-1.3.tar.gz', 'vendor.timeout', /the download stalled: no data for 300 ms after \d+ of \d+ bytes/],
    ] as const) {
      await writeManifest(p.dir, [{ name: 'x', url: `${s.base}/${route}` }]);
      const e = await failureOf(run(p));
      assert.equal(e.failures[0]?.code, code, renderDiagnostic(e.failures[0]!));
      assert.match(e.failures[0]?.message ?? '', says);
      assert.equal(e.exit, 3);
      assert.deepEqual(await finalFiles(p.dir), []);
    }
  } finally {
    delete process.env.TARSMITH_HTTP_TIMEOUT_MS;
    await done();
  }
});

test('a wrong hash is reported with both hashes, the origin and the fix line; the file is moved aside', async () => {
  const { p, s, tgz, done } = await setup('mismatch');
  try {
    const wrong = 'ab'.repeat(32);
    await writeManifest(p.dir, [{ name: 'zlib', url: `${s.base}/files/zlib-1.3.tar.gz`, sha256: wrong }]);
    const e = await failureOf(run(p));
    const f = e.failures.find((x) => x.code === 'verify.hash-mismatch')!;
    assert.ok(f, e.message);
    assert.equal(e.exit, 1);
    const text = renderDiagnostic(f);
    assert.match(text, new RegExp(`expected: ${wrong}`));
    assert.match(text, new RegExp(`actual: +${sha256(tgz)}`));
    assert.match(text, /origin: +http:\/\/127\.0\.0\.1:\d+\/files\/zlib-1\.3\.tar\.gz/);
    assert.match(text, new RegExp(`tarsmith\\.yaml:\\d+:\\d+  sha256: ${sha256(tgz)}`));
    assert.deepEqual(await finalFiles(p.dir), []);
    const rejected = await fs.readdir(path.join(p.dir, 'packages', '.rejected'));
    assert.deepEqual(rejected, [`zlib-1.3.tar.gz.${sha256(tgz).slice(0, 12)}`]);
  } finally {
    await done();
  }
});

test('a re-compressed upstream tarball is a mismatch that says "same tree, different compression"', async () => {
  const { p, s, done } = await setup('recompress');
  try {
    await writeManifest(p.dir, [{ name: 'zlib', url: `${s.base}/files/zlib-1.3.tar.gz` }]);
    await run(p);
    const xz = await makeTarball(p.root, 'zlib-1.3', { 'README': 'zlib\n', 'src/z.c': 'int z;\n' }, '-J');
    s.files.set('zlib-1.3.tar.gz', xz);
    await fs.rm(path.join(p.dir, 'packages', 'zlib-1.3.tar.gz'));
    await fs.rm(path.join(p.cache, 'tarsmith'), { recursive: true });
    const e = await failureOf(run(p));
    const text = renderDiagnostic(e.failures[0]!);
    assert.match(text, /same tree, different compression/);
    assert.match(text, /tarsmith vendor --update zlib/);
    const r = await run(p, { update: ['zlib'] });
    assert.equal(r.items[0]?.sha256, sha256(xz));
    assert.equal(r.lockChanged, true);
  } finally {
    await done();
  }
});

test('a tampered file in packages/ is moved aside and the locked one fetched again', async () => {
  const { p, s, tgz, done } = await setup('tamper');
  try {
    await writeManifest(p.dir, [{ name: 'zlib', url: `${s.base}/files/zlib-1.3.tar.gz` }]);
    await run(p);
    const file = path.join(p.dir, 'packages', 'zlib-1.3.tar.gz');
    await fs.writeFile(file, 'tampered');
    const r = await run(p);
    assert.equal(r.items[0]?.via, 'cache');
    assert.deepEqual(await fs.readFile(file), tgz);
    assert.deepEqual(await fs.readdir(path.join(p.dir, 'packages', '.rejected')), [`zlib-1.3.tar.gz.${sha256('tampered').slice(0, 12)}`]);
  } finally {
    await done();
  }
});

test('--frozen fails without a lock and when a source is new, and writes nothing', async () => {
  const { p, s, done } = await setup('frozen');
  try {
    await writeManifest(p.dir, [{ name: 'zlib', url: `${s.base}/files/zlib-1.3.tar.gz` }]);
    const e1 = await failureOf(run(p, { frozen: true }));
    assert.equal(e1.failures[0]?.code, 'lock.frozen-change');
    assert.equal(e1.exit, 1);
    await run(p);
    const before = await fs.readFile(path.join(p.dir, 'tarsmith.lock'), 'utf8');
    await fs.rm(path.join(p.dir, 'packages', 'zlib-1.3.tar.gz'));
    const ok = await run(p, { frozen: true });
    assert.equal(ok.lockChanged, false);
    assert.equal(ok.items[0]?.via, 'cache');
    await writeManifest(p.dir, [
      { name: 'zlib', url: `${s.base}/files/zlib-1.3.tar.gz` },
      { name: 'more', url: `${s.base}/files/more-1.tar.gz` },
    ]);
    const hits = s.hits.length;
    const e2 = await failureOf(run(p, { frozen: true }));
    assert.match(e2.failures[0]?.message ?? '', /source "more" would change tarsmith\.lock/);
    assert.equal(s.hits.length, hits, 'no download for a source the lock does not know');
    assert.equal(await fs.readFile(path.join(p.dir, 'tarsmith.lock'), 'utf8'), before);
  } finally {
    await done();
  }
});

test('two sources that would land on one file are refused before anything is fetched', async () => {
  const { p, s, done } = await setup('clash');
  try {
    await writeManifest(p.dir, [
      { name: 'a', url: `${s.base}/files/zlib-1.3.tar.gz` },
      { name: 'b', url: `${s.base}/redirect/1/zlib-1.3.tar.gz` },
    ]);
    const e = await failureOf(run(p));
    assert.equal(e.failures[0]?.code, 'vendor.file-clash');
    assert.equal(e.exit, 2);
    assert.deepEqual(s.hits, []);
  } finally {
    await done();
  }
});

test('a file:// mirror laid out as <mirror>/sha256/<hash> answers when the origin is down', async () => {
  const { p, tgz, done } = await setup('filemirror');
  try {
    const h = sha256(tgz);
    const mirror = path.join(p.root, 'mirror');
    await fs.mkdir(path.join(mirror, 'sha256'), { recursive: true });
    await fs.writeFile(path.join(mirror, 'sha256', h), tgz);
    await writeManifest(p.dir, [{ name: 'zlib', url: 'http://127.0.0.1:1/zlib-1.3.tar.gz', sha256: h, mirrors: [`file://${mirror}`] }]);
    const r = await run(p);
    assert.equal(r.items[0]?.via, 'mirror');
    assert.deepEqual(await fs.readFile(path.join(p.dir, 'packages', 'zlib-1.3.tar.gz')), tgz);
  } finally {
    await done();
  }
});
