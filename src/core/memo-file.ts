/**
 * A memo kept as one JSON object in a file (the hash memo, the tools' version lines): read whole, written whole
 * and atomically, holding at most a given number of entries, the most recently used kept. A memo that cannot be
 * read is empty, one that cannot be written only costs time.
 */
import { promises as fs, type BigIntStats } from 'node:fs';
import { writeFileAtomic } from './fs-atomic.js';

/**
 * A file's identity as the memos key on it: device, inode, size, mtime and ctime in nanoseconds. Any rewrite,
 * replacement or metadata change (a chmod, a new hard link) gives another one.
 */
export function statIdentity(s: BigIntStats): string {
  return [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':');
}

export async function readMemoFile<T>(file: string): Promise<Record<string, T>> {
  try {
    const data = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, T>) : {};
  } catch {
    return {};
  }
}

/** Write the `max` most recently used entries (ties by key, so the bytes are stable). */
export async function writeMemoFile<T extends { used: number }>(file: string, memo: Record<string, T>, max: number): Promise<void> {
  const kept = Object.entries(memo).sort((a, b) => b[1].used - a[1].used || (a[0] < b[0] ? -1 : 1)).slice(0, max);
  await writeFileAtomic(file, `${JSON.stringify(Object.fromEntries(kept))}\n`).catch(() => undefined);
}
