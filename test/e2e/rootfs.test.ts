/**
 * The builder rootfs from locked packages, end to end: builder.bootstrap (bookworm, variant essential: the smallest
 * base, 70-odd packages) resolved against Debian's real archive by `tarsmith vendor` (the network used there only),
 * every .deb locked under packages/rootfs/debs/; the rootfs made again from packages/ alone with no network at all
 * (`unshare -n`), twice, bit-identical and equal to the lock; a build runs in it on the real engine; a tampered or
 * missing .deb is refused by name; --frozen names a bootstrap edit; an unknown suite is named.
 * Run under `flock /tmp/tarsmith-engine.lock` (mmdebstrap and the engine).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, run, tarsmith } from './build-rig.js';

const MANIFEST = `version: 1
name: base
sourceDateEpoch: 1700000000
sources:
  - name: hello
    file: packages/hello-1.0.tar.gz
    strip: 1
builder:
  bootstrap:
    suite: bookworm
    variant: essential
  family: apt
build:
  workdir: hello
  targets:
    facts:
      steps: ["cat /etc/debian_version > debian_version.txt && dpkg-query -W > installed.txt && cat /etc/apt/sources.list > sources.txt"]
      artifacts: [debian_version.txt, installed.txt, sources.txt]
`;

let dir = '';
const ROOTFS = 'packages/rootfs-bookworm-essential.tar';

interface LockShape {
  rootfs: { file: string; sha256: string; size: number };
  rootfsBootstrap: { suite: string; variant: string; sourceDateEpoch: number; packages: Record<string, { name: string; file: string; sha256: string; version: string; url: string; size: number }> };
}
const readLock = async () => JSON.parse(await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8')) as LockShape;

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (c) => h.update(c)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

/** tarsmith in a network namespace of its own: no route anywhere, the archive cannot be reached. */
function offline(args: string[]) {
  return run(['unshare', '-n', BIN, ...args], { cwd: dir });
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-rootfs-'));
  await fs.mkdir(path.join(dir, 'packages'));
  await fs.copyFile(path.join(ROOT, 'examples', 'hello', 'packages', 'hello-1.0.tar.gz'), path.join(dir, 'packages', 'hello-1.0.tar.gz'));
  await fs.writeFile(path.join(dir, 'tarsmith.yaml'), MANIFEST);
});

after(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

test('vendor resolves builder.bootstrap against the archive, locks every package and the rootfs made from them', async () => {
  const t0 = Date.now();
  const v = await tarsmith(['vendor', '--json'], dir);
  assert.equal(v.code, 0, v.stderr);
  console.log(`vendor (resolve + download + make): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const rep = JSON.parse(v.stdout) as { rootfsResolved: boolean; rootfsChanges: { key: string }[] };
  assert.equal(rep.rootfsResolved, true);
  assert.match(v.stderr, /resolve \(\d+ s\): /, 'mmdebstrap\'s stages are shown as progress');
  const lock = await readLock();
  const rb = lock.rootfsBootstrap;
  assert.equal(rb.sourceDateEpoch, 1700000000);
  for (const key of ['base-files:amd64', 'dpkg:amd64', 'libc6:amd64', 'tar:amd64', 'coreutils:amd64']) assert.ok(rb.packages[key], `${key} is in the set`);
  assert.ok(!rb.packages['apt:amd64'], 'variant essential has no apt');
  assert.deepEqual(rep.rootfsChanges.map((c) => c.key).sort(), Object.keys(rb.packages).sort());
  for (const p of Object.values(rb.packages)) {
    assert.match(p.file, /^packages\/rootfs\/debs\/[^/]+\.deb$/);
    assert.match(p.url, /^http:\/\/deb\.debian\.org\/debian\/pool\/main\//);
    assert.equal(await sha256(path.join(dir, p.file)), p.sha256);
  }
  assert.equal(lock.rootfs.file, ROOTFS);
  assert.equal(await sha256(path.join(dir, ROOTFS)), lock.rootfs.sha256);
  const verify = await tarsmith(['verify', '--strict'], dir);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /packages\/rootfs\/debs\/base-files_[^ ]+_amd64\.deb: OK/);
  const frozen = await tarsmith(['vendor', '--frozen', '--json'], dir);
  assert.equal(frozen.code, 0, frozen.stderr);
  assert.equal((JSON.parse(frozen.stdout) as { rootfsResolved: boolean }).rootfsResolved, false, 'a matching lock is used as is');
});

test('the rootfs made twice from packages/ alone, with no network, is bit-identical and the locked one', async () => {
  const lock = await readLock();
  const lockText = await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8');
  await fs.rm(path.join(dir, ROOTFS));
  const t0 = Date.now();
  const a = await offline(['rootfs', '--json']);
  assert.equal(a.code, 0, a.stderr);
  console.log(`tarsmith rootfs (offline): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const ra = JSON.parse(a.stdout) as { sha256: string; matchesLock: boolean; packages: number; sourceDateEpoch: number };
  assert.equal(ra.matchesLock, true);
  assert.equal(ra.packages, Object.keys(lock.rootfsBootstrap.packages).length);
  const other = path.join(dir, 'again.tar');
  const b = await offline(['rootfs', '--out', other]);
  assert.equal(b.code, 0, b.stderr);
  const [sa, sb] = [await sha256(path.join(dir, ROOTFS)), await sha256(other)];
  assert.equal(sa, sb, 'two makes from the same packages are bit-identical');
  assert.equal(sa, lock.rootfs.sha256);
  assert.equal(await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8'), lockText, 'the lock is untouched');
  await fs.rm(other);
  const tv = await run(['tar', '-tvf', path.join(dir, ROOTFS), './etc/apt/sources.list', './var/lib/dpkg/status']);
  assert.equal(tv.code, 0, tv.stderr);
  assert.match(tv.stdout, /2023-11-14/, 'mtimes are SOURCE_DATE_EPOCH');
});

test('a build runs in the rootfs made from the lock', async () => {
  const b = await tarsmith(['build', 'facts', '--progress', 'plain'], dir);
  assert.equal(b.code, 0, b.stderr);
  const out = path.join(dir, 'out', 'base');
  assert.match(await fs.readFile(path.join(out, 'debian_version.txt'), 'utf8'), /^12\./);
  const installed = await fs.readFile(path.join(out, 'installed.txt'), 'utf8');
  const lock = await readLock();
  const got = new Map(installed.trim().split('\n').map((l) => { const [n, v] = l.split('\t'); return [n!.replace(/:.*$/, ''), v]; }));
  const want = new Map(Object.values(lock.rootfsBootstrap.packages).map((p) => [p.name, p.version]));
  assert.deepEqual(got, want, 'the build ran in exactly the locked packages');
  assert.equal(await fs.readFile(path.join(out, 'sources.txt'), 'utf8'), 'deb http://deb.debian.org/debian bookworm main\n', 'apt points at the archive, not the local repository');
});

test('a tampered .deb and a missing one are refused by name; nothing is written', async () => {
  const lock = await readLock();
  const p = lock.rootfsBootstrap.packages['base-files:amd64']!;
  const file = path.join(dir, p.file);
  const keep = path.join(dir, 'base-files.keep');
  await fs.copyFile(file, keep);
  const gone = lock.rootfsBootstrap.packages['tar:amd64']!;
  const goneKeep = path.join(dir, 'tar.keep');
  await fs.rename(path.join(dir, gone.file), goneKeep);
  try {
    await fs.appendFile(file, 'x');
    const out = path.join(dir, 'tampered.tar');
    const r = await offline(['rootfs', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error\[rootfs\.deb-mismatch\]: rootfs package base-files:amd64 [^ ]+: packages\/rootfs\/debs\/base-files_[^ ]+\.deb has sha256 [0-9a-f]{64}, the lock says [0-9a-f]{64}/);
    assert.match(r.stderr, /error\[rootfs\.missing-deb\]: rootfs package tar:amd64 /);
    await assert.rejects(fs.stat(out), 'nothing written');
    const fixed = await tarsmith(['vendor'], dir);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(await sha256(file), p.sha256, 'vendor restores the locked bytes (from the cache)');
    assert.equal(await sha256(path.join(dir, gone.file)), gone.sha256);
  } finally {
    await fs.rm(keep, { force: true });
    await fs.rm(goneKeep, { force: true });
  }
});

test('vendor --frozen names a bootstrap edit; an unknown suite is named', async () => {
  const file = path.join(dir, 'tarsmith.yaml');
  await fs.writeFile(file, MANIFEST.replace('    variant: essential\n', '    variant: essential\n    packages: [ca-certificates]\n'));
  try {
    const r = await tarsmith(['vendor', '--frozen'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /tarsmith\.yaml:10:5: error\[lock\.frozen-change\]: --frozen: builder\.bootstrap would change tarsmith\.lock: builder\.bootstrap\.packages changed: added ca-certificates/);
    const o = await offline(['rootfs']);
    assert.equal(o.code, 1, o.stderr);
    assert.match(o.stderr, /rootfs\.not-vendored/);
    await fs.writeFile(file, MANIFEST.replace('suite: bookworm', 'suite: bookwrom'));
    const u = await tarsmith(['vendor'], dir);
    assert.equal(u.code, 2, u.stderr);
    assert.match(u.stderr, /error\[rootfs\.unknown-suite\]: the archive http:\/\/deb\.debian\.org\/debian has no suite "bookwrom"/);
  } finally {
    await fs.writeFile(file, MANIFEST);
  }
});
