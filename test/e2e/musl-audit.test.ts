/** `tarsmith audit musl` end to end: the real CLI on a folder and on tarballs made by GNU tar. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../audit/musl/fixtures/', import.meta.url));

interface Hit {
  file: string;
  line: number;
  col: number;
  rule: string;
  construct: string;
  why: string;
  fix: string;
  guard?: { line: number; text: string };
}
interface Doc {
  ok: boolean;
  input: string;
  filesScanned: number;
  counts: { findings: number; guarded: number; byRule: Record<string, { findings: number; guarded: number }> };
  findings: Hit[];
  guarded: Hit[];
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(bin, args, { encoding: 'utf8' });
}

/** A small upstream tree: two fixtures, a C++ file, a non-C file mentioning execinfo.h. */
async function makeTree(dir: string): Promise<string> {
  const root = path.join(dir, 'proj-1.0');
  await fs.mkdir(path.join(root, 'src', 'util'), { recursive: true });
  await fs.copyFile(path.join(FIXTURES, 'execinfo-h', 'bad.c'), path.join(root, 'src', 'trace.c'));
  await fs.copyFile(path.join(FIXTURES, 'execinfo-h', 'good.c'), path.join(root, 'src', 'util', 'trace-ok.c'));
  await fs.writeFile(path.join(root, 'src', 'util', 'ver.hpp'), '#pragma once\n#include <gnu/libc-version.h>\n');
  await fs.writeFile(path.join(root, 'README'), '#include <execinfo.h> is not code here\n');
  return root;
}

test('audit musl on a folder: findings with file:line:col, rule, why and fix; guarded counted; exit 1', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-musl-e2e-'));
  try {
    const root = await makeTree(dir);
    const text = run(['audit', 'musl', root]);
    assert.equal(text.status, 1, text.stderr);
    assert.match(text.stdout, new RegExp(`${root}/src/trace\\.c:2:10: musl\\[execinfo-h\\]: #include <execinfo\\.h>`));
    assert.match(text.stdout, /why: musl has no <execinfo\.h>/);
    assert.match(text.stdout, /fix: /);
    assert.match(text.stdout, /3 findings, 2 guarded, 3 C\/C\+\+ files scanned\n$/);

    const json = run(['audit', 'musl', root, '--json']);
    assert.equal(json.status, 1);
    const doc = JSON.parse(json.stdout) as Doc;
    assert.equal(doc.ok, false);
    assert.equal(doc.input, 'folder');
    assert.deepEqual(
      doc.findings.map((h) => `${h.file}:${h.line}:${h.col} ${h.rule}`),
      ['src/trace.c:2:10 execinfo-h', 'src/trace.c:7:11 backtrace', 'src/util/ver.hpp:2:10 gnu-libc-version-h'],
    );
    assert.deepEqual(
      doc.guarded.map((h) => `${h.file}:${h.line} ${h.rule} ${h.guard?.text}`),
      ['src/util/trace-ok.c:4 execinfo-h #ifdef __GLIBC__', 'src/util/trace-ok.c:10 backtrace #ifdef __GLIBC__'],
    );
    assert.deepEqual(doc.counts.byRule['execinfo-h'], { findings: 1, guarded: 1 });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('audit musl on tarballs (gz, xz, zst) gives the same findings as on the folder, without extracting', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-musl-e2e-'));
  try {
    const root = await makeTree(dir);
    const folder = JSON.parse(run(['audit', 'musl', root, '--json']).stdout) as Doc;
    for (const [flag, ext] of [['-z', 'gz'], ['-J', 'xz'], ['--zstd', 'zst']] as const) {
      const tarball = path.join(dir, `proj.tar.${ext}`);
      const t = spawnSync('tar', ['-c', flag, '-f', tarball, '-C', dir, 'proj-1.0'], { encoding: 'utf8' });
      assert.equal(t.status, 0, t.stderr);
      const r = run(['audit', 'musl', tarball, '--json']);
      assert.equal(r.status, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as Doc;
      assert.equal(doc.input, 'tarball');
      const strip = (hits: Hit[]): string[] => hits.map((h) => `${h.file.replace(/^proj-1\.0\//, '')}:${h.line}:${h.col} ${h.rule}`);
      assert.deepEqual(strip(doc.findings), strip(folder.findings), ext);
      assert.deepEqual(strip(doc.guarded), strip(folder.guarded), ext);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('audit musl: a clean tree exits 0; a missing path or a non-archive file is a usage error (exit 2)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-musl-e2e-'));
  try {
    await fs.copyFile(path.join(FIXTURES, 'thread-stack', 'good.c'), path.join(dir, 'ok.c'));
    const clean = run(['audit', 'musl', dir, '--json']);
    assert.equal(clean.status, 0, clean.stderr);
    const doc = JSON.parse(clean.stdout) as Doc;
    assert.equal(doc.ok, true);
    assert.deepEqual(doc.counts.byRule, { 'thread-stack': { findings: 0, guarded: 1 } });

    const missing = run(['audit', 'musl', path.join(dir, 'nope'), '--json']);
    assert.equal(missing.status, 2);
    assert.equal((JSON.parse(missing.stdout) as { errors: Array<{ code: string }> }).errors[0]?.code, 'audit.path-not-found');

    const notArchive = run(['audit', 'musl', path.join(dir, 'ok.c')]);
    assert.equal(notArchive.status, 2);
    assert.match(notArchive.stderr, /error\[archive\./);
    assert.doesNotMatch(notArchive.stderr, /at .*\.js:\d+/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('audit musl --help describes the command with an example', () => {
  const r = run(['audit', 'musl', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /glibc-only constructs/);
  assert.match(r.stdout, /Example:\n\s+\$ tarsmith audit musl/);
});
