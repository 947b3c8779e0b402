/**
 * The local content-addressed cache: `$XDG_CACHE_HOME/tarsmith/sha256/<hash>` (default `~/.cache/tarsmith`).
 * Entries are whole files named by their sha256; they are re-hashed whenever they are copied out.
 */
import { constants, createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cacheRoot } from '../core/cache-dir.js';
import { tempSibling, writeTempBeside } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { streamHasher, type FileHash } from '../lock/hash.js';

export { cacheRoot };

export function cachePath(sha256: string): string {
  return path.join(cacheRoot(), 'sha256', sha256);
}

/** Copy `src` to a temp file beside `target`, hashing on the way. The caller renames or removes the temp file. */
export async function copyHashed(src: string, target: string, tag = 'copy'): Promise<FileHash & { tmp: string }> {
  const hasher = streamHasher();
  const tmp = await writeTempBeside(
    target,
    async (fh) => {
      for await (const chunk of createReadStream(src, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
        hasher.update(chunk);
        await fh.write(chunk);
      }
    },
    { tag },
  );
  return { ...hasher.digest(), tmp };
}

/** A cached copy of `sha256` as a temp file beside `target`, or undefined (absent or corrupt entries are skipped). */
export async function fromCache(sha256: string, target: string): Promise<(FileHash & { tmp: string }) | undefined> {
  const src = cachePath(sha256);
  try {
    await fs.access(src);
  } catch {
    return undefined;
  }
  const got = await copyHashed(src, target, 'cache');
  if (got.sha256 !== sha256) {
    await fs.rm(got.tmp, { force: true });
    log.warn(`cache entry ${src} is corrupt (its sha256 is ${got.sha256}); removing it`);
    await fs.rm(src, { force: true });
    return undefined;
  }
  return got;
}

/** Store `file` (known to hash to `sha256`) in the cache. Best effort: a failure only warns. */
export async function toCache(file: string, sha256: string): Promise<void> {
  const dest = cachePath(sha256);
  try {
    await fs.access(dest);
    return;
  } catch {
    /* not cached yet */
  }
  const tmp = tempSibling(dest, 'put');
  try {
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.copyFile(file, tmp, constants.COPYFILE_FICLONE);
    await fs.rename(tmp, dest);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    log.warn(`cannot store ${path.basename(file)} in the cache ${cacheRoot()}: ${(e as Error).message}`);
  }
}
