/**
 * Why a symbol has its value in a `.config` (or why a requested value does not stick), in the kernel's terms:
 * an unmet or capping dependency shown with the actual values of the symbols in it, a missing prompt (user values
 * ignored; only select/imply/defaults set it), a `select` that forces it, a value invalid for its type, a range
 * clamp, or a name this tree does not define (with the nearest names).
 */
import { unreachable } from '../core/errors.js';
import type { Expr, Tristate } from './ast.js';
import type { Explanation } from './check.js';
import { M, N, Y, exprSymbols, exprToString, triName } from './eval.js';
import { renderValue, type ConfigLine } from './fragment.js';
import type { EffReverse, SymbolModel } from './model.js';
import { userValue, type Calculator } from './values.js';

/** `EXPR [A=y, B=m]`: an expression with the current values of the symbols in it. */
export function withValues(e: Expr | undefined, calc: Calculator): string {
  const vals: string[] = [];
  for (const name of exprSymbols(e)) {
    const s = calc.model.symbols.get(name);
    if (s?.type) vals.push(`${name}=${valueText(calc, name)}`);
    else if (!/^(-?[0-9]+|0[xX][0-9a-fA-F]+)$/.test(name)) vals.push(`${name} is not defined (n)`);
  }
  return `${exprToString(e)}${vals.length ? ` [${vals.join(', ')}]` : ''}`;
}

export function valueText(calc: Calculator, name: string): string {
  const s = calc.model.symbols.get(name);
  const st = calc.calc(name);
  if (s?.type === 'bool' || s?.type === 'tristate') return triName(st.value.tri);
  if (s?.type === 'string') return JSON.stringify(st.value.val);
  return st.value.val;
}

/** Leaf changes that would raise `e` to at least `target`, as `CONFIG_X=v` suggestions. */
export function blockers(e: Expr | undefined, target: Tristate, calc: Calculator): string[] {
  if (e === undefined || calc.eval(e) >= target) return [];
  switch (e.kind) {
    case 'and':
      return [...new Set([...blockers(e.left, target, calc), ...blockers(e.right, target, calc)])];
    case 'or': {
      const l = blockers(e.left, target, calc);
      const r = blockers(e.right, target, calc);
      return l.length && (l.length <= r.length || !r.length) ? l : r;
    }
    case 'not':
      if (e.arg.kind === 'sym') return [`CONFIG_${e.arg.name}=${target === Y ? 'n' : 'm or n'}`];
      return [`make \`${exprToString(e)}\` true`];
    case 'sym':
      if (!calc.model.symbols.get(e.name)?.type) return [`CONFIG_${e.name} (not defined in this tree)`];
      return [`CONFIG_${e.name}=${triName(target)}`];
    case 'tri':
      return e.value === M && target === Y ? ['nothing: `m` here caps the value at m'] : [];
    case 'cmp':
    case 'str':
    case 'unknown':
      return [`make \`${exprToString(e)}\` true`];
    default:
      return unreachable(e, 'expression');
  }
}

/** Blocker suggestions as config lines, when every one of them is a plain `CONFIG_X=y|m|n`. */
function asLines(fixes: string[]): { set: string[] } | Record<string, never> {
  const out: string[] = [];
  for (const f of fixes) {
    const m = /^CONFIG_([A-Za-z0-9_]+)=([ymn])$/.exec(f);
    if (!m) return {};
    out.push(m[2] === 'n' ? `# CONFIG_${m[1]} is not set` : f);
  }
  return out.length ? { set: out } : {};
}

function reverseLines(list: EffReverse[], calc: Calculator, verb: string): string[] {
  return list.map((r) => {
    const v = calc.calc(r.from).value.tri;
    const c = r.cond ? ` if ${withValues(r.cond, calc)}` : '';
    return `${verb} CONFIG_${r.from}=${triName(v)}${c}`;
  });
}

function defaultLines(s: SymbolModel, calc: Calculator): string[] {
  const active = calc.activeDefault(s);
  return s.defaults.map((d, i) => {
    const state = active?.index === i ? 'applies' : 'does not apply';
    return `default ${exprToString(d.value)}${d.visible ? ` if ${withValues(d.visible, calc)}` : ''} (${state})`;
  });
}

/** The requested value as a tristate, when the symbol is bool/tristate and the request is valid. */
function requestedTri(req: ConfigLine | undefined): Tristate | undefined {
  if (!req) return undefined;
  const v = req.value;
  if (v === undefined) return N;
  if (v.kind !== 'tristate') return undefined;
  return v.value === 'y' ? Y : v.value === 'm' ? M : N;
}

function depDetail(s: SymbolModel, calc: Calculator): string[] {
  const out: string[] = [];
  for (const p of s.prompts) out.push(`prompt "${p.text}" visible if ${withValues(p.visible, calc)}`);
  return out;
}

function noPrompt(s: SymbolModel, calc: Calculator): Explanation {
  const details = capList([...reverseLines(s.selectedBy, calc, 'selected by'), ...reverseLines(s.impliedBy, calc, 'implied by')]);
  details.push(...defaultLines(s, calc));
  if (details.length === 0) details.push('nothing selects or implies it and it has no default');
  const selectors = [...new Set(s.selectedBy.map((r) => `CONFIG_${r.from}=y`))];
  return {
    reason: `CONFIG_${s.name} has no prompt in this tree: a value given by the user is ignored; only select, imply and defaults set it`,
    details,
    ...(selectors.length ? { fix: `enable a symbol that selects it: ${selectors.join(' or ')}` } : {}),
    ...(selectors.length === 1 ? asLines(selectors) : {}),
  };
}

function invisible(s: SymbolModel, calc: Calculator, lower = false): Explanation {
  const fixes = [...new Set(s.prompts.flatMap((p) => blockers(p.visible, Y, calc)))];
  const value = valueText(calc, s.name);
  const reason = lower
    ? `CONFIG_${s.name} is not visible: its dependencies are unmet, so the value given is ignored and its defaults make it ${value}`
    : `CONFIG_${s.name} is not visible: its dependencies are unmet, so a value given for it is ignored`;
  return {
    reason,
    details: [...depDetail(s, calc), ...capList(reverseLines(s.selectedBy, calc, 'selected by')), ...(lower ? defaultLines(s, calc) : [])],
    ...(fixes.length ? { fix: `set ${fixes.join(', ')}` } : {}),
    ...asLines(fixes),
  };
}

const MAX_LISTED = 8;

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** At most MAX_LISTED lines, then a count of the rest. */
function capList(lines: string[]): string[] {
  if (lines.length <= MAX_LISTED) return lines;
  return [...lines.slice(0, MAX_LISTED), `… and ${lines.length - MAX_LISTED} more`];
}

function forcedBySelect(s: SymbolModel, calc: Calculator, want: Tristate): Explanation {
  const forcing = s.selectedBy.filter((r) => Math.min(calc.calc(r.from).value.tri, calc.eval(r.cond)) > want);
  const names = [...new Set(forcing.map((r) => `CONFIG_${r.from}`))];
  return {
    reason: `CONFIG_${s.name} is forced to ${triName(calc.calc(s.name).revDep)} by select (${plural(names.length, 'active select')})`,
    details: capList(reverseLines(forcing, calc, 'selected by')),
    fix:
      names.length <= 3
        ? `disable ${names.join(', ')}, or drop the line`
        : `drop the line: ${names.length} enabled symbols select it (e.g. ${names.slice(0, 3).join(', ')})`,
  };
}

function capped(s: SymbolModel, calc: Calculator, want: Tristate): Explanation {
  const st = calc.calc(s.name);
  if (s.type === 'tristate' && !calc.modulesOn && want === M) {
    return {
      reason: `modules are disabled (CONFIG_${calc.model.modules ?? 'MODULES'} is not set): tristate symbols take n or y, so m becomes y`,
      details: [],
      fix: `set CONFIG_${calc.model.modules ?? 'MODULES'}=y`,
      set: [`CONFIG_${calc.model.modules ?? 'MODULES'}=y`],
    };
  }
  const fixes = [...new Set(s.prompts.flatMap((p) => blockers(p.visible, want, calc)))];
  return {
    reason: `CONFIG_${s.name} is capped at ${triName(st.visible)} by its dependencies`,
    details: depDetail(s, calc),
    ...(fixes.length ? { fix: `set ${fixes.join(', ')}` } : {}),
    ...asLines(fixes),
  };
}

/** Why a bool/tristate does not have the requested value (or, without a request, where its value comes from). */
function whyTristate(s: SymbolModel, calc: Calculator, req: ConfigLine | undefined): Explanation {
  const st = calc.calc(s.name);
  const want = requestedTri(req);
  if (s.choice !== undefined && st.visible !== N) return choiceWhy(s, calc);
  if (want === M && s.type === 'tristate' && !calc.modulesOn && st.value.tri !== M) return capped(s, calc, want);
  if (want !== undefined && want < st.revDep) return forcedBySelect(s, calc, want);
  if (want !== undefined && want > st.value.tri && (st.visible !== N || want === M)) return capped(s, calc, want);
  if (st.value.tri > N && st.revDep === st.value.tri && (want ?? Y) < st.revDep) return forcedBySelect(s, calc, N);
  const details = [...depDetail(s, calc), ...capList(reverseLines(s.selectedBy, calc, 'selected by')), ...defaultLines(s, calc)];
  if (st.visible !== N && calc.user(s.name)?.ok) {
    return { reason: `CONFIG_${s.name}=${triName(st.value.tri)} is the value given in the .config (the symbol is visible)`, details };
  }
  return { reason: `CONFIG_${s.name}=${triName(st.value.tri)} comes from its defaults, select and imply`, details };
}

function choiceWhy(s: SymbolModel, calc: Calculator): Explanation {
  const c = calc.model.choices[s.choice as number];
  const chosen = c?.members.find((m) => calc.calc(m).value.tri === Y);
  return {
    reason:
      `CONFIG_${s.name} is a member of the choice "${c?.entry.prompts[0]?.text ?? ''}": exactly one member is y` +
      (chosen ? `, here CONFIG_${chosen}` : ''),
    details: c ? [`members: ${c.members.map((m) => `${m}=${valueText(calc, m)}`).join(', ')}`] : [],
    ...(chosen && chosen !== s.name ? { fix: `set CONFIG_${s.name}=y and remove CONFIG_${chosen}=y` } : {}),
  };
}

function whyString(s: SymbolModel, calc: Calculator, req: ConfigLine | undefined): Explanation {
  const st = calc.calc(s.name);
  const type = s.type ?? 'string';
  const u = req ? userValue(type, req) : calc.user(s.name);
  if (u && !u.ok) {
    return {
      reason:
        `${u.line.value ? renderValue(u.line.value) : '"is not set"'} is not a valid value for ${type} symbol ` +
        `CONFIG_${s.name} (${u.why}): the kernel ignores it`,
      details: defaultLines(s, calc),
      fix: type === 'string' ? `write CONFIG_${s.name}="text"` : `write a ${type === 'int' ? 'decimal' : 'hex'} number`,
    };
  }
  if (u?.ok && st.visible !== N) {
    const r = calc.rangeCheck(s, u.val);
    if (r) {
      return {
        reason: `${u.val} is outside the range ${r.min}..${r.max} of CONFIG_${s.name}: clamped to ${r.clampedTo}`,
        details: [],
        fix: `use a value from ${r.min} to ${r.max}`,
      };
    }
    return { reason: `CONFIG_${s.name}=${valueText(calc, s.name)} is the value given (the symbol is visible)`, details: [] };
  }
  const range = calc.activeRange(s);
  return {
    reason: `CONFIG_${s.name}=${valueText(calc, s.name)} comes from its defaults`,
    details: [...depDetail(s, calc), ...defaultLines(s, calc), ...(range ? [`range ${range.min}..${range.max}`] : [])],
  };
}

/** Why `s` has its value; with `req`, why the requested value did not stick. */
export function whyValue(s: SymbolModel, calc: Calculator, req: ConfigLine | undefined): Explanation {
  const st = calc.calc(s.name);
  if (st.fromConfig) {
    return {
      reason: `CONFIG_${s.name} is decided by a toolchain probe (a $(shell,…) test of the compiler); its value is taken from the .config`,
      details: depDetail(s, calc),
    };
  }
  if (s.type === 'bool' || s.type === 'tristate') {
    const u = req ? userValue(s.type, req) : undefined;
    if (u && !u.ok) {
      return {
        reason: `${req?.text ?? ''}: ${u.why} (CONFIG_${s.name} is ${s.type}); the kernel ignores it`,
        details: [],
        fix: `use ${s.type === 'bool' ? 'y or n' : 'y, m or n'}`,
      };
    }
    if (s.prompts.length === 0) return noPrompt(s, calc);
    const want = requestedTri(req);
    if (st.visible === N && (want ?? Y) > st.value.tri) return invisible(s, calc);
    if (st.visible === N && s.choice === undefined && want !== undefined && want < st.value.tri && st.revDep < st.value.tri) {
      return invisible(s, calc, true);
    }
    return whyTristate(s, calc, req);
  }
  if (s.prompts.length === 0) return noPrompt(s, calc);
  if (st.visible === N) return invisible(s, calc);
  return whyString(s, calc, req);
}
