/**
 * sha256 of a file on the calling thread, read in 1 MiB blocks (memory does not grow with the file). Reads overlap
 * hashing: two buffers, the next block is read (on libuv's thread pool) while this thread hashes the last one, so
 * one large file costs about its hashing time alone. Throws I/O errors.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

const BLOCK = 1 << 20;

export interface FileHash {
  sha256: string;
  size: number;
}
/** A file's hash, or why it could not be read (`code` is the I/O error's code). */
export type HashOutcome = ({ ok: true } & FileHash) | { ok: false; code: string; message: string };

export async function sha256File(file: string): Promise<FileHash> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    const h = createHash('sha256');
    let bufs = [Buffer.allocUnsafe(BLOCK), Buffer.allocUnsafe(BLOCK)] as const;
    let size = 0;
    let pending = fh.read(bufs[0], 0, BLOCK, 0);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const full = bufs[0];
      size += bytesRead;
      pending = fh.read(bufs[1], 0, BLOCK, size);
      h.update(full.subarray(0, bytesRead));
      bufs = [bufs[1], bufs[0]];
    }
    return { sha256: h.digest('hex'), size };
  } finally {
    await fh?.close();
  }
}

/** `sha256File` with its I/O error as an outcome instead of a throw. */
export async function hashFile(file: string): Promise<HashOutcome> {
  try {
    return { ok: true, ...(await sha256File(file)) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, code: err.code ?? 'EIO', message: err.message };
  }
}
