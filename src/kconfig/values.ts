/**
 * Symbol values as the kernel computes them when it reads a `.config` (`sym_calc_value`, `sym_calc_choice` and
 * `sym_validate_range` in `scripts/kconfig/symbol.c`): the user value counts only when the symbol is visible and
 * is capped by the visibility; otherwise defaults, `imply` and `select` decide. Also whether the symbol is written
 * to a `.config` at all (`SYMBOL_WRITE`).
 *
 * Symbols whose definition depends on a macro we could not evaluate (a compiler probe without a toolchain) take
 * their value from the `.config` instead, and are marked `fromConfig`.
 */
import { unreachable } from '../core/errors.js';
import type { Operand, SymbolType, Tristate } from './ast.js';
import type { ConfigLine, ParsedConfig } from './fragment.js';
import { renderLine, renderValue } from './fragment.js';
import { M, N, Y, cStrtol, evalExpr, hasUnknown, triAnd, triName, triOr, type SymValue, type ValueSource } from './eval.js';
import type { KconfigModel, SymbolModel } from './model.js';

/** A user value after the kernel's type check (`conf_set_sym_val`), or why it was refused. */
export type UserValue = { ok: true; tri: Tristate; val: string; line: ConfigLine } | { ok: false; why: string; line: ConfigLine };

export interface SymState {
  value: SymValue;
  /** Prompt visibility (0 when the symbol has no visible prompt). */
  visible: Tristate;
  dirDep: Tristate;
  revDep: Tristate;
  implied: Tristate;
  written: boolean;
  /** Value taken from the `.config` because a toolchain probe decides it. */
  fromConfig: boolean;
}

/** `sym_string_valid`. */
export function validForType(type: SymbolType, text: string): boolean {
  switch (type) {
    case 'string':
      return true;
    case 'int':
      return /^-?(0|[1-9][0-9]*)$/.test(text);
    case 'hex':
      return /^(0[xX])?[0-9a-fA-F]+$/.test(text);
    case 'bool':
    case 'tristate':
      return /^[ymnYMN]/.test(text);
    default:
      return unreachable(type, 'symbol type');
  }
}

export function userValue(type: SymbolType, line: ConfigLine): UserValue {
  const v = line.value;
  if (type === 'bool' || type === 'tristate') {
    const letter = v === undefined ? 'n' : v.kind === 'tristate' ? v.value : undefined;
    if (letter === 'm' && type === 'bool') return { ok: false, why: 'm is not a value of a bool symbol', line };
    if (letter === undefined) return { ok: false, why: `not a ${type} value`, line };
    const tri: Tristate = letter === 'y' ? Y : letter === 'm' ? M : N;
    return { ok: true, tri, val: 'n', line };
  }
  if (type === 'string') {
    if (v?.kind !== 'string') return { ok: false, why: 'a string value must be quoted', line };
    return { ok: true, tri: N, val: v.value, line };
  }
  const text = v === undefined ? 'n' : renderValue(v);
  if (!validForType(type, text)) return { ok: false, why: `not a valid ${type === 'int' ? 'integer' : 'hex'} value`, line };
  return { ok: true, tri: N, val: text, line };
}

export interface CalcOptions {
  /** Recorded answers for probe-decided symbols (a previous build's resolved `.config`), instead of the `.config`. */
  probeTable?: ParsedConfig;
  /** User values set without a `.config` line, as `conf_set_all_new_symbols` does for allno/allyes/allmodconfig. */
  presets?: ReadonlyMap<string, Tristate>;
}

const DEFAULT_VAL: Record<SymbolType, string> = { int: '0', hex: '0x0', string: '', bool: 'n', tristate: 'n' };

export class Calculator implements ValueSource {
  private readonly state = new Map<string, SymState>();
  private readonly users = new Map<string, UserValue>();
  private readonly probes = new Set<string>();
  private modulesVal: Tristate = N;

  /** Where probe-decided values come from: the `.config` itself unless `CalcOptions.probeTable` names another. */
  readonly probeTable: ParsedConfig;

  /** `fromConfig`: extra symbol names whose values come from the `.config` (environment-derived ones). */
  constructor(
    readonly model: KconfigModel,
    readonly config: ParsedConfig,
    fromConfig: Iterable<string> = [],
    opts: CalcOptions = {},
  ) {
    this.probeTable = opts.probeTable ?? config;
    for (const name of fromConfig) if (model.symbols.has(name)) this.probes.add(name);
    // `conf_read_simple`: lines in order; a value the type refuses leaves an earlier accepted one in place.
    for (const line of config.lines) {
      const t = model.symbols.get(line.name)?.type;
      if (!t) continue;
      const u = userValue(t, line);
      if (u.ok || !this.users.get(line.name)?.ok) this.users.set(line.name, u);
    }
    for (const [name, tri] of opts.presets ?? []) {
      if (!this.users.has(name)) this.users.set(name, { ok: true, tri, val: 'n', line: { name, line: 0, text: '' } });
    }
    for (const name of probeSymbols(model)) this.probes.add(name);
    if (model.modules) this.modulesVal = this.calc(model.modules).value.tri;
  }

  /** Symbols whose values were taken from the probe table (the `.config`, or `CalcOptions.probeTable`). */
  probed(): string[] {
    return [...this.probes].filter((n) => this.state.get(n)?.fromConfig).sort();
  }

  /** A probe-decided symbol's recorded value (from the probe table). */
  private recorded(s: SymbolModel): UserValue | undefined {
    if (this.probeTable === this.config) return this.users.get(s.name);
    const line = this.probeTable.byName.get(s.name);
    return line && s.type ? userValue(s.type, line) : undefined;
  }

  /** The user's value for a symbol as the kernel accepted or refused it. */
  user(name: string): UserValue | undefined {
    return this.users.get(name);
  }

  /** `sym_get_type`: tristate counts as bool when modules are off. */
  effectiveType(s: SymbolModel): SymbolType | undefined {
    return s.type === 'tristate' && this.modulesVal === N ? 'bool' : s.type;
  }

  get modulesOn(): boolean {
    return this.modulesVal !== N;
  }

  lookup(name: string): { type: SymbolType; value: SymValue } | undefined {
    const s = this.model.symbols.get(name);
    if (!s?.type) return undefined;
    return { type: s.type, value: this.calc(name).value };
  }

  tri(name: string): Tristate {
    const done = this.state.get(name);
    if (done) return done.value.tri;
    return this.model.symbols.get(name)?.type ? this.calc(name).value.tri : N;
  }

  eval(e: Parameters<typeof evalExpr>[0]): Tristate {
    return evalExpr(e, this);
  }

  /** `sym_calc_value`, memoised. A name that is not a typed symbol is a constant. */
  calc(name: string): SymState {
    const done = this.state.get(name);
    if (done) return done;
    const s = this.model.symbols.get(name);
    if (!s?.type) {
      const st = blank({ tri: N, val: name });
      this.state.set(name, st);
      return st;
    }
    const st = blank({ tri: N, val: DEFAULT_VAL[s.type] });
    this.state.set(name, st);
    this.visibility(s, st);
    st.written = st.visible !== N;
    const user = this.users.get(name);
    if (this.probes.has(name) && s.choice === undefined) {
      const rec = this.recorded(s);
      st.fromConfig = true;
      st.written = rec !== undefined;
      if (rec?.ok) st.value = { tri: rec.tri, val: rec.val };
    } else if (s.type === 'bool' || s.type === 'tristate') {
      this.calcTristate(s, st, user);
    } else {
      this.calcString(s, st, user);
    }
    if (name === this.model.modules) this.modulesVal = st.value.tri;
    return st;
  }

  private visibility(s: SymbolModel, st: SymState): void {
    let vis: Tristate = N;
    for (const p of s.prompts) vis = triOr(vis, this.eval(p.visible));
    if (vis === M && (s.type !== 'tristate' || this.modulesVal === N)) vis = Y;
    st.visible = vis;
    if (s.choice !== undefined) return;
    const asBool = this.effectiveType(s) === 'bool';
    st.dirDep = lift(s.dirDep === undefined ? Y : this.eval(s.dirDep), asBool);
    st.revDep = lift(this.reverse(s.selectedBy), asBool);
    st.implied = lift(this.reverse(s.impliedBy), asBool);
  }

  /** Value of `from && cond` ORed over a list of selects or implies. */
  reverse(list: SymbolModel['selectedBy']): Tristate {
    let t: Tristate = N;
    for (const r of list) t = triOr(t, triAnd(this.calc(r.from).value.tri, this.eval(r.cond)));
    return t;
  }

  /** The first default whose condition holds, with the condition's value. */
  activeDefault(s: SymbolModel): { index: number; visible: Tristate } | undefined {
    for (let i = 0; i < s.defaults.length; i++) {
      const visible = this.eval(s.defaults[i]?.visible);
      if (visible !== N) return { index: i, visible };
    }
    return undefined;
  }

  private calcTristate(s: SymbolModel, st: SymState, user: UserValue | undefined): void {
    let v: Tristate = N;
    if (s.choice !== undefined) {
      this.calcChoice(s.choice);
      v = this.state.get(s.name)?.value.tri ?? N;
      st.written = st.visible !== N;
    } else {
      if (st.visible !== N && user?.ok) {
        v = triAnd(user.tri, st.visible);
      } else {
        if (st.revDep !== N) st.written = true;
        const d = this.activeDefault(s);
        if (d) {
          v = triAnd(this.eval(s.defaults[d.index]?.value), d.visible);
          if (v !== N) st.written = true;
        }
        if (st.implied !== N) {
          st.written = true;
          v = triAnd(triOr(v, st.implied), st.dirDep);
        }
      }
      v = triOr(v, st.revDep);
    }
    if (v === M && this.effectiveType(s) === 'bool') v = Y;
    st.value = { tri: v, val: st.value.val };
  }

  private calcString(s: SymbolModel, st: SymState, user: UserValue | undefined): void {
    if (st.visible !== N && user?.ok) {
      st.value = { tri: N, val: user.val };
    } else {
      const d = this.activeDefault(s);
      const e = d ? s.defaults[d.index]?.value : undefined;
      if (e && (e.kind === 'sym' || e.kind === 'tri' || e.kind === 'str' || e.kind === 'unknown')) {
        st.written = true;
        st.value = { tri: N, val: this.operandVal(e) };
      }
    }
    const r = this.rangeCheck(s, st.value.val);
    if (r) st.value = { tri: N, val: r.clampedTo };
  }

  /** The line the kernel would write for a symbol in a `.config`, or undefined when it is not written. */
  line(name: string): string | undefined {
    const s = this.model.symbols.get(name);
    const st = this.calc(name);
    if (!s?.type || !st.written) return undefined;
    switch (s.type) {
      case 'bool':
      case 'tristate':
        return renderLine(name, st.value.tri === N ? undefined : { kind: 'tristate', value: triName(st.value.tri) });
      case 'string':
        return renderLine(name, { kind: 'string', value: st.value.val });
      case 'int':
      case 'hex':
        return `CONFIG_${name}=${st.value.val}`;
      default:
        return unreachable(s.type, 'symbol type');
    }
  }

  /** The string value (`curr.val`) of an operand's symbol: a defined symbol's value, else the constant's text. */
  operandVal(o: Operand): string {
    switch (o.kind) {
      case 'sym':
        return this.calc(o.name).value.val;
      case 'tri':
        return triName(o.value);
      case 'str':
        return o.value;
      case 'unknown':
        return '';
      default:
        return unreachable(o, 'operand');
    }
  }

  /** `sym_validate_range`: the active range and, when `val` is outside it, the bound it is clamped to. */
  rangeCheck(s: SymbolModel, val: string): { min: string; max: string; clampedTo: string } | undefined {
    if (s.type !== 'int' && s.type !== 'hex') return undefined;
    const base = s.type === 'int' ? 10 : 16;
    const range = s.ranges.find((r) => this.eval(r.visible) !== N);
    if (!range) return undefined;
    const num = (t: string, b: 10 | 16): bigint => cStrtol(t, b, false).value;
    const bound = (o: Operand): { text: string; n: bigint } => {
      const t = o.kind === 'sym' ? this.model.symbols.get(o.name)?.type : undefined;
      const text = this.operandVal(o);
      return { text, n: num(text, t === 'int' ? 10 : t === 'hex' ? 16 : base) };
    };
    const v = num(val, base);
    const lo = bound(range.min);
    const hi = bound(range.max);
    if (v < lo.n) return { min: lo.text, max: hi.text, clampedTo: lo.text };
    if (v > hi.n) return { min: lo.text, max: hi.text, clampedTo: hi.text };
    return undefined;
  }

  /** The active range of an int/hex symbol (for explanations), without clamping anything. */
  activeRange(s: SymbolModel): { min: string; max: string } | undefined {
    if (s.type !== 'int' && s.type !== 'hex') return undefined;
    const range = s.ranges.find((r) => this.eval(r.visible) !== N);
    if (!range) return undefined;
    return { min: this.operandVal(range.min), max: this.operandVal(range.max) };
  }

  /** `sym_calc_choice`: the chosen member is `y`, every other visible member `n`. */
  private calcChoice(index: number): void {
    const c = this.model.choices[index];
    if (!c) return;
    const vis = new Map<string, Tristate>();
    for (const name of c.members) {
      const s = this.model.symbols.get(name);
      let v: Tristate = N;
      for (const p of s?.prompts ?? []) v = triOr(v, this.eval(p.visible));
      if (this.probes.has(name)) v = this.probeTable.byName.has(name) ? Y : N;
      vis.set(name, v);
    }
    const visible = (n: string): boolean => (vis.get(n) ?? N) !== N;
    const prio = this.choicePriority(c.members);
    const userTri = (n: string): Tristate | undefined => {
      const u = this.users.get(n);
      return u?.ok ? u.tri : undefined;
    };
    let res = prio.find((n) => visible(n) && userTri(n) === Y);
    if (res === undefined) {
      res = c.defaults.find((d) => this.eval(d.visible) !== N && visible(d.target))?.target;
      res ??= c.members.find(visible);
      if (res !== undefined && userTri(res) === N) res = undefined;
    }
    res ??= c.members.find((n) => visible(n) && userTri(n) === undefined);
    res ??= [...prio].reverse().find(visible);
    for (const name of c.members) {
      if (!visible(name)) continue;
      const st = this.state.get(name) ?? blank({ tri: N, val: 'n' });
      st.visible = vis.get(name) ?? N;
      st.value = { tri: name === res ? Y : N, val: 'n' };
      st.written = true;
      this.state.set(name, st);
    }
  }

  /** Members the `.config` sets come first, the last line read first; then the rest in definition order. */
  private choicePriority(members: string[]): string[] {
    const set = members
      .filter((n) => this.users.get(n)?.ok)
      .sort((a, b) => (this.users.get(b)?.line.line ?? 0) - (this.users.get(a)?.line.line ?? 0));
    return [...set, ...members.filter((n) => !this.users.get(n)?.ok)];
  }
}

/** `m` counts as `y` for a symbol that is a bool (or a tristate while modules are off). */
function lift(t: Tristate, asBool: boolean): Tristate {
  return t === M && asBool ? Y : t;
}

function blank(value: SymValue): SymState {
  return { value, visible: N, dirDep: Y, revDep: N, implied: N, written: false, fromConfig: false };
}

const probeMemo = new WeakMap<KconfigModel, string[]>();

/** The symbols of a model whose values a probe we could not run decides (computed once per model). */
function probeSymbols(model: KconfigModel): string[] {
  let names = probeMemo.get(model);
  if (!names) {
    names = [...model.symbols.values()].filter(dependsOnProbe).map((s) => s.name);
    probeMemo.set(model, names);
  }
  return names;
}

/** Does a toolchain probe we could not run decide this symbol's value? */
function dependsOnProbe(s: SymbolModel): boolean {
  if (hasUnknown(s.dirDep)) return true;
  if (s.prompts.some((p) => hasUnknown(p.visible))) return true;
  return s.defaults.some((d) => hasUnknown(d.value) || hasUnknown(d.visible));
}
