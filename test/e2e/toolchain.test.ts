/**
 * The toolchain from locked packages, end to end against the real engine and Debian's real archive (at vendor time
 * only): builder.packages with a foreign architecture and a cross compiler are resolved over the builder rootfs and
 * vendored; the toolchain stage installs them with the network off, reproducibly; a build cross-compiles against
 * arm64 libxml2 with pkg-config; the generated Dockerfiles build by hand with --network=none; upstream git use
 * (init/add/commit/apply on a tree owned by uid 1000) works and gives the same commit IDs twice.
 * The .deb files come from the content-addressed cache after the first run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerClient, exampleRootfs, run, tarsmith } from './build-rig.js';

const PACKAGES = ['pkg-config', 'libxml2-dev:arm64', 'crossbuild-essential-arm64', 'git'];

const MAKEFILE = `CC = aarch64-linux-gnu-gcc
# pkg-config over the arm64 .pc files only (the multiarch folder libxml2-dev:arm64 installs into)
PKG_CONFIG = PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
xmlver: xmlver.c
\t$(CC) $$($(PKG_CONFIG) --cflags libxml-2.0) -o $@ xmlver.c $$($(PKG_CONFIG) --libs libxml-2.0)
\t$(PKG_CONFIG) --libs libxml-2.0 > pkgconfig-libs.txt
# What the flagship's Makefile does with a tarball it unpacks: commit it, then apply a patch with git.
imported:
\trm -rf imported && mkdir imported && tar -xzf vendor.tar.gz -C imported
\tcd imported && git init -q && git add -A && git commit -q -m import && git apply ../fix.patch && git commit -q -am fix
\tcd imported && git log --format='%H %an <%ae> %at' > ../commits.txt
`;

const XMLVER_C = `#include <libxml/parser.h>
#include <stdio.h>
int main(void) { xmlInitParser(); printf("libxml2 %s\\n", LIBXML_DOTTED_VERSION); return 0; }
`;

const MANIFEST = `version: 1
name: cross
sourceDateEpoch: 1700000000
sources:
  - name: app
    file: packages/app-1.0.tar.gz
    strip: 1
builder:
  rootfs: packages/rootfs-bookworm-buildd.tar
  family: apt
  packages: [${PACKAGES.map((p) => JSON.stringify(p)).join(', ')}]
build:
  workdir: app
  targets:
    xmlver:
      steps: [make xmlver]
      artifacts: [xmlver, pkgconfig-libs.txt]
    git:
      steps: [make imported]
      artifacts: [commits.txt, imported/greeting.txt]
`;

let dir = '';

async function tarAs1000(src: string, out: string): Promise<void> {
  const r = await run(['tar', '--owner=1000', '--group=1000', '--numeric-owner', '--mtime=@1700000000', '--sort=name', '-czf', out, '-C', src, '.']);
  assert.equal(r.code, 0, r.stderr);
}

/** The upstream tarball: files owned by uid 1000, holding an inner tarball (also uid 1000) and a patch for it. */
async function makeUpstream(root: string): Promise<void> {
  const inner = path.join(root, 'inner');
  await fs.mkdir(inner, { recursive: true });
  await fs.writeFile(path.join(inner, 'greeting.txt'), 'hello\n');
  const up = path.join(root, 'up', 'app-1.0');
  await fs.mkdir(up, { recursive: true });
  await tarAs1000(inner, path.join(up, 'vendor.tar.gz'));
  await fs.writeFile(path.join(up, 'Makefile'), MAKEFILE);
  await fs.writeFile(path.join(up, 'xmlver.c'), XMLVER_C);
  await fs.writeFile(path.join(up, 'fix.patch'), '--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1 +1 @@\n-hello\n+hello, patched\n');
  await tarAs1000(up, path.join(root, 'packages', 'app-1.0.tar.gz'));
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-toolchain-'));
  await fs.mkdir(path.join(dir, 'packages'));
  const rootfs = await exampleRootfs();
  const dest = path.join(dir, 'packages', 'rootfs-bookworm-buildd.tar');
  await fs.link(rootfs, dest).catch(() => fs.copyFile(rootfs, dest));
  await makeUpstream(dir);
  await fs.writeFile(path.join(dir, 'tarsmith.yaml'), MANIFEST);
});

after(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

interface LockShape {
  builderPackages: { request: string[]; base: string; foreignArchitectures: string[]; packages: Record<string, { file: string; sha256: string; version: string; url: string }> };
  toolchain?: { tag: string; layers: string[] };
}
const readLock = async () => JSON.parse(await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8')) as LockShape;

test('vendor resolves builder.packages over the rootfs and locks the whole closure, every .deb in packages/debs/', async () => {
  const v = await tarsmith(['vendor', '--json'], dir);
  assert.equal(v.code, 0, v.stderr);
  const rep = JSON.parse(v.stdout) as { packagesResolved: boolean; packageChanges: { key: string; to?: string }[] };
  assert.equal(rep.packagesResolved, true);
  const lock = await readLock();
  const bp = lock.builderPackages;
  assert.deepEqual(bp.request, PACKAGES);
  assert.deepEqual(bp.foreignArchitectures, ['arm64']);
  assert.match(bp.base, /^rootfs:[0-9a-f]{64}$/);
  for (const key of ['libxml2-dev:arm64', 'libxml2:arm64', 'libc6-dev:arm64', 'gcc-aarch64-linux-gnu:amd64', 'pkg-config:amd64', 'git:amd64', 'crossbuild-essential-arm64:all']) {
    assert.ok(bp.packages[key], `${key} is in the closure`);
  }
  assert.ok(!bp.packages['make:amd64'], 'what the base already has is not in the closure');
  assert.deepEqual(rep.packageChanges.map((c) => c.key).sort(), Object.keys(bp.packages).sort(), 'every package reported as added');
  for (const p of Object.values(bp.packages)) {
    assert.match(p.file, /^packages\/debs\/[^/]+\.deb$/);
    assert.match(p.url, /^https?:\/\/.+\/pool\/main\//);
  }
  const verify = await tarsmith(['verify', '--strict'], dir);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /packages\/debs\/libxml2-dev_[^ ]+_arm64\.deb: OK/);
  const again = await tarsmith(['vendor', '--frozen', '--json'], dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { packagesResolved: boolean }).packagesResolved, false, 'a matching lock is used as is');
});

test('vendor --frozen after a package edit fails and names the change; the lock is untouched', async () => {
  const before = await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8');
  const file = path.join(dir, 'tarsmith.yaml');
  await fs.writeFile(file, MANIFEST.replace('"git"]', '"git", "libmnl-dev:arm64"]'));
  try {
    const r = await tarsmith(['vendor', '--frozen'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error\[lock\.frozen-change\]: --frozen: builder\.packages would change tarsmith\.lock: builder\.packages changed: added libmnl-dev:arm64/);
    assert.match(r.stderr, /tarsmith\.yaml:11:\d+/);
    const t = await tarsmith(['toolchain'], dir);
    assert.equal(t.code, 1, t.stderr);
    assert.match(t.stderr, /toolchain\.not-vendored/);
  } finally {
    await fs.writeFile(file, MANIFEST);
  }
  assert.equal(await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8'), before);
});

test('toolchain, then toolchain --no-cache: built with the network off, identical layers, the lock unchanged', async () => {
  const t1 = await tarsmith(['toolchain', '--json'], dir);
  assert.equal(t1.code, 0, t1.stderr);
  const r1 = JSON.parse(t1.stdout) as { tag: string; layers: string[] };
  const lock1 = await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8');
  assert.deepEqual((await readLock()).toolchain?.layers, r1.layers);
  const t2 = await tarsmith(['toolchain', '--no-cache', '--json'], dir);
  assert.equal(t2.code, 0, t2.stderr);
  const r2 = JSON.parse(t2.stdout) as { tag: string; layers: string[] };
  assert.equal(r2.tag, r1.tag);
  assert.deepEqual(r2.layers, r1.layers, 'the same files give the same toolchain tree, byte for byte');
  assert.equal(await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8'), lock1);
  assert.doesNotMatch(t2.stderr, /CACHED/, '--no-cache really ran the install');
});

test('a build cross-compiles against arm64 libxml2 with pkg-config: an aarch64 ELF; the record lists the packages', async () => {
  const b = await tarsmith(['build', 'xmlver'], dir);
  assert.equal(b.code, 0, b.stderr);
  const elf = await fs.readFile(path.join(dir, 'out', 'cross', 'xmlver'));
  assert.equal(elf.subarray(0, 4).toString('latin1'), '\x7fELF');
  assert.equal(elf.readUInt16LE(18), 183, 'e_machine EM_AARCH64');
  assert.match(elf.toString('latin1'), /libxml2\.so\.2/, 'linked against (arm64) libxml2');
  assert.match(await fs.readFile(path.join(dir, 'out', 'cross', 'pkgconfig-libs.txt'), 'utf8'), /-lxml2/);
  const record = JSON.parse(await fs.readFile(path.join(dir, 'out', 'cross', 'tarsmith-build.json'), 'utf8')) as {
    builder: { installed: Record<string, string>; vendored: Record<string, { version: string }> };
  };
  const lock = await readLock();
  assert.equal(record.builder.installed['libxml2-dev:arm64'], lock.builderPackages.packages['libxml2-dev:arm64']?.version);
  assert.ok(record.builder.installed['make:amd64'], 'base packages are listed too');
  for (const [k, p] of Object.entries(lock.builderPackages.packages)) assert.equal(record.builder.installed[k], p.version, k);
});

test('the Dockerfiles generate writes build by hand with DOCKER_BUILDKIT=1 docker build --network=none', async () => {
  const gen = await tarsmith(['generate', 'xmlver', '--with-inputs', '--out', 'ctx'], dir);
  assert.equal(gen.code, 0, gen.stderr);
  const ctx = path.join(dir, 'ctx');
  const toolchainDf = await fs.readFile(path.join(ctx, 'Dockerfile.toolchain'), 'utf8');
  assert.match(toolchainDf, /^#   libxml2-dev:arm64 \S+$/m);
  assert.doesNotMatch(toolchainDf, /apt-get update/);
  const tag = /^FROM (\S+) AS toolchain$/m.exec(await fs.readFile(path.join(ctx, 'Dockerfile'), 'utf8'))?.[1];
  assert.ok(tag);
  const docker = await dockerClient();
  const env = { ...process.env, DOCKER_BUILDKIT: '1' };
  const byHandTag = `${tag}-byhand`;
  const t = await run([docker, 'build', '--network=none', '-f', 'Dockerfile.toolchain', '--target', 'toolchain', '-t', byHandTag, '.'], { cwd: ctx, env });
  assert.equal(t.code, 0, t.stderr);
  try {
    const layers = await run([docker, 'image', 'inspect', '--format', '{{json .RootFS.Layers}}', byHandTag]);
    assert.deepEqual(JSON.parse(layers.stdout), (await readLock()).toolchain?.layers, 'by hand: the same toolchain layers');
    const b = await run([docker, 'build', '--network=none', '--target', 'artifacts', '-o', `type=local,dest=${path.join(dir, 'byhand')}`, '.'], { cwd: ctx, env });
    assert.equal(b.code, 0, b.stderr);
    const elf = await fs.readFile(path.join(dir, 'byhand', 'xmlver'));
    assert.equal(elf.readUInt16LE(18), 183);
  } finally {
    await run([docker, 'image', 'rm', byHandTag]);
  }
});

test('upstream git init/add/commit and git apply on a tree owned by uid 1000 work, with the same commit IDs twice', async () => {
  const b1 = await tarsmith(['build', 'git'], dir);
  assert.equal(b1.code, 0, b1.stderr);
  const out = path.join(dir, 'out', 'cross-git');
  const c1 = await fs.readFile(path.join(out, 'commits.txt'), 'utf8');
  assert.match(c1, /^[0-9a-f]{40} tarsmith <tarsmith@localhost> 1700000000\n[0-9a-f]{40} tarsmith <tarsmith@localhost> 1700000000\n$/);
  assert.equal(await fs.readFile(path.join(out, 'imported', 'greeting.txt'), 'utf8'), 'hello, patched\n');
  const b2 = await tarsmith(['build', 'git', '--no-cache'], dir);
  assert.equal(b2.code, 0, b2.stderr);
  assert.equal(await fs.readFile(path.join(out, 'commits.txt'), 'utf8'), c1, 'the same commit IDs on every build');
});
