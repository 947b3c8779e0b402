/**
 * Every musl rule, proven with the real toolchains: its unguarded fixture (bad.c) is flagged by the audit and
 * fails under musl-gcc (compile, link or behaviour) while glibc's gcc builds and runs it; its guarded fixture
 * (good.c) is cleared by the audit and builds and runs under musl. Where the installed musl does not break
 * (Debian's musl 1.2.3 ships fts and the glibc-order qsort_r), the test asserts that instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../../../src/core/exec.js';
import { allRules, type MuslRuleId } from '../../../src/audit/musl/rules.js';
import { scanText } from '../../../src/audit/musl/scan.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

type Outcome =
  | { kind: 'compile-error' }
  | { kind: 'link-error' }
  | { kind: 'crash' }
  | { kind: 'ran'; stdout: string };

/** What the bad fixture does under musl-gcc, as observed with Debian's musl 1.2.3. */
const MUSL_BAD: Record<MuslRuleId, Outcome | { kind: 'differs'; stdout: string } | { kind: 'same' }> = {
  'execinfo-h': { kind: 'compile-error' },
  'error-h': { kind: 'compile-error' },
  // Debian builds fts into its musl (upstream musl and Alpine do not): it works here.
  'fts-h': { kind: 'same' },
  'obstack-h': { kind: 'compile-error' },
  'argp-h': { kind: 'compile-error' },
  'printf-h': { kind: 'compile-error' },
  'gnu-libc-version-h': { kind: 'compile-error' },
  'fpu-control-h': { kind: 'compile-error' },
  'sys-cdefs-h': { kind: 'compile-error' },
  backtrace: { kind: 'link-error' },
  mallinfo: { kind: 'compile-error' },
  'malloc-hooks': { kind: 'compile-error' },
  'register-printf-function': { kind: 'compile-error' },
  // musl 1.2.3 added qsort_r with the glibc argument order: only older musl (link error) breaks.
  'qsort-r': { kind: 'same' },
  'gnu-strerror-r': { kind: 'differs', stdout: 'message: (null)\n' },
  optreset: { kind: 'compile-error' },
  'rtld-deepbind': { kind: 'compile-error' },
  'dlclose-unload': { kind: 'differs', stdout: 'count after reload 2\n' },
  symver: { kind: 'link-error' },
  'glibc-prereq-unguarded': { kind: 'compile-error' },
  'gnu-get-libc-version': { kind: 'link-error' },
  'thread-stack': { kind: 'crash' },
  'begin-decls': { kind: 'compile-error' },
};

/** Rules whose bad fixture does not build with glibc either (glibc 2.34 dropped the malloc hooks from its headers). */
const GLIBC_BAD_FAILS: ReadonlySet<MuslRuleId> = new Set(['malloc-hooks']);

async function build(cc: string, src: string, dir: string, name: string): Promise<Outcome & { exe?: string; log: string }> {
  const obj = path.join(dir, `${name}.o`);
  const exe = path.join(dir, name);
  const c = await exec([cc, '-w', '-c', src, '-o', obj]);
  if (c.code !== 0) return { kind: 'compile-error', log: c.stderr };
  const l = await exec([cc, '-pthread', obj, '-o', exe]);
  if (l.code !== 0) return { kind: 'link-error', log: l.stderr };
  return { kind: 'ran', stdout: '', exe, log: '' };
}

async function buildAndRun(cc: string, rule: MuslRuleId, variant: 'bad' | 'good', dir: string): Promise<Outcome & { log: string }> {
  const fixture = path.join(FIXTURES, rule);
  const tag = `${variant}-${cc}`;
  const b = await build(cc, path.join(fixture, `${variant}.c`), dir, tag);
  if (b.kind !== 'ran' || !b.exe) return b;
  const args: string[] = [];
  if (rule === 'dlclose-unload') {
    const so = path.join(dir, `plugin-${cc}.so`);
    const p = await exec([cc, '-shared', '-fPIC', path.join(fixture, 'plugin.c'), '-o', so]);
    assert.equal(p.code, 0, p.stderr);
    args.push(so);
  }
  const r = await exec([b.exe, ...args], { cwd: dir });
  if (r.signal || r.code >= 128) return { kind: 'crash', log: `signal ${r.signal ?? r.code}` };
  assert.equal(r.code, 0, `${tag} exited ${r.code}: ${r.stderr}`);
  return { kind: 'ran', stdout: r.stdout, log: r.stderr };
}

async function scanFixture(rule: MuslRuleId, variant: 'bad' | 'good'): Promise<ReturnType<typeof scanText>> {
  const file = path.join(FIXTURES, rule, `${variant}.c`);
  return scanText(`${rule}/${variant}.c`, await fs.readFile(file, 'latin1'));
}

test('every rule has a bad/good fixture pair and an expected musl outcome', async () => {
  const dirs = (await fs.readdir(FIXTURES)).sort();
  const ids = allRules().map((r) => r.id).sort();
  assert.deepEqual(dirs, ids);
  assert.deepEqual(Object.keys(MUSL_BAD).sort(), ids);
});

for (const { id } of allRules()) {
  test(`musl rule ${id}: bad.c flagged and broken under musl, good.c cleared and working`, async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `tarsmith-musl-${id}-`));
    try {
      const bad = await scanFixture(id, 'bad');
      assert.ok(bad.findings.some((f) => f.rule === id), `bad.c not flagged for ${id}: ${JSON.stringify(bad.findings)}`);
      const good = await scanFixture(id, 'good');
      assert.deepEqual(good.findings, [], `good.c has findings: ${JSON.stringify(good.findings)}`);
      if (id !== 'begin-decls') assert.ok(good.guarded.some((g) => g.rule === id && g.guard), `good.c: no guarded ${id}`);

      const glibcBad = await buildAndRun('gcc', id, 'bad', dir);
      if (GLIBC_BAD_FAILS.has(id)) assert.equal(glibcBad.kind, 'compile-error');
      else assert.equal(glibcBad.kind, 'ran', `gcc bad.c: ${glibcBad.log}`);

      const muslBad = await buildAndRun('musl-gcc', id, 'bad', dir);
      const expected = MUSL_BAD[id];
      if (expected.kind === 'same') {
        assert.equal(muslBad.kind, 'ran', muslBad.log);
        assert.equal(muslBad.kind === 'ran' && muslBad.stdout, glibcBad.kind === 'ran' && glibcBad.stdout);
      } else if (expected.kind === 'differs') {
        assert.equal(muslBad.kind, 'ran', muslBad.log);
        assert.equal(muslBad.kind === 'ran' && muslBad.stdout, expected.stdout);
        assert.notEqual(glibcBad.kind === 'ran' && glibcBad.stdout, expected.stdout);
      } else {
        assert.equal(muslBad.kind, expected.kind, `musl-gcc bad.c: ${muslBad.kind} ${muslBad.log}`);
      }

      for (const cc of ['musl-gcc', 'gcc']) {
        const ok = await buildAndRun(cc, id, 'good', dir);
        assert.equal(ok.kind, 'ran', `${cc} good.c: ${ok.kind} ${ok.log}`);
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
}
