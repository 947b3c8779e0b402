/**
 * Light structure over a C token stream (directives already removed): function definitions and their bodies,
 * call arguments, statement starts and local array declarations. Heuristic by design (no types, no macro
 * expansion), but it never throws.
 */
import type { Token } from './cpp-tokenizer.js';

export interface FunctionDef {
  name: string;
  /** Index of the name token. */
  nameIdx: number;
  /** Index of the first header token (return type) and of the body's `{` and `}`. */
  headerStart: number;
  open: number;
  close: number;
}

/** Index of the bracket matching the one at `i` (searching forward for `(`/`[`/`{`, back for `)`), or -1. */
export function matching(tokens: readonly Token[], i: number): number {
  const t = tokens[i]?.text;
  const pairs: Record<string, [string, number]> = { '(': [')', 1], '[': [']', 1], '{': ['}', 1], ')': ['(', -1], ']': ['[', -1], '}': ['{', -1] };
  const pair = t === undefined ? undefined : pairs[t];
  if (!pair) return -1;
  const [other, step] = pair;
  let depth = 0;
  for (let j = i; j >= 0 && j < tokens.length; j += step) {
    const x = tokens[j]?.text;
    if (x === t) depth++;
    else if (x === other && --depth === 0) return j;
  }
  return -1;
}

/** Function definitions at file scope (also inside `extern "C" {` and `namespace x {`). */
export function functionDefs(tokens: readonly Token[]): FunctionDef[] {
  const defs: FunctionDef[] = [];
  let headerStart = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) break;
    if (t.text === ';' || t.text === '}') {
      headerStart = i + 1;
      continue;
    }
    if (t.text !== '{') continue;
    const prev = tokens[i - 1];
    if (prev?.kind === 'string' || tokens[i - 2]?.text === 'namespace' || prev?.text === 'namespace') {
      headerStart = i + 1;
      continue;
    }
    const close = matching(tokens, i);
    const def = prev?.text === ')' ? definitionAt(tokens, i, headerStart, close) : undefined;
    if (def) defs.push(def);
    if (close < 0) break;
    i = close;
    headerStart = close + 1;
  }
  return defs;
}

function definitionAt(tokens: readonly Token[], open: number, headerStart: number, close: number): FunctionDef | undefined {
  const lparen = matching(tokens, open - 1);
  const name = tokens[lparen - 1];
  if (lparen < 0 || !name || name.kind !== 'ident' || close < 0) return undefined;
  return { name: name.text, nameIdx: lparen - 1, headerStart, open, close };
}

/** The function whose body holds token `i`. */
export function enclosingFunction(defs: readonly FunctionDef[], i: number): FunctionDef | undefined {
  return defs.find((d) => d.open < i && i < d.close);
}

/** Argument token ranges of the call whose `(` is at `lparen`: [start, end) pairs. */
export function callArgs(tokens: readonly Token[], lparen: number): Array<[number, number]> {
  const end = matching(tokens, lparen);
  if (end < 0) return [];
  const args: Array<[number, number]> = [];
  let start = lparen + 1;
  let depth = 0;
  for (let j = lparen + 1; j < end; j++) {
    const x = tokens[j]?.text;
    if (x === '(' || x === '[' || x === '{') depth++;
    else if (x === ')' || x === ']' || x === '}') depth--;
    else if (x === ',' && depth === 0) {
      args.push([start, j]);
      start = j + 1;
    }
  }
  if (end > start) args.push([start, end]);
  return args;
}

/** Index of the first token of the statement holding token `i` (after the previous `;`, `{` or `}`). */
export function statementStart(tokens: readonly Token[], i: number): number {
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const x = tokens[j]?.text;
    if (x === ')' || x === ']') depth++;
    else if (x === '(' || x === '[') {
      if (depth === 0) continue;
      depth--;
    } else if (depth === 0 && (x === ';' || x === '{' || x === '}')) return j + 1;
  }
  return 0;
}

const TYPE_SIZES: Record<string, number> = {
  char: 1, bool: 1, _Bool: 1, int8_t: 1, uint8_t: 1, u8: 1, s8: 1, __u8: 1,
  short: 2, int16_t: 2, uint16_t: 2, u16: 2, s16: 2, __u16: 2, wchar_t: 4,
  int: 4, float: 4, int32_t: 4, uint32_t: 4, u32: 4, s32: 4, __u32: 4,
  long: 8, double: 8, int64_t: 8, uint64_t: 8, u64: 8, s64: 8, __u64: 8, size_t: 8, ssize_t: 8, off_t: 8,
  intptr_t: 8, uintptr_t: 8, ptrdiff_t: 8,
};
const NOT_A_TYPE = new Set(['return', 'sizeof', 'case', 'goto', 'else', 'do', 'typeof', '__typeof__', 'alignof', '_Alignof']);

export interface LocalArray {
  nameIdx: number;
  /** The declaration as written, e.g. `char buf[1 << 20]`. */
  text: string;
  /** Dimension expressions (token ranges inside each `[...]`). */
  dims: Array<[number, number]>;
  /** Element size in bytes (1 when the type is unknown: a lower bound). */
  elementSize: number;
}

/** Automatic (non-static) array declarations inside a function body. */
export function localArrays(tokens: readonly Token[], def: FunctionDef): LocalArray[] {
  const out: LocalArray[] = [];
  for (let k = def.open + 1; k < def.close; k++) {
    if (tokens[k]?.text !== '[') continue;
    const name = tokens[k - 1];
    const before = tokens[k - 2];
    if (name?.kind !== 'ident' || !before || NOT_A_TYPE.has(before.text)) continue;
    if (before.kind !== 'ident' && before.text !== '*') continue;
    const start = statementStart(tokens, k - 1);
    const head = tokens.slice(start, k - 1).map((t) => t.text);
    if (head.includes('static') || head.includes('extern') || head.includes('=') || head.includes('(')) continue;
    const dims: Array<[number, number]> = [];
    let j = k;
    while (tokens[j]?.text === '[') {
      const end = matching(tokens, j);
      if (end < 0) break;
      dims.push([j + 1, end]);
      j = end + 1;
    }
    const pointer = head.includes('*');
    const sizes = head.map((h) => TYPE_SIZES[h]).filter((s): s is number => s !== undefined);
    const elementSize = pointer ? 8 : head.includes('long') && head.includes('double') ? 16 : Math.max(1, ...sizes);
    const text = tokens.slice(start, j).map((t) => t.text).join(' ');
    out.push({ nameIdx: k - 1, text, dims, elementSize });
    k = j - 1;
  }
  return out;
}
