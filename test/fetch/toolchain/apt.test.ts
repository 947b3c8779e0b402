import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APT_RESOLVE_SH, NATIVE_MARK, aptErrors, aptResolveArgv, parseAptResolution, parsePrintUri, qualifiedArchitectures } from '../../../src/fetch/toolchain/apt.js';
import { resolveRunArgv, rootfsImageTag } from '../../../src/fetch/toolchain/resolve.js';

// Lines as apt 2.6 (bookworm) prints them for `install --print-uris -o Acquire::ForceHash=SHA256`.
const OUT = `${NATIVE_MARK} amd64
'http://deb.debian.org/debian/pool/main/libx/libxml2/libxml2-dev_2.9.14%2bdfsg-1.3~deb12u6_arm64.deb' libxml2-dev_2.9.14+dfsg-1.3~deb12u6_arm64.deb 813528 SHA256:${'a'.repeat(64)}
'http://deb.debian.org/debian/pool/main/f/file/libmagic1_5.44-3_amd64.deb' libmagic1_1%3a5.44-3_amd64.deb 103752 SHA256:${'B'.repeat(64)}
'http://deb.debian.org/debian/pool/main/s/sensible-utils/sensible-utils_0.0.17%2bnmu1_all.deb' sensible-utils_0.0.17+nmu1_all.deb 19020 SHA256:${'c'.repeat(64)}
Need to get 936 kB of archives.
`;

test('a --print-uris line gives name, version (epoch decoded), architecture, URL, size and SHA256', () => {
  const p = parsePrintUri(OUT.split('\n')[2]!);
  assert.deepEqual(p, {
    name: 'libmagic1',
    version: '1:5.44-3',
    architecture: 'amd64',
    url: 'http://deb.debian.org/debian/pool/main/f/file/libmagic1_5.44-3_amd64.deb',
    fileName: 'libmagic1_1%3a5.44-3_amd64.deb',
    size: 103752,
    sha256: 'b'.repeat(64),
  });
  assert.equal(parsePrintUri("'http://x/y.deb' y.deb 12 MD5Sum:abc"), undefined, 'not name_version_arch.deb');
  assert.equal(parsePrintUri('Need to get 936 kB of archives.'), undefined);
  assert.equal(parsePrintUri(`'http://x/a_1_amd64.deb' a_1_amd64.deb 12 MD5Sum:abc`)?.sha256, undefined, 'only SHA256 is taken');
});

test('the resolution: the native architecture, the foreign ones, packages sorted by name then architecture', () => {
  const r = parseAptResolution(OUT, ['pkg-config', 'libxml2-dev:arm64', 'libfoo:amd64']);
  assert.equal(r.native, 'amd64');
  assert.deepEqual(r.foreign, ['arm64'], 'a qualifier naming the native architecture adds nothing');
  assert.deepEqual(r.packages.map((p) => `${p.name}:${p.architecture}=${p.version}`), [
    'libmagic1:amd64=1:5.44-3',
    'libxml2-dev:arm64=2.9.14+dfsg-1.3~deb12u6',
    'sensible-utils:all=0.0.17+nmu1',
  ]);
});

test('qualifiers: architectures sorted and unique; all/any/native and version pins are not architectures', () => {
  assert.deepEqual(qualifiedArchitectures(['a:arm64', 'b:armhf', 'c:arm64=1.0', 'd:any', 'e:native', 'f=2:1.0', 'g']), ['arm64', 'armhf']);
});

test('the resolver runs as argv: the script is fixed text, every name an argument after --', () => {
  const argv = aptResolveArgv(['libxml2-dev:arm64', "evil'; rm -rf /"]);
  assert.deepEqual(argv, ['/bin/sh', '-c', APT_RESOLVE_SH, 'sh', 'arm64', '--', 'libxml2-dev:arm64', "evil'; rm -rf /"]);
  assert.doesNotMatch(APT_RESOLVE_SH, /libxml2|evil/);
  assert.match(APT_RESOLVE_SH, /Acquire::ForceHash=SHA256/);
  const run = resolveRunArgv('/usr/bin/docker', rootfsImageTag('f'.repeat(64)), 'apt', ['gcc']);
  assert.deepEqual(run.slice(0, 10), ['/usr/bin/docker', 'run', '--rm', '--network', 'default', '-e', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--entrypoint', '', 'tarsmith-base/rootfs:ffffffffffffffff']);
});

test("apt's error lines are what a failed resolution reports", () => {
  const err = 'Reading package lists...\nE: Unable to locate package libnope-dev:arm64\nE: Couldn\'t find any package by glob\n';
  assert.deepEqual(aptErrors(err), ['Unable to locate package libnope-dev:arm64', "Couldn't find any package by glob"]);
});
