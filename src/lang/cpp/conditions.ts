/**
 * Conditional-compilation tracking: follows `#if/#ifdef/#ifndef/#elif/#elifdef/#elifndef/#else/#endif` and
 * `#define/#undef`, and answers, for the current point of a file, whether it is compiled in each of two
 * environments (a target such as musl, and a reference such as glibc): true, false or unknown.
 */
import { evaluate, mentions, parseExpr, type Env, type Expr, type MacroFact } from './expr.js';
import type { Token } from './tokenizer.js';

export type Tri = 'true' | 'false' | 'unknown';
export type EnvName = 'target' | 'reference';

/** One enclosing condition: the directive that opened the branch and whether it holds in each environment. */
export interface BranchCondition {
  line: number;
  /** The directive as written, e.g. `#ifdef __GLIBC__`, or `#else (of #ifdef __GLIBC__, line 3)`. */
  text: string;
  /** Macros the branch's condition (and the earlier branches it negates) mention. */
  mentions: ReadonlySet<string>;
  target: Tri;
  reference: Tri;
}

/** Where the current code sits: whether it is compiled in each environment, and under which conditions. */
export interface Region {
  target: Tri;
  reference: Tri;
  conditions: readonly BranchCondition[];
}

interface Frame {
  opener: string;
  openLine: number;
  /** Whether some earlier branch of this chain holds, per environment. */
  taken: Record<EnvName, Tri>;
  seen: Set<string>;
  branch: BranchCondition;
}

const TOP: Region = { target: 'true', reference: 'true', conditions: [] };

export function and(a: Tri, b: Tri): Tri {
  if (a === 'false' || b === 'false') return 'false';
  return a === 'true' && b === 'true' ? 'true' : 'unknown';
}
export function or(a: Tri, b: Tri): Tri {
  if (a === 'true' || b === 'true') return 'true';
  return a === 'false' && b === 'false' ? 'false' : 'unknown';
}
export function not(a: Tri): Tri {
  return a === 'true' ? 'false' : a === 'false' ? 'true' : 'unknown';
}
function tri(v: number | null): Tri {
  return v === null ? 'unknown' : v !== 0 ? 'true' : 'false';
}

/** An object-like macro whose body is parsed only when its value is asked for (most never are). */
interface LazyMacro {
  defined: true;
  body: () => readonly Token[];
  value?: number | null;
  busy?: boolean;
}
type LocalFact = MacroFact | LazyMacro | 'unknown';

/** An environment plus the file's own `#define`s and `#undef`s. */
class LayeredEnv implements Env {
  readonly local = new Map<string, LocalFact>();
  constructor(private readonly base: Env) {}
  macro(name: string): MacroFact | undefined {
    const l = this.local.get(name);
    if (l === 'unknown') return undefined;
    if (l && 'body' in l) return { defined: true, value: this.valueOf(l) };
    return l ?? this.base.macro(name);
  }
  /** Value of a lazy macro, evaluated (once) where it is used, as the preprocessor does; self-reference is unknown. */
  private valueOf(m: LazyMacro): number | null {
    if (m.value !== undefined) return m.value;
    if (m.busy) return null;
    m.busy = true;
    const body = m.body();
    const parsed = body.length > 0 ? parseExpr(body) : undefined;
    m.value = parsed?.ok ? evaluate(parsed.expr, this) : null;
    m.busy = false;
    return m.value;
  }
  call(name: string, args: Array<number | null>): number | null | undefined {
    const l = this.local.get(name);
    if (l === 'unknown') return null;
    if (l) return l.defined ? null : undefined;
    return this.base.call(name, args);
  }
  hasInclude(header: string): number | null {
    return this.base.hasInclude(header);
  }
}

export class ConditionTracker {
  private readonly frames: Frame[] = [];
  private readonly envs: Record<EnvName, LayeredEnv>;
  private current: Region = TOP;
  /** The macro of the directive just seen when it was `#ifndef X` (an include guard if `#define X` follows). */
  private last: string | undefined;
  /** Directives that did not fit (`#endif` without `#if`, unparsable expressions), for diagnostics. */
  readonly problems: Array<{ line: number; message: string }> = [];

  constructor(target: Env, reference: Env) {
    this.envs = { target: new LayeredEnv(target), reference: new LayeredEnv(reference) };
  }

  get region(): Region {
    return this.current;
  }

  /** The target environment with the file's own defines so far (e.g. to size `char buf[BUFSZ]`). */
  get targetEnv(): Env {
    return this.envs.target;
  }

  /** What is known, at this point of the file, about macro `name` in one environment. */
  fact(env: EnvName, name: string): MacroFact | undefined {
    return this.envs[env].macro(name);
  }

  /** Evaluate an expression in both environments with the file's defines so far. */
  evaluate(expr: Expr): Record<EnvName, Tri> {
    return { target: tri(evaluate(expr, this.envs.target)), reference: tri(evaluate(expr, this.envs.reference)) };
  }

  /** Feed one directive: `name` is e.g. `ifdef`, `args` the tokens after it, `text` the directive as written. */
  directive(name: string, args: readonly Token[], line: number, text: string): void {
    const previous = this.last;
    this.last = name === 'ifndef' ? args[0]?.text : undefined;
    if (name === 'define' && previous !== undefined && args[0]?.text === previous) this.includeGuard();
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef':
        return this.open(name, args, line, text);
      case 'elif':
      case 'elifdef':
      case 'elifndef':
      case 'else':
        return this.next(name, args, line, text);
      case 'endif':
        if (!this.frames.pop()) this.problems.push({ line, message: '#endif without #if' });
        return this.recompute();
      case 'define':
        return this.define(args);
      case 'undef':
        return this.undef(args);
      default:
        return;
    }
  }

  private condition(name: string, args: readonly Token[], line: number): { value: Record<EnvName, Tri>; seen: Set<string> } {
    const first = args[0];
    if (name.endsWith('def')) {
      if (!first || first.kind !== 'ident') {
        this.problems.push({ line, message: `#${name} without a macro name` });
        return { value: { target: 'unknown', reference: 'unknown' }, seen: new Set() };
      }
      const expr: Expr = { kind: 'defined', name: first.text };
      const negated: Expr = name.endsWith('ndef') ? { kind: 'unary', op: '!', arg: expr } : expr;
      return { value: this.evaluate(negated), seen: new Set([first.text]) };
    }
    const parsed = parseExpr(args);
    if (!parsed.ok) {
      this.problems.push({ line, message: `#${name}: ${parsed.message}` });
      return { value: { target: 'unknown', reference: 'unknown' }, seen: new Set() };
    }
    return { value: this.evaluate(parsed.expr), seen: mentions(parsed.expr) };
  }

  private open(name: string, args: readonly Token[], line: number, text: string): void {
    const { value, seen } = this.condition(name, args, line);
    const branch: BranchCondition = { line, text, mentions: seen, ...value };
    this.frames.push({ opener: text, openLine: line, taken: { ...value }, seen, branch });
    this.recompute();
  }

  private next(name: string, args: readonly Token[], line: number, text: string): void {
    const frame = this.frames[this.frames.length - 1];
    if (!frame) {
      this.problems.push({ line, message: `#${name} without #if` });
      return;
    }
    const c = name === 'else' ? { value: { target: 'true' as Tri, reference: 'true' as Tri }, seen: new Set<string>() } : this.condition(name, args, line);
    for (const m of c.seen) frame.seen.add(m);
    frame.branch = {
      line,
      text: `${text} (of ${frame.opener}, line ${frame.openLine})`,
      mentions: new Set(frame.seen),
      target: and(c.value.target, not(frame.taken.target)),
      reference: and(c.value.reference, not(frame.taken.reference)),
    };
    frame.taken = { target: or(frame.taken.target, c.value.target), reference: or(frame.taken.reference, c.value.reference) };
    this.recompute();
  }

  private recompute(): void {
    let target: Tri = 'true';
    let reference: Tri = 'true';
    for (const f of this.frames) {
      target = and(target, f.branch.target);
      reference = and(reference, f.branch.reference);
    }
    this.current = this.frames.length === 0 ? TOP : { target, reference, conditions: this.frames.map((f) => f.branch) };
  }

  /** `#ifndef X` + `#define X`: an include guard, compiled everywhere (the first time). */
  private includeGuard(): void {
    const frame = this.frames[this.frames.length - 1];
    if (!frame) return;
    frame.branch = { ...frame.branch, mentions: new Set(), target: 'true', reference: 'true' };
    this.recompute();
  }

  private define(args: readonly Token[]): void {
    const name = args[0];
    if (!name || name.kind !== 'ident') return;
    const open = args[1];
    const fnLike = open?.text === '(' && open.pos === name.pos + name.text.length;
    this.defineMacro(name.text, fnLike, () => args.slice(1));
  }

  /** `#define name body`: the body is only read if the macro's value is ever needed. */
  defineMacro(name: string, fnLike: boolean, body: () => readonly Token[]): void {
    for (const env of ['target', 'reference'] as const) {
      this.setLocal(env, name, fnLike ? { defined: true, value: null } : { defined: true, body });
    }
  }

  /** A `#define` fed directly (not through `directive`): keeps include-guard detection. */
  defineDirective(name: string, fnLike: boolean, body: () => readonly Token[]): void {
    if (this.last !== undefined && name === this.last) this.includeGuard();
    this.last = undefined;
    this.defineMacro(name, fnLike, body);
  }

  private undef(args: readonly Token[]): void {
    const name = args[0];
    if (name?.kind !== 'ident') return;
    for (const env of ['target', 'reference'] as const) this.setLocal(env, name.text, { defined: false });
  }

  private setLocal(env: EnvName, name: string, fact: MacroFact | LazyMacro): void {
    const where = this.current[env];
    const local = this.envs[env].local;
    if (where === 'true') local.set(name, fact);
    else if (where === 'unknown') local.set(name, 'unknown');
    // Defined only where this environment never goes (e.g. under #ifdef __GLIBC__): undefined here.
    else if (!local.has(name) && fact.defined) local.set(name, { defined: false });
  }
}
