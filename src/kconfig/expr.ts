/** Small helpers over Kconfig expressions: building conjunctions, rendering as Kconfig text, listing symbols. */
import { unreachable } from '../core/errors.js';
import { TRISTATE_NAMES, type DependsOn, type Expr, type Operand } from './ast.js';

/** `a && b`, where either side may be absent. */
export function andExpr(a: Expr | undefined, b: Expr | undefined): Expr | undefined {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'and', left: a, right: b };
}

/** `a || b`, where either side may be absent. */
export function orExpr(a: Expr | undefined, b: Expr | undefined): Expr | undefined {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'or', left: a, right: b };
}

/** The meaning of a list of `depends on` lines: each `expr` (or `!cond || expr` for `depends on expr if cond`), ANDed. */
export function dependsExpr(deps: readonly DependsOn[]): Expr | undefined {
  let out: Expr | undefined;
  for (const d of deps) {
    const one: Expr = d.cond ? { kind: 'or', left: { kind: 'not', arg: d.cond }, right: d.expr } : d.expr;
    out = andExpr(out, one);
  }
  return out;
}

const PREC = { or: 1, and: 2, cmp: 3, not: 4, leaf: 5 } as const;

function precOf(e: Expr): number {
  switch (e.kind) {
    case 'or':
      return PREC.or;
    case 'and':
      return PREC.and;
    case 'cmp':
      return PREC.cmp;
    case 'not':
      return PREC.not;
    case 'tri':
    case 'sym':
    case 'str':
    case 'unknown':
      return PREC.leaf;
    default:
      return unreachable(e, 'expression');
  }
}

export function operandToString(o: Operand): string {
  switch (o.kind) {
    case 'tri':
      return TRISTATE_NAMES[o.value];
    case 'sym':
      return o.name;
    case 'str':
      return JSON.stringify(o.value);
    case 'unknown':
      return o.text;
    default:
      return unreachable(o, 'operand');
  }
}

/** Kconfig text for an expression, with the fewest parentheses the kernel's precedence allows. */
export function exprToString(e: Expr): string {
  const wrap = (sub: Expr, min: number): string => {
    const s = exprToString(sub);
    return precOf(sub) < min ? `(${s})` : s;
  };
  switch (e.kind) {
    case 'or':
      return `${wrap(e.left, PREC.or)} || ${wrap(e.right, PREC.or)}`;
    case 'and':
      return `${wrap(e.left, PREC.and)} && ${wrap(e.right, PREC.and)}`;
    case 'cmp':
      return `${operandToString(e.left)} ${e.op} ${operandToString(e.right)}`;
    case 'not':
      return `!${wrap(e.arg, PREC.not)}`;
    case 'tri':
    case 'sym':
    case 'str':
    case 'unknown':
      return operandToString(e);
    default:
      return unreachable(e, 'expression');
  }
}

/** Every symbol name an expression reads, in first-seen order. */
export function exprSymbols(e: Expr | undefined, out: string[] = []): string[] {
  if (!e) return out;
  switch (e.kind) {
    case 'sym':
      if (!out.includes(e.name)) out.push(e.name);
      return out;
    case 'tri':
    case 'str':
    case 'unknown':
      return out;
    case 'not':
      return exprSymbols(e.arg, out);
    case 'and':
    case 'or':
      exprSymbols(e.left, out);
      return exprSymbols(e.right, out);
    case 'cmp':
      exprSymbols(e.left, out);
      return exprSymbols(e.right, out);
    default:
      return unreachable(e, 'expression');
  }
}

/** Structural ids: two expressions have the same id exactly when they are written the same (same tree). */
let idOfKey = new Map<string, number>();
let idOfExpr = new WeakMap<Expr, number>();

/** Ids of one kernel tree take some 60 k keys; a process that reads many trees starts afresh past this many. */
const MAX_IDS = 1_000_000;

/**
 * Forget every structural id when the table has grown past `MAX_IDS`. Ids are compared only within one top-level
 * operation (building a model, compacting a tree), so this is called at the start of each, never in between.
 */
export function startExprIds(): void {
  if (idOfKey.size < MAX_IDS) return;
  idOfKey = new Map();
  idOfExpr = new WeakMap();
}

function structuralKey(e: Expr): string {
  switch (e.kind) {
    case 'tri':
      return `t${e.value}`;
    case 'sym':
      return `s${e.name}`;
    case 'str':
      return `q${e.value}`;
    case 'unknown':
      return `u${e.text}`;
    case 'not':
      return `!${exprId(e.arg)}`;
    case 'and':
      return `&${exprId(e.left)},${exprId(e.right)}`;
    case 'or':
      return `|${exprId(e.left)},${exprId(e.right)}`;
    case 'cmp':
      return `${e.op}${exprId(e.left)},${exprId(e.right)}`;
    default:
      return unreachable(e, 'expression');
  }
}

/** The structural id of an expression (memoised per object; expressions are never mutated). */
export function exprId(e: Expr): number {
  let id = idOfExpr.get(e);
  if (id === undefined) {
    const key = structuralKey(e);
    id = idOfKey.get(key);
    if (id === undefined) {
      id = idOfKey.size;
      idOfKey.set(key, id);
    }
    idOfExpr.set(e, id);
  }
  return id;
}

/**
 * One object per distinct expression: `table` maps structural ids to the object kept for them. Returns the kept
 * object for `e` (its operands kept too), so that a tree interned this way holds each distinct condition once.
 */
export function internExpr<T extends Expr>(e: T, table: Map<number, Expr>): T {
  const id = exprId(e);
  const kept = table.get(id);
  if (kept) return kept as T;
  switch (e.kind) {
    case 'not':
      e.arg = internExpr(e.arg, table);
      break;
    case 'and':
    case 'or':
      e.left = internExpr(e.left, table);
      e.right = internExpr(e.right, table);
      break;
    case 'cmp':
      e.left = internExpr(e.left, table);
      e.right = internExpr(e.right, table);
      break;
    default:
      break;
  }
  table.set(id, e);
  return e;
}
