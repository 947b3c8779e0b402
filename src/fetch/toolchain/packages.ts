/**
 * Vendoring `builder.packages`: the closure resolved over the builder's base (in a container, network on), every
 * `.deb`/`.apk` placed under packages/debs/ (packages/apks/) through the cache, and the lock's `builderPackages`
 * entry. A lock whose request and base still match the manifest is used as is (no resolution, no archive index
 * fetched); `--frozen` refuses any change and names it; `--update-packages` resolves again and reports the
 * version changes.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, TarsmithError, fail, isTarsmithError, type Failure } from '../../core/errors.js';
import { log } from '../../core/log.js';
import type { Manifest } from '../../manifest/types.js';
import { builderPackages } from '../../packages/builder.js';
import { PACKAGES_DIR, type LockedFile, type LockedPackage, type LockedPackages } from '../../lock/lock.js';
import { baseId, lockDrift } from '../../lock/builder-packages.js';
import { placeFromCandidates, placeKnown, type Candidate, type Target, type Via } from '../download.js';
import { mirrorFilesAt, mirrorUrlsAt, packageMirrorPaths } from '../local-mirror.js';
import { frozenFailure, whereOf, type VendorContext } from '../sources.js';
import { resolvePackages, type ResolverBase } from './resolve.js';
import { packageKey, type ResolvedPackage } from './types.js';

export interface PackageChange {
  key: string;
  /** Version in the old lock (absent: added). */
  from?: string;
  /** Version in the new lock (absent: removed). */
  to?: string;
}

export interface PlacedPackage {
  key: string;
  entry: LockedPackage;
  via: Via;
}

export interface PackagesOutcome {
  entry?: LockedPackages;
  placed: PlacedPackage[];
  /** Version changes against the old lock (empty when the lock was used as is). */
  changes: PackageChange[];
  resolved: boolean;
  /** Files of the old closure the new one lacks: removed by the caller once the new lock is written. */
  stale: string[];
}

export interface PackagesContext extends VendorContext {
  /** The docker client, asked for only when a resolution is needed. */
  docker: () => Promise<string>;
  updatePackages: boolean;
}

/** Where the package files live under packages/. */
export function packagesSubdir(family: 'apt' | 'apk'): string {
  return `${PACKAGES_DIR}/${family === 'apt' ? 'debs' : 'apks'}`;
}

/** The version changes between two locked closures, sorted by key. */
export function packageChanges(old: Record<string, LockedPackage>, now: Record<string, LockedPackage>): PackageChange[] {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  const out: PackageChange[] = [];
  for (const k of keys) {
    const a = old[k]?.version;
    const b = now[k]?.version;
    if (a !== b) out.push({ key: k, ...(a !== undefined ? { from: a } : {}), ...(b !== undefined ? { to: b } : {}) });
  }
  return out;
}

/** `+ name:arch 1.2`, `- name:arch 1.1`, `~ name:arch 1.1 → 1.2`: the lines `vendor` prints for a re-resolution. */
export function formatChanges(changes: readonly PackageChange[]): string[] {
  return changes.map((c) => (c.from === undefined ? `+ ${c.key} ${c.to}` : c.to === undefined ? `- ${c.key} ${c.from}` : `~ ${c.key} ${c.from} → ${c.to}`));
}

function lockedFrom(p: ResolvedPackage, dir: string): Omit<LockedPackage, 'sha256' | 'size'> {
  return { name: p.name, version: p.version, architecture: p.architecture, url: p.url, file: `${dir}/${p.fileName}` };
}

type Wanted = Omit<LockedPackage, 'sha256' | 'size'> & { sha256?: string };

async function place(ctx: VendorContext, want: Wanted, label: string): Promise<PlacedPackage> {
  const key = packageKey(want);
  const t: Target = {
    dir: ctx.manifest.dir,
    rel: want.file,
    label: `${label} ${key}`,
    ...(want.sha256 !== undefined ? { expected: want.sha256 } : {}),
    needTree: false,
    fix: () => `resolve the packages again: \`tarsmith vendor --update-packages\``,
  };
  // The project's mirrors first (folders, then vendor.mirrors URLs), by the names a package may have there.
  const rels = packageMirrorPaths(want);
  const candidates: Candidate[] = [
    ...[...(await mirrorFilesAt(ctx.mirrors, rels)), ...mirrorUrlsAt(ctx.mirrorUrls, rels)].map((url) => ({ via: 'mirror' as const, url })),
    { via: 'origin', url: want.url },
  ];
  const placed = want.sha256 !== undefined ? await placeKnown(t, candidates) : await placeFromCandidates(t, candidates);
  const { sha256: _s, ...rest } = want;
  return { key, via: placed.via, entry: { ...rest, sha256: placed.sha256, size: placed.size } };
}

/** Place every wanted file, four at a time; every failure is collected and reported together. */
export async function placeAll(ctx: VendorContext, wanted: Wanted[], label = 'builder package'): Promise<PlacedPackage[]> {
  await fs.mkdir(path.join(ctx.manifest.dir, ...path.posix.dirname(wanted[0]?.file ?? PACKAGES_DIR).split('/')), { recursive: true });
  const out: PlacedPackage[] = [];
  const failures: Failure[] = [];
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const w = wanted[next++]!;
      try {
        out.push(await place(ctx, w, label));
      } catch (e) {
        if (!isTarsmithError(e)) throw e;
        failures.push(...e.failures);
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  if (failures.length) throw new TarsmithError(failures);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function resolverBase(m: Manifest, rootfs: LockedFile | undefined): ResolverBase {
  if (m.builder?.rootfs !== undefined) {
    if (!rootfs) fail({ code: 'toolchain.no-rootfs', message: 'the builder rootfs is not vendored', exit: ExitCode.usage, hint: 'fix the builder rootfs first (see the error above)' });
    return { kind: 'rootfs', file: path.join(m.dir, ...rootfs.file.split('/')), sha256: rootfs.sha256 };
  }
  return { kind: 'image', ref: m.builder!.image! };
}

/** The files of the old closure that the new one no longer has (tarsmith's own files under packages/debs/). */
function staleFiles(old: LockedPackages | undefined, now: LockedPackages): string[] {
  const keep = new Set(Object.values(now.packages).map((p) => p.file));
  return Object.values(old?.packages ?? {})
    .map((p) => p.file)
    .filter((f) => !keep.has(f) && (f.startsWith(`${PACKAGES_DIR}/debs/`) || f.startsWith(`${PACKAGES_DIR}/apks/`)));
}

/** Remove files of an old closure (after the lock that no longer names them was written). */
export async function removeStale(dir: string, files: readonly string[]): Promise<void> {
  for (const f of files) {
    log.verbose(`removing ${f}: no longer in the closure`);
    await fs.rm(path.join(dir, ...f.split('/')), { force: true });
  }
}

export async function vendorBuilderPackages(ctx: PackagesContext, rootfs: LockedFile | undefined): Promise<PackagesOutcome> {
  const m = ctx.manifest;
  const b = m.builder;
  if (!b || b.packages.length === 0) return { placed: [], changes: [], resolved: false, stale: [] };
  const base = baseId(m, rootfs);
  const old = ctx.old.builderPackages;
  const drift = lockDrift(m, old, base);
  if (ctx.frozen && drift !== undefined) fail(frozenFailure('builder.packages', drift, whereOf(m, '/builder/packages')));
  const dir = packagesSubdir(b.family);
  if (drift === undefined && !ctx.updatePackages && old) {
    const placed = await placeAll(ctx, Object.values(old.packages));
    return { entry: { ...old, packages: Object.fromEntries(placed.map((p) => [p.key, p.entry])) }, placed, changes: [], resolved: false, stale: [] };
  }
  if (drift !== undefined) log.info(`${drift}: resolving the closure again`);
  const names = b.family === 'apt' ? b.packages : builderPackages(m, b).packages;
  const res = await resolvePackages({ docker: await ctx.docker(), base: resolverBase(m, rootfs), family: b.family, names });
  const placed = await placeAll(ctx, res.packages.map((p) => ({ ...lockedFrom(p, dir), ...(p.sha256 !== undefined ? { sha256: p.sha256 } : {}) })));
  const entry: LockedPackages = {
    family: b.family,
    request: [...b.packages],
    base,
    foreignArchitectures: res.foreign,
    packages: Object.fromEntries(placed.map((p) => [p.key, p.entry])),
  };
  return { entry, placed, changes: packageChanges(old?.packages ?? {}, entry.packages), resolved: true, stale: staleFiles(old, entry) };
}
