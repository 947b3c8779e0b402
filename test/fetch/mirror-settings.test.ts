/**
 * `vendor.mirrors:` in the manifest: the project names its mirrors once (a folder relative to tarsmith.yaml, an
 * http(s) base URL), and every `tarsmith vendor` looks there first, for the sources and for the builder's `.deb`
 * files (by file name, in debs/ as another project's packages/ holds them, or at their archive path). A loopback
 * server stands for the origins and counts every request; another of its routes is the HTTP mirror.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cli, makeTarball, project, readJson, sha256, startServer, type Project, type Server } from '../support/rig.js';
import { canonicalJson, type Lock, type LockedPackage } from '../../src/lock/lock.js';

interface Deb {
  name: string;
  file: string;
  pool: string;
  body: Buffer;
}

const DEBS: Deb[] = [
  { name: 'gcc-12', file: 'gcc-12_12.2.0-14_amd64.deb', pool: 'debian/pool/main/g/gcc-12', body: Buffer.from('!<arch>\ngcc-12 stand-in\n') },
  { name: 'libmnl-dev', file: 'libmnl-dev_1.0.4-3_arm64.deb', pool: 'debian/pool/main/libm/libmnl', body: Buffer.from('!<arch>\nlibmnl-dev stand-in\n') },
];

const manifest = (srv: Server, mirrors: string[]) => `version: 1
name: demo
sourceDateEpoch: 1700000000
vendor:
  mirrors:
${mirrors.map((m) => `    - ${m}`).join('\n')}
sources:
  - name: x
    url: ${srv.base}/files/x-1.0.tar.gz
builder:
  rootfs: packages/rootfs.tar
  family: apt
  packages: [gcc-12, libmnl-dev:arm64]
`;

/** A project vendored once from the origin (the tarball, the rootfs), with builder packages locked at pool URLs. */
async function lockedProject(p: Project, srv: Server, tarball: Buffer): Promise<void> {
  srv.files.set('x-1.0.tar.gz', tarball);
  await fs.mkdir(path.join(p.dir, 'packages'), { recursive: true });
  await fs.writeFile(path.join(p.dir, 'packages', 'rootfs.tar'), 'a root filesystem stand-in\n');
  await fs.writeFile(path.join(p.dir, 'tarsmith.yaml'), `version: 1\nname: demo\nsourceDateEpoch: 1700000000\nsources:\n  - name: x\n    url: ${srv.base}/files/x-1.0.tar.gz\nbuilder:\n  rootfs: packages/rootfs.tar\n  family: apt\n`);
  const first = await cli(p, ['vendor']);
  assert.equal(first.status, 0, first.stderr);
  const lock = readJson<Lock>(path.join(p.dir, 'tarsmith.lock'));
  const packages: Record<string, LockedPackage> = {};
  for (const d of DEBS) {
    const architecture = d.file.endsWith('_arm64.deb') ? 'arm64' : 'amd64';
    packages[`${d.name}:${architecture}`] = {
      name: d.name, version: d.file.split('_')[1]!, architecture, url: `${srv.base}/${d.pool}/${d.file}`,
      file: `packages/debs/${d.file}`, size: d.body.length, sha256: sha256(d.body),
    };
  }
  const builderPackages = { family: 'apt' as const, request: ['gcc-12', 'libmnl-dev:arm64'], base: `rootfs:${lock.rootfs!.sha256}`, foreignArchitectures: ['arm64'], packages };
  await fs.writeFile(path.join(p.dir, 'tarsmith.lock'), canonicalJson({ ...lock, builderPackages }));
}

/** Forget every vendored copy: packages/ (but the rootfs) and the download cache. */
async function forget(p: Project): Promise<void> {
  await fs.rm(path.join(p.dir, 'packages', 'debs'), { recursive: true, force: true });
  await fs.rm(path.join(p.dir, 'packages', 'x-1.0.tar.gz'), { force: true });
  await fs.rm(path.join(p.cache, 'tarsmith', 'sha256'), { recursive: true, force: true });
}

const vias = (stdout: string) => (JSON.parse(stdout) as { items: { kind: string; name: string; via: string }[] }).items
  .filter((i) => i.kind !== 'rootfs').map((i) => `${i.name} ${i.via}`).sort();

test('vendor.mirrors: a folder next to the project answers the sources and the builder .deb files, no origin asked', async () => {
  const p = await project('mirrors-folder');
  const srv = await startServer();
  try {
    const tarball = await makeTarball(p.root, 'x-1.0', { 'x.c': 'int x;\n' });
    await lockedProject(p, srv, tarball);
    const before = [...srv.hits];
    assert.deepEqual(before, ['/files/x-1.0.tar.gz']);
    // The mirror: the tarball by file name, one .deb where another project's packages/ keeps it (debs/), the
    // other at its archive path (a copy of the archive's pool).
    const mirror = path.join(p.root, 'mirror');
    await fs.mkdir(path.join(mirror, 'debs'), { recursive: true });
    await fs.writeFile(path.join(mirror, 'x-1.0.tar.gz'), tarball);
    await fs.writeFile(path.join(mirror, 'debs', DEBS[0]!.file), DEBS[0]!.body);
    await fs.mkdir(path.join(mirror, ...DEBS[1]!.pool.split('/')), { recursive: true });
    await fs.writeFile(path.join(mirror, ...DEBS[1]!.pool.split('/'), DEBS[1]!.file), DEBS[1]!.body);
    await fs.writeFile(path.join(p.dir, 'tarsmith.yaml'), manifest(srv, ['../mirror']));
    await forget(p);

    const r = await cli(p, ['vendor', '--frozen', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(srv.hits, before, 'no request reached an origin');
    assert.deepEqual(vias(r.stdout), ['gcc-12:amd64 mirror', 'libmnl-dev:arm64 mirror', 'x mirror']);
    for (const d of DEBS) assert.deepEqual(await fs.readFile(path.join(p.dir, 'packages', 'debs', d.file)), d.body);

    // A .deb in the mirror with other bytes than the lock's is refused, moved aside, and the next candidate (the
    // origin) is asked: the mirror is never trusted over the lock.
    await fs.writeFile(path.join(mirror, 'debs', DEBS[0]!.file), 'tampered\n');
    await forget(p);
    const bad = await cli(p, ['vendor', '--frozen']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /builder package gcc-12:amd64/);
    assert.match(bad.stderr, /hash-mismatch/);
    assert.ok(srv.hits.includes(`/${DEBS[0]!.pool}/${DEBS[0]!.file}`), 'after the mismatch, the origin was tried');
  } finally {
    await srv.close();
    await p.cleanup();
  }
});

test('vendor.mirrors: an http base URL serves tarballs (sha256/HASH, file name) and .deb files (archive path)', async () => {
  const p = await project('mirrors-http');
  const srv = await startServer();
  try {
    const tarball = await makeTarball(p.root, 'x-1.0', { 'x.c': 'int x;\n' });
    await lockedProject(p, srv, tarball);
    srv.mirror.set(`sha256/${sha256(tarball)}`, tarball);
    for (const d of DEBS) srv.mirror.set(`${d.pool}/${d.file}`, d.body);
    await fs.writeFile(path.join(p.dir, 'tarsmith.yaml'), manifest(srv, [`${srv.base}/mirror/`]));
    await forget(p);
    srv.hits.length = 0;

    const r = await cli(p, ['vendor', '--frozen', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(vias(r.stdout), ['gcc-12:amd64 mirror', 'libmnl-dev:arm64 mirror', 'x mirror']);
    assert.ok(srv.hits.every((h) => h.startsWith('/mirror/')), `only the mirror was asked: ${srv.hits.join(', ')}`);
    assert.ok(srv.hits.includes(`/mirror/sha256/${sha256(tarball)}`));
    for (const d of DEBS) assert.ok(srv.hits.includes(`/mirror/${d.pool}/${d.file}`), d.file);

    // --mirror folders come before the manifest's mirrors.
    const folder = path.join(p.root, 'cli-mirror');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'x-1.0.tar.gz'), tarball);
    for (const d of DEBS) await fs.writeFile(path.join(folder, d.file), d.body);
    await forget(p);
    srv.hits.length = 0;
    const r2 = await cli(p, ['vendor', '--frozen', '--mirror', folder]);
    assert.equal(r2.status, 0, r2.stderr);
    assert.deepEqual(srv.hits, [], 'the --mirror folder answered everything');
  } finally {
    await srv.close();
    await p.cleanup();
  }
});

test('vendor.mirrors: a folder that is not there is an error at its line, nothing fetched', async () => {
  const p = await project('mirrors-missing');
  const srv = await startServer();
  try {
    srv.files.set('x-1.0.tar.gz', await makeTarball(p.root, 'x-1.0', { a: '1\n' }));
    await fs.writeFile(path.join(p.dir, 'tarsmith.yaml'), `version: 1\nname: demo\nsourceDateEpoch: 1700000000\nvendor:\n  mirrors: [../no-such-mirror]\nsources:\n  - name: x\n    url: ${srv.base}/files/x-1.0.tar.gz\n`);
    const r = await cli(p, ['vendor']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /tarsmith\.yaml:5:\d+: error\[vendor\.mirror-missing\]: the mirror \.\.\/no-such-mirror of vendor\.mirrors is not a folder \(it does not exist\)/);
    assert.deepEqual(srv.hits, []);
    await assert.rejects(fs.access(path.join(p.dir, 'tarsmith.lock')));
    // A key the section does not have is named with the ones it has.
    await fs.writeFile(path.join(p.dir, 'tarsmith.yaml'), `version: 1\nname: demo\nsourceDateEpoch: 1700000000\nvendor:\n  mirror: [../m]\nsources: []\n`);
    const typo = await cli(p, ['vendor']);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /error\[manifest\.unknown-key\]: unknown key "mirror" in vendor[\s\S]*did you mean "mirrors"/);
  } finally {
    await srv.close();
    await p.cleanup();
  }
});

test('packageMirrorPaths: sha256, file name, debs/, then the archive path', async () => {
  const { packageMirrorPaths } = await import('../../src/fetch/local-mirror.js');
  assert.deepEqual(packageMirrorPaths({ url: 'http://archive.example.org/debian/pool/main/z/zlib/zlib1g_1.2.13_arm64.deb', file: 'packages/debs/zlib1g_1.2.13_arm64.deb', sha256: 'ab'.repeat(32) }), [
    `sha256/${'ab'.repeat(32)}`, 'zlib1g_1.2.13_arm64.deb', 'debs/zlib1g_1.2.13_arm64.deb',
    'archive.example.org/debian/pool/main/z/zlib/zlib1g_1.2.13_arm64.deb', 'debian/pool/main/z/zlib/zlib1g_1.2.13_arm64.deb', 'pool/main/z/zlib/zlib1g_1.2.13_arm64.deb',
  ]);
  assert.ok(!packageMirrorPaths({ url: 'http://x.org/../../etc/passwd', file: 'packages/debs/a.deb' }).some((r) => r.includes('..')));
});
