/**
 * Where each symbol's value came from, in the kernel's order of precedence (`sym_calc_value`): a probe table, a
 * choice, a user line (file:line of the fragment or defconfig that set it) — possibly raised by a `select` or
 * clamped to a range —, else a `select`, an `imply`, or a default at file:line.
 */
import type { Loc } from './ast.js';
import type { MergedLine } from './defconfig.js';
import { N, triOr } from './eval.js';
import type { EffReverse } from './model.js';
import type { Calculator } from './values.js';

export type Origin =
  | { from: 'probe-table' }
  | { from: 'choice'; user?: Loc }
  | { from: 'user'; at: Loc; text: string }
  | { from: 'select'; by: string[]; user?: Loc }
  | { from: 'imply'; by: string[] }
  | { from: 'range-clamp'; min: string; max: string; user?: Loc }
  | { from: 'default'; at: Loc }
  | { from: 'none' };

export interface SymbolValue {
  name: string;
  type: string;
  /** The `.config` line, or null when the symbol is not written. */
  line: string | null;
  value: string;
  origin: Origin;
}

function active(calc: Calculator, list: EffReverse[]): string[] {
  return list.filter((r) => calc.calc(r.from).value.tri !== N && calc.eval(r.cond) !== N).map((r) => r.from);
}

function userAt(calc: Calculator, name: string, input: readonly MergedLine[]): { at: Loc; text: string; earlier?: Origin } | undefined {
  const u = calc.user(name);
  if (!u?.ok || u.line.line === 0) return undefined;
  const src = input[u.line.line - 1];
  return src ? { at: { file: src.file, line: src.line }, text: src.text, ...(src.origin ? { earlier: src.origin } : {}) } : undefined;
}

/** The origin of one symbol's value. */
export function originOf(calc: Calculator, name: string, input: readonly MergedLine[]): Origin {
  const s = calc.model.symbols.get(name);
  const st = calc.calc(name);
  if (!s?.type) return { from: 'none' };
  if (st.fromConfig) return { from: 'probe-table' };
  const user = st.visible !== N ? userAt(calc, name, input) : undefined;
  if (s.choice !== undefined) return { from: 'choice', ...(user ? { user: user.at } : {}) };
  const tristate = s.type === 'bool' || s.type === 'tristate';
  if (tristate && st.revDep !== N && st.revDep === st.value.tri) {
    const u = calc.user(name);
    const userTri = user && u?.ok ? u.tri : N;
    if (triOr(userTri, N) < st.revDep) return { from: 'select', by: active(calc, s.selectedBy), ...(user ? { user: user.at } : {}) };
  }
  if (user) {
    const u = calc.user(name);
    const range = !tristate && u?.ok ? calc.rangeCheck(s, u.val) : undefined;
    if (range) return { from: 'range-clamp', min: range.min, max: range.max, user: user.at };
    // A line an earlier step wrote (defconfig → .config → olddefconfig) keeps the origin it had there.
    return user.earlier ?? { from: 'user', at: user.at, text: user.text };
  }
  if (tristate && st.implied !== N && st.value.tri !== N) {
    const d = calc.activeDefault(s);
    const dv = d ? calc.eval(s.defaults[d.index]?.value) : N;
    if (dv < st.value.tri) return { from: 'imply', by: active(calc, s.impliedBy) };
  }
  const d = calc.activeDefault(s);
  const loc = d ? s.defaults[d.index]?.loc : undefined;
  if (loc) return { from: 'default', at: loc };
  return { from: 'none' };
}

/** Every symbol's value and origin, in definition order. */
export function symbolValues(calc: Calculator, input: readonly MergedLine[]): SymbolValue[] {
  const out: SymbolValue[] = [];
  for (const [name, s] of calc.model.symbols) {
    if (!s.type) continue;
    const st = calc.calc(name);
    const value = s.type === 'bool' || s.type === 'tristate' ? (['n', 'm', 'y'][st.value.tri] as string) : st.value.val;
    out.push({ name, type: s.type, line: calc.line(name) ?? null, value, origin: originOf(calc, name, input) });
  }
  return out;
}
