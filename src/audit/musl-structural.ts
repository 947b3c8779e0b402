/**
 * The musl rules that need more than one identifier: how strerror_r's result is used, own `optreset`
 * declarations, `.symver` in asm, dlclose followed by a reload, and big stack arrays in thread start routines.
 */
import { evaluate, parseExpr } from './cpp-expr.js';
import { callArgs, enclosingFunction, functionDefs, localArrays, statementStart, type FunctionDef } from './cpp-structure.js';
import type { Token } from './cpp-tokenizer.js';
import type { FileScan } from './musl-scan.js';

/** musl's default thread stack size (128 KiB since musl 1.1.21). */
export const MUSL_THREAD_STACK = 128 * 1024;

const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=']);
const CONDITION_KEYWORDS = new Set(['if', 'while', 'switch', 'for']);

export function structuralChecks(scan: FileScan): void {
  const toks = scan.code.toks;
  let defs: FunctionDef[] | undefined;
  const functions = (): FunctionDef[] => (defs ??= functionDefs(toks));
  const lastDlopen = lastReopen(toks, functions);
  const charPtrs = charPointerNames(toks);
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    const region = scan.code.regions[k];
    if (!t || !region) continue;
    if (t.kind === 'string' && t.text.includes('.symver') && t.text.includes('GLIBC_')) {
      scan.report('symver', t, t.text, region);
    } else if (t.kind !== 'ident') {
      continue;
    } else if ((t.text === 'symver' || t.text === '__symver__') && toks[k + 1]?.text === '(' && toks[k + 2]?.text.includes('GLIBC_')) {
      scan.report('symver', t, `symver(${toks[k + 2]?.text ?? ''})`, region);
    } else if (t.text === 'optreset' && toks[k - 1]?.text === 'int') {
      scan.report('optreset', t, declarationText(toks, k), region);
    } else if (t.text === 'dlclose' && toks[k + 1]?.text === '(' && lastDlopen > k) {
      scan.report('dlclose-unload', t, 'dlclose() followed by dlopen() again', region);
    } else if (t.text === 'strerror_r' && toks[k + 1]?.text === '(' && gnuStrerrorUse(toks, k, functions, charPtrs)) {
      scan.report('gnu-strerror-r', t, `${declarationText(toks, k)} (result used as char *)`, region);
    }
  }
  threadStacks(scan, toks, functions);
}

/** The last call that opens a library: dlopen() itself, or a function of the file that calls dlopen(). */
function lastReopen(toks: readonly Token[], functions: () => FunctionDef[]): number {
  const openers = new Set(['dlopen']);
  let any = false;
  for (let k = 0; k < toks.length; k++) {
    if (toks[k]?.text !== 'dlopen' || toks[k + 1]?.text !== '(') continue;
    any = true;
    const fn = enclosingFunction(functions(), k);
    if (fn) openers.add(fn.name);
  }
  if (!any) return -1;
  for (let k = toks.length - 1; k >= 0; k--) {
    const t = toks[k];
    if (t && openers.has(t.text) && toks[k + 1]?.text === '(') return k;
  }
  return -1;
}

/** The statement holding token `k`, as written (up to the token and a little beyond, for context). */
function declarationText(toks: readonly Token[], k: number): string {
  const start = statementStart(toks, k);
  let end = k + 1;
  while (end < toks.length && toks[end]?.text !== ';' && toks[end]?.text !== '{' && end - start < 24) end++;
  return toks.slice(start, end).map((t) => t.text).join(' ');
}

/** Names declared `char *name` (or `const char *name`) anywhere in the file. */
function charPointerNames(toks: readonly Token[]): Set<string> {
  const names = new Set<string>();
  for (let k = 2; k < toks.length; k++) {
    const t = toks[k];
    if (t?.kind !== 'ident' || toks[k - 1]?.text !== '*') continue;
    const type = toks[k - 2]?.text;
    if (type === 'char' || (type === 'const' && toks[k - 3]?.text === 'char')) names.add(t.text);
  }
  return names;
}

/** Is the result of the strerror_r call at `k` used as a string (the GNU variant)? */
function gnuStrerrorUse(toks: readonly Token[], k: number, functions: () => FunctionDef[], charPtrs: Set<string>): boolean {
  const close = callArgs(toks, k + 1).at(-1)?.[1] ?? -1;
  if (close >= 0 && COMPARISONS.has(toks[close + 1]?.text ?? '')) return false;
  const prev = toks[k - 1];
  if (!prev) return false;
  switch (prev.text) {
    case '=': {
      const start = statementStart(toks, k);
      const lhs = toks.slice(start, k - 1).map((t) => t.text);
      if (lhs.includes('char') && lhs.includes('*')) return true;
      const target = lhs[lhs.length - 1];
      return lhs.length === 1 && target !== undefined && charPtrs.has(target);
    }
    case 'return': {
      const fn = enclosingFunction(functions(), k);
      if (!fn) return false;
      const header = toks.slice(fn.headerStart, fn.nameIdx).map((t) => t.text);
      return header.includes('char') && header.includes('*');
    }
    case '(':
      return !CONDITION_KEYWORDS.has(toks[k - 2]?.text ?? '') && toks[k - 2]?.kind === 'ident';
    case ',':
    case '?':
    case ':':
      return true;
    default:
      return false;
  }
}

/** Thread start routines (third argument of pthread_create) with automatic arrays bigger than musl's stack. */
function threadStacks(scan: FileScan, toks: readonly Token[], functions: () => FunctionDef[]): void {
  const routines = new Set<string>();
  let setStack: Token | undefined;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t?.text === 'pthread_attr_setstacksize') setStack ??= t;
    if (t?.text !== 'pthread_create' || toks[k + 1]?.text !== '(') continue;
    const third = callArgs(toks, k + 1)[2];
    if (!third) continue;
    const idents = toks.slice(third[0], third[1]).filter((x) => x.kind === 'ident');
    const name = idents[idents.length - 1]?.text;
    if (name) routines.add(name);
  }
  if (routines.size === 0) return;
  const guard = setStack ? { line: scan.locate(setStack).line, text: 'pthread_attr_setstacksize() in the same file' } : undefined;
  for (const def of functions()) {
    if (!routines.has(def.name)) continue;
    for (const arr of localArrays(toks, def)) {
      const bytes = arraySize(scan, toks, arr.dims, arr.elementSize);
      if (bytes === null || bytes <= MUSL_THREAD_STACK) continue;
      const nameTok = toks[arr.nameIdx];
      const region = scan.code.regions[arr.nameIdx];
      if (!nameTok || !region) continue;
      const construct = `${arr.text} (${formatBytes(bytes)} on the stack of thread routine ${def.name})`;
      scan.report('thread-stack', nameTok, construct, region, guard);
    }
  }
}

function arraySize(scan: FileScan, toks: readonly Token[], dims: Array<[number, number]>, elementSize: number): number | null {
  let total = elementSize;
  for (const [a, b] of dims) {
    const parsed = parseExpr(toks.slice(a, b));
    if (!parsed.ok) return null;
    const v = evaluate(parsed.expr, scan.tracker.targetEnv);
    if (v === null) return null;
    total *= v;
  }
  return total;
}

function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
