import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APK_TABLE, lookup } from '../../src/packages/table.js';
import { mapToAlpine, packagesFor, splitDebianSpec } from '../../src/packages/map.js';

test('the table has at least 100 entries and no duplicate Debian names', () => {
  assert.ok(APK_TABLE.length >= 100, `only ${APK_TABLE.length} entries`);
  const names = APK_TABLE.map((e) => e.debian);
  const dups = names.filter((n, i) => names.indexOf(n) !== i);
  assert.deepEqual(dups, []);
});

test('every entry has a source; every mapping has a main/community repo matching its aports path, never testing', () => {
  for (const e of APK_TABLE) {
    assert.ok(e.source.length > 0, `${e.debian} has no source`);
    if (e.kind !== 'map') continue;
    assert.ok(e.repo === 'main' || e.repo === 'community', `${e.debian}: repo ${e.repo}`);
    assert.match(e.source, new RegExp(`^aports ${e.repo}/[^/ ]+/APKBUILD`), `${e.debian}: ${e.source}`);
    assert.doesNotMatch(e.source, /testing|edge/, `${e.debian} points at edge/testing`);
    assert.ok(e.alpine.length > 0, `${e.debian} maps to nothing`);
    for (const a of e.alpine) assert.match(a, /^[a-z0-9][a-z0-9+._-]*$/, `${e.debian}: bad Alpine name ${a}`);
  }
});

test('entries without an equivalent carry advice and a hint', () => {
  for (const e of APK_TABLE) {
    if (e.kind !== 'none') continue;
    assert.ok(e.hint.length > 20 && e.reason.length > 10, e.debian);
  }
});

test('the required mappings', () => {
  const expect: Record<string, string[]> = {
    gcc: ['gcc'],
    'g++': ['g++'],
    make: ['make'],
    cmake: ['cmake'],
    'pkg-config': ['pkgconf'],
    pkgconf: ['pkgconf'],
    'libssl-dev': ['openssl-dev'],
    'zlib1g-dev': ['zlib-dev'],
    'libstdc++6': ['libstdc++'],
    'libc6-dev': ['musl-dev'],
    'build-essential': ['build-base'],
    'libtclap-dev': ['tclap-dev'],
    bc: ['bc'],
    bison: ['bison'],
    flex: ['flex'],
    kmod: ['kmod'],
    cpio: ['cpio'],
    'libelf-dev': ['elfutils-dev'],
    'libxml2-dev': ['libxml2-dev'],
    'libpcap-dev': ['libpcap-dev'],
    'libmnl-dev': ['libmnl-dev'],
    'libnfnetlink-dev': ['libnfnetlink-dev'],
    'libnetfilter-conntrack-dev': ['libnetfilter_conntrack-dev'],
    python3: ['python3'],
    perl: ['perl'],
    rsync: ['rsync'],
    'xz-utils': ['xz'],
    'u-boot-tools': ['u-boot-tools'],
    'device-tree-compiler': ['dtc'],
  };
  for (const [deb, alp] of Object.entries(expect)) {
    const e = lookup(deb);
    assert.ok(e && e.kind === 'map', `${deb} missing`);
    assert.deepEqual([...e.alpine], alp, deb);
  }
});

test('edge-only and cross packages are explicit findings with advice, never mapped', () => {
  const cli = mapToAlpine('libcli-dev');
  assert.deepEqual(cli.alpine, []);
  assert.equal(cli.findings[0]?.code, 'convert.no-alpine-equivalent');
  assert.match(cli.findings[0]?.hint ?? '', /vendor libcli/);
  for (const p of ['crossbuild-essential-arm64', 'gcc-aarch64-linux-gnu']) {
    const r = mapToAlpine(p);
    assert.deepEqual(r.alpine, []);
    assert.equal(r.findings[0]?.code, 'convert.cross-toolchain');
    assert.match(r.findings[0]?.hint ?? '', /--platform linux\/arm64/);
  }
});

test('qualifiers: multiarch → platform advice, version pins and target releases dropped with a warning', () => {
  assert.deepEqual(splitDebianSpec('libssl-dev:arm64=3.0.11-1'), { name: 'libssl-dev', arch: 'arm64', version: '3.0.11-1' });
  const arm = mapToAlpine('libssl-dev:arm64');
  assert.deepEqual(arm.alpine, []);
  assert.ok(arm.findings.some((f) => f.code === 'convert.foreign-architecture' && f.severity === 'error'));
  const pinned = mapToAlpine('gcc=4:12.2.0-3');
  assert.deepEqual(pinned.alpine, ['gcc']);
  assert.ok(pinned.findings.some((f) => f.code === 'convert.version-pin-dropped'));
  assert.deepEqual(mapToAlpine('cmake/bookworm-backports').alpine, ['cmake']);
});

test('unknown names are kept with a warning; Alpine names pass through silently', () => {
  const u = mapToAlpine('libfoo7-dev');
  assert.deepEqual(u.alpine, ['libfoo7-dev']);
  assert.equal(u.findings[0]?.code, 'convert.unmapped-package');
  assert.match(u.findings[0]?.message ?? '', /foo-dev/);
  const a = mapToAlpine('openssl-dev');
  assert.deepEqual(a.alpine, ['openssl-dev']);
  assert.deepEqual(a.findings, []);
});

test('packagesFor: one Debian list serves both builder families', () => {
  const list = ['build-essential', 'libssl-dev', 'libc6-dev', 'gcc', 'apt-utils', 'libcli-dev'];
  const apk = packagesFor('apk', list);
  assert.deepEqual(apk.packages, ['build-base', 'openssl-dev', 'musl-dev', 'gcc']);
  assert.equal(apk.findings.filter((f) => f.severity === 'error').length, 1);
  assert.equal(apk.decisions.length, list.length);
  const apt = packagesFor('apt', [...list, 'gcc']);
  assert.deepEqual(apt.packages, list);
  assert.deepEqual(apt.findings, []);
});
