/**
 * `kconfig filter`: drop the lines of a config fragment that name symbols the kernel tree does not define for the
 * chosen arch. Comments, blank lines and the order of everything kept are left as they are; every removal comes
 * with its line number and the nearest existing names.
 */
import { ExitCode, type Failure } from '../core/errors.js';
import type { Diagnostic } from './ast.js';
import { parseConfigText } from './fragment.js';
import { NameIndex } from './suggest.js';
import { loadOptions, type TreeSelection } from './symbols.js';

export interface Removal {
  /** 1-based line number in the fragment. */
  line: number;
  /** Symbol name without `CONFIG_`. */
  name: string;
  /** The line as written. */
  text: string;
  /** Nearest defined names, best first. */
  suggestions: string[];
}

export interface FilterResult {
  file: string;
  arch: string;
  /** The fragment with the removed lines left out. */
  text: string;
  removed: Removal[];
  /** Assignment lines kept. */
  kept: number;
  /** Fragment lines that are not valid assignments: kept as written, so for the filter they are warnings. */
  diagnostics: (Failure & { severity: 'warning' })[];
}

export interface FilterOptions {
  /** How many suggestions per removed symbol (default 5). */
  suggestions?: number;
}

/** The symbols a tree defines for one arch (a `SymbolNames` from `loadSymbolNames`, or any such list). */
export interface KnownSymbols {
  arch: string;
  names: readonly string[];
}

export function filterFragment(text: string, file: string, known: KnownSymbols, opts: FilterOptions = {}): FilterResult {
  const parsed = parseConfigText(text, file);
  const defined = new Set(known.names);
  let index: NameIndex | undefined;
  const drop = new Map<number, Removal>();
  let kept = 0;
  for (const l of parsed.lines) {
    if (defined.has(l.name)) {
      kept++;
      continue;
    }
    index ??= new NameIndex(known.names);
    const suggestions = index.nearest(l.name, opts.suggestions ?? 5).map((s) => s.name);
    drop.set(l.line, { line: l.line, name: l.name, text: l.text, suggestions });
  }
  const rows = text.split('\n');
  const out = rows.filter((_, i) => !drop.has(i + 1));
  return {
    file,
    arch: known.arch,
    text: out.join('\n'),
    removed: [...drop.values()],
    kept,
    diagnostics: parsed.diagnostics.map((d) => ({ ...d, severity: 'warning' as const })),
  };
}

/** One stderr line per removal: `FILE:LINE: removed CONFIG_X: not a symbol of this tree (arch); nearest: A, B`. */
export function renderRemoval(file: string, arch: string, r: Removal): string {
  const near = r.suggestions.length ? `; nearest: ${r.suggestions.join(', ')}` : '';
  return `${file}:${r.line}: removed CONFIG_${r.name}: no such symbol in this kernel for ${arch}${near}`;
}

/** A Kconfig tree with syntax errors cannot say which symbols exist: refuse rather than drop real ones. */
export function treeErrors(errors: readonly Diagnostic[]): Failure[] {
  return errors.filter((d) => d.severity === 'error').map((d) => ({ ...d, exit: ExitCode.usage }));
}

export interface FilterInput extends TreeSelection {
  fragment: string;
  /** Write the filtered fragment here (atomically). */
  output?: string;
  /** Write nothing. */
  check?: boolean;
}

/** `kconfig filter`: read the fragment and the tree's symbol names, filter, and write the output when asked. */
export async function runFilter(input: FilterInput): Promise<FilterResult & { written: boolean }> {
  const { readFile } = await import('node:fs/promises');
  const { fail, ioFailure } = await import('../core/errors.js');
  const { loadSymbolNames } = await import('./tree.js');
  let text: string;
  try {
    text = await readFile(input.fragment, 'utf8');
  } catch (e) {
    return fail(ioFailure(e, 'cannot read fragment', input.fragment));
  }
  const known = await loadSymbolNames(loadOptions(input));
  const errors = treeErrors(known.errors);
  if (errors.length > 0) fail(errors);
  const r = filterFragment(text, input.fragment, known);
  const written = !input.check && input.output !== undefined;
  if (written) {
    const { writeFileAtomic } = await import('../core/fs-atomic.js');
    await writeFileAtomic(input.output as string, r.text);
  }
  return { ...r, written };
}
