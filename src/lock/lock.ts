/**
 * `tarsmith.lock`, the source of truth for vendored inputs: canonical JSON (sorted keys, 2-space indent, trailing
 * newline), written atomically, with `packages/SHA256SUMS` derived from it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, ioFailure } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { formatSums, type SumEntry } from './sha256sums.js';

export const LOCK_FILE = 'tarsmith.lock';
export const PACKAGES_DIR = 'packages';
export const SUMS_FILE = 'SHA256SUMS';

export interface LockedFile {
  /** Relative to the manifest dir, e.g. `packages/x.tar.gz`. */
  file: string;
  size: number;
  sha256: string;
}

export interface LockedSource extends LockedFile {
  origin: 'file' | 'url' | 'git';
  url?: string;
  git?: string;
  ref?: string;
  commit?: string;
  /** For `file:` sources: the path as written in the manifest. */
  path?: string;
  /** sha256 of the extracted contents, independent of compression. */
  treeHash: string;
}

/** One vendored builder package (`.deb` or `.apk`) of the resolved closure. */
export interface LockedPackage extends LockedFile {
  name: string;
  version: string;
  /** `amd64`, `arm64`, `all`, ... (apk: `x86_64`, `aarch64`, `noarch`). */
  architecture: string;
  /** Where it was downloaded from (the archive's pool URL). */
  url: string;
}

/** `builder.packages` resolved over the builder's base at vendor time: what it was asked, over what, and the closure. */
export interface LockedPackages {
  family: 'apt' | 'apk';
  /** builder.packages as written in the manifest, in order. */
  request: string[];
  /** What the closure was resolved over: `rootfs:<sha256>` or `image:<ref>`. */
  base: string;
  /** dpkg architectures added for `:ARCH` qualifiers, sorted. */
  foreignArchitectures: string[];
  /** Keyed by `name:architecture`. */
  packages: Record<string, LockedPackage>;
}

/** `builder.bootstrap` resolved against the archive at vendor time: what was asked and the exact package set. */
export interface LockedBootstrap {
  suite: string;
  variant: string;
  architecture: string;
  components: string[];
  mirror: string;
  /** builder.bootstrap.packages as written, in order. */
  request: string[];
  /** SOURCE_DATE_EPOCH the rootfs is made with (the manifest's sourceDateEpoch when resolved). */
  sourceDateEpoch: number;
  /** Every package of the rootfs, keyed by `name:architecture`. */
  packages: Record<string, LockedPackage>;
}

/** The toolchain image made by `tarsmith toolchain`: named by its inputs, identified by its layers' contents. */
export interface LockedToolchain {
  inputsHash: string;
  tag: string;
  /** The image's layer diff IDs (sha256 of each uncompressed layer): content only, the same on every machine. */
  layers: string[];
  /**
   * `name:arch version` of every package installed in the image, as its package manager listed them when
   * `tarsmith toolchain` made it (a function of the layers): the build record's list, read without running the image.
   */
  installed?: Record<string, string>;
}

export interface Lock {
  lockVersion: 1;
  sources: Record<string, LockedSource>;
  /** Keyed by the patch path as written in the manifest. */
  patches: Record<string, LockedFile>;
  rootfs?: LockedFile;
  /** How `rootfs` is made from locked packages, when the manifest declares builder.bootstrap. */
  rootfsBootstrap?: LockedBootstrap;
  builderPackages?: LockedPackages;
  /** The kernel's base config file and fragments, keyed by their path as written in the manifest. */
  kernelConfigs?: Record<string, LockedFile>;
  toolchain?: LockedToolchain;
}

export function emptyLock(): Lock {
  return { lockVersion: 1, sources: {}, patches: {} };
}

/** JSON with object keys sorted at every level, 2-space indent, trailing newline. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export function lockPath(manifestDir: string): string {
  return path.join(manifestDir, LOCK_FILE);
}

export async function readLock(manifestDir: string): Promise<Lock | undefined> {
  const file = lockPath(manifestDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return fail(ioFailure(e, 'cannot read', file));
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail({
      code: 'lock.bad-json',
      message: `${LOCK_FILE} is not valid JSON: ${(e as Error).message}`,
      exit: ExitCode.usage,
      where: { file },
      hint: `restore it from version control, or delete it and run \`tarsmith vendor\` to re-resolve every source`,
    });
  }
  return validateLock(data, file);
}

/** `packages/...`, relative, no `..`: a lock can never make vendor write or verify read outside packages/. */
export function isPackagesPath(p: string): boolean {
  const segs = p.split('/');
  return segs[0] === PACKAGES_DIR && segs.length > 1 && !segs.some((s) => s === '..' || s === '' || s === '.');
}

function isLockedFile(v: unknown): v is LockedFile {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.file === 'string' &&
    isPackagesPath(o.file) &&
    typeof o.size === 'number' &&
    typeof o.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(o.sha256)
  );
}

function validateLock(data: unknown, file: string): Lock {
  const bad = (what: string): never =>
    fail({
      code: 'lock.bad-shape',
      message: `${LOCK_FILE}: ${what}`,
      exit: ExitCode.usage,
      where: { file },
      hint: 'restore it from version control, or delete it and run `tarsmith vendor`',
    });
  if (data === null || typeof data !== 'object') return bad('not a JSON object');
  const o = data as Record<string, unknown>;
  if (o.lockVersion !== 1) return bad(`unsupported lockVersion ${JSON.stringify(o.lockVersion)} (expected 1)`);
  const sources = (o.sources ?? {}) as Record<string, unknown>;
  const patches = (o.patches ?? {}) as Record<string, unknown>;
  if (typeof sources !== 'object' || typeof patches !== 'object') return bad('sources/patches must be objects');
  for (const [k, v] of Object.entries(sources)) {
    const s = v as Record<string, unknown>;
    if (!isLockedFile(v) || !['file', 'url', 'git'].includes(String(s.origin)) || typeof s.treeHash !== 'string') {
      return bad(`sources.${k} is malformed`);
    }
  }
  for (const [k, v] of Object.entries(patches)) if (!isLockedFile(v)) return bad(`patches.${k} is malformed`);
  if (o.rootfs !== undefined && !isLockedFile(o.rootfs)) return bad('rootfs is malformed');
  if (o.builderPackages !== undefined) {
    const bp = o.builderPackages as Record<string, unknown>;
    if (bp === null || typeof bp !== 'object' || !Array.isArray(bp.request) || typeof bp.base !== 'string' || typeof bp.packages !== 'object' || bp.packages === null) {
      return bad('builderPackages is malformed');
    }
    for (const [k, v] of Object.entries(bp.packages as Record<string, unknown>)) {
      const p = v as Record<string, unknown>;
      if (!isLockedFile(v) || typeof p.name !== 'string' || typeof p.version !== 'string' || typeof p.architecture !== 'string') {
        return bad(`builderPackages.packages.${k} is malformed`);
      }
    }
  }
  if (o.rootfsBootstrap !== undefined) {
    const rb = o.rootfsBootstrap as Record<string, unknown>;
    if (rb === null || typeof rb !== 'object' || !Array.isArray(rb.request) || typeof rb.suite !== 'string' || typeof rb.sourceDateEpoch !== 'number' || typeof rb.packages !== 'object' || rb.packages === null) {
      return bad('rootfsBootstrap is malformed');
    }
    for (const [k, v] of Object.entries(rb.packages as Record<string, unknown>)) {
      const p = v as Record<string, unknown>;
      if (!isLockedFile(v) || typeof p.name !== 'string' || typeof p.version !== 'string' || typeof p.architecture !== 'string') {
        return bad(`rootfsBootstrap.packages.${k} is malformed`);
      }
    }
  }
  if (o.toolchain !== undefined) {
    const t = o.toolchain as Record<string, unknown>;
    // A toolchain entry of an older tarsmith (an image ID, no layers) is dropped: `tarsmith toolchain` makes it again.
    if (t === null || typeof t !== 'object' || !Array.isArray(t.layers)) delete o.toolchain;
    // A malformed package list is dropped alone: the build lists the packages from the image then.
    else if (t.installed !== undefined && (t.installed === null || typeof t.installed !== 'object' || !Object.values(t.installed).every((v) => typeof v === 'string'))) delete t.installed;
  }
  if (o.kernelConfigs !== undefined) {
    if (o.kernelConfigs === null || typeof o.kernelConfigs !== 'object') return bad('kernelConfigs must be an object');
    for (const [k, v] of Object.entries(o.kernelConfigs)) if (!isLockedFile(v)) return bad(`kernelConfigs.${k} is malformed`);
  }
  return data as Lock;
}

/** Every locked file, with a label saying what it is (for reports and SHA256SUMS). */
export function lockedFiles(lock: Lock): { label: string; entry: LockedFile }[] {
  const out: { label: string; entry: LockedFile }[] = [];
  for (const name of Object.keys(lock.sources).sort()) out.push({ label: `source ${name}`, entry: lock.sources[name]! });
  for (const p of Object.keys(lock.patches).sort()) out.push({ label: `patch ${p}`, entry: lock.patches[p]! });
  if (lock.rootfs) out.push({ label: 'builder rootfs', entry: lock.rootfs });
  const rp = lock.rootfsBootstrap?.packages ?? {};
  for (const k of Object.keys(rp).sort()) out.push({ label: `rootfs package ${k}`, entry: rp[k]! });
  const pk = lock.builderPackages?.packages ?? {};
  for (const k of Object.keys(pk).sort()) out.push({ label: `builder package ${k}`, entry: pk[k]! });
  const configs = lock.kernelConfigs ?? {};
  for (const p of Object.keys(configs).sort()) out.push({ label: `kernel config ${p}`, entry: configs[p]! });
  return out;
}

/** The SHA256SUMS entries for the locked files under packages/ (paths relative to packages/). */
export function sumsFromLock(lock: Lock): SumEntry[] {
  const seen = new Map<string, string>();
  for (const { entry } of lockedFiles(lock)) {
    const rel = path.posix.relative(PACKAGES_DIR, entry.file);
    if (rel.startsWith('..') || path.posix.isAbsolute(rel)) continue;
    seen.set(rel, entry.sha256);
  }
  return [...seen.entries()].map(([file, sha256]) => ({ file, sha256 }));
}

/** Atomic write, skipped when the file already holds exactly `text` (keeps its mtime for tools that watch it). */
async function writeIfChanged(file: string, text: string): Promise<void> {
  const have = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (have !== text) await writeFileAtomic(file, text);
}

/**
 * Write the lock atomically (keeping the `toolchain` entry written by the build), then `packages/SHA256SUMS`.
 * The toolchain entry on disk wins over a missing one in `lock`, so vendoring never drops it.
 */
export async function writeLock(manifestDir: string, lock: Lock): Promise<void> {
  let toolchain = lock.toolchain;
  if (!toolchain) {
    const onDisk = await readLock(manifestDir).catch(() => undefined);
    toolchain = onDisk?.toolchain;
  }
  const full: Lock = { ...lock, lockVersion: 1, ...(toolchain ? { toolchain } : {}) };
  try {
    await writeIfChanged(lockPath(manifestDir), canonicalJson(full));
    const sums = sumsFromLock(full);
    const sumsFile = path.join(manifestDir, PACKAGES_DIR, SUMS_FILE);
    if (sums.length > 0) await writeIfChanged(sumsFile, formatSums(sums));
    else await fs.rm(sumsFile, { force: true });
  } catch (e) {
    fail(ioFailure(e, 'cannot write', lockPath(manifestDir)));
  }
}
