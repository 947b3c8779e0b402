import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerfileParser } from 'dockerfile-ast';
import { writeVendoredPackages } from '../support/locked-packages.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'tarsmith');
const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(BIN, args, { cwd });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** A vendored project with an apk builder; Alpine's archive is unreachable here, so its closure is a stand-in. */
async function project(image: string, packages = '[build-base]'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-generate-'));
  await fs.mkdir(path.join(dir, 'packages'));
  await fs.copyFile(path.join(ROOT, 'examples/hello/packages/hello-1.0.tar.gz'), path.join(dir, 'packages/hello-1.0.tar.gz'));
  await fs.writeFile(
    path.join(dir, 'tarsmith.yaml'),
    `version: 1
name: hello
sourceDateEpoch: 1700000000
sources:
  - name: hello
    file: packages/hello-1.0.tar.gz
    strip: 1
builder:
  image: ${image}
  family: apk
build:
  targets:
    hello:
      steps: [make]
      artifacts: [hello]
`,
  );
  const v = await cli(['vendor'], dir);
  assert.equal(v.code, 0, v.stderr);
  const file = path.join(dir, 'tarsmith.yaml');
  await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('  family: apk\n', `  family: apk\n  packages: ${packages}\n`));
  const { loadManifest } = await import('../../src/manifest/load.js');
  await writeVendoredPackages(await loadManifest({ path: file }), [{ name: 'build-base', version: '0.5-r3', architecture: 'x86_64' }]);
  return dir;
}

test('generate writes the Dockerfile, the toolchain Dockerfile, helpers and the input list for review', async () => {
  const dir = await project(`alpine:3.20@${DIGEST}`);
  try {
    const r = await cli(['generate', '--out', 'review', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { out: string; files: string[] };
    assert.equal(res.out, path.join(dir, 'review'));
    for (const f of ['Dockerfile', 'Dockerfile.toolchain', '.dockerignore', 'inputs.tsv', 'tarsmith/bin/step.sh', 'tarsmith/SHA256SUMS']) {
      assert.ok(res.files.includes(f), f);
    }
    const toolchain = await fs.readFile(path.join(dir, 'review', 'Dockerfile.toolchain'), 'utf8');
    assert.match(toolchain, new RegExp(`^FROM alpine:3\\.20@${DIGEST} AS base$`, 'm'));
    assert.match(toolchain, /^#   build-base:x86_64 0\.5-r3$/m);
    assert.match(toolchain, /"\/mnt\/install-apk\.sh", "1700000000"\]$/m);
    assert.doesNotMatch(toolchain, /apk update|apk", "add/);
    const df = DockerfileParser.parse(await fs.readFile(path.join(dir, 'review', 'Dockerfile'), 'utf8'));
    assert.match(df.getFROMs()[0]!.getImage() ?? '', /^tarsmith-toolchain\/hello:[0-9a-f]{16}$/);
    assert.equal((await fs.stat(path.join(dir, 'review', 'tarsmith/bin/step.sh'))).mode & 0o777, 0o755);
    assert.match(await fs.readFile(path.join(dir, 'review', 'inputs.tsv'), 'utf8'), /^packages\/hello-1\.0\.tar\.gz\tpackages\/hello-1\.0\.tar\.gz$/m);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('an unpinned builder image is a usage error naming the fix', async () => {
  const dir = await project('alpine:3.20');
  try {
    const r = await cli(['generate'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error\[build\.unpinned-base\]: builder\.image is not pinned by digest/);
    assert.match(r.stderr, /fix: .*@sha256:.*--allow-unpinned/);
    const ok = await cli(['generate', '--allow-unpinned'], dir);
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('toolchain package notes that do not stop the build are printed as located warnings', async () => {
  const dir = await project(`alpine:3.20@${DIGEST}`, '[build-base, make=4.3-4.1]');
  try {
    const r = await cli(['generate', '--out', 'review'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /tarsmith\.yaml:11:\d+: warning\[convert\.version-pin-dropped\]: Debian version pin of make dropped/);
    assert.match(r.stderr, /value: "make=4\.3-4\.1"/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('generate refuses a stale toolchain record as build does (the inputs changed since `tarsmith toolchain` ran)', async () => {
  const dir = await project(`alpine:3.20@${DIGEST}`);
  try {
    const file = path.join(dir, 'tarsmith.lock');
    const lock = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    lock.toolchain = { tag: 'tarsmith-toolchain/hello:0000000000000000', inputsHash: '0'.repeat(64), layers: ['sha256:' + '0'.repeat(64)] };
    await fs.writeFile(file, `${JSON.stringify(lock, null, 2)}\n`);
    const r = await cli(['generate', '--out', 'review'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error\[build\.toolchain-stale\]: the toolchain inputs changed since `tarsmith toolchain` ran/);
    assert.match(r.stderr, /fix: run `tarsmith toolchain`/);
    await assert.rejects(fs.stat(path.join(dir, 'review')), 'nothing written');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
