/**
 * `tarsmith vendor` for builder.bootstrap: the declared base resolved to its exact package set against the archive
 * (only when the lock does not answer it, or with --update-packages), every .deb placed under packages/rootfs/debs/
 * through the cache, then the rootfs made from those files alone and locked as `rootfs` like any rootfs tarball.
 * The rootfs is made here, not later, because builder.packages are resolved over it in the same run.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail } from '../../core/errors.js';
import { log } from '../../core/log.js';
import { PACKAGES_DIR, type LockedBootstrap, type LockedFile } from '../../lock/lock.js';
import { hashFile } from '../../lock/hash.js';
import { fromCache, toCache } from '../cache.js';
import type { Via } from '../download.js';
import { frozenFailure, whereOf, type VendorContext } from '../sources.js';
import { packageChanges, placeAll, type PackageChange, type PlacedPackage } from '../toolchain/packages.js';
import { makeRootfs } from './make.js';
import { ROOTFS_DEBS_DIR, bootstrapDrift } from './request.js';
import { resolveBootstrap } from './resolve.js';

export interface BootstrapOutcome {
  rootfs: LockedFile;
  via: Via;
  entry: LockedBootstrap;
  placed: PlacedPackage[];
  resolved: boolean;
  changes: PackageChange[];
  /** Files of an old set the new one lacks: removed by the caller once the new lock is written. */
  stale: string[];
}

async function lockedSet(ctx: VendorContext, update: boolean): Promise<{ entry: LockedBootstrap; placed: PlacedPackage[]; resolved: boolean }> {
  const m = ctx.manifest;
  const b = m.builder!.bootstrap!;
  const old = ctx.old.rootfsBootstrap;
  const drift = bootstrapDrift(b, m.sourceDateEpoch, old);
  if (ctx.frozen && drift !== undefined) fail(frozenFailure('builder.bootstrap', drift, whereOf(m, '/builder/bootstrap')));
  if (drift === undefined && !update && old) {
    const placed = await placeAll(ctx, Object.values(old.packages), 'rootfs package');
    return { entry: { ...old, packages: Object.fromEntries(placed.map((p) => [p.key, p.entry])) }, placed, resolved: false };
  }
  if (drift !== undefined) log.info(`${drift}: resolving the builder rootfs again`);
  const debs = await resolveBootstrap(b, m.sourceDateEpoch);
  const wanted = debs.map((d) => ({ name: d.name, version: d.version, architecture: d.architecture, url: d.url, file: `${ROOTFS_DEBS_DIR}/${d.fileName}`, sha256: d.sha256 }));
  const placed = await placeAll(ctx, wanted, 'rootfs package');
  const entry: LockedBootstrap = {
    suite: b.suite,
    variant: b.variant,
    architecture: b.architecture,
    components: [...b.components],
    mirror: b.mirror,
    request: [...b.packages],
    sourceDateEpoch: m.sourceDateEpoch,
    packages: Object.fromEntries(placed.map((p) => [p.key, p.entry])),
  };
  return { entry, placed, resolved: true };
}

/** The rootfs file: present with the locked bytes, from the cache, or made from the locked packages. */
async function placeRootfs(ctx: VendorContext, entry: LockedBootstrap, resolved: boolean): Promise<{ rootfs: LockedFile; via: Via }> {
  const m = ctx.manifest;
  const rel = m.builder!.rootfs!;
  const dest = path.join(m.dir, ...rel.split('/'));
  const locked = resolved ? undefined : ctx.old.rootfs?.file === rel ? ctx.old.rootfs : undefined;
  if (locked) {
    const have = await hashFile(dest);
    if (have.ok && have.sha256 === locked.sha256) return { rootfs: locked, via: 'present' };
    const c = await fromCache(locked.sha256, dest);
    if (c) {
      await fs.rename(c.tmp, dest);
      return { rootfs: locked, via: 'cache' };
    }
  }
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const made = await makeRootfs(m.dir, entry, dest);
  if (locked && made.sha256 !== locked.sha256) {
    await fs.rm(made.tmp, { force: true });
    fail({
      code: 'rootfs.not-reproduced',
      message: `the rootfs made from the locked packages has sha256 ${made.sha256}, ${'tarsmith.lock'} records ${locked.sha256}`,
      exit: ExitCode.checkFailed,
      value: rel,
      hint: 'the same packages gave other bytes: compare the two with diffoscope; if the lock is stale, run `tarsmith vendor --update-packages`',
    });
  }
  await fs.rename(made.tmp, dest);
  await toCache(dest, made.sha256);
  log.info(`builder rootfs ${rel}: made from packages/ in ${made.seconds.toFixed(1)} s, sha256 ${made.sha256.slice(0, 16)}…`);
  return { rootfs: { file: rel, size: made.size, sha256: made.sha256 }, via: 'local' };
}

export async function vendorBootstrap(ctx: VendorContext, update: boolean): Promise<BootstrapOutcome> {
  const set = await lockedSet(ctx, update);
  const { rootfs, via } = await placeRootfs(ctx, set.entry, set.resolved);
  const keep = new Set(Object.values(set.entry.packages).map((p) => p.file));
  const stale = Object.values(ctx.old.rootfsBootstrap?.packages ?? {})
    .map((p) => p.file)
    .filter((f) => !keep.has(f) && f.startsWith(`${PACKAGES_DIR}/rootfs/`));
  const changes = set.resolved ? packageChanges(ctx.old.rootfsBootstrap?.packages ?? {}, set.entry.packages) : [];
  return { rootfs, via, entry: set.entry, placed: set.placed, resolved: set.resolved, changes, stale };
}
