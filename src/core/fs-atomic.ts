/** Atomic file writes: write to a temp path in the same folder, fsync, rename into place. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { trackTemp, untrackTemp } from './cleanup.js';
import { installSignalHandlers, processAlive } from './exec.js';

/** A temp path beside `target`, on the same file system so that rename is atomic. */
export function tempSibling(target: string, tag = 'tmp'): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * A new temp file beside `target` (same file system), filled by `fill`, fsynced and closed; removed if anything
 * fails. Returns its path: the caller renames it into place or removes it.
 */
export async function writeTempBeside(
  target: string,
  fill: (fh: fs.FileHandle) => Promise<void>,
  opts: { mode?: number; tag?: string } = {},
): Promise<string> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target, opts.tag);
  const fh = await fs.open(tmp, 'wx', opts.mode ?? 0o644);
  try {
    await fill(fh);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  return tmp;
}

export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  opts: { mode?: number } = {},
): Promise<void> {
  const tmp = await writeTempBeside(target, (fh) => fh.writeFile(data), opts);
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** A fresh temp folder beside `target` (same file system), removed if `fn` throws. Returns fn's value. */
export async function withTempDirBeside<T>(target: string, fn: (dir: string) => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const dir = tempSibling(target, 'partial');
  installSignalHandlers();
  trackTemp(dir);
  await fs.mkdir(dir, { recursive: false });
  try {
    return await fn(dir);
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  } finally {
    untrackTemp(dir);
  }
}

/**
 * Remove what a killed run left beside `target`: `.<name>.<tag>-<pid>-<hex>` temp paths whose process is gone.
 * Returns how many were removed.
 */
export async function clearStaleTemps(target: string, tags: readonly string[] = ['partial', 'tmp', 'old']): Promise<number> {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^([a-z]+)-(\d+)-[0-9a-f]{8}$/.exec(n.slice(prefix.length));
    if (!m || !tags.includes(m[1] as string)) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || processAlive(pid)) continue;
    await fs.rm(path.join(dir, n), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Replace folder `target` by folder `staged` (both on one file system), as close to atomically as POSIX allows. */
export async function replaceDir(staged: string, target: string): Promise<void> {
  const old = tempSibling(target, 'old');
  let moved = false;
  try {
    await fs.rename(target, old);
    moved = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await fs.rename(staged, target);
  if (moved) await fs.rm(old, { recursive: true, force: true });
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
