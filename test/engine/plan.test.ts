import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTarsmithError } from '../../src/core/errors.js';
import { parseManifest } from '../../src/manifest/load.js';
import { buildPlatform, type Manifest } from '../../src/manifest/types.js';
import { plan as planWith, withRootfsImage, withToolchainImage, type PlanOptions } from '../../src/engine/plan.js';
import type { Lock } from '../../src/lock/lock.js';
import { withPackages } from '../support/locked-packages.js';

/** Canonical trees as the engine's trees step makes them (fixed here: the planner only names them). */
const TREES: PlanOptions['trees'] = new Proxy({}, { get: (_t, name) => ({ file: `/cache/trees/${String(name)}.tar`, sha256: '9'.repeat(64) }) });
const plan = (m: Parameters<typeof planWith>[0], l: Parameters<typeof planWith>[1], o: PlanOptions = {}) => planWith(m, l, { trees: TREES, ...o });

const SHA = (c: string) => c.repeat(64);

function manifest(yaml: string): Manifest {
  const { manifest: m, failures } = parseManifest(yaml, '/proj/tarsmith.yaml');
  assert.ok(m, failures.map((f) => f.message).join('\n'));
  return m;
}

const base = `version: 1
name: app
sourceDateEpoch: 1700000000
sources:
  - name: app
    file: packages/app-1.0.tar.gz
    strip: 1
    patches: [patches/fix.patch]
  - name: sdk
    file: packages/sdk.tar.gz
    private: true
    into: /opt/sdk
build:
  workdir: app
  targets:
    app:
      steps: [make]
      artifacts: [app]
    docs:
      steps: [make doc]
      artifacts: [doc/*.html]
`;

const lock: Lock = {
  lockVersion: 1,
  sources: {
    app: { file: 'packages/app-1.0.tar.gz', size: 10, sha256: SHA('a'), origin: 'file', treeHash: SHA('1') },
    sdk: { file: 'packages/sdk.tar.gz', size: 10, sha256: SHA('b'), origin: 'file', treeHash: SHA('2') },
  },
  patches: { 'patches/fix.patch': { file: 'patches/fix.patch', size: 5, sha256: SHA('c') } },
  rootfs: { file: 'packages/rootfs.tar', size: 100, sha256: SHA('d') },
};

const withRootfs = `${base}builder:\n  rootfs: packages/rootfs.tar\n  family: apt\n`;

test('the rootfs base from a registry: FROM the pinned base image, the rootfs no longer in the context', () => {
  const p = plan(manifest(withRootfs), lock);
  const ref = `127.0.0.1:5000/team/app@sha256:${SHA('f')}`;
  const r = withRootfsImage(p, ref);
  assert.deepEqual(r.context.map((c) => c.contextPath), p.context.map((c) => c.contextPath).filter((c) => c !== 'rootfs/rootfs.tar'));
  assert.match(r.dockerfile, new RegExp(`^FROM ${ref.replace(/\./g, '\\.')} AS base$`, 'm'));
  assert.doesNotMatch(r.dockerfile, /rootfs\.tar|FROM scratch AS base/);
  // The stages after the base are the same: only the base stage changed.
  assert.equal(r.dockerfile.slice(r.dockerfile.indexOf('AS toolchain')), p.dockerfile.slice(p.dockerfile.indexOf('AS toolchain')));
  assert.match(r.dockerfile, /^ENV PATH=/m);
  assert.deepEqual(r.spec.base, { kind: 'rootfs-image', ref });
  // A plan whose base is an image already (a toolchain image) is left as it is.
  const img = plan(manifest(`${base}builder:\n  image: debian:12@sha256:${SHA('e')}\n  family: apt\n`), { ...lock, rootfs: undefined, toolchain: { inputsHash: '', tag: 't', layers: [] } } as Lock);
  assert.equal(withRootfsImage(img, ref), img);
});

test('the toolchain image from a registry: the toolchain stage FROM the pinned image, nothing else changed', () => {
  const img = plan(manifest(`${base}builder:\n  image: debian:12@sha256:${SHA('e')}\n  family: apt\n`), { ...lock, rootfs: undefined, toolchain: { inputsHash: '', tag: 't', layers: [] } } as Lock);
  assert.equal(img.spec.base.kind, 'toolchain-image');
  const ref = `127.0.0.1:5000/team/app@sha256:${SHA('f')}`;
  const r = withToolchainImage(img, ref);
  assert.deepEqual(r.spec.base, { kind: 'toolchain-image', ref });
  assert.match(r.dockerfile, new RegExp(`^FROM ${ref.replace(/\./g, '\\.')} AS toolchain$`, 'm'));
  const local = img.spec.base.kind === 'toolchain-image' ? img.spec.base.ref : '';
  assert.equal(r.dockerfile, img.dockerfile.replace(`FROM ${local} AS toolchain`, `FROM ${ref} AS toolchain`));
  assert.deepEqual(r.context, img.context);
  // A plan that builds its own base (a rootfs without packages) has no toolchain image to replace.
  const own = plan(manifest(withRootfs), lock);
  assert.equal(withToolchainImage(own, ref), own);
});

test('rootfs without packages: no toolchain image, the context holds only what the build needs', () => {
  const p = plan(manifest(withRootfs), lock);
  assert.equal(p.needsToolchainImage, false);
  assert.deepEqual(p.context.map((c) => c.contextPath), [
    'packages/app-1.0.tar.gz',
    'patches/app/001-fix.patch',
    'rootfs/rootfs.tar',
    'tarsmith/SHA256SUMS',
    'tarsmith/bin/collect.sh',
    'tarsmith/bin/extract.sh',
    'tarsmith/bin/step.sh',
    'tarsmith/gitconfig',
    'trees/app.tar',
  ]);
  assert.equal(p.context.find((c) => c.contextPath === 'packages/app-1.0.tar.gz')?.src, '/proj/packages/app-1.0.tar.gz');
  // The build unpacks the host-checked canonical tree, bind-mounted for its one step; never the original archive.
  assert.equal(p.context.find((c) => c.contextPath === 'trees/app.tar')?.src, '/cache/trees/app.tar');
  assert.match(p.dockerfile, /RUN --mount=type=bind,source=trees\/app.tar,target=\/tarsmith\/trees\/app.tar \["\/bin\/sh", "\/tarsmith\/bin\/extract.sh", "\/tarsmith\/trees\/app.tar", "9{64}", "\/src\/app"\]/);
  assert.doesNotMatch(p.dockerfile, /extract.sh", "\/opt\/tarsmith\/packages/);
});

test('a private source never enters the context: it is a secret for its one extraction step', () => {
  const p = plan(manifest(withRootfs), lock);
  assert.ok(!p.context.some((c) => c.src?.includes('sdk') || c.contextPath.includes('sdk')));
  assert.deepEqual(p.secrets, [{ id: 'source-sdk', src: '/cache/trees/sdk.tar' }]);
  assert.equal(p.dockerfile.split('\n').filter((l) => l.includes('--mount=type=secret')).length, 1);
});

const GCC = { name: 'gcc-12', version: '12.2.0-14', architecture: 'amd64' };
const MAKE = { name: 'make', version: '4.3-4.1', architecture: 'amd64' };
const XML = { name: 'libxml2-dev', version: '2.9.14+dfsg-1.3~deb12u6', architecture: 'arm64' };

test('packages to install need the toolchain image, installed from the locked files; the build then starts FROM it', () => {
  const m = manifest(withRootfs.replace('family: apt', 'family: apt\n  packages: [gcc, "libxml2-dev:arm64"]'));
  const p = plan(m, withPackages(m, lock, [GCC, XML], ['arm64']));
  assert.equal(p.needsToolchainImage, true);
  assert.match(p.dockerfile, /^FROM tarsmith-toolchain\/app:[0-9a-f]{16} AS toolchain$/m);
  assert.doesNotMatch(p.dockerfile, /apt-get|install-apt/);
  assert.doesNotMatch(p.toolchainDockerfile, /apt-get update/);
  assert.match(p.toolchainDockerfile, /^#   gcc-12:amd64 12\.2\.0-14$/m);
  assert.match(p.toolchainDockerfile, /^#   libxml2-dev:arm64 2\.9\.14\+dfsg-1\.3~deb12u6$/m);
  assert.match(p.toolchainDockerfile, /\["\/bin\/sh", "\/mnt\/install-apt\.sh", "1700000000", "arm64"\]$/m);
  assert.deepEqual(p.toolchainContext.map((c) => c.contextPath).sort(), [
    'rootfs/rootfs.tar',
    'tarsmith/mount-points.tar',
    'tarsmith/toolchain/debs/gcc-12_12.2.0-14_amd64.deb',
    'tarsmith/toolchain/debs/libxml2-dev_2.9.14+dfsg-1.3~deb12u6_arm64.deb',
    'tarsmith/toolchain/install-apt.sh',
    'tarsmith/toolchain/packages.list',
  ]);
  const list = p.toolchainContext.find((c) => c.contextPath.endsWith('packages.list'))?.content;
  assert.equal(list, 'debs/gcc-12_12.2.0-14_amd64.deb\ndebs/libxml2-dev_2.9.14+dfsg-1.3~deb12u6_arm64.deb\n');
  assert.ok(!p.context.some((c) => c.contextPath.startsWith('rootfs/') || c.contextPath.startsWith('tarsmith/toolchain/')));
});

test('packages the lock does not hold (or holds for another request or base) are refused, naming the change', () => {
  const m = manifest(withRootfs.replace('family: apt', 'family: apt\n  packages: [gcc, make]'));
  const other = manifest(withRootfs.replace('family: apt', 'family: apt\n  packages: [gcc]'));
  const refused = (l: Lock, why: RegExp) =>
    assert.throws(() => plan(m, l), (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'toolchain.not-vendored' && why.test(e.message) && e.exit === 1);
  refused(lock, /not locked yet/);
  refused(withPackages(other, lock, [GCC]), /builder\.packages changed: added make/);
  refused({ ...withPackages(m, lock, [GCC, MAKE]), rootfs: { ...lock.rootfs!, sha256: SHA('e') } }, /the builder base changed/);
});

test('the toolchain inputs hash follows the packages and the rootfs, not the sources', () => {
  const m1 = manifest(withRootfs.replace('family: apt', 'family: apt\n  packages: [gcc]'));
  const m2 = manifest(withRootfs.replace('family: apt', 'family: apt\n  packages: [gcc, make]'));
  const l1 = withPackages(m1, lock, [GCC]);
  const h1 = plan(m1, l1).toolchainInputsHash;
  assert.notEqual(h1, plan(m2, withPackages(m2, lock, [GCC, MAKE])).toolchainInputsHash);
  const l1b = { ...lock, rootfs: { ...lock.rootfs!, sha256: SHA('e') } };
  assert.notEqual(h1, plan(m1, withPackages(m1, l1b, [GCC])).toolchainInputsHash);
  assert.equal(h1, plan(m1, { ...l1, sources: { ...l1.sources, app: { ...l1.sources.app!, sha256: SHA('f') } } }).toolchainInputsHash);
});

test('an image base must be pinned by digest unless --allow-unpinned', () => {
  const m = manifest(`${base}builder:\n  image: alpine:3.20\n  family: apk\n`);
  assert.throws(() => plan(m, lock), (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'build.unpinned-base' && e.exit === 2 && /@sha256/.test(e.failures[0]?.hint ?? ''));
  assert.equal(plan(m, lock, { allowUnpinned: true }).needsToolchainImage, true);
  const pinned = manifest(`${base}builder:\n  image: alpine:3.20@sha256:${SHA('0')}\n  family: apk\n`);
  assert.equal(plan(pinned, lock).needsToolchainImage, true);
});

test('targets: the first by default, others by name, an unknown one with a suggestion', () => {
  const m = manifest(withRootfs);
  assert.equal(plan(m, lock).target.name, 'app');
  assert.match(plan(m, lock, { target: 'docs' }).dockerfile, /"doc\/\*\.html"/);
  assert.throws(() => plan(m, lock, { target: 'doc' }), (e: unknown) => isTarsmithError(e) && /did you mean docs/.test(e.failures[0]?.hint ?? ''));
});

test('a source missing from the lock is refused before anything runs', () => {
  const { sdk: _sdk, ...rest } = lock.sources;
  assert.throws(() => plan(manifest(withRootfs), { ...lock, sources: rest }), (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'verify.not-vendored');
});

test('fetch stand-ins are copied in as a build tool and put first on PATH', () => {
  const p = plan(manifest(withRootfs), lock, {
    tools: [{ root: '/opt/tarsmith/shims', binDir: '/opt/tarsmith/shims/bin', files: [{ path: 'bin/wget', content: '#!/bin/sh\n', mode: 0o755 }] }],
  });
  assert.deepEqual(p.context.find((c) => c.contextPath === 'tools/0/bin/wget')?.mode, 0o755);
  assert.match(p.dockerfile, /^COPY \["tools\/0\/", "\/opt\/tarsmith\/shims\/"\]$/m);
  assert.match(p.dockerfile, /^ENV PATH="\/opt\/tarsmith\/shims\/bin:\$\{PATH\}"$/m);
});

test('a plain file (extract: false) is checked and placed at into (default /src/<name>/<file name>), never unpacked', () => {
  const yaml = base.replace('build:\n', `  - name: frag\n    file: kernel/extra.config\n    extract: false\n  - name: defconfig\n    file: packages/ls1046a_defconfig\n    extract: false\n    into: /src/app/arch/arm64/configs/ls1046a_defconfig\nbuild:\n`);
  const m = manifest(`${yaml}builder:\n  rootfs: packages/rootfs.tar\n  family: apt\n`);
  const l: Lock = {
    ...lock,
    sources: {
      ...lock.sources,
      frag: { file: 'packages/kernel/extra.config', size: 3, sha256: SHA('5'), origin: 'file', path: 'kernel/extra.config', treeHash: SHA('5') },
      defconfig: { file: 'packages/ls1046a_defconfig', size: 3, sha256: SHA('6'), origin: 'file', path: 'packages/ls1046a_defconfig', treeHash: SHA('6') },
    },
  };
  const p = plan(m, l);
  assert.match(p.dockerfile, /^# plain file frag$\nRUN \["\/bin\/sh", "\/tarsmith\/bin\/place\.sh", "\/opt\/tarsmith\/packages\/kernel\/extra\.config", "5{64}", "\/src\/frag\/extra\.config"\]$/m);
  assert.match(p.dockerfile, /"\/tarsmith\/bin\/place\.sh", "\/opt\/tarsmith\/packages\/ls1046a_defconfig", "6{64}", "\/src\/app\/arch\/arm64\/configs\/ls1046a_defconfig"\]$/m);
  assert.ok(p.context.some((c) => c.contextPath === 'tarsmith/bin/place.sh'));
  assert.match(p.context.find((c) => c.contextPath === 'tarsmith/SHA256SUMS')?.content ?? '', /^6{64} {2}ls1046a_defconfig$/m);
});

test('a cross builder (builder.platform) runs every stage on its own platform; the target platform labels the output', () => {
  const cross = (yaml: string) => manifest(`${yaml.replace('sourceDateEpoch: 1700000000', 'sourceDateEpoch: 1700000000\nplatform: linux/arm64')}`);
  const m = cross(withRootfs.replace('family: apt', 'family: apt\n  platform: linux/amd64\n  packages: [gcc]'));
  assert.equal(m.platform, 'linux/arm64');
  assert.equal(m.builder?.platform, 'linux/amd64');
  assert.equal(buildPlatform(m), 'linux/amd64');
  assert.equal(buildPlatform(m, 'linux/riscv64'), 'linux/amd64', '--platform changes the label, not the builder');
  const native = cross(withRootfs.replace('family: apt', 'family: apt\n  packages: [gcc]'));
  assert.equal(buildPlatform(native), 'linux/arm64', 'without builder.platform the stages run on the target platform');
  assert.equal(buildPlatform(native, 'linux/riscv64'), 'linux/riscv64');
  // The toolchain image is the builder's: the same inputs hash as an amd64 project with the same packages.
  const amd64 = manifest(withRootfs.replace('family: apt', 'family: apt\n  packages: [gcc]'));
  assert.equal(plan(m, withPackages(m, lock, [GCC])).toolchainInputsHash, plan(amd64, withPackages(amd64, lock, [GCC])).toolchainInputsHash);
  assert.notEqual(plan(native, withPackages(native, lock, [GCC])).toolchainInputsHash, plan(amd64, withPackages(amd64, lock, [GCC])).toolchainInputsHash);
});

test('builder.platform must be OS/ARCH[/VARIANT]', () => {
  const { failures } = parseManifest(withRootfs.replace('family: apt', 'family: apt\n  platform: amd64'), '/proj/tarsmith.yaml');
  assert.equal(failures.length, 1);
  assert.match(failures[0]!.message, /builder\.platform|pattern/);
});
