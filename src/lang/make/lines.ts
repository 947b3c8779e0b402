/**
 * Reads one makefile into statements: logical lines (backslash continuations joined, comments removed), recipe
 * lines (tab-prefixed, in a rule's context, kept for the shell), `define` blocks, conditionals, includes,
 * assignments (with `export`/`override`), rules (target-specific variables flagged and otherwise ignored).
 * Never throws on input: what it cannot classify becomes an `other` statement.
 */
import { makeDiagnostic, type AssignOp, type CondTest, type MakeDiagnostic, type MakeStmt } from './types.js';

const CONDITIONALS = new Set(['ifeq', 'ifneq', 'ifdef', 'ifndef']);

function continues(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Removes a `#` comment (not `\#`), turning `\#` into `#`. */
export function stripComment(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && s[i + 1] === '#') {
      out += '#';
      i++;
    } else if (c === '#') {
      return out;
    } else {
      out += c;
    }
  }
  return out;
}

/** First word and the rest (leading whitespace removed). */
function headWord(s: string): [string, string] {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(s);
  return m ? [m[1]!, m[2]!] : ['', ''];
}

/** The index of the first top-level (outside `$(...)`/`${...}`) char satisfying `pred`, or -1. */
export function topLevelIndex(s: string, pred: (c: string, i: number) => boolean, from = 0): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) {
      depth++;
      i++;
      continue;
    }
    if (depth > 0) {
      if (c === '(' || c === '{') depth++;
      else if (c === ')' || c === '}') depth--;
      continue;
    }
    if (pred(c, i)) return i;
  }
  return -1;
}

type Split =
  | { kind: 'assign'; name: string; op: AssignOp; value: string }
  | { kind: 'rule'; colon: number; double: boolean }
  | { kind: 'none' };

/** Is this line an assignment (which operator) or a rule (where is its colon)? */
export function splitAssignOrRule(s: string): Split {
  const i = topLevelIndex(s, (c) => c === '=' || c === ':');
  if (i < 0) return { kind: 'none' };
  if (s[i] === '=') {
    const prev = s[i - 1];
    const op: AssignOp = prev === '+' ? '+=' : prev === '?' ? '?=' : prev === '!' ? '!=' : '=';
    const nameEnd = op === '=' ? i : i - 1;
    return { kind: 'assign', name: s.slice(0, nameEnd).trim(), op, value: s.slice(i + 1).replace(/^[ \t]+/, '') };
  }
  for (const op of [':::=', '::=', ':='] as const) {
    if (s.startsWith(op, i)) {
      return { kind: 'assign', name: s.slice(0, i).trim(), op, value: s.slice(i + op.length).replace(/^[ \t]+/, '') };
    }
  }
  return { kind: 'rule', colon: i, double: s[i + 1] === ':' };
}

/** Parses the test of `ifeq`/`ifneq` (`(a,b)`, `"a" "b"`, `'a' 'b'`) or `ifdef`/`ifndef`. */
export function parseCondTest(keyword: string, rest: string): CondTest | undefined {
  if (keyword === 'ifdef' || keyword === 'ifndef') {
    const name = rest.trim();
    return name ? { op: keyword, name } : undefined;
  }
  if (keyword !== 'ifeq' && keyword !== 'ifneq') return undefined;
  const r = rest.trim();
  if (r.startsWith('(') && r.endsWith(')')) {
    const inner = r.slice(1, -1);
    const comma = topLevelIndex(inner, (c) => c === ',');
    if (comma < 0) return undefined;
    return { op: keyword, a: inner.slice(0, comma).trim(), b: inner.slice(comma + 1).trim() };
  }
  const q = /^(["'])(.*?)\1\s+(["'])(.*?)\3$/.exec(r);
  return q ? { op: keyword, a: q[2]!, b: q[4]! } : undefined;
}

interface Reader {
  lines: string[];
  i: number;
  file: string;
  stmts: MakeStmt[];
  diagnostics: MakeDiagnostic[];
  inRule: boolean;
}

/** Parses a makefile's text. `file` is used for locations only. */
export function parseMakefile(text: string, file: string): { stmts: MakeStmt[]; diagnostics: MakeDiagnostic[] } {
  const r: Reader = { lines: text.split(/\r?\n/), i: 0, file, stmts: [], diagnostics: [], inRule: false };
  while (r.i < r.lines.length) {
    const line = r.lines[r.i]!;
    if (r.inRule && line.startsWith('\t')) readRecipe(r);
    else readLogical(r);
  }
  return { stmts: r.stmts, diagnostics: r.diagnostics };
}

function readRecipe(r: Reader): void {
  const line = r.i + 1;
  let text = r.lines[r.i]!.slice(1);
  while (continues(text) && r.i + 1 < r.lines.length) {
    r.i++;
    const next = r.lines[r.i]!;
    text += `\n${next.startsWith('\t') ? next.slice(1) : next}`;
  }
  r.i++;
  r.stmts.push({ kind: 'recipe', loc: { file: r.file, line }, text });
}

function readLogical(r: Reader): void {
  const line = r.i + 1;
  let logical = r.lines[r.i]!;
  while (continues(logical) && r.i + 1 < r.lines.length) {
    r.i++;
    logical = `${logical.slice(0, -1).trimEnd()} ${r.lines[r.i]!.trimStart()}`;
  }
  r.i++;
  const s = stripComment(logical).trim();
  if (s === '') return;
  classify(r, s, line);
}

function classify(r: Reader, s: string, line: number): void {
  const loc = { file: r.file, line };
  const [word, rest] = headWord(s);
  if (CONDITIONALS.has(word)) {
    const test = parseCondTest(word, rest);
    if (!test) r.diagnostics.push(makeDiagnostic(loc, 'make.bad-conditional', 'cannot read this conditional', s));
    r.stmts.push(test ? { kind: 'if', loc, test } : { kind: 'if', loc, test: { op: 'ifeq', a: '$(shell false)', b: '' } });
    return;
  }
  if (word === 'else') {
    const [w2, rest2] = headWord(rest);
    const test = w2 ? parseCondTest(w2, rest2) : undefined;
    if (w2 && !test) r.diagnostics.push(makeDiagnostic(loc, 'make.bad-conditional', 'cannot read this conditional', s));
    r.stmts.push(test ? { kind: 'else', loc, test } : { kind: 'else', loc });
    return;
  }
  if (word === 'endif') {
    r.stmts.push({ kind: 'endif', loc });
    return;
  }
  r.inRule = false;
  if (word === 'include' || word === '-include' || word === 'sinclude') {
    r.stmts.push({ kind: 'include', loc, files: rest, optional: word !== 'include' });
    return;
  }
  classifyDefinition(r, s, loc);
}

function classifyDefinition(r: Reader, s: string, loc: { file: string; line: number }): void {
  let override = false;
  let exported = false;
  let body = s;
  for (;;) {
    const [w, rest] = headWord(body);
    if (w === 'override') override = true;
    else if (w === 'export') exported = true;
    else if (w !== 'private') break;
    body = rest;
  }
  const [w, rest] = headWord(body);
  if (w === 'define') {
    readDefine(r, rest, loc, override, exported);
    return;
  }
  if (w === 'unexport') {
    r.stmts.push({ kind: 'export', loc, names: rest, unexport: true });
    return;
  }
  const split = splitAssignOrRule(body);
  if (split.kind === 'assign') {
    r.stmts.push({ kind: 'assign', loc, name: split.name, op: split.op, value: split.value, override, exported, define: false });
  } else if (exported && split.kind === 'none') {
    r.stmts.push({ kind: 'export', loc, names: body, unexport: false });
  } else if (split.kind === 'rule') {
    readRule(r, body, split.colon, split.double, loc);
  } else {
    r.stmts.push({ kind: 'other', loc, text: s });
  }
}

function readRule(r: Reader, s: string, colon: number, double: boolean, loc: { file: string; line: number }): void {
  const targets = s.slice(0, colon).trim();
  let after = s.slice(colon + (double ? 2 : 1));
  const semi = topLevelIndex(after, (c) => c === ';');
  let inline: string | undefined;
  if (semi >= 0) {
    inline = after.slice(semi + 1).trim();
    after = after.slice(0, semi);
  }
  const targetVariable = splitAssignOrRule(after).kind === 'assign';
  r.stmts.push({ kind: 'rule', loc, targets, prereqs: targetVariable ? '' : after.trim(), targetVariable });
  r.inRule = !targetVariable;
  if (inline && !targetVariable) r.stmts.push({ kind: 'recipe', loc, text: inline });
}

function readDefine(r: Reader, head: string, loc: { file: string; line: number }, override: boolean, exported: boolean): void {
  let name = head.trim();
  let op: AssignOp = '=';
  for (const o of [':::=', '::=', ':=', '?=', '+=', '!=', '='] as const) {
    if (name.endsWith(o)) {
      op = o;
      name = name.slice(0, -o.length).trim();
      break;
    }
  }
  const body: string[] = [];
  let depth = 1;
  while (r.i < r.lines.length) {
    const raw = r.lines[r.i]!;
    r.i++;
    const [w] = headWord(stripComment(raw).trim());
    if (w === 'define' || (w === 'override' || w === 'export') && /\bdefine\b/.test(raw)) depth++;
    if (w === 'endef' && --depth === 0) {
      r.stmts.push({ kind: 'assign', loc, name, op, value: body.join('\n'), override, exported, define: true });
      return;
    }
    body.push(raw);
  }
  r.diagnostics.push(makeDiagnostic(loc, 'make.missing-endef', `define ${name} has no endef`, name));
}
