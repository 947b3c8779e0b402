/** The model of `tarsmith audit fetch`: network fetches found in an upstream tree, before the build. */
import type { CodeOf, Diagnostic } from '../../core/errors.js';

export type FetchTool =
  | 'git clone'
  | 'git fetch'
  | 'git pull'
  | 'git submodule'
  | 'git ls-remote'
  | 'wget'
  | 'curl'
  | 'cmake FetchContent'
  | 'cmake ExternalProject'
  | 'cmake file(DOWNLOAD)'
  | 'Dockerfile ADD'
  | '.gitmodules'
  | 'meson wrap'
  | 'pip'
  | 'npm'
  | 'go'
  | 'cargo'
  | 'svn'
  | 'hg';

/** `git`: a repository at a ref; `url`: a file; `unsupported`: package-manager fetches to vendor by hand. */
export type FetchKind = 'git' | 'url' | 'unsupported';

/** A piece of text as far as it can be resolved: unresolved parts are kept as written, with the reasons. */
export interface Resolved {
  text: string;
  unresolved: string[];
  /** Where in `text` the unresolved pieces are (`[start, end)`, as written): marked, never shown as final text. */
  spans?: [number, number][];
}

/** `text` with every unresolved piece marked `<…>` (the whole text when the pieces are not known). */
export function markUnresolved(text: string, unresolved: readonly string[], spans: readonly [number, number][] | undefined): string {
  if (unresolved.length === 0) return text;
  if (!spans || spans.length === 0) return `<${text}>`;
  let out = '';
  let pos = 0;
  for (const [x, y] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (x < pos) continue;
    out += `${text.slice(pos, x)}<${text.slice(x, y)}>`;
    pos = y;
  }
  return out + text.slice(pos);
}

export interface Fetch {
  /** Relative to the audited tree's top. */
  file: string;
  line: number;
  tool: FetchTool;
  kind: FetchKind;
  url?: Resolved;
  ref?: Resolved;
  /** The command as found, after expansion (unresolved parts as written). */
  command: string;
  /** Where in `command` the unresolved pieces are (`[start, end)`). */
  commandSpans?: [number, number][];
  /** Where it runs from: `recipe of target X`, `RUN`, ... */
  context?: string;
  /**
   * False when the fetch needs no source of its own (a `git fetch origin` in a repository that came from a
   * vendored clone, `git submodule update` whose URLs come from .gitmodules, a submodule already in the tree).
   */
  needsSource: boolean;
  /** With a manifest: the name of the source that answers this fetch, or null when none does. */
  coveredBy?: string | null;
}

/** A note of the audit: text it could not read or evaluate, so fetches in it may be missed. */
export type AuditDiagnostic = Diagnostic & { code: CodeOf<'audit'>; severity: 'info'; where: { file: string; line: number } };

export interface FetchReport {
  /** The audited path, as given. */
  root: string;
  fetches: Fetch[];
  diagnostics: AuditDiagnostic[];
  /** A ready-to-paste `sources:` snippet for the fetches not covered (all of them without a manifest). */
  snippet: string;
  /** Present with a manifest: how many fetches needing a source are not covered by it. */
  uncovered?: number;
}

export function isResolved(r: Resolved | undefined): r is Resolved {
  return r !== undefined && r.unresolved.length === 0;
}
