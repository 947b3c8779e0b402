/**
 * What the tree says about one symbol, independent of any `.config`: every definition (file:line), type, prompts
 * and their conditions, `depends on`, `visible if`, who `select`s and `imply`s it (with conditions), its choice,
 * ranges and defaults. Expressions are rendered as Kconfig text.
 */
import type { ConfigEntry, Loc, SymbolType } from './ast.js';
import { exprToString } from './eval.js';
import { dedupAnd, type KconfigModel } from './model.js';

export interface DefinitionInfo {
  at: string;
  kind: 'config' | 'menuconfig';
  type?: SymbolType;
  prompt?: { text: string; if?: string };
  /** This definition's own `depends on` lines, ANDed. */
  dependsOn?: string;
  /** Conditions of the enclosing `if`/menu/choice blocks. */
  inherited?: string;
  visibleIf?: string;
  /** The definition's `help` text, as the kernel's menuconfig shows it. */
  help?: string;
}

export interface SymbolInfo {
  name: string;
  defined: true;
  type?: SymbolType;
  definitions: DefinitionInfo[];
  /** The full dependency the kernel computes (OR over definitions). */
  dependsOn?: string;
  selectedBy: { symbol: string; if?: string; at: string }[];
  impliedBy: { symbol: string; if?: string; at: string }[];
  selects: { symbol: string; if?: string; at: string }[];
  implies: { symbol: string; if?: string; at: string }[];
  choice?: { prompt?: string; at: string; members: string[] };
  ranges: { min: string; max: string; if?: string; at: string }[];
  defaults: { value: string; if?: string; at: string }[];
}

export const at = (l: Loc): string => `${l.file}:${l.line}`;

function definitionInfo(d: ConfigEntry): DefinitionInfo {
  const prompt = d.prompts[0];
  let own: string | undefined;
  for (const dep of d.dependsOn) {
    const t = dep.cond ? `${exprToString(dep.expr)} if ${exprToString(dep.cond)}` : exprToString(dep.expr);
    own = own === undefined ? t : `${own} && ${t.includes('||') ? `(${t})` : t}`;
  }
  return {
    at: at(d.loc),
    kind: d.menuconfig ? 'menuconfig' : 'config',
    ...(d.type ? { type: d.type } : {}),
    ...(prompt ? { prompt: { text: prompt.text, ...(prompt.cond ? { if: exprToString(prompt.cond) } : {}) } } : {}),
    ...(own !== undefined ? { dependsOn: own } : {}),
    ...(d.inherited ? { inherited: exprToString(dedupAnd(d.inherited)) } : {}),
    ...(d.visibleIf ? { visibleIf: exprToString(d.visibleIf) } : {}),
    ...(d.help !== undefined ? { help: d.help } : {}),
  };
}

/** The first paragraph of a help text (up to `max` lines), for the text form. */
function helpSummary(help: string, max = 4): string[] {
  const lines = help.split('\n');
  const end = lines.findIndex((l) => l.trim() === '');
  const para = (end < 0 ? lines : lines.slice(0, end)).map((l) => l.trimEnd());
  return para.length > max ? [...para.slice(0, max), '…'] : para;
}

/** Static facts about a defined symbol, or undefined when the tree does not define it. */
export function symbolInfo(model: KconfigModel, name: string): SymbolInfo | undefined {
  const s = model.symbols.get(name);
  if (!s) return undefined;
  const cond = (e: { own?: Parameters<typeof exprToString>[0] }) => (e.own ? { if: exprToString(e.own) } : {});
  const info: SymbolInfo = {
    name,
    defined: true,
    ...(s.type ? { type: s.type } : {}),
    definitions: s.defs.map(definitionInfo),
    ...(s.dirDep ? { dependsOn: exprToString(s.dirDep) } : {}),
    selectedBy: s.selectedBy.map((r) => ({ symbol: r.from, ...cond(r), at: at(r.loc) })),
    impliedBy: s.impliedBy.map((r) => ({ symbol: r.from, ...cond(r), at: at(r.loc) })),
    selects: [],
    implies: [],
    ranges: [],
    defaults: [],
  };
  for (const d of s.defs) {
    for (const r of d.selects) info.selects.push({ symbol: r.target, ...(r.cond ? { if: exprToString(r.cond) } : {}), at: at(r.loc) });
    for (const r of d.implies) info.implies.push({ symbol: r.target, ...(r.cond ? { if: exprToString(r.cond) } : {}), at: at(r.loc) });
    for (const r of d.ranges) {
      const t = (o: typeof r.min) => exprToString(o);
      info.ranges.push({ min: t(r.min), max: t(r.max), ...(r.cond ? { if: exprToString(r.cond) } : {}), at: at(r.loc) });
    }
    for (const df of d.defaults) {
      info.defaults.push({ value: exprToString(df.value), ...(df.cond ? { if: exprToString(df.cond) } : {}), at: at(df.loc) });
    }
  }
  if (s.choice !== undefined) {
    const c = model.choices[s.choice];
    if (c) info.choice = { ...(c.entry.prompts[0] ? { prompt: c.entry.prompts[0].text } : {}), at: at(c.entry.loc), members: c.members };
  }
  return info;
}

/** Text lines for `symbolInfo`. */
export function renderInfo(info: SymbolInfo): string[] {
  const out: string[] = [`CONFIG_${info.name}: ${info.type ?? 'untyped'}`];
  for (const d of info.definitions) {
    out.push(`  defined at ${d.at} (${d.kind}${d.type ? ` ${d.type}` : ''})`);
    if (d.prompt) out.push(`    prompt: "${d.prompt.text}"${d.prompt.if ? ` if ${d.prompt.if}` : ''}`);
    else out.push('    no prompt');
    if (d.dependsOn) out.push(`    depends on ${d.dependsOn}`);
    if (d.inherited) out.push(`    inside: ${d.inherited}`);
    if (d.visibleIf) out.push(`    visible if ${d.visibleIf}`);
    if (d.help) for (const [i, l] of helpSummary(d.help).entries()) out.push(`    ${i === 0 ? 'help: ' : '      '}${l}`);
  }
  if (info.choice) out.push(`  choice "${info.choice.prompt ?? ''}" at ${info.choice.at}: ${info.choice.members.join(', ')}`);
  const list = (title: string, items: { symbol: string; if?: string; at: string }[]) => {
    for (const r of items) out.push(`  ${title} ${r.symbol}${r.if ? ` if ${r.if}` : ''} (${r.at})`);
  };
  list('selected by', info.selectedBy);
  list('implied by', info.impliedBy);
  list('selects', info.selects);
  list('implies', info.implies);
  for (const r of info.ranges) out.push(`  range ${r.min} ${r.max}${r.if ? ` if ${r.if}` : ''} (${r.at})`);
  for (const d of info.defaults) out.push(`  default ${d.value}${d.if ? ` if ${d.if}` : ''} (${d.at})`);
  return out;
}
