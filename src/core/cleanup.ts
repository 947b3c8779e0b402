/**
 * Temp paths to remove if the process is interrupted (Ctrl-C, SIGTERM): the signal handler in exec.ts removes
 * them synchronously before the process ends, so an interrupted command leaves nothing half-written behind.
 */
import { rmSync } from 'node:fs';

const tracked = new Set<string>();

export function trackTemp(p: string): void {
  tracked.add(p);
}

export function untrackTemp(p: string): void {
  tracked.delete(p);
}

/** Remove every tracked path (best effort; called from the signal handler). */
export function removeTrackedSync(): void {
  for (const p of tracked) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      /* best effort while exiting */
    }
  }
  tracked.clear();
}
