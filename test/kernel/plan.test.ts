import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { parseManifest } from '../../src/manifest/load.js';
import { plan as planWith, type PlanOptions } from '../../src/engine/plan.js';
import type { Lock } from '../../src/lock/lock.js';

const GOLDEN = fileURLToPath(new URL('./golden/kernel-gateway.Dockerfile', import.meta.url));
const sha = (c: string) => c.repeat(64);

const MANIFEST = `version: 1
name: gw
sourceDateEpoch: 1700000000
sources:
  - name: gateway
    file: packages/gateway-1.0.tar.gz
  - name: linux
    file: packages/linux.tar.xz
    strip: 1
    patches: [patches/linux-fix.patch]
builder:
  rootfs: packages/rootfs.tar
build:
  workdir: gateway
  targets:
    modules:
      modules: [cdx, fci]
      steps: [make userspace]
      artifacts: [bin/cmm]
    userspace:
      steps: [make userspace]
      artifacts: [bin/cmm]
kernel:
  source: linux
  arch: arm64
  crossCompile: aarch64-linux-gnu-
  config: kernel/base.config
  fragments: [kernel/gateway.config]
  build: full
  artifacts: [image, dtbs, symvers]
`;

const LOCK: Lock = {
  lockVersion: 1,
  sources: {
    gateway: { file: 'packages/gateway-1.0.tar.gz', origin: 'file', path: 'packages/gateway-1.0.tar.gz', sha256: sha('a'), size: 1, treeHash: sha('b') },
    linux: { file: 'packages/linux.tar.xz', origin: 'file', path: 'packages/linux.tar.xz', sha256: sha('c'), size: 2, treeHash: sha('d') },
  },
  patches: { 'patches/linux-fix.patch': { file: 'packages/patches/linux-fix.patch', sha256: sha('e'), size: 3 } },
  rootfs: { file: 'packages/rootfs.tar', sha256: sha('f'), size: 4 },
  kernelConfigs: {
    'kernel/base.config': { file: 'packages/kernel/base.config', sha256: sha('1'), size: 5 },
    'kernel/gateway.config': { file: 'packages/kernel/gateway.config', sha256: sha('2'), size: 6 },
  },
};

/** Canonical trees as the engine's trees step makes them, named by the input's sha256 (the planner only names them). */
const treesOf = (l: Lock): PlanOptions['trees'] =>
  Object.fromEntries(Object.entries(l.sources).map(([n, s]) => [n, { file: `/cache/trees/${s.sha256}.tar`, sha256: s.sha256 }]));
const plan = (m: Parameters<typeof planWith>[0], l: Lock, o: PlanOptions = {}) => planWith(m, l, { trees: treesOf(l), ...o });

function manifest() {
  const { manifest: m, failures } = parseManifest(MANIFEST, '/p/tarsmith.yaml');
  assert.deepEqual(failures, []);
  return m!;
}

test('a kernel-using target: kernel stages from the checked tree of the kernel source alone, the tree mounted into the build, modules in order (golden)', async () => {
  const p = plan(manifest(), LOCK, { target: 'modules' });
  if (process.env.UPDATE_GOLDEN) await fs.writeFile(GOLDEN, p.dockerfile);
  assert.equal(p.dockerfile, await fs.readFile(GOLDEN, 'utf8'));
  const ctx = p.context.map((c) => c.contextPath);
  assert.ok(ctx.includes('kernel/trees/linux.tar'), 'the kernel stage unpacks the canonical tree of the kernel source');
  assert.equal(p.context.find((c) => c.contextPath === 'kernel/trees/linux.tar')?.src, `/cache/trees/${sha('c')}.tar`);
  assert.ok(!ctx.some((c) => c.startsWith('packages/linux') || c.startsWith('trees/linux')), 'the kernel tarball is not in the sources stage');
  assert.ok(ctx.includes('kernel/inputs/base.config') && ctx.includes('kernel/inputs/fragments/001.config'));
  assert.equal(p.context.find((c) => c.contextPath === 'kernel/inputs/fragments/001.config')?.src, '/p/packages/kernel/gateway.config');
  assert.deepEqual(p.steps.map((s) => s.label), ['kernel.base', 'kernel.config', 'kernel.build', 'kernel.install', 'build.targets.modules.steps[0]', 'build.targets.modules.modules[0]', 'build.targets.modules.modules[1]']);
  assert.equal(p.steps[6]?.command, "make -C /src/linux M=/src/gateway/fci KBUILD_EXTRA_SYMBOLS=/src/gateway/cdx/Module.symvers modules");
  // the base stage's cache key holds the base config alone: a fragment change re-runs only the config step
  const mountsOf = (stage: string) => p.kernel?.stages.find((st) => st.name === stage)?.instructions.flatMap((ins) => (ins.kind === 'run' ? ins.mounts.map((m) => (m.type === 'bind' ? m.source : m.type)) : []));
  assert.deepEqual(mountsOf('kernel-base'), ['kernel/inputs/base.config']);
  assert.deepEqual(mountsOf('kernel-config'), ['kernel/inputs/fragments']);
  // every RUN of the build stage sees the configured tree; every RUN argv decodes to what the plan says
  const df = DockerfileParser.parse(p.dockerfile);
  const build = df.getFROMs().findIndex((f) => f.getBuildStage() === 'build');
  const runs = df.getInstructions().filter((i) => i.getKeyword() === 'RUN' && i.getRange().start.line > (df.getFROMs()[build]?.getRange().start.line ?? 0) && i.getRange().start.line < (df.getFROMs()[build + 1]?.getRange().start.line ?? Infinity));
  assert.equal(runs.length, 4);
  for (const r of runs) assert.match(r.getTextContent(), /^RUN --mount=type=bind,from=kernel,source=\/src\/linux,target=\/src\/linux,rw \[/);
});

test('a target that does not use the kernel has no kernel stage and never extracts the kernel tarball', () => {
  const p = plan(manifest(), LOCK, { target: 'userspace' });
  assert.ok(!p.dockerfile.includes('kernel'), p.dockerfile);
  assert.ok(!p.context.some((c) => c.contextPath.includes('linux')));
  assert.equal(p.kernel, undefined);
});

test('the kernel stages depend only on the kernel inputs: another application tarball leaves them unchanged', () => {
  const a = plan(manifest(), LOCK, { target: 'modules' });
  const other: Lock = { ...LOCK, sources: { ...LOCK.sources, gateway: { ...LOCK.sources.gateway!, sha256: sha('9') } } };
  const b = plan(manifest(), other, { target: 'modules' });
  const kernelPart = (d: string) => d.slice(d.indexOf('FROM toolchain AS kernel-source'), d.indexOf('AS build'));
  assert.notEqual(a.dockerfile, b.dockerfile);
  assert.equal(kernelPart(a.dockerfile), kernelPart(b.dockerfile));
  assert.equal(a.kernel?.inputsHash, b.kernel?.inputsHash);
  const fragmentChanged: Lock = { ...LOCK, kernelConfigs: { ...LOCK.kernelConfigs, 'kernel/gateway.config': { ...LOCK.kernelConfigs!['kernel/gateway.config']!, sha256: sha('3') } } };
  assert.notEqual(plan(manifest(), fragmentChanged, { target: 'modules' }).kernel?.inputsHash, a.kernel?.inputsHash);
});

test('kernel.signingKey: a secret for the kernel build and install steps and for a sign step after the modules, never in the context; a new key is a new kernel', () => {
  const text = MANIFEST.replace('builder:\n', '  - name: key\n    file: keys/signing_key.pem\n    private: true\n    extract: false\nbuilder:\n') + '  signingKey: key\n';
  const { manifest: m, failures } = parseManifest(text, '/p/tarsmith.yaml');
  assert.deepEqual(failures, []);
  const lock: Lock = { ...LOCK, sources: { ...LOCK.sources, key: { file: 'keys/signing_key.pem', origin: 'file', path: 'keys/signing_key.pem', sha256: sha('7'), size: 9, treeHash: sha('7') } } };
  const p = plan(m!, lock, { target: 'modules' });
  assert.ok(!p.context.some((c) => c.src?.includes('signing_key') || c.contextPath.includes('key')), 'the key is not in the build context');
  assert.deepEqual(p.secrets.filter((s) => s.id === 'kernel-signing-key'), [{ id: 'kernel-signing-key', src: '/p/keys/signing_key.pem' }]);
  const df = DockerfileParser.parse(p.dockerfile);
  const runs = df.getInstructions().filter((i) => i.getKeyword() === 'RUN').map((i) => i.getTextContent());
  const withKey = runs.filter((r) => r.includes('--mount=type=secret,id=kernel-signing-key,target=/run/tarsmith/module-signing-key.pem'));
  assert.deepEqual(withKey.map((r) => /"(kernel\.build|kernel\.install|build\.targets\.modules\.modules\.sign)"/.exec(r)?.[1]), ['kernel.build', 'kernel.install', 'build.targets.modules.modules.sign']);
  const sign = p.kernel?.moduleSteps.at(-1);
  assert.equal(sign?.label, 'build.targets.modules.modules.sign');
  assert.match(sign?.command ?? '', /for ko in \/src\/gateway\/cdx\/\*\.ko \/src\/gateway\/fci\/\*\.ko; do \/src\/linux\/scripts\/sign-file "\$hash" \/run\/tarsmith\/module-signing-key\.pem \/run\/tarsmith\/module-signing-key\.pem "\$ko"/);
  assert.match(sign?.command ?? '', new RegExp(`# signing key sha256:${sha('7')}$`));
  // the userspace target (no kernel) never sees the key, and never extracts it
  const u = plan(m!, lock, { target: 'userspace' });
  assert.ok(!u.dockerfile.includes('signing'), u.dockerfile);
  // another key: another kernel (BuildKit's cache does not look at a secret's content)
  const other: Lock = { ...lock, sources: { ...lock.sources, key: { ...lock.sources.key!, sha256: sha('8') } } };
  assert.notEqual(plan(m!, other, { target: 'modules' }).kernel?.inputsHash, p.kernel?.inputsHash);
  assert.notEqual(p.kernel?.inputsHash, plan(manifest(), LOCK, { target: 'modules' }).kernel?.inputsHash);
});
