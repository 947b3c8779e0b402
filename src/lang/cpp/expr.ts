/**
 * `#if` / `#elif` expressions: a parser to a small AST and a three-valued evaluator (a number, or `null` when the
 * answer depends on something unknown). The parser never throws: bad input gives `{ ok: false }`.
 */
import { unreachable } from '../../core/errors.js';
import type { Token } from './tokenizer.js';

export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'ident'; name: string }
  | { kind: 'defined'; name: string }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'has-include'; header: string }
  | { kind: 'unary'; op: string; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'cond'; test: Expr; then: Expr; else: Expr };

export type ParseResult = { ok: true; expr: Expr } | { ok: false; message: string };

/** What is known about a macro in one environment: `undefined` when nothing is known. */
export type MacroFact = { defined: false } | { defined: true; value: number | null };

export interface Env {
  macro(name: string): MacroFact | undefined;
  /** Function-like macros such as `__GLIBC_PREREQ(a, b)`: a value, `null` (unknown), or `undefined` (not a macro). */
  call(name: string, args: Array<number | null>): number | null | undefined;
  hasInclude(header: string): number | null;
}

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '>', '<=', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

class ParseError {
  constructor(readonly message: string) {}
}

export function parseExpr(tokens: readonly Token[]): ParseResult {
  const p = new Parser(tokens);
  try {
    const expr = p.ternary();
    if (!p.done()) return { ok: false, message: `unexpected ${JSON.stringify(p.peek()?.text)}` };
    return { ok: true, expr };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, message: e.message };
    throw e;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly t: readonly Token[]) {}
  done(): boolean {
    return this.i >= this.t.length;
  }
  peek(): Token | undefined {
    return this.t[this.i];
  }
  private take(text?: string): Token {
    const tok = this.t[this.i];
    if (!tok) throw new ParseError('unexpected end of expression');
    if (text !== undefined && tok.text !== text) throw new ParseError(`expected ${JSON.stringify(text)}, got ${JSON.stringify(tok.text)}`);
    this.i++;
    return tok;
  }
  ternary(): Expr {
    const test = this.binary(0);
    if (this.peek()?.text !== '?') return test;
    this.take('?');
    const then = this.ternary();
    this.take(':');
    return { kind: 'cond', test, then, else: this.ternary() };
  }
  private binary(level: number): Expr {
    const ops = BINARY_LEVELS[level];
    if (!ops) return this.unary();
    let left = this.binary(level + 1);
    for (let tok = this.peek(); tok && tok.kind === 'punct' && ops.includes(tok.text); tok = this.peek()) {
      this.take();
      left = { kind: 'binary', op: tok.text, left, right: this.binary(level + 1) };
    }
    return left;
  }
  private unary(): Expr {
    const tok = this.take();
    if (tok.kind === 'punct' && ['!', '~', '-', '+'].includes(tok.text)) return { kind: 'unary', op: tok.text, arg: this.unary() };
    if (tok.text === '(') {
      const e = this.ternary();
      this.take(')');
      return e;
    }
    if (tok.kind === 'number') return { kind: 'num', value: parseNumber(tok.text) };
    if (tok.kind === 'char') return { kind: 'num', value: tok.text.charCodeAt(tok.text.indexOf("'") + 1) || 0 };
    if (tok.kind !== 'ident') throw new ParseError(`unexpected ${JSON.stringify(tok.text)}`);
    if (tok.text === 'defined') return this.defined();
    if (tok.text === '__has_include' || tok.text === '__has_include_next') return this.hasInclude();
    if (this.peek()?.text === '(') return { kind: 'call', name: tok.text, args: this.args() };
    if (tok.text === 'true') return { kind: 'num', value: 1 };
    return { kind: 'ident', name: tok.text };
  }
  private defined(): Expr {
    const paren = this.peek()?.text === '(';
    if (paren) this.take('(');
    const name = this.take();
    if (name.kind !== 'ident') throw new ParseError(`defined needs a macro name, got ${JSON.stringify(name.text)}`);
    if (paren) this.take(')');
    return { kind: 'defined', name: name.text };
  }
  private hasInclude(): Expr {
    this.take('(');
    let header = '';
    const first = this.take();
    if (first.kind === 'string' || first.kind === 'header') header = first.text.slice(1, -1);
    else if (first.text === '<') {
      for (let tok = this.take(); tok.text !== '>'; tok = this.take()) header += tok.text;
    } else throw new ParseError('__has_include needs a header name');
    this.take(')');
    return { kind: 'has-include', header };
  }
  private args(): Expr[] {
    this.take('(');
    const args: Expr[] = [];
    if (this.peek()?.text === ')') {
      this.take(')');
      return args;
    }
    for (;;) {
      args.push(this.ternary());
      if (this.take().text === ')') return args;
    }
  }
}

function parseNumber(text: string): number {
  const clean = text.replace(/'/g, '').replace(/[uUlL]+$/, '');
  const n = /^0[0-7]+$/.test(clean) ? parseInt(clean, 8) : Number(clean);
  return Number.isFinite(n) ? n : 0;
}

/** Evaluate in `env`: a number, or `null` when it depends on something unknown. */
export function evaluate(e: Expr, env: Env): number | null {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'ident': {
      const m = env.macro(e.name);
      if (!m) return null;
      return m.defined ? m.value : 0;
    }
    case 'defined': {
      const m = env.macro(e.name);
      return m ? (m.defined ? 1 : 0) : null;
    }
    case 'call': {
      const v = env.call(e.name, e.args.map((a) => evaluate(a, env)));
      return v === undefined ? 0 : v;
    }
    case 'has-include':
      return env.hasInclude(e.header);
    case 'unary':
      return unaryOp(e.op, evaluate(e.arg, env));
    case 'binary':
      return binaryOp(e, env);
    case 'cond': {
      const t = evaluate(e.test, env);
      if (t === null) {
        const a = evaluate(e.then, env);
        return a !== null && a === evaluate(e.else, env) ? a : null;
      }
      return evaluate(t !== 0 ? e.then : e.else, env);
    }
    default:
      return unreachable(e, 'expression');
  }
}

function unaryOp(op: string, v: number | null): number | null {
  if (v === null) return null;
  if (op === '!') return v === 0 ? 1 : 0;
  if (op === '~') return ~v;
  if (op === '-') return -v;
  return v;
}

function binaryOp(e: Extract<Expr, { kind: 'binary' }>, env: Env): number | null {
  const l = evaluate(e.left, env);
  if (e.op === '&&' && l === 0) return 0;
  if (e.op === '||' && l !== null && l !== 0) return 1;
  const r = evaluate(e.right, env);
  if (e.op === '&&') return r === 0 ? 0 : l === null || r === null ? null : 1;
  if (e.op === '||') return r !== null && r !== 0 ? 1 : l === null || r === null ? null : 0;
  if (l === null || r === null) return null;
  return arith(e.op, l, r);
}

function arith(op: string, l: number, r: number): number {
  const b = (x: boolean): number => (x ? 1 : 0);
  const table: Record<string, () => number> = {
    '|': () => l | r,
    '^': () => l ^ r,
    '&': () => l & r,
    '==': () => b(l === r),
    '!=': () => b(l !== r),
    '<': () => b(l < r),
    '>': () => b(l > r),
    '<=': () => b(l <= r),
    '>=': () => b(l >= r),
    '<<': () => l * 2 ** r,
    '>>': () => Math.floor(l / 2 ** r),
    '+': () => l + r,
    '-': () => l - r,
    '*': () => l * r,
    '/': () => (r === 0 ? 0 : Math.trunc(l / r)),
    '%': () => (r === 0 ? 0 : l % r),
  };
  return table[op]?.() ?? 0;
}

/** The identifiers an expression mentions (for notes such as "guarded only by __linux__"). */
export function mentions(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'num':
    case 'has-include':
      break;
    case 'ident':
    case 'defined':
      out.add(e.name);
      break;
    case 'call':
      out.add(e.name);
      for (const a of e.args) mentions(a, out);
      break;
    case 'unary':
      mentions(e.arg, out);
      break;
    case 'binary':
      mentions(e.left, out);
      mentions(e.right, out);
      break;
    case 'cond':
      mentions(e.test, out);
      mentions(e.then, out);
      mentions(e.else, out);
      break;
    default:
      unreachable(e, 'expression');
  }
  return out;
}
