/**
 * Token helpers for the statement parser, and Kconfig expressions (scripts/kconfig/parser.y `expr`): `||` binds loosest, then `&&`, then `!`, parentheses and
 * the comparisons `=`, `!=`, `<`, `<=`, `>`, `>=` (which take two operands, never subexpressions). Tristate words
 * `n`, `m`, `y` become the three constants.
 */
import type { Expr, Operand } from './ast.js';
import type { Token, TokenStream } from './lexer.js';

/** A syntax error at a token; the statement parser reports it as file:line and resumes at the next line. */
export class KconfigSyntaxError {
  constructor(
    readonly tok: Token,
    readonly message: string,
  ) {}
}

export function tokText(t: Token): string {
  switch (t.t) {
    case 'kw':
      return t.kw;
    case 'op':
      return t.op;
    case 'word':
    case 'quote':
    case 'assignval':
      return t.value;
    case 'eol':
      return 'end of line';
    case 'eof':
      return 'end of file';
  }
}

/** Skip the rest of the current line (error recovery). */
export function skipLine(ts: TokenStream): void {
  for (;;) {
    const t = ts.peek();
    if (t.t === 'eof') return;
    ts.next();
    if (t.t === 'eol') return;
  }
}

export function expectEol(ts: TokenStream): void {
  const t = ts.peek();
  if (t.t === 'eof') return;
  if (t.t !== 'eol') throw new KconfigSyntaxError(t, `syntax error: unexpected '${tokText(t)}'`);
  ts.next();
}

export function expectQuote(ts: TokenStream): Token & { t: 'quote' } {
  const t = ts.next();
  if (t.t !== 'quote') throw new KconfigSyntaxError(t, 'syntax error: expected a quoted string');
  return t;
}

export function expectWord(ts: TokenStream): Token & { t: 'word' } {
  const t = ts.next();
  if (t.t !== 'word') throw new KconfigSyntaxError(t, 'syntax error: expected a symbol name');
  return t;
}

const COMPARE = new Set(['=', '!=', '<', '<=', '>', '>=']);

/** expr: `||` loosest, then `&&`, then `!`/parentheses/comparisons of two operands. */
export function parseExpr(ts: TokenStream): Expr {
  let left = andExpr(ts);
  for (let t = ts.peek(); t.t === 'op' && t.op === '||'; t = ts.peek()) {
    ts.next();
    left = { kind: 'or', left, right: andExpr(ts) };
  }
  return left;
}

function andExpr(ts: TokenStream): Expr {
  let left = unary(ts);
  for (let t = ts.peek(); t.t === 'op' && t.op === '&&'; t = ts.peek()) {
    ts.next();
    left = { kind: 'and', left, right: unary(ts) };
  }
  return left;
}

function unary(ts: TokenStream): Expr {
  const t = ts.next();
  if (t.t === 'op' && t.op === '!') return { kind: 'not', arg: unary(ts) };
  if (t.t === 'op' && t.op === '(') {
    const e = parseExpr(ts);
    const close = ts.next();
    if (close.t !== 'op' || close.op !== ')') throw new KconfigSyntaxError(close, "syntax error: expected ')'");
    return e;
  }
  const left = parseOperand(t);
  const op = ts.peek();
  if (op.t === 'op' && COMPARE.has(op.op)) {
    ts.next();
    const cmp = op.op as '=' | '!=' | '<' | '<=' | '>' | '>=';
    return { kind: 'cmp', op: cmp, left, right: parseOperand(ts.next()) };
  }
  return left;
}

/** A word (symbol, or n/m/y), a quoted string (`"y"`, `"m"`, `"n"` are the tristate constants too), or a value an unknown macro produced. */
export function parseOperand(t: Token): Operand {
  if (t.t !== 'word' && t.t !== 'quote') throw new KconfigSyntaxError(t, `syntax error: unexpected '${tokText(t)}' in expression`);
  if (t.t === 'word' && t.unknown !== undefined) return { kind: 'unknown', text: t.unknown };
  // `sym_lookup` maps the one-letter names y, m, n to the tristate constants, quoted or not (`default "y"`).
  const tri = t.value === 'n' ? 0 : t.value === 'm' ? 1 : t.value === 'y' ? 2 : undefined;
  if (tri !== undefined) return { kind: 'tri', value: tri };
  return t.t === 'quote' ? { kind: 'str', value: t.value } : { kind: 'sym', name: t.value };
}
