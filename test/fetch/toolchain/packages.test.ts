import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatChanges, packageChanges } from '../../../src/fetch/toolchain/packages.js';
import { baseId, lockDrift } from '../../../src/lock/builder-packages.js';
import type { Lock, LockedPackage } from '../../../src/lock/lock.js';
import { parseManifest } from '../../../src/manifest/load.js';
import { lockedPackages } from '../../support/locked-packages.js';

function manifest(packages: string, base = 'rootfs: packages/rootfs.tar'): ReturnType<typeof parseManifest>['manifest'] & object {
  const yaml = `version: 1\nname: x\nsourceDateEpoch: 1\nsources: []\nbuilder:\n  ${base}\n  family: apt\n  packages: ${packages}\n`;
  const { manifest: m, failures } = parseManifest(yaml, '/p/tarsmith.yaml');
  assert.ok(m, failures.map((f) => f.message).join('\n'));
  return m;
}

const lock: Lock = { lockVersion: 1, sources: {}, patches: {}, rootfs: { file: 'packages/rootfs.tar', size: 1, sha256: 'd'.repeat(64) } };
const GCC = { name: 'gcc', version: '4:12.2.0-3', architecture: 'amd64' };

test('the lock drifts when the request, its order, the family or the base changes, and says how', () => {
  const m = manifest('[gcc, "libxml2-dev:arm64"]');
  const locked = lockedPackages(m, lock, [GCC]);
  assert.equal(lockDrift(m, locked, baseId(m, lock.rootfs)), undefined);
  assert.equal(lockDrift(m, undefined, baseId(m, lock.rootfs)), 'builder.packages are not locked yet');
  const edited = manifest('[gcc, "libxml2-dev:arm64", libpcap-dev]');
  assert.equal(lockDrift(edited, locked, baseId(edited, lock.rootfs)), 'builder.packages changed: added libpcap-dev');
  const swapped = manifest('[gcc, "libxml2-dev:armhf"]');
  assert.equal(lockDrift(swapped, locked, baseId(swapped, lock.rootfs)), 'builder.packages changed: added libxml2-dev:armhf; removed libxml2-dev:arm64');
  const reordered = manifest('["libxml2-dev:arm64", gcc]');
  assert.equal(lockDrift(reordered, locked, baseId(reordered, lock.rootfs)), 'builder.packages were reordered');
  const rebased = { ...lock, rootfs: { ...lock.rootfs!, sha256: 'e'.repeat(64) } };
  assert.match(lockDrift(m, locked, baseId(m, rebased.rootfs)) ?? '', /^the builder base changed \(rootfs:d{16}… → rootfs:e{16}…\)/);
  const image = manifest('[gcc, "libxml2-dev:arm64"]', `image: debian:12@sha256:${'0'.repeat(64)}`);
  assert.equal(baseId(image, undefined), `image:debian:12@sha256:${'0'.repeat(64)}`);
});

test('version changes between two closures: added, removed, changed; printed as a diff', () => {
  const p = (version: string): LockedPackage => ({ name: 'n', version, architecture: 'amd64', file: 'packages/debs/n.deb', url: 'u', size: 1, sha256: 'a'.repeat(64) });
  const old = { 'a:amd64': p('1.0'), 'b:arm64': p('2.0'), 'c:all': p('3') };
  const now = { 'a:amd64': p('1.1'), 'c:all': p('3'), 'd:amd64': p('0.9') };
  const changes = packageChanges(old, now);
  assert.deepEqual(changes, [
    { key: 'a:amd64', from: '1.0', to: '1.1' },
    { key: 'b:arm64', from: '2.0' },
    { key: 'd:amd64', to: '0.9' },
  ]);
  assert.deepEqual(formatChanges(changes), ['~ a:amd64 1.0 → 1.1', '- b:arm64 2.0', '+ d:amd64 0.9']);
  assert.deepEqual(packageChanges(now, now), []);
});
