/**
 * builder.bootstrap against the lock: does the locked package set still answer the declared base? (No network.)
 * The keyring is not part of the request: it only verifies the archive at vendor time.
 */
import type { Bootstrap } from '../../manifest/types.js';
import { PACKAGES_DIR, type LockedBootstrap } from '../../lock/lock.js';

/** Where the rootfs's .deb files live (apart from builder.packages' packages/debs/: two closures, two folders). */
export const ROOTFS_DEBS_DIR = `${PACKAGES_DIR}/rootfs/debs`;

/** Why the locked set no longer answers builder.bootstrap, or undefined when it does. */
export function bootstrapDrift(b: Bootstrap, epoch: number, old: LockedBootstrap | undefined): string | undefined {
  if (!old) return 'builder.bootstrap is not locked yet';
  for (const k of ['suite', 'variant', 'architecture', 'mirror'] as const) {
    if (old[k] !== b[k]) return `builder.bootstrap.${k} changed from ${old[k]} to ${b[k]}`;
  }
  if (old.components.join(',') !== b.components.join(',')) return `builder.bootstrap.components changed from ${old.components.join(',')} to ${b.components.join(',')}`;
  const added = b.packages.filter((p) => !old.request.includes(p));
  const removed = old.request.filter((p) => !b.packages.includes(p));
  if (added.length || removed.length) {
    const parts = [...(added.length ? [`added ${added.join(', ')}`] : []), ...(removed.length ? [`removed ${removed.join(', ')}`] : [])];
    return `builder.bootstrap.packages changed: ${parts.join('; ')}`;
  }
  if (old.sourceDateEpoch !== epoch) return `sourceDateEpoch changed from ${old.sourceDateEpoch} to ${epoch} (the rootfs is made with it)`;
  return undefined;
}
