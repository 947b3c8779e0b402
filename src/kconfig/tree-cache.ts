/**
 * Cache of parsed Kconfig trees (v8-serialised `KconfigTree`, plus a small entry with only the symbol names), keyed by
 * the tarball's sha256 (taken from the hash memo while the file is unchanged, so a warm lookup does not read the
 * 150 MB tarball again) — or, for a folder,
 * by its absolute path — plus the arch and macro environment. A folder's entry also records the mtime and size
 * of every Kconfig file read, the result of every `source` glob and the optional files found absent; any change
 * to those makes the entry stale.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { cacheRoot } from '../core/cache-dir.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { hashFilesMemo, memoFile } from '../core/hash-memo.js';
import type { Diagnostic, KconfigTree } from './ast.js';
import type { ParseDeps } from './parse-tree.js';
import type { SourceFiles } from './source-files.js';

/** Bump when the AST or parser output changes shape. */
const FORMAT = 'tarsmith-kconfig-2';

export interface CacheOptions {
  dir?: string;
}

/** What `loadSymbolNames` returns: the defined names, sorted, and the tree's error diagnostics. */
export interface SymbolNames {
  arch: string;
  srcarch: string;
  names: string[];
  errors: Diagnostic[];
}

export function symbolNamesOf(tree: KconfigTree): SymbolNames {
  return {
    arch: tree.arch,
    srcarch: tree.srcarch,
    names: [...tree.symbols.keys()].sort(),
    errors: tree.diagnostics.filter((d) => d.severity === 'error'),
  };
}

interface Freshness {
  format: string;
  stats: { path: string; mtimeMs: number; size: number }[];
  globs: ParseDeps['globs'];
  absent: string[];
}

interface Entry extends Freshness {
  tree: KconfigTree;
}

interface NamesEntry extends Freshness {
  names: SymbolNames;
}

export function defaultCacheDir(): string {
  return path.join(cacheRoot(), 'kconfig');
}

export async function cacheKey(kernel: string, isDir: boolean, env: ReadonlyMap<string, string>, opts: CacheOptions = {}): Promise<string> {
  let what = `dir:${path.resolve(kernel)}`;
  if (!isDir) {
    // A cache folder of its own (tests, --cache-dir) keeps its memo beside it; the default one shares the memo.
    const [r] = await hashFilesMemo([kernel], opts.dir ? path.join(opts.dir, 'hash-memo.json') : memoFile());
    if (!r?.ok) throw Object.assign(new Error(r?.message ?? `cannot read ${kernel}`), { code: r?.code });
    what = `sha256:${r.sha256}`;
  }
  const envText = JSON.stringify([...env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(`${FORMAT}\n${what}\n${envText}`).digest('hex');
}

function entryPath(opts: CacheOptions, key: string, kind: 'tree' | 'names' = 'tree'): string {
  return path.join(opts.dir ?? defaultCacheDir(), kind === 'tree' ? `${key}.v8` : `${key}.names.v8`);
}

async function statsOf(dir: string, paths: readonly string[]): Promise<Entry['stats']> {
  return Promise.all(
    paths.map(async (p) => {
      const st = await fs.stat(path.join(dir, p));
      return { path: p, mtimeMs: st.mtimeMs, size: st.size };
    }),
  );
}

async function fresh(entry: Freshness, files: SourceFiles | undefined): Promise<boolean> {
  if (entry.format !== FORMAT) return false;
  if (!files?.dir) return true;
  try {
    const now = await statsOf(files.dir, entry.stats.map((s) => s.path));
    if (now.some((s, i) => s.mtimeMs !== entry.stats[i]?.mtimeMs || s.size !== entry.stats[i]?.size)) return false;
  } catch {
    return false;
  }
  if (entry.globs.some((g) => files.glob(g.pattern).join('\n') !== g.result.join('\n'))) return false;
  return entry.absent.every((p) => files.read(p) === undefined);
}

async function readEntry<T extends Freshness>(file: string, files: SourceFiles | undefined): Promise<T | undefined> {
  let entry: T;
  try {
    entry = v8.deserialize(await fs.readFile(file)) as T;
  } catch {
    return undefined;
  }
  return (await fresh(entry, files)) ? entry : undefined;
}

export async function readCache(opts: CacheOptions, key: string, files: SourceFiles | undefined): Promise<KconfigTree | undefined> {
  return (await readEntry<Entry>(entryPath(opts, key), files))?.tree;
}

export async function readNames(opts: CacheOptions, key: string, files: SourceFiles | undefined): Promise<SymbolNames | undefined> {
  return (await readEntry<NamesEntry>(entryPath(opts, key, 'names'), files))?.names;
}

export async function writeCache(
  opts: CacheOptions,
  key: string,
  tree: KconfigTree,
  deps: ParseDeps,
  files: SourceFiles | undefined,
): Promise<void> {
  try {
    const stats = files?.dir ? await statsOf(files.dir, tree.files) : [];
    const fresh: Freshness = { format: FORMAT, stats, globs: deps.globs, absent: deps.absent };
    await writeFileAtomic(entryPath(opts, key), v8.serialize({ ...fresh, tree } satisfies Entry));
    await writeFileAtomic(entryPath(opts, key, 'names'), v8.serialize({ ...fresh, names: symbolNamesOf(tree) } satisfies NamesEntry));
  } catch {
    /* a cache that cannot be written is only slower */
  }
}
