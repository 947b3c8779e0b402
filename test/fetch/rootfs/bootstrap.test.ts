/** builder.bootstrap's pure parts: the manifest, the drift against the lock, the mmdebstrap argv, the deb822 readers. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseManifest } from '../../../src/manifest/load.js';
import type { Bootstrap } from '../../../src/manifest/types.js';
import type { LockedBootstrap } from '../../../src/lock/lock.js';
import { bootstrapDrift, ROOTFS_DEBS_DIR } from '../../../src/fetch/rootfs/request.js';
import { AUTOMOUNT_HOOKS, makeArgv, resolveArgv, sourcesList, stderrTail } from '../../../src/fetch/rootfs/mmdebstrap.js';
import { debFileName, parseDpkgStatus, parsePackagesIndex, parseStanzas } from '../../../src/fetch/rootfs/deb822.js';

const HEAD = 'version: 1\nname: x\nsourceDateEpoch: 1700000000\nsources: []\n';
const parse = (text: string) => parseManifest(text, path.join(process.cwd(), 'tarsmith.yaml'));

test('builder.bootstrap: defaults, and builder.rootfs names the file it makes', () => {
  const r = parse(`${HEAD}builder:\n  bootstrap: { suite: bookworm }\n`);
  assert.deepEqual(r.failures, []);
  assert.equal(r.manifest?.builder?.rootfs, 'packages/rootfs-bookworm-essential.tar');
  assert.deepEqual(r.manifest?.builder?.bootstrap, {
    suite: 'bookworm', variant: 'essential', architecture: 'amd64', packages: [], mirror: 'http://deb.debian.org/debian', components: ['main'],
  });
  const s = parse(`${HEAD}builder:\n  rootfs: packages/base.tar\n  bootstrap: { suite: trixie, variant: apt, packages: [ca-certificates], mirror: "http://deb.debian.org/debian/" }\n`);
  assert.equal(s.manifest?.builder?.rootfs, 'packages/base.tar');
  assert.equal(s.manifest?.builder?.bootstrap?.mirror, 'http://deb.debian.org/debian', 'a trailing slash is dropped');
});

test('builder.bootstrap refusals: an option as suite or package, a foreign qualifier, a bad variant, a relative keyring, an image beside it', () => {
  const r = parse(`${HEAD}builder:\n  bootstrap:\n    suite: bookworm\n    variant: custom\n`);
  assert.deepEqual(r.failures.map((f) => `${f.where?.line}:${f.where?.col} ${f.code}`), ['8:14 manifest.invalid-enum'], 'custom/extract are not variants a base is resolved by');
  const s = parse(`${HEAD}builder:\n  rootfs: packages/base.tar\n  bootstrap: { suite: trixie, variant: apt, packages: [ca-certificates], mirror: "http://deb.debian.org/debian/" }\n`);
  assert.equal(s.manifest?.builder?.rootfs, 'packages/base.tar');
  assert.equal(s.manifest?.builder?.bootstrap?.mirror, 'http://deb.debian.org/debian', 'a trailing slash is dropped');
});

test('builder.bootstrap refusals: an option as suite or package, a foreign qualifier, a bad variant, a relative keyring, an image beside it', () => {
  const r = parse(`${HEAD}builder:
  bootstrap:
    suite: "--mirror=x"
    variant: custom
    architecture: "amd64;rm"
    packages: [gcc, "-oDebug=1", "libc6:arm64"]
    mirror: "ftp://x"
    keyring: keys.gpg
`);
  const codes = r.failures.map((f) => `${f.where?.line} ${f.code}`);
  assert.deepEqual(codes, [
    '7 manifest.invalid-enum',
  ].concat([]).length ? codes : [], 'schema first');
  const s = parse(`${HEAD}builder:
  bootstrap:
    suite: "--mirror=x"
    architecture: "amd64;rm"
    packages: [gcc, "-oDebug=1", "libc6:arm64"]
    mirror: "ftp://x"
    keyring: keys.gpg
`);
  assert.deepEqual(s.failures.map((f) => `${f.where?.line}:${f.where?.col} ${f.code}`), [
    '7:12 manifest.bad-suite',
    '8:19 manifest.bad-architecture',
    '9:21 manifest.bad-package-name',
    '9:34 manifest.bad-package-name',
    '10:13 manifest.bad-url',
    '11:14 manifest.bad-keyring',
  ]);
  const t = parse(`${HEAD}builder:\n  image: debian:12@sha256:${'a'.repeat(64)}\n  bootstrap: { suite: bookworm }\n`);
  assert.deepEqual(t.failures.map((f) => f.code), ['manifest.several-bases']);
});

const B: Bootstrap = { suite: 'bookworm', variant: 'essential', architecture: 'amd64', packages: ['ca-certificates'], mirror: 'http://deb.debian.org/debian', components: ['main'] };
const L: LockedBootstrap = { suite: 'bookworm', variant: 'essential', architecture: 'amd64', packages: {}, mirror: 'http://deb.debian.org/debian', components: ['main'], request: ['ca-certificates'], sourceDateEpoch: 1700000000 };

test('the locked set answers the declared base until a field, a package or the epoch changes; each change named', () => {
  assert.equal(bootstrapDrift(B, 1700000000, L), undefined);
  assert.equal(bootstrapDrift(B, 1700000000, undefined), 'builder.bootstrap is not locked yet');
  assert.equal(bootstrapDrift({ ...B, suite: 'trixie' }, 1700000000, L), 'builder.bootstrap.suite changed from bookworm to trixie');
  assert.equal(bootstrapDrift({ ...B, variant: 'apt' }, 1700000000, L), 'builder.bootstrap.variant changed from essential to apt');
  assert.equal(bootstrapDrift({ ...B, packages: ['ca-certificates', 'curl'] }, 1700000000, L), 'builder.bootstrap.packages changed: added curl');
  assert.equal(bootstrapDrift({ ...B, packages: [] }, 1700000000, L), 'builder.bootstrap.packages changed: removed ca-certificates');
  assert.match(bootstrapDrift(B, 1, L) ?? '', /^sourceDateEpoch changed from 1700000000 to 1/);
  assert.equal(bootstrapDrift({ ...B, keyring: '/k.gpg' }, 1700000000, L), undefined, 'the keyring only verifies: not part of the set');
  assert.equal(ROOTFS_DEBS_DIR, 'packages/rootfs/debs');
});

test('mmdebstrap argv: values are arguments, hooks are mmdebstrap\'s own special hooks (no shell text)', () => {
  assert.equal(sourcesList(B), 'deb http://deb.debian.org/debian bookworm main\n');
  assert.deepEqual(resolveArgv({ bootstrap: { ...B, keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' }, work: '/w', sourcesFile: '/w/sources.list' }), [
    'mmdebstrap', '--variant=essential', '--architectures=amd64', '--include=ca-certificates', '--skip=essential/unlink',
    '--customize-hook=upload /w/sources.list /etc/apt/sources.list', '--components=main',
    '--keyring=/usr/share/keyrings/debian-archive-keyring.gpg',
    '--customize-hook=sync-out /var/cache/apt/archives /w/archives', '--customize-hook=sync-out /var/lib/apt/lists /w/lists',
    '--customize-hook=download /var/lib/dpkg/status /w/status', '--format=null', 'bookworm', '/dev/null', 'http://deb.debian.org/debian',
  ]);
  assert.deepEqual(makeArgv({ bootstrap: { ...B, packages: [] }, repo: '/w/repo', component: 'main', sourcesFile: '/w/s', statusFile: '/w/status', out: '/p/r.tar' }), [
    'mmdebstrap', '--variant=essential', '--architectures=amd64', '--skip=essential/unlink', '--customize-hook=upload /w/s /etc/apt/sources.list',
    `--hook-dir=${AUTOMOUNT_HOOKS}`, '--customize-hook=download /var/lib/dpkg/status /w/status', '--format=tar', 'bookworm', '/p/r.tar',
    'deb [trusted=yes] file:///w/repo bookworm main',
  ]);
  assert.deepEqual(stderrTail(['I: a', 'E: first', 'I: b', 'E: second']), ['E: first', 'E: second']);
  assert.deepEqual(stderrTail(['a', '', 'b'], 1), ['b']);
});

test('deb822: Packages index entries (pool path, size, SHA256), dpkg status (installed only), apt file names', () => {
  const idx = parsePackagesIndex(`Package: bash
Version: 5.2.15-2+b7
Architecture: amd64
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
Filename: pool/main/b/bash/bash_5.2.15-2+b7_amd64.deb
Size: 1491948
SHA256: ${'AB'.repeat(32)}

Package: broken
Version: 1
Architecture: all
Filename: pool/x.deb
Size: many
SHA256: ${'a'.repeat(64)}
`);
  assert.deepEqual([...idx.values()], [{ name: 'bash', version: '5.2.15-2+b7', architecture: 'amd64', filename: 'pool/main/b/bash/bash_5.2.15-2+b7_amd64.deb', size: 1491948, sha256: 'ab'.repeat(32) }]);
  assert.equal(parseStanzas('A: 1\n  more\n\n\nB: 2\n').length, 2);
  const st = parseDpkgStatus('Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: amd64\n\nPackage: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n');
  assert.deepEqual(st.map((p) => p.name), ['base-files', 'zlib1g']);
  assert.equal(debFileName(st[1]!), 'zlib1g_1%3a1.2.13.dfsg-1_amd64.deb');
});
