import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';

const bin = fileURLToPath(new URL('../../../bin/tarsmith', import.meta.url));

function run(args: string[], cwd: string, input?: string) {
  return spawnSync(bin, args, { cwd, encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-apk-'));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const DOCKERFILE = [
  'FROM debian:bookworm-slim',
  'RUN apt-get update \\',
  ' && apt-get install -y --no-install-recommends build-essential libssl-dev \\',
  ' && rm -rf /var/lib/apt/lists/*',
  'COPY . /src',
  'RUN make -C /src',
  '',
].join('\n');

test('convert apk prints a unified diff that patch(1) applies; the file itself is untouched', async () => {
  await withTemp(async (dir) => {
    await fs.writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
    const r = run(['convert', 'apk', 'Dockerfile'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n@@ /);
    assert.match(r.stdout, /^\+RUN apk add --no-cache build-base openssl-dev$/m);
    assert.match(r.stderr, /warning\[convert\.digest-needed\]/);
    assert.equal(await fs.readFile(path.join(dir, 'Dockerfile'), 'utf8'), DOCKERFILE);
    const copy = path.join(dir, 'copy');
    await fs.writeFile(copy, DOCKERFILE);
    const p = spawnSync('patch', ['-p1', '--dry-run', '-o', '-', copy], { input: r.stdout, encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
  });
});

test('--write rewrites in place atomically (mode kept, no temp files left) and the result parses', async () => {
  await withTemp(async (dir) => {
    const file = path.join(dir, 'Dockerfile');
    await fs.writeFile(file, DOCKERFILE, { mode: 0o640 });
    const r = run(['convert', 'apk', '--write', 'Dockerfile'], dir);
    assert.equal(r.status, 0, r.stderr);
    const out = await fs.readFile(file, 'utf8');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o640);
    assert.deepEqual(await fs.readdir(dir), ['Dockerfile']);
    const runs = DockerfileParser.parse(out).getInstructions().filter((i) => i.getKeyword() === 'RUN');
    assert.equal(runs[0]?.getArgumentsContent(), 'apk add --no-cache build-base openssl-dev');
    assert.match(out, /^FROM alpine:3\.21@sha256:FILL-IN-DIGEST$/m);
    const again = run(['convert', 'apk', '--write', 'Dockerfile'], dir);
    assert.match(again.stderr, /nothing to change/);
  });
});

test('--json: one document with every decision and finding; exit 1 when something has no Alpine equivalent', async () => {
  await withTemp(async (dir) => {
    await fs.writeFile(path.join(dir, 'setup.sh'), '#!/bin/sh\napt-get install -y libcli-dev gcc\n');
    const r = run(['convert', 'apk', '--json', 'setup.sh'], dir);
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean; kind: string; packages: string[]; output: string;
      decisions: { action: string; from: string; reason: string }[];
      findings: { code: string; severity: string; where: { line: number } }[];
    };
    assert.equal(doc.ok, false);
    assert.equal(doc.kind, 'shell');
    assert.deepEqual(doc.packages, ['gcc']);
    assert.equal(doc.output, '#!/bin/sh\napk add --no-cache gcc\n');
    assert.ok(doc.decisions.every((d) => d.reason.length > 0));
    assert.ok(doc.decisions.some((d) => d.action === 'drop-package' && d.from === 'libcli-dev'));
    assert.deepEqual(doc.findings.map((f) => [f.code, f.severity, f.where.line]), [['convert.no-alpine-equivalent', 'error', 2]]);
  });
});

test('stdin package list with --kind list; --write with stdin and a bad --kind are usage errors', async () => {
  await withTemp(async (dir) => {
    const r = run(['convert', 'apk', '--kind', 'list', '--json', '-'], dir, 'build-essential zlib1g-dev\n');
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { output: string }).output, 'build-base\nzlib-dev\n');
    assert.equal(run(['convert', 'apk', '--write', '-'], dir, 'gcc\n').status, 2);
    const bad = run(['convert', 'apk', '--kind', 'rpm', '-'], dir, 'gcc\n');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /usage\.bad-kind/);
    assert.equal(run(['convert', 'apk', 'missing.txt'], dir).status, 3);
  });
});

test('--scan DIR adds the GNU tools the project scripts and Makefiles need, naming file:line', async () => {
  await withTemp(async (dir) => {
    await fs.mkdir(path.join(dir, 'proj', 'scripts'), { recursive: true });
    await fs.writeFile(path.join(dir, 'proj', 'scripts', 'pack.sh'), '#!/bin/sh\nset -e\ntar --sort=name --owner=0 -cf out.tar dist\n');
    await fs.writeFile(path.join(dir, 'proj', 'Makefile'), 'all:\n\t@find . -name "*.c" -printf "%f\\n" > list\n\tsed -i -e "s/x/y/" list\n');
    await fs.writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
    const r = run(['convert', 'apk', '--json', '--scan', 'proj', 'Dockerfile'], dir);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { output: string; decisions: { action: string; to: string; where: { file: string; line: number } }[] };
    assert.match(doc.output, /^RUN apk add --no-cache build-base openssl-dev findutils tar$/m);
    const adds = doc.decisions.filter((d) => d.action === 'add-package').map((d) => `${d.to}@${d.where.file}:${d.where.line}`);
    assert.deepEqual(adds, ['findutils@proj/Makefile:2', 'tar@proj/scripts/pack.sh:3']);
  });
});
