/** The musl finder on small sources: tokenizer edge cases, `#if` evaluation, guarded vs unguarded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../../src/lang/cpp/tokenizer.js';
import { scanText, type MuslHit } from '../../../src/audit/musl/scan.js';

function scan(src: string): { findings: MuslHit[]; guarded: MuslHit[] } {
  return scanText('t.c', src);
}
const rules = (hits: MuslHit[]): string[] => hits.map((h) => `${h.rule}@${h.line}:${h.col}`);

test('tokenizer: comments, strings, char literals, raw strings and continuations are single tokens or nothing', () => {
  const src = 'a /* b\n c */ "d \\" e" \'f\' // g\nR"x(h ) " i)x" j\\\nk';
  const { tokens, map } = tokenize(src);
  assert.deepEqual(
    Array.from({ length: tokens.length }, (_, i) => tokens.text(i)),
    ['a', '"d \\" e"', "'f'", 'R"x(h ) " i)x"', 'jk'],
  );
  assert.deepEqual(map.locate(tokens.pos(4)), { line: 3, col: 16 });
  assert.equal(tokens.bol(3), true);
  assert.equal(tokens.kind(2), 'char');
});

test('constructs inside comments and strings are never matched', () => {
  const r = scan(
    '/* #include <execinfo.h> */\n// backtrace(b, 1);\nconst char *s = "backtrace(b, 1) <execinfo.h>";\nchar c = \'x\';\n',
  );
  assert.deepEqual(r.findings, []);
});

test('file:line:col of a finding points at the construct, also after a line continuation', () => {
  const r = scan('#include <stdio.h>\n#define X 1 \\\n  + 2\nint n = X;\n  int k = backtrace(p, 4);\n');
  assert.deepEqual(rules(r.findings), ['backtrace@5:11']);
  assert.match(r.findings[0]?.why ?? '', /musl has no backtrace/);
  assert.match(r.findings[0]?.fix ?? '', /libexecinfo/);
});

test('#ifdef __GLIBC__ guards; its #else does not', () => {
  const r = scan('#ifdef __GLIBC__\n#include <execinfo.h>\n#else\n#include <error.h>\n#endif\n');
  assert.deepEqual(rules(r.guarded), ['execinfo-h@2:10']);
  assert.deepEqual(r.guarded[0]?.guard, { line: 1, text: '#ifdef __GLIBC__' });
  assert.deepEqual(rules(r.findings), ['error-h@4:10']);
});

test('#if expressions: defined(), !, &&, ||, comparisons, __GLIBC_PREREQ, other libcs and systems', () => {
  const guardedBy = [
    '#if defined(__GLIBC__)',
    '#if defined __GLIBC__ && !defined(__UCLIBC__)',
    '#if __GLIBC__ >= 2',
    '#if (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 17))',
    '#ifndef __MUSL__',
    '#if defined(__APPLE__) || defined(__GLIBC__)',
    '#if !defined(__linux__)',
    '#if __has_include(<execinfo.h>)',
    '#ifdef HAVE_EXECINFO_H',
  ];
  for (const cond of guardedBy) {
    const r = scan(`${cond}\n#include <execinfo.h>\n#endif\n`);
    assert.deepEqual(rules(r.findings), [], cond);
  }
  const unguarded = ['#if !defined(__UCLIBC__)', '#if defined(__linux__) && !defined(__APPLE__)', '#if __GNUC__ >= 4', '#ifndef _WIN32'];
  for (const cond of unguarded) {
    const r = scan(`${cond}\n#include <execinfo.h>\n#endif\n`);
    assert.deepEqual(rules(r.findings), ['execinfo-h@2:10'], cond);
  }
});

test('branches no environment compiles (#if 0, #ifdef _WIN32, __APPLE__) are neither findings nor guarded', () => {
  const r = scan('#if 0\n#include <execinfo.h>\n#endif\n#ifdef __APPLE__\nint n = backtrace(p, 1);\n#endif\n');
  assert.deepEqual(r, { findings: [], guarded: [] });
});

test('an #ifdef __linux__ that assumes glibc is a finding, with a note', () => {
  const r = scan('#ifdef __linux__\n#include <execinfo.h>\n#endif\n');
  assert.deepEqual(rules(r.findings), ['execinfo-h@2:10']);
  assert.match(r.findings[0]?.note ?? '', /#ifdef __linux__.*line 1.*musl/);
});

test('#elif chains: a branch after a glibc check is unguarded', () => {
  const r = scan('#if defined(__GLIBC__)\nint a = backtrace(p, 1);\n#elif defined(__FreeBSD__)\nint b;\n#else\nint c = backtrace(p, 1);\n#endif\n');
  assert.deepEqual(rules(r.guarded), ['backtrace@2:9']);
  assert.deepEqual(rules(r.findings), ['backtrace@6:9']);
});

test('__GLIBC_PREREQ in #if: unguarded even after defined() on the same line; guarded when nested', () => {
  const bad = scan('#if defined(__GLIBC_PREREQ) && __GLIBC_PREREQ(2, 17)\n#endif\n');
  assert.deepEqual(rules(bad.findings), ['glibc-prereq-unguarded@1:32']);
  const nested = scan('#ifdef __GLIBC__\n#if __GLIBC_PREREQ(2, 17)\nint n = backtrace(p, 1);\n#endif\n#endif\n');
  assert.deepEqual(nested.findings, []);
  assert.deepEqual(rules(nested.guarded), ['glibc-prereq-unguarded@2:5', 'backtrace@3:9']);
  const compat = scan('#ifndef __GLIBC_PREREQ\n#define __GLIBC_PREREQ(a, b) 0\n#endif\n#if __GLIBC_PREREQ(2, 17)\n#endif\n');
  assert.deepEqual(compat.findings, []);
});

test('macros the file defines under a glibc check count as glibc-only', () => {
  const r = scan('#ifdef __GLIBC__\n#define USE_BT 1\n#endif\n#ifdef USE_BT\n#include <execinfo.h>\n#endif\n');
  assert.deepEqual(r.findings, []);
  assert.deepEqual(rules(r.guarded), ['execinfo-h@5:10']);
});

test('include guards do not hide or qualify findings', () => {
  const r = scan('#ifndef FOO_H\n#define FOO_H\n#include <execinfo.h>\n#endif\n');
  assert.deepEqual(rules(r.findings), ['execinfo-h@3:10']);
  assert.equal(r.findings[0]?.note, undefined);
});

test('member access, own fallback definitions and an own __BEGIN_DECLS are not findings', () => {
  const r = scan(
    '#define __BEGIN_DECLS\n__BEGIN_DECLS\nint backtrace(void **b, int n) { return s->backtrace(b) + s.mallinfo(); }\n',
  );
  assert.deepEqual(r.findings, []);
});

test("calls served by the file's own fallback definition (in code musl compiles) are guarded", () => {
  const r = scan(
    '#include <stdio.h>\n#ifdef __GLIBC__\n#include <execinfo.h>\n#else\nint backtrace(void **b, int n) { return 0; }\n#endif\nvoid f(void) { void *b[4]; backtrace(b, 4); }\n',
  );
  assert.deepEqual(r.findings, []);
  assert.deepEqual(rules(r.guarded), ['execinfo-h@3:10', 'backtrace@7:28']);
  assert.deepEqual(r.guarded[1]?.guard, { line: 5, text: "the file's own backtrace() definition" });
});

test('strerror_r: GNU use (as char *) is a finding, XSI use (int) is not', () => {
  const r = scan(
    'void f(char *b) {\n  int rc = strerror_r(1, b, 8);\n  if (strerror_r(1, b, 8) != 0) return;\n  puts(strerror_r(1, b, 8));\n  const char *m = strerror_r(1, b, 8);\n}\n',
  );
  assert.deepEqual(rules(r.findings), ['gnu-strerror-r@4:8', 'gnu-strerror-r@5:19']);
});

test('thread stacks: big arrays in thread routines are findings unless the file sets a stack size', () => {
  const src = (extra: string): string =>
    `#define N (256 * 1024)\nstatic void *run(void *a) { char small[4096]; long big[N / 8 + 1]; static char s[1 << 24]; return a; }\nint main(void) { pthread_t t; ${extra} pthread_create(&t, 0, run, 0); }\n`;
  const bad = scan(src(''));
  assert.deepEqual(rules(bad.findings), ['thread-stack@2:52']);
  assert.match(bad.findings[0]?.construct ?? '', /256 KiB|262152 bytes/);
  const good = scan(src('pthread_attr_setstacksize(&at, 1 << 22);'));
  assert.deepEqual(good.findings, []);
  assert.deepEqual(rules(good.guarded), ['thread-stack@2:52']);
});

test('malformed input never throws', () => {
  for (const src of ['#endif\n#else\n#if (\n', '"unterminated\n', "/* open", '#if defined(\n#endif', 'f(((({{{[[[\n', '#include <x\n']) {
    assert.doesNotThrow(() => scan(`${src}\nint n = backtrace(p, 1);\n`));
  }
});
