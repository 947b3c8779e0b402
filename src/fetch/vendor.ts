/**
 * `tarsmith vendor`: bring every source, patch and the builder rootfs into packages/ and record them in the lock.
 * The lock is rewritten after each input that changed, so an interrupted run leaves packages/ and the lock
 * consistent; `--frozen` never writes and fails on any change.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, TarsmithError, fail, isTarsmithError, unreachable, type Failure } from '../core/errors.js';
import { log } from '../core/log.js';
import { processAlive } from '../core/exec.js';
import { kernelConfigFiles, type Manifest, type Source } from '../manifest/types.js';
import type { Via } from './download.js';
import { LOCK_FILE, PACKAGES_DIR, canonicalJson, emptyLock, readLock, writeLock, type Lock, type LockedFile, type LockedSource } from '../lock/lock.js';
import { REJECTED_DIR } from '../lock/mismatch.js';
import { projectMirrors } from './local-mirror.js';
import { removeStale, vendorBuilderPackages, type PackageChange } from './toolchain/packages.js';
import { vendorBootstrap, type BootstrapOutcome } from './rootfs/vendor.js';
import { fileNameFromUrl, frozenFailure, localTarget, vendorGit, vendorLocal, vendorUrl, whereOf, type VendorContext } from './sources.js';

export interface VendorOptions {
  frozen?: boolean;
  /** Source names to re-resolve (a moved branch, a re-released tarball). */
  update?: string[];
  /** Resolve builder.packages again over the base (newer versions from the archive), reporting the changes. */
  updatePackages?: boolean;
  /** `--mirror` folders (absolute, checked by `mirrorDirs`): tarballs and bare git repositories, looked in first. */
  mirrors?: string[];
  /** The docker client that runs the package resolver (asked for only when a resolution is needed). */
  docker?: () => Promise<string>;
}

export interface VendorItem {
  kind: 'source' | 'patch' | 'rootfs' | 'rootfs-package' | 'package' | 'kernel-config';
  name: string;
  file: string;
  sha256: string;
  size: number;
  via: Via;
  changed: boolean;
}

export interface VendorReport {
  lockChanged: boolean;
  items: VendorItem[];
  lock: Lock;
  /** Version changes of the builder packages, when their closure was resolved again. */
  packageChanges: PackageChange[];
  /** True when builder.packages were resolved over the base in this run (the network was used for it). */
  packagesResolved: boolean;
  /** Version changes of the rootfs packages (builder.bootstrap), when the set was resolved again. */
  rootfsChanges: PackageChange[];
  /** True when builder.bootstrap was resolved against the archive in this run. */
  rootfsResolved: boolean;
}

/** Remove temp files left by a run that was killed (their pid is gone). Never touches final names. */
export async function cleanStaleTemps(dir: string): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== REJECTED_DIR) await cleanStaleTemps(p);
      continue;
    }
    const pid = tempOwner(e.name);
    if (pid !== undefined && !processAlive(pid)) {
      log.verbose(`removing ${p}, left by an interrupted run`);
      await fs.rm(p, { force: true });
    }
  }
}

/** `.<base>.<tag>-<pid>-<8 hex>` as made by tempSibling → pid. */
export function tempOwner(name: string): number | undefined {
  if (!name.startsWith('.')) return undefined;
  const parts = name.split('-');
  const hex = parts.at(-1) ?? '';
  const pid = Number(parts.at(-2));
  if (hex.length !== 8 || !/^[0-9a-f]{8}$/.test(hex) || !Number.isInteger(pid) || pid <= 0) return undefined;
  return pid;
}

function checkUpdateNames(m: Manifest, names: readonly string[]): void {
  const known = new Set(m.sources.map((s) => s.name));
  const bad = names.filter((n) => !known.has(n));
  if (bad.length) {
    fail({
      code: 'usage.unknown-source',
      message: `--update names no source: ${bad.join(', ')}`,
      exit: ExitCode.usage,
      value: bad[0]!,
      hint: `use one of: ${[...known].join(', ')}`,
    });
  }
}

function sameEntry(a: LockedFile | undefined, b: LockedFile): boolean {
  return a !== undefined && canonicalJson(a) === canonicalJson(b);
}

async function vendorSource(ctx: VendorContext, s: Source): Promise<{ entry: LockedSource; via: Via }> {
  const o = s.origin;
  switch (o.kind) {
    case 'url': {
      const r = await vendorUrl(ctx, s);
      return { entry: r.entry, via: r.placed.via };
    }
    case 'git': {
      const r = await vendorGit(ctx, s);
      return { entry: r.entry, via: r.placed.via };
    }
    case 'file': {
      const i = ctx.manifest.sources.indexOf(s);
      const locked = ctx.old.sources[s.name];
      const lockedFile = locked?.origin === 'file' && locked.path === o.file ? locked : undefined;
      const r = await vendorLocal(ctx, {
        path: o.file,
        label: `source "${s.name}"`,
        ...(s.sha256 ? { pinned: s.sha256 } : {}),
        ...(lockedFile ? { locked: lockedFile, lockedTree: lockedFile.treeHash } : {}),
        where: whereOf(ctx.manifest, `/sources/${i}/file`),
        fix: (actual) => `${whereOf(ctx.manifest, `/sources/${i}/sha256`).file}  sha256: ${actual}`,
        tree: s.extract,
      });
      // A plain file (extract: false) has no tree besides itself: its tree hash is its sha256.
      const treeHash = s.extract ? r.treeHash! : r.sha256;
      const entry: LockedSource = { origin: 'file', path: o.file, file: r.rel, size: r.size, sha256: r.sha256, treeHash };
      return { entry, via: r.via };
    }
    default:
      return unreachable(o, 'source origin');
  }
}

interface Job {
  kind: VendorItem['kind'];
  name: string;
  /** The file it will be vendored to, when known before fetching (not for git: it names the commit). */
  planned?: string;
  run: () => Promise<{ entry: LockedFile; via: Via; more?: VendorItem[] }>;
  old: LockedFile | undefined;
  store: (lock: Lock, entry: LockedFile) => void;
}

/** What the bootstrap job leaves for the end of the run. */
interface BootstrapState {
  outcome?: BootstrapOutcome;
}

/** builder.bootstrap: the locked set (resolved when needed), its files, the rootfs made from them. */
function bootstrapJob(ctx: VendorContext, update: boolean, state: BootstrapState): Job {
  const rootfs = ctx.manifest.builder!.rootfs!;
  return {
    kind: 'rootfs',
    name: rootfs,
    planned: localTarget(rootfs),
    run: async () => {
      const o = await vendorBootstrap(ctx, update);
      state.outcome = o;
      const old = ctx.old.rootfsBootstrap?.packages ?? {};
      const more = o.placed.map((p): VendorItem => ({ kind: 'rootfs-package', name: p.key, file: p.entry.file, sha256: p.entry.sha256, size: p.entry.size, via: p.via, changed: !sameEntry(old[p.key], p.entry) }));
      return { entry: o.rootfs, via: o.via, more };
    },
    old: ctx.old.rootfs,
    store: (lock, e) => {
      lock.rootfs = e;
      if (state.outcome) lock.rootfsBootstrap = state.outcome.entry;
    },
  };
}

function jobs(ctx: VendorContext, update: boolean, state: BootstrapState): Job[] {
  const m = ctx.manifest;
  const out: Job[] = m.sources.map((s): Job => ({
    kind: 'source',
    name: s.name,
    ...plannedFile(s),
    run: () => vendorSource(ctx, s),
    old: ctx.old.sources[s.name],
    store: (lock, e) => (lock.sources[s.name] = e as LockedSource),
  }));
  const patches = new Map<string, number[]>();
  m.sources.forEach((s, i) => s.patches.forEach((p, j) => patches.has(p) || patches.set(p, [i, j])));
  for (const [p, [i, j]] of patches) {
    const locked = ctx.old.patches[p];
    out.push({
      kind: 'patch',
      name: p,
      planned: localTarget(p),
      run: async () => {
        const r = await vendorLocal(ctx, {
          path: p, label: `patch ${p}`, ...(locked ? { locked } : {}), where: whereOf(m, `/sources/${i}/patches/${j}`),
          fix: (a) => `${LOCK_FILE}  patches."${p}".sha256: "${a}"`, tree: false,
        });
        return { entry: { file: r.rel, size: r.size, sha256: r.sha256 }, via: r.via };
      },
      old: locked,
      store: (lock, e) => (lock.patches[p] = e),
    });
  }
  out.push(...kernelConfigJobs(ctx));
  const rootfs = m.builder?.rootfs;
  if (m.builder?.bootstrap) out.push(bootstrapJob(ctx, update, state));
  else if (rootfs !== undefined) {
    const locked = ctx.old.rootfs;
    out.push({
      kind: 'rootfs',
      name: rootfs,
      planned: localTarget(rootfs),
      run: async () => {
        const r = await vendorLocal(ctx, {
          path: rootfs, label: 'builder rootfs', ...(locked ? { locked } : {}), where: whereOf(m, '/builder/rootfs'),
          fix: (a) => `${LOCK_FILE}  rootfs.sha256: "${a}"`, tree: false,
        });
        return { entry: { file: r.rel, size: r.size, sha256: r.sha256 }, via: r.via };
      },
      old: locked,
      store: (lock, e) => (lock.rootfs = e),
    });
  }
  return out;
}

/** The kernel's base config file and fragments: local plain files, locked like patches. */
function kernelConfigJobs(ctx: VendorContext): Job[] {
  const m = ctx.manifest;
  if (!m.kernel) return [];
  return kernelConfigFiles(m.kernel, m.positions).map(({ path: p, pointer }): Job => {
    const locked = ctx.old.kernelConfigs?.[p];
    return {
      kind: 'kernel-config',
      name: p,
      planned: localTarget(p),
      run: async () => {
        const r = await vendorLocal(ctx, {
          path: p, label: `kernel config ${p}`, ...(locked ? { locked } : {}), where: whereOf(m, pointer),
          fix: (a) => `${LOCK_FILE}  kernelConfigs."${p}".sha256: "${a}"`, tree: false,
        });
        return { entry: { file: r.rel, size: r.size, sha256: r.sha256 }, via: r.via };
      },
      old: locked,
      store: (lock, e) => (lock.kernelConfigs = { ...(lock.kernelConfigs ?? {}), [p]: e }),
    };
  });
}

function plannedFile(s: Source): { planned?: string } {
  const o = s.origin;
  switch (o.kind) {
    case 'url':
      return { planned: `${PACKAGES_DIR}/${fileNameFromUrl(o.url, s.name)}` };
    case 'file':
      return { planned: localTarget(o.file) };
    case 'git':
      return {};
    default:
      return unreachable(o, 'source origin');
  }
}

/** Two inputs that would land on one file are refused before anything is fetched. */
function checkClashes(list: readonly Job[]): void {
  const seen = new Map<string, string>();
  for (const j of list) {
    if (j.planned === undefined) continue;
    const prev = seen.get(j.planned);
    if (prev !== undefined) {
      fail({
        code: 'vendor.file-clash',
        message: `${j.kind} ${j.name} and ${prev} would both be vendored to ${j.planned}`,
        exit: ExitCode.usage,
        value: j.planned,
        hint: 'rename one of the files (for url sources, the file name is the last part of the URL)',
      });
    }
    seen.set(j.planned, `${j.kind} ${j.name}`);
  }
}

/** Vendor everything the manifest names. Throws a TarsmithError listing every input that failed. */
export async function vendor(manifest: Manifest, opts: VendorOptions = {}): Promise<VendorReport> {
  const update = opts.update ?? [];
  if (opts.frozen && (update.length || opts.updatePackages)) {
    fail({
      code: 'usage.frozen-update',
      message: `--frozen and ${update.length ? '--update' : '--update-packages'} cannot be used together`,
      exit: ExitCode.usage,
      hint: '--update re-resolves a source (a lock change), --frozen forbids lock changes: drop one of them',
    });
  }
  checkUpdateNames(manifest, update);
  const onDisk = await readLock(manifest.dir);
  if (!onDisk && opts.frozen) {
    fail(frozenFailure('the project', `there is no ${LOCK_FILE}`, { file: path.join(manifest.dir, LOCK_FILE) }));
  }
  const old = onDisk ?? emptyLock();
  const { dirs, urls } = await projectMirrors(manifest, opts.mirrors ?? []);
  const ctx: VendorContext = { manifest, old, frozen: Boolean(opts.frozen), update: new Set(update), mirrors: dirs, mirrorUrls: urls };
  await fs.mkdir(path.join(manifest.dir, PACKAGES_DIR), { recursive: true });
  await cleanStaleTemps(path.join(manifest.dir, PACKAGES_DIR));
  const working: Lock = structuredClone(old);
  const final: Lock = { lockVersion: 1, sources: {}, patches: {}, ...(old.toolchain ? { toolchain: old.toolchain } : {}) };
  const items: VendorItem[] = [];
  const failures: Failure[] = [];
  const state: BootstrapState = {};
  const todo = jobs(ctx, Boolean(opts.updatePackages), state);
  checkClashes(todo);
  for (const job of todo) {
    try {
      const { entry, via, more } = await job.run();
      const changed = !sameEntry(job.old, entry) || (more ?? []).some((i) => i.changed);
      items.push({ kind: job.kind, name: job.name, file: entry.file, sha256: entry.sha256, size: entry.size, via, changed }, ...(more ?? []));
      job.store(final, entry);
      if (changed && !ctx.frozen) {
        job.store(working, entry);
        await writeLock(manifest.dir, working);
      }
    } catch (e) {
      if (!isTarsmithError(e)) throw e;
      failures.push(...e.failures);
    }
  }
  const pk = failures.length ? undefined : await packagesJob(ctx, opts, final, working, items).catch((e: unknown) => {
    if (!isTarsmithError(e)) throw e;
    failures.push(...e.failures);
    return undefined;
  });
  if (failures.length) throw new TarsmithError(failures);
  const lockChanged = canonicalJson(final) !== canonicalJson(old);
  if (lockChanged && ctx.frozen) fail(frozenFailure('the project', 'inputs were added or removed since the lock was written'));
  if (!ctx.frozen) {
    await writeLock(manifest.dir, final);
    await removeStale(manifest.dir, [...(state.outcome?.stale ?? []), ...(pk?.stale ?? [])]);
  }
  return {
    lockChanged,
    items,
    lock: final,
    packageChanges: pk?.changes ?? [],
    packagesResolved: pk?.resolved ?? false,
    rootfsChanges: state.outcome?.changes ?? [],
    rootfsResolved: state.outcome?.resolved ?? false,
  };
}

/** builder.packages, after the rootfs (their closure is resolved over it); written to the lock in one step. */
async function packagesJob(ctx: VendorContext, opts: VendorOptions, final: Lock, working: Lock, items: VendorItem[]) {
  const docker = opts.docker ?? (async () => process.env.TARSMITH_DOCKER ?? 'docker');
  const r = await vendorBuilderPackages({ ...ctx, docker, updatePackages: Boolean(opts.updatePackages) }, final.rootfs);
  const old = ctx.old.builderPackages?.packages ?? {};
  for (const p of r.placed) {
    const changed = !sameEntry(old[p.key], p.entry);
    items.push({ kind: 'package', name: p.key, file: p.entry.file, sha256: p.entry.sha256, size: p.entry.size, via: p.via, changed });
  }
  if (r.entry) final.builderPackages = r.entry;
  if (r.entry && !ctx.frozen && canonicalJson(r.entry) !== canonicalJson(working.builderPackages ?? null)) {
    working.builderPackages = r.entry;
    await writeLock(ctx.manifest.dir, working);
  }
  return r;
}
