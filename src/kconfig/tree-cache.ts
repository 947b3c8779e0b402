/**
 * Cache of parsed Kconfig trees (v8-serialised `KconfigTree`, plus a small entry with only the symbol names), keyed by
 * the tarball's sha256 (taken from the hash memo while the file is unchanged, so a warm lookup does not read the
 * 150 MB tarball again) — or, for a folder,
 * by its absolute path — plus the arch and macro environment. A folder's entry also records the mtime and size
 * of every Kconfig file read, the result of every `source` glob and the optional files found absent; any change
 * to those makes the entry stale.
 */
import { createHash } from 'node:crypto';
import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { cacheRoot } from '../core/cache-dir.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { hashFilesMemo, memoFile } from '../core/hash-memo.js';
import type { Default, DependsOn, Diagnostic, Expr, KconfigTree, Loc, Prompt } from './ast.js';
import { eachEntry, symbolTable } from './parse-tree.js';
import { internExpr, startExprIds } from './expr.js';
import type { ParseDeps } from './parse-tree.js';
import type { SourceFiles } from './source-files.js';

/** Bump when the AST or parser output changes shape. */
const FORMAT = 'tarsmith-kconfig-5';

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
  /** Packed (`packTree`). */
  tree: KconfigTree;
  locFiles: string[];
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

function entryPath(opts: CacheOptions, key: string, kind: 'tree' | 'names' | 'help' = 'tree'): string {
  return path.join(opts.dir ?? defaultCacheDir(), kind === 'tree' ? `${key}.v8` : `${key}.${kind}.v8`);
}

/** The mtime and size of each file (synchronous: a kernel has some 1,600 Kconfig files, and a stat is microseconds). */
function statsOf(dir: string, paths: readonly string[]): Entry['stats'] {
  return paths.map((p) => {
    const st = statSync(path.join(dir, p));
    return { path: p, mtimeMs: st.mtimeMs, size: st.size };
  });
}

async function fresh(entry: Freshness, files: SourceFiles | undefined): Promise<boolean> {
  if (entry.format !== FORMAT) return false;
  if (!files?.dir) return true;
  try {
    const now = statsOf(files.dir, entry.stats.map((s) => s.path));
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
  const entry = await readEntry<Entry>(entryPath(opts, key), files);
  if (!entry) return undefined;
  unpackTree(entry.tree, entry.locFiles);
  helpOf.set(entry.tree, entryPath(opts, key, 'help'));
  return entry.tree;
}

/**
 * Trees read from the cache come without their help texts (a fifth of the entry, and only `kconfig explain` shows
 * them): the entry beside the tree's that holds them, until `loadHelp` puts them back.
 */
const helpOf = new WeakMap<KconfigTree, string>();

/** The help texts of a tree's entries, by their depth-first index. */
function helpTexts(tree: KconfigTree): [number, string][] {
  const out: [number, string][] = [];
  let i = 0;
  eachEntry(tree.entries, (e) => {
    if ((e.kind === 'config' || e.kind === 'choice') && e.help !== undefined) out.push([i, e.help]);
    i++;
  });
  return out;
}

/**
 * Put the help texts back into a tree read from the cache (a tree parsed here has them already). A missing or
 * stale help entry leaves the tree without help texts, as for Kconfig without `help` blocks.
 */
export async function loadHelp(tree: KconfigTree): Promise<void> {
  const file = helpOf.get(tree);
  if (file === undefined) return;
  helpOf.delete(tree);
  let stored: { format: string; key: string; help: [number, string][] };
  try {
    stored = v8.deserialize(await fs.readFile(file)) as typeof stored;
  } catch {
    return;
  }
  if (stored.format !== FORMAT || stored.key !== path.basename(file, '.help.v8')) return;
  restoreHelp(tree, stored.help);
}

/** The places in a tree that hold a `loc`, always in the same order. */
function eachLocHolder(tree: KconfigTree, fn: (holder: { loc: unknown }) => void): void {
  const each = (list: readonly { loc: unknown }[]): void => {
    for (const h of list) fn(h);
  };
  eachEntry(tree.entries, (e) => {
    fn(e);
    switch (e.kind) {
      case 'config':
        each(e.prompts); each(e.defaults); each(e.dependsOn); each(e.selects); each(e.implies); each(e.ranges);
        break;
      case 'choice':
        each(e.prompts); each(e.defaults); each(e.dependsOn);
        break;
      case 'menu':
      case 'comment':
        fn(e.prompt); each(e.dependsOn);
        break;
      case 'if':
        break;
    }
  });
  each(tree.unknownMacros);
}

const LINE_BITS = 2 ** 22;

/** Put help texts (by depth-first entry index, as `helpTexts` lists them) back into a tree. */
function restoreHelp(tree: KconfigTree, help: readonly [number, string][]): void {
  const byIndex = new Map(help);
  let i = 0;
  eachEntry(tree.entries, (e) => {
    const text = byIndex.get(i++);
    if (text !== undefined && (e.kind === 'config' || e.kind === 'choice')) e.help = text;
  });
}

/**
 * The stored form of a tree: each `loc` a number (file index × 2²² + line) into one table of file names, no help
 * texts (stored apart) and no symbol table (rebuilt from the entries on reading): the serialiser writes every
 * string and object it meets, and these are most of a kernel tree's objects. `unpackTree` undoes it in place.
 */
function packTree(tree: KconfigTree): { tree: KconfigTree; locFiles: string[] } {
  const index = new Map<string, number>();
  const locFiles: string[] = [];
  eachLocHolder(tree, (h) => {
    const loc = h.loc as Loc;
    let i = index.get(loc.file);
    if (i === undefined) {
      i = locFiles.push(loc.file) - 1;
      index.set(loc.file, i);
    }
    h.loc = i * LINE_BITS + loc.line;
  });
  eachEntry(tree.entries, (e) => {
    if (e.kind === 'config' || e.kind === 'choice') delete e.help;
  });
  return { tree: { ...tree, symbols: new Map() }, locFiles };
}

function unpackTree(tree: KconfigTree, locFiles: readonly string[]): void {
  restoreLocs(tree, locFiles);
  tree.symbols = symbolTable(tree.entries);
}

function restoreLocs(tree: KconfigTree, locFiles: readonly string[]): void {
  eachLocHolder(tree, (h) => {
    const n = h.loc as number;
    h.loc = { file: locFiles[Math.floor(n / LINE_BITS)] as string, line: n % LINE_BITS };
  });
}

export async function readNames(opts: CacheOptions, key: string, files: SourceFiles | undefined): Promise<SymbolNames | undefined> {
  return (await readEntry<NamesEntry>(entryPath(opts, key, 'names'), files))?.names;
}

/**
 * Make the tree cheaper to store and to read back: every distinct condition is one object (the serialiser keeps
 * shared objects shared), and the entries' empty property lists are one array. Values are unchanged; the tree is
 * never mutated after it is loaded, so nothing can tell the shared objects apart.
 */
export function compactTree(tree: KconfigTree): void {
  startExprIds();
  const table = new Map<number, Expr>();
  const none: never[] = [];
  const x = <T extends Expr | undefined>(e: T): T => (e === undefined ? e : internExpr(e as Expr, table)) as T;
  const list = <T>(a: T[]): T[] => (a.length === 0 ? none : a);
  const conds = <T extends { cond?: Expr }>(a: T[]): T[] => {
    for (const p of a) if (p.cond) p.cond = x(p.cond);
    return list(a);
  };
  const symbolLike = (e: { prompts: Prompt[]; defaults: Default[]; dependsOn: DependsOn[] }): void => {
    e.prompts = conds(e.prompts);
    for (const d of e.defaults) d.value = x(d.value);
    e.defaults = conds(e.defaults);
    for (const d of e.dependsOn) d.expr = x(d.expr);
    e.dependsOn = conds(e.dependsOn);
  };
  const titled = (e: { prompt: Prompt; dependsOn: DependsOn[] }): void => {
    if (e.prompt.cond) e.prompt.cond = x(e.prompt.cond);
    for (const d of e.dependsOn) d.expr = x(d.expr);
    e.dependsOn = conds(e.dependsOn);
  };
  eachEntry(tree.entries, (e) => {
    if (e.inherited) e.inherited = x(e.inherited);
    if (e.visibleIf) e.visibleIf = x(e.visibleIf);
    switch (e.kind) {
      case 'config':
        symbolLike(e);
        e.selects = conds(e.selects);
        e.implies = conds(e.implies);
        e.ranges = conds(e.ranges);
        break;
      case 'choice':
        symbolLike(e);
        break;
      case 'menu':
        titled(e);
        e.visible = list(e.visible.map(x));
        break;
      case 'comment':
        titled(e);
        break;
      case 'if':
        e.cond = x(e.cond);
        e.children = list(e.children);
        break;
    }
  });
}

export async function writeCache(
  opts: CacheOptions,
  key: string,
  tree: KconfigTree,
  deps: ParseDeps,
  files: SourceFiles | undefined,
): Promise<void> {
  try {
    const stats = files?.dir ? statsOf(files.dir, tree.files) : [];
    const fresh: Freshness = { format: FORMAT, stats, globs: deps.globs, absent: deps.absent };
    compactTree(tree);
    const help = helpTexts(tree);
    const packed = packTree(tree);
    let data: Buffer;
    try {
      data = v8.serialize({ ...fresh, ...packed } satisfies Entry);
    } finally {
      restoreLocs(tree, packed.locFiles);
      restoreHelp(tree, help);
    }
    await writeFileAtomic(entryPath(opts, key, 'help'), v8.serialize({ format: FORMAT, key, help }));
    await writeFileAtomic(entryPath(opts, key), data);
    await writeFileAtomic(entryPath(opts, key, 'names'), v8.serialize({ ...fresh, names: symbolNamesOf(tree) } satisfies NamesEntry));
  } catch {
    /* a cache that cannot be written is only slower */
  }
}
