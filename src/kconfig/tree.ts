/**
 * `loadKconfig()`: the entry point. Reads a kernel tree (an extracted folder, or a tarball read directly without
 * extracting), parses its Kconfig for one architecture, and caches the result.
 *
 * Macros see a fixed environment (srctree=., ARCH, SRCARCH, KERNELVERSION, and with a toolchain CC, LD, … and
 * CC_VERSION_TEXT), never the caller's own. `$(shell,…)` runs only with a toolchain (`cc` / `crossCompile`): the
 * tree is parsed, the shell commands it asked for are run (in parallel, inside the tree), and it is parsed again
 * with their answers until nothing new is asked. Without a toolchain they are unknown, with one warning.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, ioFailure, type Failure } from '../core/errors.js';
import { exec } from '../core/exec.js';
import type { KconfigTree } from './ast.js';

export type { SymbolNames } from './tree-cache.js';
export { loadHelp } from './tree-cache.js';
import { cacheKey, defaultCacheDir, readCache, readNames, symbolNamesOf, writeCache, type CacheOptions, type SymbolNames } from './tree-cache.js';
import { versionLines } from './tool-version.js';
import { parseTree } from './parse-tree.js';
import { DirFiles, readTarballKconfig, type SourceFiles } from './source-files.js';

export interface LoadOptions {
  /** An extracted kernel tree, or a kernel tarball (tar, tar.gz, tar.xz, tar.bz2, tar.zst). */
  kernel: string;
  /** ARCH as given to the kernel's make (`arm64`, `x86_64`, `x86`, `riscv`, …). */
  arch: string;
  /** C compiler for `$(cc-option,…)` and friends. */
  cc?: string;
  /** Toolchain prefix (`aarch64-linux-gnu-`): CC, LD, AR, … become `${prefix}gcc`, `${prefix}ld`, … */
  crossCompile?: string;
  /** Folder for parsed trees (default `$XDG_CACHE_HOME/tarsmith/kconfig` or `~/.cache/tarsmith/kconfig`); false: none. */
  cacheDir?: string | false;
  /** Extra macro environment, e.g. `CC_VERSION_TEXT` taken from a `.config` (part of the cache key). */
  env?: Readonly<Record<string, string>>;
  /** Progress lines (stderr). */
  onProgress?: (msg: string) => void;
}

/** The kernel's SRCARCH for an ARCH (top-level Makefile). */
export function srcarchOf(arch: string): string {
  const map: Record<string, string> = { i386: 'x86', x86_64: 'x86', sparc64: 'sparc', parisc64: 'parisc', sh64: 'sh' };
  return Object.hasOwn(map, arch) ? (map[arch] as string) : arch;
}

/** `VERSION.PATCHLEVEL.SUBLEVEL[EXTRAVERSION]` from the top Makefile's first lines. */
export function kernelVersionOf(makefile: string | undefined): string {
  const vars = new Map<string, string>();
  for (const line of (makefile ?? '').split('\n').slice(0, 20)) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const v = vars.get('VERSION');
  if (!v) return '';
  return `${v}.${vars.get('PATCHLEVEL') ?? 0}.${vars.get('SUBLEVEL') ?? 0}${vars.get('EXTRAVERSION') ?? ''}`;
}

const TOOLS = ['AR', 'NM', 'OBJCOPY', 'OBJDUMP', 'READELF', 'STRIP'] as const;

/**
 * The other variables the top Makefile exports that Kconfig reads (`$(RUSTC)`, `$(CLANG_FLAGS)`, …), with the
 * Makefile's values for a GCC build without `LLVM=`. `USERCFLAGS`, `USERLDFLAGS` and `CROSS_COMPILE_COMPAT` are
 * empty unless given on the make command line (pass them in `LoadOptions.env`).
 */
export const MAKE_EXPORTS: Readonly<Record<string, string>> = {
  HOSTCXX: 'g++', RUSTC: 'rustc', BINDGEN: 'bindgen', PAHOLE: 'pahole', PYTHON3: 'python3',
  CLANG_FLAGS: '', USERCFLAGS: '', USERLDFLAGS: '', CROSS_COMPILE_COMPAT: '',
};

async function toolchainEnv(opts: LoadOptions): Promise<Map<string, string>> {
  const env = new Map<string, string>();
  if (opts.cc === undefined && opts.crossCompile === undefined) return env;
  const pfx = opts.crossCompile ?? '';
  const cc = opts.cc ?? `${pfx}gcc`;
  env.set('CC', cc);
  env.set('LD', `${pfx}ld`);
  for (const t of TOOLS) env.set(t, `${pfx}${t.toLowerCase()}`);
  env.set('CROSS_COMPILE', pfx);
  env.set('HOSTCC', 'gcc');
  for (const [k, v] of Object.entries(MAKE_EXPORTS)) env.set(k, v);
  const memo = opts.cacheDir === false ? undefined : path.join(opts.cacheDir ?? defaultCacheDir(), 'tool-versions.json');
  const [first = '', rustc = ''] = await versionLines([[cc, '--version'], ['rustc', '--version']], memo);
  env.set('RUSTC_VERSION_TEXT', rustc.trimEnd());
  if (!first)
    fail({
      code: 'kconfig.no-compiler', exit: ExitCode.usage, message: `C compiler '${cc}' does not run`, value: cc,
      hint: 'install it, or pass --cc with a compiler on PATH (or no --cc/--cross-compile to skip compiler probes)',
    });
  env.set('CC_VERSION_TEXT', first);
  return env;
}

async function statKernel(kernel: string): Promise<import('node:fs').Stats> {
  try {
    return await fs.stat(kernel);
  } catch (e) {
    return fail({ ...ioFailure(e, 'cannot read kernel tree', kernel), hint: 'pass --kernel a kernel folder or tarball' });
  }
}

async function openTarball(kernel: string): Promise<SourceFiles> {
  try {
    return await readTarballKconfig(kernel);
  } catch (e) {
    if ((e as { failures?: Failure[] }).failures) throw e;
    return fail({ ...ioFailure(e, 'cannot read kernel tarball', kernel) });
  }
}

function checkArch(files: SourceFiles, srcarch: string, arch: string): void {
  if (files.read(`arch/${srcarch}/Kconfig`) !== undefined) return;
  const known = files.glob('arch/*/Kconfig').map((p) => p.split('/')[1]);
  fail({
    code: 'kconfig.unknown-arch', exit: ExitCode.usage, message: `no arch/${srcarch}/Kconfig in ${files.origin}`,
    value: arch, hint: known.length ? `use one of: ${known.join(', ')}` : 'is --kernel a Linux source tree?',
  });
}

/** Run shell commands (inside the tree) and return their outputs the way the kernel's `$(shell,…)` does. */
async function runShells(cmds: string[], cwd: string, env: Map<string, string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const childEnv = { PATH: process.env.PATH ?? '', LC_ALL: 'C', ...Object.fromEntries(env) };
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < cmds.length; i = next++) {
      const cmd = cmds[i] as string;
      const r = await exec(['sh', '-c', cmd], { cwd, env: childEnv });
      out.set(cmd, r.stdout.slice(0, 4095).replace(/\n+$/, '').replaceAll('\n', ' '));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return out;
}

async function shellDir(files: SourceFiles): Promise<{ dir: string; cleanup(): Promise<void> }> {
  if (files.dir) return { dir: files.dir, cleanup: async () => undefined };
  const os = await import('node:os');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-kconfig-'));
  for (const rel of files.glob('scripts/*.sh')) {
    await fs.mkdir(path.join(dir, 'scripts'), { recursive: true });
    await fs.writeFile(path.join(dir, rel), files.read(rel) ?? '', { mode: 0o755 });
  }
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

async function parseWithToolchain(files: SourceFiles, arch: string, srcarch: string, env: Map<string, string>, toolchain: boolean) {
  const answers = new Map<string, string>();
  const sh = toolchain ? await shellDir(files) : undefined;
  try {
    for (let pass = 1; ; pass++) {
      const pending = new Set<string>();
      const shell = (cmd: string): string | undefined => {
        if (!toolchain) return undefined;
        if (answers.has(cmd)) return answers.get(cmd);
        pending.add(cmd);
        return undefined;
      };
      const result = parseTree({ files, arch, srcarch, env, shell });
      if (!sh || pending.size === 0 || pass > 20) return result;
      for (const [k, v] of await runShells([...pending], sh.dir, env)) answers.set(k, v);
    }
  } finally {
    await sh?.cleanup();
  }
}

/**
 * The environment Kconfig's macros see (before KERNELVERSION, which comes from the tree): what the kernel's make
 * exports for this ARCH and toolchain, and `opts.env` on top.
 */
export async function kconfigEnv(opts: LoadOptions): Promise<Map<string, string>> {
  const env = await toolchainEnv(opts);
  if (opts.arch === 'um') {
    // User-mode Linux builds for a host arch (arch/um/Makefile); default to x86 rather than the machine we run on.
    const sub = opts.env?.SUBARCH ?? 'x86';
    env.set('SUBARCH', sub);
    env.set('HEADER_ARCH', ['x86', 'x86_64', 'i386'].includes(sub) ? 'x86' : sub);
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) env.set(k, v);
  env.set('srctree', '.');
  env.set('ARCH', opts.arch);
  env.set('SRCARCH', srcarchOf(opts.arch));
  return env;
}

interface Prepared {
  srcarch: string;
  toolchain: boolean;
  env: Map<string, string>;
  cache?: { opts: CacheOptions; key: string };
  dirFiles?: DirFiles;
}

/** Everything decided before reading any Kconfig file: arch, macro environment, cache key. */
async function prepare(opts: LoadOptions): Promise<Prepared> {
  const isDir = (await statKernel(opts.kernel)).isDirectory();
  const srcarch = srcarchOf(opts.arch);
  const env = await kconfigEnv(opts);
  const cacheOpts: CacheOptions | undefined = opts.cacheDir === false ? undefined : { dir: opts.cacheDir };
  return {
    srcarch,
    toolchain: opts.cc !== undefined || opts.crossCompile !== undefined,
    env,
    ...(cacheOpts ? { cache: { opts: cacheOpts, key: await cacheKey(opts.kernel, isDir, env, cacheOpts) } } : {}),
    ...(isDir ? { dirFiles: new DirFiles(path.resolve(opts.kernel)) } : {}),
  };
}

async function parseAndCache(opts: LoadOptions, p: Prepared): Promise<KconfigTree> {
  if (!p.dirFiles) opts.onProgress?.(`kconfig: reading Kconfig files from ${opts.kernel}`);
  const files = p.dirFiles ?? (await openTarball(opts.kernel));
  checkArch(files, p.srcarch, opts.arch);
  p.env.set('KERNELVERSION', kernelVersionOf(files.read('Makefile')));
  const { tree, deps } = await parseWithToolchain(files, opts.arch, p.srcarch, p.env, p.toolchain);
  if (!p.dirFiles) tree.configFiles = configFilesOf(files, p.srcarch);
  if (!p.toolchain && tree.unknownMacros.length > 0) {
    tree.diagnostics.push({
      severity: 'warning', code: 'kconfig.shell-unknown', exit: ExitCode.ok, where: tree.unknownMacros[0]?.loc ?? { file: 'Kconfig' },
      message: `${tree.unknownMacros.length} shell/compiler probes left unknown (no toolchain given)`,
      hint: 'pass --cc or --cross-compile to evaluate $(cc-option,…) and friends',
    });
  }
  if (p.cache) {
    await writeCache(p.cache.opts, p.cache.key, tree, deps, p.dirFiles);
    // The tree as the cache holds it, as a warm load gives it: conditions shared, help texts apart (`loadHelp`).
    // A fifth smaller in memory than the parse's own, and one shape of objects for the evaluation cold or warm.
    const stored = await readCache(p.cache.opts, p.cache.key, p.dirFiles);
    if (stored) return stored;
  }
  return tree;
}

function configFilesOf(files: SourceFiles, srcarch: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of [`arch/${srcarch}/Makefile`, ...files.glob(`arch/${srcarch}/configs/*`), ...files.glob('kernel/configs/*')]) {
    const text = files.read(rel);
    if (text !== undefined) out[rel] = text;
  }
  return out;
}

/**
 * A file of the kernel tree that is not Kconfig (a defconfig, a `%.config` fragment, the arch Makefile): from
 * the folder, or from what was kept of the tarball (`KconfigTree.configFiles`). Undefined when absent.
 */
export async function readKernelFile(kernel: string, tree: KconfigTree, rel: string): Promise<string | undefined> {
  if (tree.configFiles) return Object.hasOwn(tree.configFiles, rel) ? tree.configFiles[rel] : undefined;
  try {
    return await fs.readFile(path.join(kernel, rel), 'utf8');
  } catch {
    return undefined;
  }
}

/** Names of the files in one folder of the kernel tree (`arch/arm64/configs`), sorted. */
export async function listKernelFolder(kernel: string, tree: KconfigTree, rel: string): Promise<string[]> {
  if (tree.configFiles) {
    return Object.keys(tree.configFiles).filter((p) => p.startsWith(`${rel}/`) && !p.slice(rel.length + 1).includes('/')).map((p) => p.slice(rel.length + 1)).sort();
  }
  try {
    return (await fs.readdir(path.join(kernel, rel))).sort();
  } catch {
    return [];
  }
}

/** Load, parse and cache a kernel tree's Kconfig for one architecture. Never throws on Kconfig syntax. */
export async function loadKconfig(opts: LoadOptions): Promise<KconfigTree> {
  const p = await prepare(opts);
  if (p.cache) {
    const hit = await readCache(p.cache.opts, p.cache.key, p.dirFiles);
    if (hit) {
      opts.onProgress?.(`kconfig: cached parse of ${opts.kernel} (${opts.arch})`);
      return hit;
    }
  }
  return parseAndCache(opts, p);
}

/**
 * Only the names of the defined symbols (and the tree's errors), for callers that need nothing else (`filter`):
 * read from a small cache entry written beside the full one, so a cached answer does not load the whole tree.
 */
export async function loadSymbolNames(opts: LoadOptions): Promise<SymbolNames> {
  const p = await prepare(opts);
  if (p.cache) {
    const hit = await readNames(p.cache.opts, p.cache.key, p.dirFiles);
    if (hit) return hit;
    const tree = await readCache(p.cache.opts, p.cache.key, p.dirFiles);
    if (tree) return symbolNamesOf(tree);
  }
  return symbolNamesOf(await parseAndCache(opts, p));
}
