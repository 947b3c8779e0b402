/**
 * `tarsmith audit fetch`: every network fetch an upstream tree would make while building, found before the
 * build: Make recipes (with Make variables across includes), shell scripts, CMake, Dockerfiles, .gitmodules and
 * Meson wraps. Each fetch is reported with file:line, the tool, and its URL and ref resolved as far as they can be.
 */
import type { Manifest } from '../../manifest/types.js';
import { scanCMake } from './cmake.js';
import { checkCoverage } from './coverage.js';
import { scanMakefiles } from './make.js';
import { scanDockerfiles, scanGitmodules, scanMesonWraps, scanScripts } from './misc.js';
import { sourcesSnippet } from './snippet.js';
import { openTree, type AuditTree } from './tree.js';
import type { AuditDiagnostic, Fetch, FetchReport } from './types.js';

export interface AuditFetchOptions {
  /** When given, each fetch is checked against the manifest's sources (`coveredBy`, `uncovered`). */
  manifest?: Manifest;
}

function unresolvedCount(f: Fetch): number {
  return (f.url?.unresolved.length ?? 0) + (f.ref?.unresolved.length ?? 0);
}

/**
 * One report per fetch site: when the same file:line:tool is found both resolved and not (a fragment read on its
 * own and through its includer), the resolved finding wins; exact duplicates are dropped. Sorted by place.
 */
export function dedupe(fetches: readonly Fetch[]): Fetch[] {
  const groups = new Map<string, Fetch[]>();
  for (const f of fetches) {
    const k = `${f.file}\u0000${f.line}\u0000${f.tool}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const out: Fetch[] = [];
  for (const group of groups.values()) {
    const best = Math.min(...group.map(unresolvedCount));
    const seen = new Set<string>();
    for (const f of group) {
      const id = `${f.url?.text ?? ''}\u0000${f.ref?.text ?? ''}`;
      if (unresolvedCount(f) > best || seen.has(id)) continue;
      seen.add(id);
      out.push(f);
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

export async function scanTree(tree: AuditTree): Promise<{ fetches: Fetch[]; diagnostics: AuditDiagnostic[] }> {
  const make = scanMakefiles(tree);
  const scripts = scanScripts(tree);
  const docker = await scanDockerfiles(tree);
  const others = [...scanCMake(tree), ...scanGitmodules(tree), ...scanMesonWraps(tree)];
  const fetches = dedupe([...make.fetches, ...scripts.fetches, ...docker.fetches, ...others]);
  const diagnostics = [...make.diagnostics, ...scripts.diagnostics, ...docker.diagnostics].sort((a, b) =>
    a.where.file < b.where.file ? -1 : a.where.file > b.where.file ? 1 : a.where.line - b.where.line,
  );
  return { fetches, diagnostics };
}

export async function auditFetch(root: string, opts: AuditFetchOptions = {}): Promise<FetchReport> {
  const tree = await openTree(root);
  const { fetches, diagnostics } = await scanTree(tree);
  const uncovered = opts.manifest ? checkCoverage(fetches, opts.manifest) : undefined;
  return { root, fetches, diagnostics, snippet: sourcesSnippet(fetches), ...(uncovered !== undefined ? { uncovered } : {}) };
}
