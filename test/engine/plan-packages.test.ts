import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isTarsmithError, type TarsmithError } from '../../src/core/errors.js';
import { parseManifest } from '../../src/manifest/load.js';
import type { Manifest } from '../../src/manifest/types.js';
import { plan as planWith, type PlanOptions } from '../../src/engine/plan.js';
import type { Lock } from '../../src/lock/lock.js';
import { withPackages } from '../support/locked-packages.js';

/** Canonical trees as the engine's trees step makes them (fixed here: the planner only names them). */
const TREES: PlanOptions['trees'] = new Proxy({}, { get: (_t, name) => ({ file: `/cache/trees/${String(name)}.tar`, sha256: '9'.repeat(64) }) });
const plan = (m: Parameters<typeof planWith>[0], l: Parameters<typeof planWith>[1], o: PlanOptions = {}) => planWith(m, l, { trees: TREES, ...o });

const SHA = (c: string) => c.repeat(64);
const IMAGE = `alpine:3.20@sha256:${SHA('c')}`;
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}.Dockerfile`, import.meta.url));

/** Compare with the golden file; `TARSMITH_UPDATE_GOLDEN=1` rewrites it. */
async function assertGolden(name: string, text: string): Promise<void> {
  if (process.env.TARSMITH_UPDATE_GOLDEN === '1') await fs.writeFile(golden(name), text);
  assert.equal(text, await fs.readFile(golden(name), 'utf8'), `golden ${name}.Dockerfile differs (TARSMITH_UPDATE_GOLDEN=1 to rewrite)`);
}

/** The manifest with `builder.packages` written as a block list, one entry a line (entry i is on line 8 + i). */
function manifest(family: string, packages: readonly string[]): Manifest {
  const yaml = `version: 1
name: app
sourceDateEpoch: 1700000000
builder:
  image: ${IMAGE}
  family: ${family}
  packages:
${packages.map((p) => `    - ${p}\n`).join('')}sources:
  - name: app
    file: packages/app-1.0.tar.gz
    strip: 1
build:
  targets:
    app:
      steps: [make]
      artifacts: [app]
`;
  const { manifest: m, failures } = parseManifest(yaml, '/proj/tarsmith.yaml');
  assert.ok(m, failures.map((f) => f.message).join('\n'));
  return m;
}

const lock: Lock = {
  lockVersion: 1,
  sources: { app: { file: 'packages/app-1.0.tar.gz', size: 10, sha256: SHA('a'), origin: 'file', treeHash: SHA('1') } },
  patches: {},
};

const DEBIAN = ['build-essential', 'libssl-dev', 'pkg-config', 'linux-libc-dev', 'libelf-dev', 'dpkg-dev', 'bc', 'make=4.3-4.1', 'libssl-dev'];

/** The plan over a lock that holds the vendored closure of m's builder.packages (one stand-in package). */
function planned(m: Manifest) {
  const pkg = m.builder!.family === 'apk' ? { name: 'build-base', version: '0.5-r3', architecture: 'x86_64' } : { name: 'gcc', version: '4:12.2.0-3', architecture: 'amd64' };
  return plan(m, withPackages(m, lock, [pkg]));
}

function planError(m: Manifest): TarsmithError {
  try {
    planned(m);
  } catch (e) {
    if (isTarsmithError(e)) return e;
    throw e;
  }
  return assert.fail('plan accepted the manifest');
}

test('apk builder written with Debian names: translated through the table before apk add, golden', async () => {
  const p = planned(manifest('apk', DEBIAN));
  await assertGolden('toolchain-apk-debian-names', p.toolchainDockerfile);
  assert.match(p.toolchainDockerfile, /^# builder\.packages: build-base openssl-dev pkgconf linux-headers elfutils-dev bc make$/m);
  assert.match(p.toolchainDockerfile, /^RUN --mount=type=bind,source=tarsmith\/toolchain,target=\/mnt --mount=type=tmpfs,target=\/tmp \["\/bin\/sh", "\/mnt\/install-apk\.sh", "1700000000"\]$/m);
  assert.equal(p.toolchainDockerfile, planned(manifest('apk', DEBIAN)).toolchainDockerfile, 'deterministic');
  assert.deepEqual(p.packageNotes.map((n) => [n.code, n.value]), [['convert.version-pin-dropped', 'make=4.3-4.1']]);
  assert.deepEqual(p.packageNotes[0]?.where, { file: '/proj/tarsmith.yaml', line: 15, col: 7 });
});

test('Alpine names the table knows pass through unchanged: the same toolchain as the Debian-named list', () => {
  const alpine = ['build-base', 'openssl-dev', 'pkgconf', 'linux-headers', 'elfutils-dev', 'bc', 'make'];
  const a = planned(manifest('apk', alpine));
  const d = planned(manifest('apk', DEBIAN));
  assert.equal(a.toolchainDockerfile, d.toolchainDockerfile);
  assert.equal(a.toolchainInputsHash, d.toolchainInputsHash);
  assert.deepEqual(a.packageNotes, []);
});

test('apt builder: the list is used as written', () => {
  const p = planned(manifest('apt', DEBIAN));
  assert.match(p.toolchainDockerfile, new RegExp(`^# builder\\.packages: ${DEBIAN.join(' ').replace(/[.+]/g, '\\$&')}$`, 'm'));
  assert.deepEqual(p.packageNotes, []);
});

test('a package Alpine lacks is a manifest error at its builder.packages entry, with the table advice', () => {
  const e = planError(manifest('apk', ['build-essential', 'libcli-dev']));
  assert.equal(e.exit, 2);
  assert.equal(e.failures.length, 1);
  const f = e.failures[0]!;
  assert.equal(f.code, 'convert.no-alpine-equivalent');
  assert.deepEqual(f.where, { file: '/proj/tarsmith.yaml', line: 9, col: 7 });
  assert.equal(f.value, 'libcli-dev');
  assert.match(f.message, /^builder\.packages\[1\]: libcli-dev has no Alpine stable equivalent/);
  assert.match(f.hint ?? '', /vendor libcli as a source package/);
});

test('a foreign-architecture qualifier and a cross toolchain are refused together, each at its entry', () => {
  const e = planError(manifest('apk', ['libfoo:arm64', 'bc', 'gcc-aarch64-linux-gnu']));
  assert.equal(e.exit, 2);
  assert.deepEqual(
    e.failures.map((f) => [f.code, f.value, f.where?.line, f.where?.col]),
    [
      ['convert.foreign-architecture', 'libfoo:arm64', 8, 7],
      ['convert.cross-toolchain', 'gcc-aarch64-linux-gnu', 10, 7],
    ],
  );
  assert.ok(e.failures.every((f) => /--platform linux\/arm64/.test(f.hint ?? '')));
});

test('the same names with family apt are not checked against the Alpine table', () => {
  const p = planned(manifest('apt', ['libfoo:arm64', 'gcc-aarch64-linux-gnu']));
  assert.match(p.toolchainDockerfile, /^# builder\.packages: libfoo:arm64 gcc-aarch64-linux-gnu$/m);
});
