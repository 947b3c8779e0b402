/**
 * The effective properties of each symbol, as the kernel's `menu_finalize` leaves them: every prompt, default,
 * range, `select` and `imply` carries the full condition under which it applies (its own `if`, the definition's
 * `depends on`, every enclosing `if`/menu/choice dependency and, for prompts, the menus' `visible if`), with `m`
 * rewritten to `m && MODULES`. `dirDep` is the OR of the definitions' dependencies.
 */
import type { ChoiceEntry, ConfigEntry, DependsOn, Entry, Expr, KconfigTree, KSymbol, Loc, Operand, SymbolType } from './ast.js';
import { and, or, rewriteM } from './eval.js';
import { exprId, startExprIds } from './expr.js';

export interface EffPrompt {
  text: string;
  /** Full visibility condition. */
  visible: Expr | undefined;
  /** The prompt's own `if`, as written. */
  cond?: Expr;
  loc: Loc;
}

export interface EffDefault {
  value: Expr;
  visible: Expr | undefined;
  cond?: Expr;
  loc: Loc;
}

export interface EffRange {
  min: Operand;
  max: Operand;
  visible: Expr | undefined;
  loc: Loc;
}

/** One `select`/`imply` naming this symbol: `from` applies it when `from && cond`. */
export interface EffReverse {
  from: string;
  /** The selecting definition's dependencies and the `if` of the select. */
  cond: Expr | undefined;
  /** The select's own `if`, as written. */
  own?: Expr;
  loc: Loc;
}

export interface SymbolModel {
  name: string;
  type: SymbolType | undefined;
  defs: ConfigEntry[];
  prompts: EffPrompt[];
  /** Per definition: its full dependency (undefined = none) and where it is. */
  depsByDef: { dep: Expr | undefined; loc: Loc }[];
  dirDep: Expr | undefined;
  defaults: EffDefault[];
  ranges: EffRange[];
  selectedBy: EffReverse[];
  impliedBy: EffReverse[];
  /** Index of the choice this symbol is a member of. */
  choice?: number;
}

export interface ChoiceModel {
  index: number;
  entry: ChoiceEntry;
  dep: Expr | undefined;
  visible: Expr | undefined;
  /** `default SYM if cond`, in order. */
  defaults: { target: string; visible: Expr | undefined }[];
  /** Member names in definition order. */
  members: string[];
}

export interface KconfigModel {
  tree: KconfigTree;
  /** The `modules` symbol (MODULES), if the tree has one. */
  modules?: string;
  symbols: Map<string, SymbolModel>;
  choices: ChoiceModel[];
}

function dependsExpr(d: DependsOn): Expr {
  return d.cond === undefined ? d.expr : { kind: 'or', left: { kind: 'not', arg: d.cond }, right: d.expr };
}

/** The full dependency of an entry: enclosing conditions and its own `depends on`, `m` rewritten. */
export function entryDep(e: { inherited?: Expr; dependsOn: DependsOn[] }, modules: string | undefined): Expr | undefined {
  const memo = memoFor(modules ?? '');
  const known = memo.get(e);
  if (known !== undefined || memo.has(e)) return known;
  let dep = e.inherited;
  for (const d of e.dependsOn) dep = and(dep, dependsExpr(d));
  const out = dedupAnd(rewriteM(dep, modules));
  memo.set(e, out);
  return out;
}

/** `entryDep` per entry (and MODULES name): an entry's dependency is asked for once per select it makes. */
const depMemo = new Map<string, WeakMap<object, Expr | undefined>>();

function memoFor(modules: string): WeakMap<object, Expr | undefined> {
  let memo = depMemo.get(modules);
  if (!memo) {
    memo = new WeakMap();
    depMemo.set(modules, memo);
  }
  return memo;
}

function conjuncts(e: Expr, out: Expr[]): Expr[] {
  if (e.kind === 'and') {
    conjuncts(e.left, out);
    conjuncts(e.right, out);
  } else out.push(e);
  return out;
}

/** `A && B && A` → `A && B` (as the kernel's `expr_eliminate_dups`); the value is unchanged. */
export function dedupAnd(e: Expr | undefined): Expr | undefined {
  if (e === undefined || e.kind !== 'and') return e;
  const parts = conjuncts(e, []);
  const ids = parts.map(exprId);
  const seen = new Set<number>(ids);
  // Without duplicates the expression stays as it is (the same conjunction, the same object).
  if (seen.size === ids.length) return e;
  seen.clear();
  let out: Expr | undefined;
  parts.forEach((c, i) => {
    const key = ids[i] as number;
    if (seen.has(key)) return;
    seen.add(key);
    out = and(out, c);
  });
  return out;
}

/** The model's empty lists are one array (most symbols have no range, select or imply). */
const NONE: never[] = [];

function reverseOf(list: KSymbol['selectedBy'], modules: string | undefined): EffReverse[] {
  if (list.length === 0) return NONE;
  const out: EffReverse[] = [];
  for (const { from, dep, entry } of list) {
    const cond = dedupAnd(and(entryDep(entry, modules), rewriteM(dep.cond, modules)));
    out.push(dep.cond ? { from, cond, own: dep.cond, loc: dep.loc } : { from, cond, loc: dep.loc });
  }
  return out;
}

function buildSymbol(tree: KconfigTree, name: string, modules: string | undefined): SymbolModel | undefined {
  const ks = tree.symbols.get(name);
  if (!ks) return undefined;
  const prompts: EffPrompt[] = [];
  const depsByDef: SymbolModel['depsByDef'] = [];
  const defaults: EffDefault[] = [];
  const ranges: EffRange[] = [];
  let dirDep: Expr | undefined;
  let choice: number | undefined;
  for (const def of ks.defs) {
    const dep = entryDep(def, modules);
    depsByDef.push({ dep, loc: def.loc });
    if (def.choice === undefined) dirDep = or(dirDep, dep);
    else choice = def.choice;
    for (const p of def.prompts) {
      const visible = dedupAnd(and(dep, rewriteM(and(p.cond, def.visibleIf), modules)));
      prompts.push(p.cond ? { text: p.text, visible, cond: p.cond, loc: p.loc } : { text: p.text, visible, loc: p.loc });
    }
    for (const d of def.defaults) {
      const visible = and(dep, rewriteM(d.cond, modules));
      defaults.push(d.cond ? { value: d.value, visible, cond: d.cond, loc: d.loc } : { value: d.value, visible, loc: d.loc });
    }
    for (const r of def.ranges) ranges.push({ min: r.min, max: r.max, visible: and(dep, rewriteM(r.cond, modules)), loc: r.loc });
  }
  const m: SymbolModel = {
    name,
    type: ks.type,
    defs: ks.defs,
    prompts: prompts.length ? prompts : NONE,
    depsByDef,
    dirDep,
    defaults: defaults.length ? defaults : NONE,
    ranges: ranges.length ? ranges : NONE,
    selectedBy: reverseOf(ks.selectedBy, modules),
    impliedBy: reverseOf(ks.impliedBy, modules),
  };
  if (choice !== undefined) m.choice = choice;
  return m;
}

function collectMembers(entries: Entry[], out: string[]): void {
  for (const e of entries) {
    if (e.kind === 'config') {
      if (!out.includes(e.name)) out.push(e.name);
    } else if (e.kind === 'if') collectMembers(e.children, out);
  }
}

function buildChoice(c: ChoiceEntry, modules: string | undefined): ChoiceModel {
  const dep = entryDep(c, modules);
  let visible: Expr | undefined;
  for (const p of c.prompts) {
    const v = and(dep, rewriteM(and(p.cond, c.visibleIf), modules));
    visible = visible === undefined ? v : or(visible, v);
  }
  const defaults = c.defaults.map((d) => ({
    target: d.value.kind === 'sym' ? d.value.name : '',
    visible: and(dep, rewriteM(d.cond, modules)),
  }));
  const members: string[] = [];
  collectMembers(c.children, members);
  return { index: c.index, entry: c, dep, visible, defaults, members };
}

/** Build the effective model of a loaded tree. */
export function buildModel(tree: KconfigTree): KconfigModel {
  startExprIds();
  let modules: string | undefined;
  for (const s of tree.symbols.values()) if (s.defs.some((d) => d.modules)) modules ??= s.name;
  const symbols = new Map<string, SymbolModel>();
  for (const name of tree.symbols.keys()) {
    const m = buildSymbol(tree, name, modules);
    if (m) symbols.set(name, m);
  }
  const choices = tree.choices.map((c) => buildChoice(c, modules));
  return { tree, ...(modules ? { modules } : {}), symbols, choices };
}
