import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { APK_NATIVE_MARK, APK_RESOLVE_SH, apkResolveArgv, parseApkResolution, parseApkUrl } from '../../../src/fetch/toolchain/apk.js';

// Alpine's archive is not reachable from CI: the resolver's text and the parsing of `apk fetch --url` output are
// what is tested here (lines as apk-tools 2.14 prints them).
const golden = fileURLToPath(new URL('./golden/apk-resolve.sh', import.meta.url));

test('the apk resolver script: golden; names are arguments', async () => {
  if (process.env.TARSMITH_UPDATE_GOLDEN === '1') await fs.writeFile(golden, APK_RESOLVE_SH);
  assert.equal(APK_RESOLVE_SH, await fs.readFile(golden, 'utf8'));
  assert.deepEqual(apkResolveArgv(['build-base', 'openssl-dev']), ['/bin/sh', '-c', APK_RESOLVE_SH, 'sh', 'build-base', 'openssl-dev']);
});

test('apk fetch --url lines: name, version, architecture from the pool URL; duplicates once; sorted', () => {
  const out = `${APK_NATIVE_MARK} x86_64
https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/musl-dev-1.2.5-r0.apk
https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/build-base-0.5-r3.apk
https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/libstdc%2B%2B-13.2.1_git20240309-r0.apk
https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/musl-dev-1.2.5-r0.apk
fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz
`;
  const r = parseApkResolution(out);
  assert.equal(r.native, 'x86_64');
  assert.deepEqual(r.foreign, []);
  assert.deepEqual(r.packages.map((p) => [p.name, p.version, p.architecture, p.fileName]), [
    ['build-base', '0.5-r3', 'x86_64', 'build-base-0.5-r3.x86_64.apk'],
    ['libstdc++', '13.2.1_git20240309-r0', 'x86_64', 'libstdc++-13.2.1_git20240309-r0.x86_64.apk'],
    ['musl-dev', '1.2.5-r0', 'x86_64', 'musl-dev-1.2.5-r0.x86_64.apk'],
  ]);
  assert.ok(r.packages.every((p) => p.sha256 === undefined), 'Alpine indexes carry no sha256: recorded on first download');
  assert.equal(parseApkUrl('https://x/main/x86_64/not-a-package.apk'), undefined);
});
