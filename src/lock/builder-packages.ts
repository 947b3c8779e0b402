/** Does the lock's `builderPackages` entry still describe the manifest's builder? (No network: the engine asks too.) */
import type { Manifest } from '../manifest/types.js';
import type { LockedFile, LockedPackages } from './lock.js';

/** What the closure is resolved over: `rootfs:<sha256>` or `image:<ref>`. */
export function baseId(m: Manifest, rootfs: LockedFile | undefined): string {
  return m.builder?.rootfs !== undefined ? `rootfs:${rootfs?.sha256 ?? ''}` : `image:${m.builder?.image ?? ''}`;
}

/** Why the locked entry no longer matches the manifest, or undefined when it does. */
export function lockDrift(m: Manifest, old: LockedPackages | undefined, base: string): string | undefined {
  const b = m.builder!;
  if (!old) return 'builder.packages are not locked yet';
  if (old.family !== b.family) return `builder.family changed from ${old.family} to ${b.family}`;
  const added = b.packages.filter((p) => !old.request.includes(p));
  const removed = old.request.filter((p) => !b.packages.includes(p));
  if (added.length || removed.length) {
    const parts = [...(added.length ? [`added ${added.join(', ')}`] : []), ...(removed.length ? [`removed ${removed.join(', ')}`] : [])];
    return `builder.packages changed: ${parts.join('; ')}`;
  }
  if (old.request.join('\n') !== b.packages.join('\n')) return 'builder.packages were reordered';
  if (old.base !== base) return `the builder base changed (${old.base.slice(0, 23)}… → ${base.slice(0, 23)}…), so the closure must be resolved over it again`;
  return undefined;
}

