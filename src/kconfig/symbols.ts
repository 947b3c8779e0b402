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

/** Which tree to read: a folder or tarball, an ARCH, and the toolchain for compiler probes. */
export interface TreeSelection {
  kernel: string;
  arch: string;
  cc?: string;
  crossCompile?: string;
  /** false: neither read nor write the parse cache. */
  cache?: boolean;
  onProgress?: (msg: string) => void;
}

/** The `loadKconfig` options for a selection. */
export function loadOptions(sel: TreeSelection): import('./tree.js').LoadOptions {
  return {
    kernel: sel.kernel,
    arch: sel.arch,
    ...(sel.cc !== undefined ? { cc: sel.cc } : {}),
    ...(sel.crossCompile !== undefined ? { crossCompile: sel.crossCompile } : {}),
    ...(sel.cache === false ? { cacheDir: false as const } : {}),
    ...(sel.onProgress ? { onProgress: sel.onProgress } : {}),
  };
}

export interface SymbolsResult {
  arch: string;
  srcarch: string;
  records: SymbolRecord[];
  /** Warnings and errors of the tree's Kconfig. */
  problems: import('./ast.js').Diagnostic[];
  errors: number;
}

/** `kconfig symbols`: load the tree and list its symbols. */
export async function runSymbols(sel: TreeSelection): Promise<SymbolsResult> {
  const { loadKconfig } = await import('./tree.js');
  const tree = await loadKconfig(loadOptions(sel));
  const problems = tree.diagnostics.filter((d) => d.severity !== 'info');
  return {
    arch: tree.arch, srcarch: tree.srcarch, records: listSymbols(tree), problems,
    errors: problems.filter((d) => d.severity === 'error').length,
  };
}
