/**
 * The fetch stand-ins for the build stage: `git`, `wget` and `curl` scripts put first on PATH, answering the
 * upstream build's own fetches from the vendored sources through a generated URL → file map; and `apt-get`,
 * `apt`, `apk`, which fail at once on anything that would download, pointing at builder.packages.
 *
 * Layout in the build stage (the Dockerfile generator copies `files` to SHIMS_ROOT and the vendored packages/
 * folder to PACKAGES_DIR):
 *   SHIMS_ROOT/bin/{git,wget,curl}   (0755)   SHIMS_BIN, first on PATH
 *   SHIMS_ROOT/bin/{apt-get,apt,apk} (0755)   package managers: offline refusals, other uses passed on
 *   SHIMS_ROOT/lib/common.sh         (0644)
 *   SHIMS_ROOT/urlmap                (0644)   one row per answered URL; files relative to PACKAGES_DIR
 * The scripts honour TARSMITH_SHIMS_ROOT and TARSMITH_PACKAGES to run from other places (tests, hosts).
 */
import { unreachable } from '../core/errors.js';
import type { Manifest, Source } from '../manifest/types.js';
import { LIB_SCRIPT } from './script-lib.js';
import { CURL_SCRIPT, WGET_SCRIPT } from './script-get.js';
import { GIT_SCRIPT } from './script-git.js';
import { PKG_SCRIPT } from './script-pkg.js';
import { normalizeRef, normalizeUrl, splitProvided } from './url.js';

export { normalizeUrl, normalizeRef, splitProvided, cloneDirName } from './url.js';

/** Where the stand-ins live in the build stage. */
export const SHIMS_ROOT = '/opt/tarsmith/shims';
/** The folder the build stage puts first on PATH. */
export const SHIMS_BIN = `${SHIMS_ROOT}/bin`;
/** Where the vendored packages/ folder is copied in the build stage; map entries are relative to it. */
export const PACKAGES_DIR = '/opt/tarsmith/packages';

/** One vendored source as the lock records it (structurally the lock's entry; only what the stand-ins read). */
export interface ShimLockEntry {
  /** The vendored file, relative to packages/ (a leading `packages/` is accepted and dropped). */
  file: string;
  sha256: string;
  origin: 'file' | 'url' | 'git';
  url?: string;
  git?: string;
  ref?: string;
  commit?: string;
}
export interface ShimLock {
  sources: Record<string, ShimLockEntry>;
}

export interface ShimFile {
  /** Relative to SHIMS_ROOT. */
  path: string;
  content: string;
  mode: number;
}

/**
 * Where a source's file sits under PACKAGES_DIR in the build stage: its path under packages/ (a leading
 * `packages/` is dropped), or, for an absolute path (a `--source NAME=PATH` override from outside packages/),
 * `_overrides/NAME/BASENAME` (source names are unique, so two overrides never meet).
 */
export function packageFileOf(name: string, file: string): string {
  if (file.startsWith('/')) return `_overrides/${name}/${file.split('/').pop() || name}`;
  return file.replace(/^(\.\/)?packages\//, '');
}

/** One row of the URL map. */
export interface UrlMapRow {
  /** Normalised URL (see normalizeUrl). */
  key: string;
  /** The git ref this row answers, or undefined for "any ref" (a tarball providing a git URL). */
  ref?: string;
  commit?: string;
  file: string;
  sha256: string;
  name: string;
  url: string;
  /**
   * How a git clone unpacks the file: `tree` (a vendored git tarball: the repository's files at the top) or
   * `auto` (a release tarball: a single top folder is removed).
   */
  layout: 'tree' | 'auto';
}

/** The URL map rows of all non-private vendored sources, sorted for deterministic output. */
export function urlMapRows(manifest: Manifest, lock: ShimLock): UrlMapRow[] {
  const rows: UrlMapRow[] = [];
  for (const source of manifest.sources) {
    if (source.private) continue;
    const entry = lock.sources[source.name];
    if (!entry) continue;
    for (const provided of providedUrls(source)) {
      const { url, ref } = splitProvided(provided);
      const rowRef = ref ?? (source.origin.kind === 'git' ? source.origin.ref : entry.ref);
      const commit = entry.commit ?? (source.origin.kind === 'git' ? source.origin.commit : undefined);
      rows.push({
        key: normalizeUrl(url),
        ...(rowRef !== undefined ? { ref: normalizeRef(rowRef) } : {}),
        ...(commit !== undefined ? { commit } : {}),
        file: packageFileOf(source.name, entry.file),
        sha256: entry.sha256,
        name: source.name,
        url,
        layout: entry.origin === 'git' ? 'tree' : 'auto',
      });
    }
  }
  const sortKey = (r: UrlMapRow) => `${r.key}\u0000${r.ref ?? ''}\u0000${r.name}`;
  return rows.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}

function providedUrls(source: Source): string[] {
  if (source.provides.length > 0) return source.provides;
  switch (source.origin.kind) {
    case 'url':
      return [source.origin.url];
    case 'git':
      return [source.origin.git];
    case 'file':
      return [];
    default:
      return unreachable(source.origin, 'source origin');
  }
}

/** A map field: tabs, newlines and empty values cannot appear in the sh reader's fields. */
function field(v: string | undefined): string {
  if (v === undefined || v === '') return '-';
  return v.replace(/[\t\n\r]/g, ' ');
}

/** The URL map file's text. */
export function renderUrlMap(rows: readonly UrlMapRow[], sourceDateEpoch: number): string {
  const lines = [
    '# tarsmith URL map: KEY REF COMMIT FILE SHA256 NAME LAYOUT URL (tab-separated, "-" when empty)',
    `#epoch ${Math.trunc(sourceDateEpoch)}`,
    ...rows.map((r) => [r.key, r.ref, r.commit, r.file, r.sha256, r.name, r.layout, r.url].map(field).join('\t')),
  ];
  return `${lines.join('\n')}\n`;
}

/** The stand-in scripts and the URL map, as files to place under SHIMS_ROOT in the build stage. */
export function fetchShims(manifest: Manifest, lock: ShimLock): { files: ShimFile[]; binDir: string } {
  const files: ShimFile[] = [
    { path: 'bin/apk', content: PKG_SCRIPT, mode: 0o755 },
    { path: 'bin/apt', content: PKG_SCRIPT, mode: 0o755 },
    { path: 'bin/apt-get', content: PKG_SCRIPT, mode: 0o755 },
    { path: 'bin/curl', content: CURL_SCRIPT, mode: 0o755 },
    { path: 'bin/git', content: GIT_SCRIPT, mode: 0o755 },
    { path: 'bin/wget', content: WGET_SCRIPT, mode: 0o755 },
    { path: 'lib/common.sh', content: LIB_SCRIPT, mode: 0o644 },
    { path: 'urlmap', content: renderUrlMap(urlMapRows(manifest, lock), manifest.sourceDateEpoch), mode: 0o644 },
  ];
  return { files, binDir: SHIMS_BIN };
}

/** Writes the stand-ins under `root` (e.g. a build context folder or a test's temp folder). */
export async function writeShims(root: string, shims: { files: readonly ShimFile[] }): Promise<void> {
  const { writeFileAtomic } = await import('../core/fs-atomic.js');
  const { join } = await import('node:path');
  const { chmod } = await import('node:fs/promises');
  for (const f of shims.files) {
    const target = join(root, f.path);
    await writeFileAtomic(target, f.content, { mode: f.mode });
    await chmod(target, f.mode);
  }
}
