import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadManifest } from '../../src/manifest/load.js';
import { vendor } from '../../src/fetch/vendor.js';
import { readLock } from '../../src/lock/lock.js';
import { verifyInputs } from '../../src/lock/verify.js';
import { cli, makeTarball, project, sha256, writeManifest, type Project } from '../support/rig.js';

/** A project with a file: source under packages/, a patch outside it, and a builder rootfs; vendored. */
async function vendored(tag: string): Promise<{ p: Project; tgz: Buffer }> {
  const p = await project(tag);
  const tgz = await makeTarball(p.root, 'app-1.0', { 'main.c': 'int main(void){return 0;}\n' });
  await fs.mkdir(path.join(p.dir, 'packages'));
  await fs.mkdir(path.join(p.dir, 'patches'));
  await fs.writeFile(path.join(p.dir, 'packages', 'app-1.0.tar.gz'), tgz);
  await fs.writeFile(path.join(p.dir, 'patches', 'fix.patch'), '--- a\n+++ b\n');
  await fs.writeFile(path.join(p.dir, 'packages', 'rootfs.tar'), await makeTarball(p.root, 'etc', { 'os-release': 'ID=test\n' }, '--no-auto-compress'));
  await writeManifest(p.dir, [{ name: 'app', file: 'packages/app-1.0.tar.gz', patches: ['patches/fix.patch'] }], {
    builder: { rootfs: 'packages/rootfs.tar', family: 'apt' },
  });
  await vendor(await loadManifest({ cwd: p.dir }));
  return { p, tgz };
}

test('file sources, patches and the builder rootfs are locked; patches are copied into packages/', async () => {
  const { p, tgz } = await vendored('local');
  try {
    const lock = await readLock(p.dir);
    assert.equal(lock?.sources.app?.origin, 'file');
    assert.equal(lock?.sources.app?.file, 'packages/app-1.0.tar.gz');
    assert.equal(lock?.sources.app?.sha256, sha256(tgz));
    assert.equal(lock?.patches['patches/fix.patch']?.file, 'packages/patches/fix.patch');
    assert.equal(lock?.rootfs?.file, 'packages/rootfs.tar');
    assert.equal(await fs.readFile(path.join(p.dir, 'packages', 'patches', 'fix.patch'), 'utf8'), '--- a\n+++ b\n');
    const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: path.join(p.dir, 'packages'), encoding: 'utf8' });
    assert.equal(out.split('\n').filter((l) => l.endsWith(': OK')).length, 3);
    const m = await loadManifest({ cwd: p.dir });
    const report = await verifyInputs(m, lock!);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.checked.length, 3);
  } finally {
    await p.cleanup();
  }
});

test('a missing local file fails vendor with exit 2 and says where it is named; an edited one updates the lock', async () => {
  const { p } = await vendored('missing');
  try {
    await fs.writeFile(path.join(p.dir, 'patches', 'fix.patch'), '--- a\n+++ b\n@@ edited\n');
    const edited = await vendor(await loadManifest({ cwd: p.dir }));
    assert.deepEqual(edited.items.filter((i) => i.changed).map((i) => i.name), ['patches/fix.patch']);
    assert.equal((await readLock(p.dir))?.patches['patches/fix.patch']?.sha256, sha256('--- a\n+++ b\n@@ edited\n'));
    await fs.rm(path.join(p.dir, 'packages', 'app-1.0.tar.gz'));
    const r = await cli(p, ['vendor']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /tarsmith\.yaml:\d+:\d+: error\[vendor\.missing-file\]: source "app": packages\/app-1\.0\.tar\.gz does not exist/);
  } finally {
    await p.cleanup();
  }
});

test('verifyInputs reports a missing file, a changed file with the fix line, and a source the lock lacks', async () => {
  const { p } = await vendored('problems');
  try {
    await fs.rm(path.join(p.dir, 'packages', 'rootfs.tar'));
    await fs.appendFile(path.join(p.dir, 'packages', 'app-1.0.tar.gz'), 'x');
    const lock = (await readLock(p.dir))!;
    await writeManifest(p.dir, [
      { name: 'app', file: 'packages/app-1.0.tar.gz', patches: ['patches/fix.patch'] },
      { name: 'new', url: 'https://example.org/new.tar.gz' },
    ], { builder: { rootfs: 'packages/rootfs.tar', family: 'apt' } });
    const r = await verifyInputs(await loadManifest({ cwd: p.dir }), lock);
    assert.equal(r.ok, false);
    const codes = r.problems.map((f) => f.code).sort();
    assert.deepEqual(codes, ['verify.hash-mismatch', 'verify.missing', 'verify.not-locked']);
    const mm = r.problems.find((f) => f.code === 'verify.hash-mismatch')!;
    const actual = r.checked.find((c) => c.status === 'mismatch')?.actual;
    assert.match(mm.hint ?? '', new RegExp(`sources\\."app"\\.sha256: "${actual}"`));
    assert.ok(mm.details?.some((d) => d.includes('tree hash')));
    assert.deepEqual(r.checked.map((c) => c.status).sort(), ['mismatch', 'missing', 'ok']);
  } finally {
    await p.cleanup();
  }
});

test('tarsmith verify: unlisted files warn, --strict fails, --json is one document; exit codes', async () => {
  const { p } = await vendored('cli');
  try {
    const ok = await cli(p, ['verify']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /packages\/app-1\.0\.tar\.gz: OK/);
    await fs.writeFile(path.join(p.dir, 'packages', 'stray.bin'), 'stray');
    const warn = await cli(p, ['verify']);
    assert.equal(warn.status, 0);
    assert.match(warn.stderr, /warning\[verify\.unlisted\].*packages\/stray\.bin/);
    const strict = await cli(p, ['verify', '--strict', '--json']);
    assert.equal(strict.status, 1);
    const doc = JSON.parse(strict.stdout) as { ok: boolean; unlisted: string[]; errors: { code: string }[] };
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.unlisted, ['packages/stray.bin']);
    assert.deepEqual(doc.errors.map((e) => e.code), ['verify.unlisted']);
    await fs.rm(path.join(p.dir, 'packages', 'stray.bin'));
    await fs.writeFile(path.join(p.dir, 'packages', 'rootfs.tar'), 'changed');
    const bad = await cli(p, ['verify']);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /packages\/rootfs\.tar: MISMATCH/);
    assert.match(bad.stderr, /expected: [0-9a-f]{64}/);
  } finally {
    await p.cleanup();
  }
});

test('without a lock, tarsmith verify checks a packages/SHA256SUMS written by coreutils', async () => {
  const p = await project('sums');
  try {
    const pkg = path.join(p.dir, 'packages');
    await fs.mkdir(pkg);
    await fs.writeFile(path.join(pkg, 'a.tar'), 'a');
    await fs.writeFile(path.join(pkg, 'b.tar'), 'b');
    await fs.writeFile(path.join(pkg, 'SHA256SUMS'), execFileSync('sha256sum', ['a.tar', 'b.tar'], { cwd: pkg }));
    const ok = await cli(p, ['verify']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /no tarsmith\.lock: checking packages\/SHA256SUMS/);
    await fs.writeFile(path.join(pkg, 'b.tar'), 'B');
    const bad = await cli(p, ['verify', '--json']);
    assert.equal(bad.status, 1);
    const doc = JSON.parse(bad.stdout) as { mode: string; files: { file: string; status: string }[] };
    assert.equal(doc.mode, 'sha256sums');
    assert.deepEqual(doc.files.map((f) => `${f.file}:${f.status}`), ['a.tar:ok', 'b.tar:mismatch']);
    await fs.rm(path.join(pkg, 'SHA256SUMS'));
    const none = await cli(p, ['verify']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /verify\.nothing-to-check/);
  } finally {
    await p.cleanup();
  }
});
