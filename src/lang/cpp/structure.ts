/**
 * Light structure over a C token stream (directives already removed): function definitions and their bodies,
 * call arguments, statement starts and local array declarations. Heuristic by design (no types, no macro
 * expansion), but it never throws.
 */
import type { TokView } from './tokenizer.js';

export interface FunctionDef {
  name: string;
  /** Index of the name token. */
  nameIdx: number;
  /** Index of the first header token (return type) and of the body's `{` and `}`. */
  headerStart: number;
  open: number;
  close: number;
}

const LPAREN = 40;
const RPAREN = 41;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const SEMI = 59;
const COMMA = 44;
const STAR = 42;
/** For each bracket code: [its partner, search direction]. */
const PARTNER: Record<number, [number, number]> = {
  [LPAREN]: [RPAREN, 1],
  [LBRACKET]: [RBRACKET, 1],
  [LBRACE]: [RBRACE, 1],
  [RPAREN]: [LPAREN, -1],
  [RBRACKET]: [LBRACKET, -1],
  [RBRACE]: [LBRACE, -1],
};

/** Index of the bracket matching the one at `i` (searching forward for `(`/`[`/`{`, back for `)`), or -1. */
export function matching(tokens: TokView, i: number): number {
  const p = tokens.p;
  const self = p[i] ?? 0;
  const pair = PARTNER[self];
  if (!pair) return -1;
  const [other, step] = pair;
  let depth = 0;
  for (let j = i; j >= 0 && j < tokens.length; j += step) {
    const c = p[j];
    if (c === self) depth++;
    else if (c === other && --depth === 0) return j;
  }
  return -1;
}

/** Function definitions at file scope (also inside `extern "C" {` and `namespace x {`). */
export function functionDefs(tokens: TokView): FunctionDef[] {
  const defs: FunctionDef[] = [];
  let headerStart = 0;
  const p = tokens.p;
  for (let i = 0; i < tokens.length; i++) {
    const c = p[i];
    if (c === 0) continue;
    if (c === SEMI || c === RBRACE) {
      headerStart = i + 1;
      continue;
    }
    if (c !== LBRACE) continue;
    if (tokens.kind(i - 1) === 'string' || tokens.is(i - 2, 'namespace') || tokens.is(i - 1, 'namespace')) {
      headerStart = i + 1;
      continue;
    }
    const close = matching(tokens, i);
    const def = p[i - 1] === RPAREN ? definitionAt(tokens, i, headerStart, close) : undefined;
    if (def) defs.push(def);
    if (close < 0) break;
    i = close;
    headerStart = close + 1;
  }
  return defs;
}

function definitionAt(tokens: TokView, open: number, headerStart: number, close: number): FunctionDef | undefined {
  const lparen = matching(tokens, open - 1);
  if (lparen < 1 || tokens.kind(lparen - 1) !== 'ident' || close < 0) return undefined;
  return { name: tokens.text(lparen - 1), nameIdx: lparen - 1, headerStart, open, close };
}

/** The function whose body holds token `i`. */
export function enclosingFunction(defs: readonly FunctionDef[], i: number): FunctionDef | undefined {
  return defs.find((d) => d.open < i && i < d.close);
}

/** Argument token ranges of the call whose `(` is at `lparen`: [start, end) pairs. */
export function callArgs(tokens: TokView, lparen: number): Array<[number, number]> {
  const end = matching(tokens, lparen);
  if (end < 0) return [];
  const args: Array<[number, number]> = [];
  let start = lparen + 1;
  let depth = 0;
  const p = tokens.p;
  for (let j = lparen + 1; j < end; j++) {
    const c = p[j];
    if (c === LPAREN || c === LBRACKET || c === LBRACE) depth++;
    else if (c === RPAREN || c === RBRACKET || c === RBRACE) depth--;
    else if (depth === 0 && c === COMMA) {
      args.push([start, j]);
      start = j + 1;
    }
  }
  if (end > start) args.push([start, end]);
  return args;
}

/** Index of the first token of the statement holding token `i` (after the previous `;`, `{` or `}`). */
export function statementStart(tokens: TokView, i: number): number {
  let depth = 0;
  const p = tokens.p;
  for (let j = i - 1; j >= 0; j--) {
    const c = p[j];
    if (c === 0) continue;
    if (c === RPAREN || c === RBRACKET) depth++;
    else if (c === LPAREN || c === LBRACKET) {
      if (depth > 0) depth--;
    } else if (depth === 0 && (c === SEMI || c === LBRACE || c === RBRACE)) return j + 1;
  }
  return 0;
}

/** Token texts [a, b). */
export function texts(tokens: TokView, a: number, b: number): string[] {
  const out: string[] = [];
  for (let k = a; k < b; k++) out.push(tokens.text(k));
  return out;
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
  /** Token range [start, end) of the declaration, e.g. `char buf[1 << 20]`. */
  start: number;
  end: number;
  /** Dimension expressions (token ranges inside each `[...]`). */
  dims: Array<[number, number]>;
  /** Element size in bytes (1 when the type is unknown: a lower bound). */
  elementSize: number;
}

/** Automatic (non-static) array declarations inside a function body. */
export function localArrays(tokens: TokView, def: FunctionDef): LocalArray[] {
  const out: LocalArray[] = [];
  const p = tokens.p;
  for (let k = def.open + 1; k < def.close; k++) {
    if (p[k] !== LBRACKET || tokens.kind(k - 1) !== 'ident') continue;
    if (tokens.kind(k - 2) !== 'ident' && p[k - 2] !== STAR) continue;
    if (NOT_A_TYPE.has(tokens.text(k - 2))) continue;
    const start = statementStart(tokens, k - 1);
    const head = texts(tokens, start, k - 1);
    if (head.includes('static') || head.includes('extern') || head.includes('=') || head.includes('(')) continue;
    const dims: Array<[number, number]> = [];
    let j = k;
    while (p[j] === LBRACKET) {
      const end = matching(tokens, j);
      if (end < 0) break;
      dims.push([j + 1, end]);
      j = end + 1;
    }
    const pointer = head.includes('*');
    const sizes = head.map((h) => TYPE_SIZES[h]).filter((s): s is number => s !== undefined);
    const elementSize = pointer ? 8 : head.includes('long') && head.includes('double') ? 16 : Math.max(1, ...sizes);
    out.push({ nameIdx: k - 1, start, end: j, dims, elementSize });
    k = j - 1;
  }
  return out;
}
