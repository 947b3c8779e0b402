import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { emit } from '../../src/dockerfile/emit.js';
import { generateDockerfile, generateToolchainDockerfile, helperFiles, type BuildSpec } from '../../src/dockerfile/generate.js';

const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}.Dockerfile`, import.meta.url));

/** Compare with the golden file; `TARSMITH_UPDATE_GOLDEN=1` rewrites it. */
async function assertGolden(name: string, text: string): Promise<void> {
  if (process.env.TARSMITH_UPDATE_GOLDEN === '1') await fs.writeFile(golden(name), text);
  assert.equal(text, await fs.readFile(golden(name), 'utf8'), `golden ${name}.Dockerfile differs (TARSMITH_UPDATE_GOLDEN=1 to rewrite)`);
}

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const rootfsSpec: BuildSpec = {
  name: 'hello',
  packagesDir: '/opt/tarsmith/packages',
  sourceDateEpoch: 1700000000,
  base: { kind: 'rootfs', contextPath: 'rootfs/rootfs-bookworm-buildd.tar' },
  family: 'apt',
  packages: [],
  sources: [
    { name: 'hello', contextPath: 'packages/hello-1.0.tar.gz', packagePath: 'hello-1.0.tar.gz', sha256: SHA_A, strip: 1, dropVcs: true, into: '/src/hello', patches: [],
      treeContextPath: 'trees/hello.tar', treeSha256: SHA_B, allow: [] },
  ],
  workdir: '/src/hello',
  env: {},
  steps: [{ label: 'build.targets.hello.steps[0]', command: 'make -j2' }],
  stamps: [{ contextPath: 'tarsmith/stamps/0', dest: '/src/hello/VERSION' }],
  tools: [{ contextDir: 'tools/0', dest: '/opt/tarsmith/shims', binDir: '/opt/tarsmith/shims/bin' }],
  artifacts: [{ glob: 'hello' }, { glob: 'libgreet.a', rename: 'lib/libgreet.a' }],
  target: 'hello',
};

const privateSpec: BuildSpec = {
  ...rootfsSpec,
  name: 'app',
  base: { kind: 'toolchain-image', ref: 'tarsmith-toolchain/app:0123456789abcdef' },
  family: 'apk',
  packages: ['build-base', 'linux-headers'],
  sources: [
    { name: 'app', contextPath: 'packages/app-2.1.tar.xz', packagePath: 'app-2.1.tar.xz', sha256: SHA_A, strip: 1, dropVcs: true, into: '/src/app',
      patches: ['patches/app/001-fix-build.patch', 'patches/app/002-no-network.patch'], treeContextPath: 'trees/app.tar', treeSha256: SHA_B, allow: [] },
    { name: 'secret-sdk', secretId: 'source-secret-sdk', packagePath: 'sdk.tar.gz', sha256: SHA_B, strip: 0, dropVcs: false, into: '/opt/sdk', patches: [], treeSha256: SHA_A, allow: ['absolute-symlinks'] },
  ],
  workdir: '/src/app',
  env: { CFLAGS: '-O2 -DNAME="app" -DHOME=$HOME', A_BACKSLASH: 'C:\\path' },
  steps: [
    { label: 'build.steps[0]', command: './configure --prefix=/usr' },
    { label: 'build.targets.app.steps[0]', command: 'make\nmake install DESTDIR=/tmp/dest' },
  ],
  stamps: [],
  artifacts: [{ glob: 'bin/*' }, { glob: 'dir with space/app.conf' }],
  target: 'app',
};

test('rootfs build without packages: six stages, no networked step, golden', async () => {
  const text = emit(generateDockerfile(rootfsSpec));
  await assertGolden('rootfs-hello', text);
  assert.doesNotMatch(text, /^# syntax=/m, 'a syntax line would make BuildKit pull a frontend image');
  const df = DockerfileParser.parse(text);
  const froms = df.getFROMs().map((f) => `${f.getImageName()} AS ${f.getBuildStage()}`);
  assert.deepEqual(froms, ['scratch AS base', 'base AS toolchain', 'toolchain AS sources', 'sources AS build', 'scratch AS artifacts', 'scratch AS runtime']);
});

test('toolchain image, private source mounted as a secret, patches, env escaping: golden', async () => {
  const text = emit(generateDockerfile(privateSpec));
  await assertGolden('toolchain-image-private', text);
  const df = DockerfileParser.parse(text);
  const runs = df.getInstructions().filter((i) => i.getKeyword() === 'RUN');
  const secretRuns = runs.filter((r) => r.getTextContent().includes('--mount=type=secret'));
  assert.equal(secretRuns.length, 1, 'exactly the one extraction step mounts the private source');
  assert.match(secretRuns[0]!.getTextContent(), /id=source-secret-sdk,target=\/run\/tarsmith\/secret-sdk/);
  assert.doesNotMatch(text, /sdk\.tar\.gz/, 'the private tarball is never named as a context file');
  const envs = df.getInstructions().filter((i) => i.getKeyword() === 'ENV').map((i) => i.getTextContent());
  assert.ok(envs.includes('ENV CFLAGS="-O2 -DNAME=\\"app\\" -DHOME=\\$HOME"'), envs.join('\n'));
  assert.ok(envs.includes('ENV PATH="/opt/tarsmith/shims/bin:${PATH}"'));
});

test('RUN exec-form arguments decode back to the exact argv (multi-line step included)', () => {
  const text = emit(generateDockerfile(privateSpec));
  const df = DockerfileParser.parse(text);
  const steps = df
    .getInstructions()
    .filter((i) => i.getKeyword() === 'RUN' && i.getTextContent().includes('step.sh'))
    .map((i) => JSON.parse(i.getTextContent().slice(i.getTextContent().indexOf('['))) as string[]);
  assert.deepEqual(steps.map((s) => s[3]), privateSpec.steps.map((s) => s.command));
});

test('toolchain step alone: apk and apt install the locked files with the network off, golden', async () => {
  const apkInstall = {
    contextDir: 'tarsmith/toolchain',
    packages: [
      { key: 'build-base:x86_64', version: '0.5-r3', file: 'apks/build-base-0.5-r3.x86_64.apk' },
      { key: 'linux-headers:x86_64', version: '6.6-r0', file: 'apks/linux-headers-6.6-r0.x86_64.apk' },
    ],
    foreignArchitectures: [],
  };
  const apk = emit(generateToolchainDockerfile({ ...privateSpec, toolchain: apkInstall, base: { kind: 'image', ref: 'alpine:3.20@sha256:' + 'c'.repeat(64) } }));
  await assertGolden('toolchain-apk', apk);
  assert.match(apk, /^ADD \["tarsmith\/mount-points\.tar", "\/"\]$/m);
  assert.match(apk, /^#   linux-headers:x86_64 6\.6-r0$/m);
  assert.match(apk, /^RUN --mount=type=bind,source=tarsmith\/toolchain,target=\/mnt --mount=type=tmpfs,target=\/tmp \["\/bin\/sh", "\/mnt\/install-apk\.sh", "1700000000"\]$/m);
  const aptInstall = {
    contextDir: 'tarsmith/toolchain',
    packages: [
      { key: 'gcc-aarch64-linux-gnu:amd64', version: '4:12.2.0-3', file: 'debs/gcc-aarch64-linux-gnu_4%3a12.2.0-3_amd64.deb' },
      { key: 'libxml2-dev:arm64', version: '2.9.14+dfsg-1.3~deb12u6', file: 'debs/libxml2-dev_2.9.14+dfsg-1.3~deb12u6_arm64.deb' },
    ],
    foreignArchitectures: ['arm64'],
  };
  const apt = emit(generateToolchainDockerfile({ ...rootfsSpec, packages: ['gcc-aarch64-linux-gnu', 'libxml2-dev:arm64'], toolchain: aptInstall }));
  await assertGolden('toolchain-apt', apt);
  assert.match(apt, /"\/mnt\/install-apt\.sh", "1700000000", "arm64"\]$/m);
  assert.doesNotMatch(apt + apk, /apt-get|apk", "add/);
  assert.equal(emit(generateToolchainDockerfile({ ...rootfsSpec, packages: [] })).includes('The base already holds the toolchain.'), true);
});

test('the same spec gives the same bytes', () => {
  assert.equal(emit(generateDockerfile(privateSpec)), emit(generateDockerfile(structuredClone(privateSpec))));
});

test('helper files: SHA256SUMS lists only the public tarballs, scripts are executable', () => {
  const files = helperFiles(privateSpec);
  const sums = files.find((f) => f.contextPath === 'tarsmith/SHA256SUMS');
  assert.equal(sums?.content, `${SHA_A}  app-2.1.tar.xz\n`);
  for (const f of files.filter((x) => x.contextPath.endsWith('.sh'))) assert.equal(f.mode, 0o755);
});
