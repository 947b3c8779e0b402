/**
 * Tristate expression evaluation with the kernel's semantics (`scripts/kconfig/expr.c`, `expr_calc_value`):
 * values n/m/y are 0/1/2; `&&` is min, `||` is max, `!x` is 2-x; comparisons compare the symbols' string values,
 * numerically when both parse as numbers for their types (signed, or unsigned when a hex symbol is involved),
 * else as strings. A word that names no defined symbol is a constant whose value is its own text (and `n` as a
 * tristate). `m` in a dependency is rewritten to `m && MODULES` (`rewriteM`), as `menu_finalize` does.
 */
import { exprToString as exprText } from './expr.js';
import { unreachable } from '../core/errors.js';
import { TRISTATE_NAMES, type CompareOp, type Expr, type Operand, type SymbolType, type Tristate } from './ast.js';

export const N: Tristate = 0;
export const M: Tristate = 1;
export const Y: Tristate = 2;

export const triAnd = (a: Tristate, b: Tristate): Tristate => (a < b ? a : b);
export const triOr = (a: Tristate, b: Tristate): Tristate => (a > b ? a : b);
export const triNot = (a: Tristate): Tristate => (2 - a) as Tristate;
export const triName = (t: Tristate): 'n' | 'm' | 'y' => TRISTATE_NAMES[t];

/** A symbol's current value as the kernel keeps it: `tri` for bool/tristate, `val` the string form. */
export interface SymValue {
  tri: Tristate;
  val: string;
}

/** What evaluation needs to know about names: defined symbols' types and values; unknown macro results. */
export interface ValueSource {
  /** A defined symbol's type and value, or undefined when the name is not defined (it is then a constant). */
  lookup(name: string): { type: SymbolType; value: SymValue } | undefined;
  /** A symbol's tristate value alone (`lookup(name)?.value.tri ?? n`), when the source can give it without allocating. */
  tri?(name: string): Tristate;
  /** The value of a macro we could not evaluate. Default: `n` / empty string. */
  unknown?(text: string): SymValue;
}

/** The kernel's symbol type for an operand: undefined stands for S_UNKNOWN (constants and undefined words). */
interface OperandValue {
  type: SymbolType | undefined;
  value: SymValue;
}

export function operandValue(o: Operand, src: ValueSource): OperandValue {
  switch (o.kind) {
    case 'tri':
      return { type: 'tristate', value: { tri: o.value, val: triName(o.value) } };
    case 'str':
      return { type: undefined, value: { tri: N, val: o.value } };
    case 'sym': {
      const found = src.lookup(o.name);
      return found ?? { type: undefined, value: { tri: N, val: o.name } };
    }
    case 'unknown':
      return { type: undefined, value: src.unknown?.(o.text) ?? { tri: N, val: '' } };
    default:
      return unreachable(o, 'operand');
  }
}

/** The string value the kernel compares (`sym_get_string_value`). */
function stringValue(v: OperandValue): string {
  if (v.type === 'bool' || v.type === 'tristate') return triName(v.value.tri);
  return v.value.val;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * C `strtoll`/`strtoull`: optional leading space and sign, base 0 (prefix-detected), 10 or 16. Returns the value,
 * how many characters were used, and whether it overflowed.
 */
export function cStrtol(
  s: string,
  base: 0 | 10 | 16,
  unsigned: boolean,
): { value: bigint; end: number; overflow: boolean } {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i] as string)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  let b: number = base;
  const hasHexPrefix = s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '');
  if ((b === 0 || b === 16) && hasHexPrefix) {
    i += 2;
    b = 16;
  } else if (b === 0) b = s[i] === '0' ? 8 : 10;
  const start = i;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i] as string, 36);
    if (Number.isNaN(d) || d >= b) break;
    v = v * BigInt(b) + BigInt(d);
  }
  if (i === start) return { value: 0n, end: 0, overflow: false };
  let overflow = false;
  if (unsigned) {
    if (v > UINT64_MAX) overflow = true;
    v = BigInt.asUintN(64, neg ? -v : v);
  } else {
    v = neg ? -v : v;
    if (v < INT64_MIN || v > INT64_MAX) overflow = true;
  }
  return { value: v, end: i, overflow };
}

type Parsed = { kind: 'string' } | { kind: 'signed' | 'unsigned'; value: bigint };

/** `expr_parse_string`: a value as a number for its type, or a string. */
function parseForCompare(str: string, type: SymbolType | undefined): Parsed {
  if (type === 'bool' || type === 'tristate') {
    const v = str === 'n' ? 0n : str === 'm' ? 1n : str === 'y' ? 2n : -1n;
    return { kind: 'signed', value: v };
  }
  const base = type === 'int' ? 10 : type === 'hex' ? 16 : 0;
  const r = cStrtol(str, base, type === 'hex');
  const last = str[r.end - 1] ?? '';
  const ok = !r.overflow && r.end === str.length && r.end > 0 && /[0-9a-fA-F]/.test(last);
  if (!ok) return { kind: 'string' };
  return { kind: type === 'hex' ? 'unsigned' : 'signed', value: r.value };
}

/** -1, 0, 1 as the kernel compares two operands. */
export function compareOperands(l: OperandValue, r: OperandValue): number {
  const s1 = stringValue(l);
  const s2 = stringValue(r);
  let k1: Parsed = { kind: 'string' };
  let k2: Parsed = { kind: 'string' };
  if (l.type !== 'string' || r.type !== 'string') {
    k1 = parseForCompare(s1, l.type);
    k2 = parseForCompare(s2, r.type);
  }
  if (k1.kind === 'string' || k2.kind === 'string') return s1 < s2 ? -1 : s1 > s2 ? 1 : 0;
  let a = k1.value;
  let b = k2.value;
  if (k1.kind === 'unsigned' || k2.kind === 'unsigned') {
    a = BigInt.asUintN(64, a);
    b = BigInt.asUintN(64, b);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareResult(op: CompareOp, res: number): Tristate {
  switch (op) {
    case '=':
      return res === 0 ? Y : N;
    case '!=':
      return res !== 0 ? Y : N;
    case '<':
      return res < 0 ? Y : N;
    case '<=':
      return res <= 0 ? Y : N;
    case '>':
      return res > 0 ? Y : N;
    case '>=':
      return res >= 0 ? Y : N;
    default:
      return unreachable(op, 'comparison');
  }
}

/** `expr_calc_value`. An absent expression is `y`. */
export function evalExpr(e: Expr | undefined, src: ValueSource): Tristate {
  if (e === undefined) return Y;
  switch (e.kind) {
    case 'tri':
      return e.value;
    case 'sym':
      return src.tri ? src.tri(e.name) : (src.lookup(e.name)?.value.tri ?? N);
    case 'str':
      return N;
    case 'unknown':
      return src.unknown?.(e.text).tri ?? N;
    case 'not':
      return triNot(evalExpr(e.arg, src));
    // The kernel evaluates both sides; a symbol's value does not depend on when it is first asked for (values are
    // computed once, from the values they depend on), so a side that cannot change the result is skipped.
    case 'and': {
      const l = evalExpr(e.left, src);
      return l === N ? N : triAnd(l, evalExpr(e.right, src));
    }
    case 'or': {
      const l = evalExpr(e.left, src);
      return l === Y ? Y : triOr(l, evalExpr(e.right, src));
    }
    case 'cmp':
      return compareResult(e.op, compareOperands(operandValue(e.left, src), operandValue(e.right, src)));
    default:
      return unreachable(e, 'expression');
  }
}

export { andExpr as and, orExpr as or } from './expr.js';

/** `rewrite_m`: a bare `m` in a dependency becomes `m && MODULES`, so that it is `n` without modules. */
export function rewriteM(e: Expr | undefined, modules: string | undefined): Expr | undefined {
  if (e === undefined || modules === undefined) return e;
  switch (e.kind) {
    case 'tri':
      return e.value === M ? { kind: 'and', left: e, right: { kind: 'sym', name: modules } } : e;
    case 'str':
    case 'sym':
    case 'unknown':
    case 'cmp':
      return e;
    case 'not': {
      const arg = rewriteM(e.arg, modules) as Expr;
      return arg === e.arg ? e : { kind: 'not', arg };
    }
    case 'and':
    case 'or': {
      // Unchanged subtrees stay the same objects, so that shared conditions stay shared (and memoisable).
      const left = rewriteM(e.left, modules) as Expr;
      const right = rewriteM(e.right, modules) as Expr;
      return left === e.left && right === e.right ? e : { kind: e.kind, left, right };
    }
    default:
      return unreachable(e, 'expression');
  }
}

/** Does the expression contain a macro result we could not compute? */
export function hasUnknown(e: Expr | undefined): boolean {
  if (e === undefined) return false;
  switch (e.kind) {
    case 'unknown':
      return true;
    case 'tri':
    case 'str':
    case 'sym':
      return false;
    case 'cmp':
      return e.left.kind === 'unknown' || e.right.kind === 'unknown';
    case 'not':
      return hasUnknown(e.arg);
    case 'and':
    case 'or':
      return hasUnknown(e.left) || hasUnknown(e.right);
    default:
      return unreachable(e, 'expression');
  }
}

export { exprSymbols } from './expr.js';

/** Kconfig source text for an expression; an absent condition reads as `y`. */
export function exprToString(e: Expr | undefined): string {
  return e === undefined ? 'y' : exprText(e);
}
