/**
 * Hashes remembered by file identity, for the build's pre-flight check and the kconfig parse cache's key: a file
 * whose device, inode, size, mtime and ctime (nanoseconds) are unchanged since it was last hashed is not read again.
 * ctime cannot be set by a user, so any rewrite of the file, even one that restores its mtime, is hashed again.
 * `tarsmith verify` never uses this: it always reads every byte. The build's sources stage re-checks every tarball
 * with `sha256sum -c` inside the container in any case. One memo file (under the cache folder) serves every user.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readMemoFile, statIdentity, writeMemoFile } from './memo-file.js';
import { cacheRoot } from './cache-dir.js';
import { hashFile, type HashOutcome } from './hash-file.js';

export type { HashOutcome } from './hash-file.js';

/** Hashes files (results in input order); the lock's hasher reads several at once on worker threads. */
export type Hasher = (files: readonly string[]) => Promise<HashOutcome[]>;

/** One file after the other, on this thread. */
export const hashOneByOne: Hasher = async (files) => {
  const out: HashOutcome[] = [];
  for (const f of files) out.push(await hashFile(f));
  return out;
};

interface MemoEntry {
  id: string;
  sha256: string;
  size: number;
  used: number;
}

const MAX_ENTRIES = 2000;

/** A hit refreshes its entry's last-use time (and so rewrites the memo) only when that is older than this. */
const USE_REFRESH_MS = 60 * 60 * 1000;

export function memoFile(): string {
  return path.join(cacheRoot(), 'hash-memo.json');
}

async function identity(file: string): Promise<string | undefined> {
  try {
    const s = await fs.stat(file, { bigint: true });
    if (!s.isFile()) return undefined;
    return statIdentity(s);
  } catch {
    return undefined;
  }
}

/** The identity without its ctime: what a hard link to the file (or its removal) leaves unchanged. */
function contentIdentity(id: string): string {
  return id.slice(0, id.lastIndexOf(':'));
}

const readMemo = (file: string) => readMemoFile<MemoEntry>(file);

/** Hashes with `hasher`, but files unchanged since their last hash are answered from the memo. Results in input order. */
export async function hashFilesMemo(files: readonly string[], memoPath = memoFile(), hasher: Hasher = hashOneByOne): Promise<HashOutcome[]> {
  const memo = await readMemo(memoPath);
  const abs = files.map((f) => path.resolve(f));
  const ids = await Promise.all(abs.map(identity));
  const results: (HashOutcome | undefined)[] = abs.map((f, i) => {
    const hit = memo[f];
    return hit && ids[i] !== undefined && hit.id === ids[i] ? { ok: true, sha256: hit.sha256, size: hit.size } : undefined;
  });
  const todo = abs.filter((_, i) => results[i] === undefined);
  const fresh = todo.length ? await hasher(todo) : [];
  let k = 0;
  const now = Date.now();
  // The memo is rewritten (a few hundred kB, fsynced) only when it learned a hash, or to refresh the last-use time
  // of entries not used for an hour (what the eviction orders by): a build's many lookups of unchanged files
  // write nothing.
  let changed = false;
  for (const [i, f] of abs.entries()) {
    const hit = results[i] !== undefined;
    if (!hit) results[i] = fresh[k++]!;
    const r = results[i]!;
    const id = ids[i];
    if (!r.ok || id === undefined) continue;
    if (hit && now - (memo[f]?.used ?? 0) < USE_REFRESH_MS) continue;
    memo[f] = { id, sha256: r.sha256, size: r.size, used: now };
    changed = true;
  }
  if (changed) await writeMemoFile(memoPath, memo, MAX_ENTRIES);
  return results as HashOutcome[];
}

/**
 * Linking a file (staging a build context) or unlinking the link changes the file's ctime but not its bytes. After
 * tarsmith itself did that, carry the remembered hashes over to the new ctime, provided device, inode, size and
 * mtime are unchanged.
 */
export async function refreshAfterLinking(files: readonly string[], memoPath = memoFile()): Promise<void> {
  const memo = await readMemo(memoPath);
  let changed = false;
  for (const f of files.map((x) => path.resolve(x))) {
    const hit = memo[f];
    const id = await identity(f);
    if (!hit || id === undefined || hit.id === id || contentIdentity(hit.id) !== contentIdentity(id)) continue;
    memo[f] = { ...hit, id };
    changed = true;
  }
  if (changed) await writeMemoFile(memoPath, memo, MAX_ENTRIES);
}

/** Remember a hash tarsmith just computed while writing the file (so the next lookup does not read it again). */
export async function rememberHash(file: string, sha256: string, size: number, memoPath = memoFile()): Promise<void> {
  const f = path.resolve(file);
  const id = await identity(f);
  if (id === undefined) return;
  const memo = await readMemo(memoPath);
  memo[f] = { id, sha256, size, used: Date.now() };
  await writeMemoFile(memoPath, memo, MAX_ENTRIES);
}
