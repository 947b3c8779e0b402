/** `kconfig symbols`: every defined symbol with its type, definitions (file:line) and prompts, sorted by name. */
import type { KconfigTree, SymbolType } from './ast.js';

export interface SymbolRecord {
  name: string;
  /** Undefined when no definition gives a type. */
  type?: SymbolType;
  defs: { file: string; line: number }[];
  /** Prompt texts, in definition order. */
  prompts: string[];
  /** Index of the choice the symbol belongs to, if any. */
  choice?: number;
}

export function listSymbols(tree: KconfigTree): SymbolRecord[] {
  const out: SymbolRecord[] = [];
  for (const s of tree.symbols.values()) {
    const choice = s.defs.find((d) => d.choice !== undefined)?.choice;
    out.push({
      name: s.name,
      ...(s.type ? { type: s.type } : {}),
      defs: s.defs.map((d) => ({ file: d.loc.file, line: d.loc.line })),
      prompts: s.defs.flatMap((d) => d.prompts.map((p) => p.text)),
      ...(choice !== undefined ? { choice } : {}),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Text form: `NAME<TAB>type<TAB>file:line[,file:line…]<TAB>"prompt"` (prompt column empty when none). */
export function renderSymbolsText(records: readonly SymbolRecord[]): string {
  return records
    .map((r) => {
      const defs = r.defs.map((d) => `${d.file}:${d.line}`).join(',');
      const prompt = r.prompts[0] !== undefined ? JSON.stringify(r.prompts[0]) : '';
      return `${r.name}\t${r.type ?? 'unknown'}\t${defs}\t${prompt}\n`;
    })
    .join('');
}
