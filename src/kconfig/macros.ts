/**
 * The Kconfig macro language (Documentation/kbuild/kconfig-macro-language.rst, scripts/kconfig/preprocess.c):
 * `$(VAR)`, `$(func,arg,…)`, recursively (`=`) and simply (`:=`) expanded variables, `+=`, the built-in
 * functions, and environment variables taken from a fixed map (never from the process environment, so that the
 * result does not depend on the machine).
 *
 * `$(shell,…)` is answered by the host: with a toolchain the host runs it (see `tree.ts`), without one the result
 * is unknown. An unknown value is the marker `UNKNOWN` inside the expanded text; the lexer turns a word holding it
 * into an `unknown` operand, so nothing guesses a compiler's answer.
 */
import type { CodeOf } from '../core/errors.js';

/** Marks a value we could not compute (a shell call without a toolchain). */
export const UNKNOWN = '\u0001';

export type AssignOp = '=' | ':=' | '+=';

export interface MacroHost {
  /** Environment variables visible to `$(NAME)` (srctree, SRCARCH, ARCH, CC, …). */
  env: ReadonlyMap<string, string>;
  /** Run a shell command; the output (trailing newlines removed, newlines as spaces) or undefined when unknown. */
  shell(cmd: string): string | undefined;
  /** Report a diagnostic at the current position. */
  report(severity: 'error' | 'warning' | 'info', code: CodeOf<'kconfig'>, message: string, value?: string): void;
  /** The current file (relative to srctree) and line, for `$(filename)` / `$(lineno)`. */
  position(): { file: string; line: number };
}

interface Variable {
  value: string;
  flavor: 'recursive' | 'simple';
  expanding: number;
}

type Builtin = { min: number; max: number; fn: (args: string[]) => string };

const MAX_DEPTH = 1000;

export class MacroEngine {
  private readonly vars = new Map<string, Variable>();
  private readonly builtins: Map<string, Builtin>;
  private depth = 0;

  constructor(private readonly host: MacroHost) {
    this.builtins = new Map<string, Builtin>([
      ['error-if', { min: 2, max: 2, fn: (a) => this.errorIf(a, 'error') }],
      ['warning-if', { min: 2, max: 2, fn: (a) => this.errorIf(a, 'warning') }],
      ['info', { min: 1, max: 1, fn: (a) => this.info(a) }],
      ['filename', { min: 0, max: 0, fn: () => this.host.position().file }],
      ['lineno', { min: 0, max: 0, fn: () => String(this.host.position().line) }],
      ['shell', { min: 1, max: 1, fn: (a) => this.shell(a[0] ?? '') }],
      ['if', { min: 2, max: 3, fn: (a) => ifFunction(a) }],
      ['filter-out', { min: 2, max: 2, fn: (a) => filterOut(a[0] ?? '', a[1] ?? '') }],
    ]);
  }

  /** `NAME = value`, `NAME := value`, `NAME += value`. */
  assign(name: string, value: string, op: AssignOp): void {
    const existing = this.vars.get(name);
    let flavor: Variable['flavor'] = op === ':=' ? 'simple' : 'recursive';
    const append = op === '+=' && existing !== undefined;
    if (append) flavor = existing.flavor;
    const newValue = flavor === 'simple' ? this.expandString(value) : value;
    if (append) {
      existing.value = `${existing.value} ${newValue}`;
      return;
    }
    this.vars.set(name, { value: newValue, flavor, expanding: 0 });
  }

  /** Names of the variables defined so far (for tests and diagnostics). */
  variable(name: string): { value: string; flavor: 'recursive' | 'simple' } | undefined {
    const v = this.vars.get(name);
    return v ? { value: v.value, flavor: v.flavor } : undefined;
  }

  /** Expand every `$(…)` in `s`. */
  expandString(s: string, args: readonly string[] = []): string {
    return this.expandUntil(s, 0, () => false, args).out;
  }

  /** Expand one unquoted token starting at `pos`: stops at the first character not in `[A-Za-z0-9_-]` outside `$(…)`. */
  expandOneToken(s: string, pos: number): { out: string; end: number } {
    return this.expandUntil(s, pos, (c) => !isTokenChar(c), []);
  }

  /** Expand the reference after a `$` at `s[pos - 1]`; returns the expansion and the index after it. */
  expandDollar(s: string, pos: number, args: readonly string[] = []): { out: string; end: number } {
    if (s[pos] !== '(') return { out: '$', end: pos };
    let nest = 0;
    let q = pos + 1;
    for (; q < s.length; q++) {
      const c = s[q];
      if (c === '(') nest++;
      else if (c === ')' && nest-- === 0) break;
    }
    if (q >= s.length) {
      this.host.report('error', 'kconfig.macro-unterminated', "unterminated reference: missing ')'", s.slice(pos));
      return { out: '', end: s.length };
    }
    return { out: this.evalClause(s.slice(pos + 1, q), args), end: q + 1 };
  }

  private expandUntil(
    s: string,
    start: number,
    isEnd: (c: string) => boolean,
    args: readonly string[],
  ): { out: string; end: number } {
    let out = '';
    let from = start;
    let p = start;
    while (p < s.length) {
      const c = s[p] as string;
      if (c === '$') {
        out += s.slice(from, p);
        const r = this.expandDollar(s, p + 1, args);
        out += r.out;
        p = from = r.end;
        continue;
      }
      if (isEnd(c)) break;
      p++;
    }
    return { out: out + s.slice(from, p), end: p };
  }

  private evalClause(clause: string, args: readonly string[]): string {
    const n = /^[0-9]+$/.test(clause) ? Number(clause) : 0;
    if (n > 0 && n <= args.length) return args[n - 1] ?? '';
    if (this.depth > MAX_DEPTH) {
      this.host.report('error', 'kconfig.macro-too-deep', 'too deep recursive expansion', clause);
      return '';
    }
    this.depth++;
    try {
      const parts = splitArgs(clause);
      const name = this.expandString(parts[0] ?? '', args);
      const callArgs = parts.slice(1).map((p) => this.expandString(p, args));
      return this.call(name, callArgs);
    } finally {
      this.depth--;
    }
  }

  private call(name: string, args: string[]): string {
    const v = this.vars.get(name);
    if (v) {
      if (args.length === 0 && v.expanding > 0) {
        this.host.report('error', 'kconfig.macro-recursive', `recursive variable '${name}' references itself`, name);
        return '';
      }
      v.expanding++;
      try {
        return v.flavor === 'recursive' ? this.expandString(v.value, args) : v.value;
      } finally {
        v.expanding--;
      }
    }
    const b = this.builtins.get(name);
    if (b) {
      if (args.length < b.min || args.length > b.max) {
        const which = args.length < b.min ? 'too few' : 'too many';
        this.host.report('error', 'kconfig.macro-arguments', `${which} function arguments passed to '${name}'`, name);
        return '';
      }
      return b.fn(args);
    }
    if (args.length === 0) return this.host.env.get(name) ?? '';
    return '';
  }

  private errorIf(args: string[], severity: 'error' | 'warning'): string {
    if (args[0] === 'y') {
      const code = severity === 'error' ? 'kconfig.macro-error' : 'kconfig.macro-warning';
      this.host.report(severity, code, args[1] ?? '');
    }
    return '';
  }

  private info(args: string[]): string {
    this.host.report('info', 'kconfig.macro-info', args[0] ?? '');
    return '';
  }

  private shell(cmd: string): string {
    if (cmd.includes(UNKNOWN)) return UNKNOWN;
    const out = this.host.shell(cmd);
    return out === undefined ? UNKNOWN : out;
  }
}

function isTokenChar(c: string): boolean {
  return /^[A-Za-z0-9_-]$/.test(c);
}

/** Split `name,arg1,arg2` on commas outside parentheses. */
function splitArgs(clause: string): string[] {
  const out: string[] = [];
  let nest = 0;
  let from = 0;
  for (let i = 0; i < clause.length; i++) {
    const c = clause[i];
    if (c === ',' && nest === 0) {
      out.push(clause.slice(from, i));
      from = i + 1;
    } else if (c === '(') nest++;
    else if (c === ')') nest--;
  }
  out.push(clause.slice(from));
  return out;
}

/** `$(if,cond,then[,else])`: `then` when `cond` (stripped) is not empty. */
function ifFunction(args: string[]): string {
  const cond = (args[0] ?? '').trim();
  if (cond.includes(UNKNOWN)) return UNKNOWN;
  return cond !== '' ? (args[1] ?? '') : (args[2] ?? '');
}

/** `$(filter-out,patterns,text)`: the words of `text` matching none of the `%` patterns. */
function filterOut(patterns: string, text: string): string {
  const pats = patterns.split(/\s+/).filter(Boolean);
  const words = text.split(/\s+/).filter(Boolean);
  return words.filter((w) => !pats.some((p) => patternMatches(p, w))).join(' ');
}

function patternMatches(pattern: string, word: string): boolean {
  const i = pattern.indexOf('%');
  if (i < 0) return pattern === word;
  const pre = pattern.slice(0, i);
  const post = pattern.slice(i + 1);
  return word.length >= pre.length + post.length && word.startsWith(pre) && word.endsWith(post);
}
