/**
 * The musl rules that need more than one identifier: how strerror_r's result is used, own `optreset`
 * declarations, `.symver` in asm, dlclose followed by a reload, and big stack arrays in thread start routines.
 */
import { evaluate, parseExpr } from '../../lang/cpp/expr.js';
import { callArgs, enclosingFunction, functionDefs, localArrays, statementStart, texts, type FunctionDef } from '../../lang/cpp/structure.js';
import type { Token, TokView } from '../../lang/cpp/tokenizer.js';
import type { ConditionTracker, Region } from '../../lang/cpp/conditions.js';
import type { TokenSubset } from '../../lang/cpp/tokenizer.js';
import type { MuslRuleId } from './rules.js';

/** What the structural checks need of a file scan (`FileScan` in scan.ts). */
export interface FileScan {
  readonly code: TokenSubset;
  readonly tracker: ConditionTracker;
  regionAt(k: number): Region;
  locate(pos: number): { line: number; col: number };
  sourceText(a: number, b: number): string;
  report(rule: MuslRuleId, pos: number, construct: string, region: Region, guardOverride?: { line: number; text: string }): void;
}

/** musl's default thread stack size (128 KiB since musl 1.1.21). */
export const MUSL_THREAD_STACK = 128 * 1024;

const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=']);
const CONDITION_KEYWORDS = new Set(['if', 'while', 'switch', 'for']);
/**
 * Run the checks from the candidate code tokens: `starters` (strings that may hold `.symver`, and the identifiers
 * symver, __symver__, optreset, dlclose, strerror_r) and `threadNames` (pthread_create, pthread_attr_setstacksize).
 */
export function structuralChecks(scan: FileScan, starters: readonly number[], threadNames: readonly number[]): void {
  const toks = scan.code;
  let defs: FunctionDef[] | undefined;
  const functions = (): FunctionDef[] => (defs ??= functionDefs(toks));
  let lastOpen: number | undefined;
  let charPtrs: Set<string> | undefined;
  for (const k of starters) {
    const region = scan.regionAt(k);
    const name = toks.text(k);
    if (toks.kind(k) === 'string') {
      if (name.includes('.symver') && name.includes('GLIBC_')) scan.report('symver', toks.pos(k), name, region);
    } else if ((name === 'symver' || name === '__symver__') && toks.is(k + 1, '(') && toks.text(k + 2).includes('GLIBC_')) {
      scan.report('symver', toks.pos(k), `${name}(${toks.text(k + 2)})`, region);
    } else if (name === 'optreset' && toks.is(k - 1, 'int')) {
      scan.report('optreset', toks.pos(k), statementText(scan, k), region);
    } else if (name === 'dlclose' && toks.is(k + 1, '(') && (lastOpen ??= lastReopen(toks, functions)) > k) {
      scan.report('dlclose-unload', toks.pos(k), 'dlclose() followed by dlopen() again', region);
    } else if (name === 'strerror_r' && toks.is(k + 1, '(') && gnuStrerrorUse(toks, k, functions, () => (charPtrs ??= charPointerNames(toks)))) {
      scan.report('gnu-strerror-r', toks.pos(k), `${statementText(scan, k)} (result used as char *)`, region);
    }
  }
  if (threadNames.length > 0) threadStacks(scan, threadNames, functions);
}

/** The last call that opens a library: dlopen() itself, or a function of the file that calls dlopen(). */
function lastReopen(toks: TokView, functions: () => FunctionDef[]): number {
  const openers = new Set(['dlopen']);
  let any = false;
  for (let k = 0; k < toks.length; k++) {
    if (!toks.is(k, 'dlopen') || !toks.is(k + 1, '(')) continue;
    any = true;
    const fn = enclosingFunction(functions(), k);
    if (fn) openers.add(fn.name);
  }
  if (!any) return -1;
  for (let k = toks.length - 1; k >= 0; k--) {
    if (toks.kind(k) === 'ident' && toks.is(k + 1, '(') && openers.has(toks.text(k))) return k;
  }
  return -1;
}

/** The statement holding code token `k`, as written, up to its end (or a little beyond `k`). */
function statementText(scan: FileScan, k: number): string {
  const toks = scan.code;
  const start = statementStart(toks, k);
  let end = k + 1;
  while (end < toks.length && !toks.is(end, ';') && !toks.is(end, '{') && end - start < 24) end++;
  return scan.sourceText(start, Math.max(start, end - 1));
}

/** Names declared `char *name` (or `const char *name`) anywhere in the file. */
function charPointerNames(toks: TokView): Set<string> {
  const names = new Set<string>();
  for (let k = 2; k < toks.length; k++) {
    if (toks.kind(k) !== 'ident' || !toks.is(k - 1, '*')) continue;
    if (toks.is(k - 2, 'char') || (toks.is(k - 2, 'const') && toks.is(k - 3, 'char'))) names.add(toks.text(k));
  }
  return names;
}

/** Is the result of the strerror_r call at `k` used as a string (the GNU variant)? */
function gnuStrerrorUse(toks: TokView, k: number, functions: () => FunctionDef[], charPtrs: () => Set<string>): boolean {
  const close = callArgs(toks, k + 1).at(-1)?.[1] ?? -1;
  if (close >= 0 && COMPARISONS.has(toks.text(close + 1))) return false;
  switch (toks.text(k - 1)) {
    case '=': {
      const lhs = texts(toks, statementStart(toks, k), k - 1);
      if (lhs.includes('char') && lhs.includes('*')) return true;
      const target = lhs[lhs.length - 1];
      return lhs.length === 1 && target !== undefined && charPtrs().has(target);
    }
    case 'return': {
      const fn = enclosingFunction(functions(), k);
      if (!fn) return false;
      const header = texts(toks, fn.headerStart, fn.nameIdx);
      return header.includes('char') && header.includes('*');
    }
    case '(':
      return !CONDITION_KEYWORDS.has(toks.text(k - 2)) && toks.kind(k - 2) === 'ident';
    case ',':
    case '?':
    case ':':
      return true;
    default:
      return false;
  }
}

/** Thread start routines (third argument of pthread_create) with automatic arrays bigger than musl's stack. */
function threadStacks(scan: FileScan, names: readonly number[], functions: () => FunctionDef[]): void {
  const toks = scan.code;
  const routines = new Set<string>();
  let setStack = -1;
  for (const k of names) {
    if (setStack < 0 && toks.is(k, 'pthread_attr_setstacksize')) setStack = k;
    if (!toks.is(k, 'pthread_create') || !toks.is(k + 1, '(')) continue;
    const third = callArgs(toks, k + 1)[2];
    if (!third) continue;
    for (let j = third[1] - 1; j >= third[0]; j--) {
      if (toks.kind(j) !== 'ident') continue;
      routines.add(toks.text(j));
      break;
    }
  }
  if (routines.size === 0) return;
  const guard = setStack >= 0 ? { line: scan.locate(toks.pos(setStack)).line, text: 'pthread_attr_setstacksize() in the same file' } : undefined;
  for (const def of functions()) {
    if (!routines.has(def.name)) continue;
    for (const arr of localArrays(toks, def)) {
      const bytes = arraySize(scan, arr.dims, arr.elementSize);
      const region = scan.regionAt(arr.nameIdx);
      if (bytes === null || bytes <= MUSL_THREAD_STACK) continue;
      const construct = `${scan.sourceText(arr.start, arr.end - 1)} (${formatBytes(bytes)} on the stack of thread routine ${def.name})`;
      scan.report('thread-stack', toks.pos(arr.nameIdx), construct, region, guard);
    }
  }
}

function arraySize(scan: FileScan, dims: Array<[number, number]>, elementSize: number): number | null {
  let total = elementSize;
  for (const [a, b] of dims) {
    const expr: Token[] = [];
    for (let k = a; k < b; k++) expr.push(scan.code.token(k));
    const parsed = parseExpr(expr);
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
