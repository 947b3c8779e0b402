/**
 * sha256 of files, streamed with a fixed large buffer (memory does not grow with file size), on worker threads so
 * that two files hash on two cores at once. The worker is plain JS evaluated in place, so it runs the same from
 * `dist/` and from the TypeScript sources.
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { sha256File } from '../core/hash-file.js';

export interface FileHash {
  sha256: string;
  size: number;
}
export type HashOutcome = ({ ok: true } & FileHash) | { ok: false; code: string; message: string };

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const buf = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, file }) => {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const h = crypto.createHash('sha256');
    let size = 0;
    let n;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) { h.update(buf.subarray(0, n)); size += n; }
    parentPort.postMessage({ id, ok: true, sha256: h.digest('hex'), size });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, code: String(e && e.code || 'EIO'), message: String(e && e.message || e) });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

/**
 * Hash `files`, up to `concurrency` at once: one on this thread, the others on worker threads (so one file costs no
 * worker start-up). Results in input order. Never rejects for per-file errors.
 */
export async function hashFiles(files: readonly string[], concurrency = 2): Promise<HashOutcome[]> {
  const results: HashOutcome[] = new Array(files.length);
  if (files.length === 0) return results;
  const n = Math.max(1, Math.min(concurrency, files.length));
  let next = 0;
  const runWorker = async (): Promise<void> => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    try {
      while (next < files.length) {
        const id = next++;
        results[id] = await new Promise<HashOutcome>((resolve, reject) => {
          const onMsg = (m: HashOutcome & { id: number }) => {
            if (m.id !== id) return;
            worker.off('message', onMsg);
            worker.off('error', reject);
            const { id: _drop, ...rest } = m;
            resolve(rest as HashOutcome);
          };
          worker.on('message', onMsg);
          worker.once('error', reject);
          worker.postMessage({ id, file: files[id] });
        });
      }
    } finally {
      await worker.terminate();
    }
  };
  const runHere = async (): Promise<void> => {
    while (next < files.length) {
      const id = next++;
      results[id] = await hashFile(files[id]!);
    }
  };
  await Promise.all([runHere(), ...Array.from({ length: n - 1 }, runWorker)]);
  return results;
}

/** Hash one file on this thread (no worker start-up: best for small files and one-offs). */
export async function hashFile(file: string): Promise<HashOutcome> {
  try {
    return { ok: true, ...(await sha256File(file)) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, code: err.code ?? 'EIO', message: err.message };
  }
}

/** An incremental hasher for data that streams past (downloads, copies). */
export function streamHasher(): { update(chunk: Uint8Array): void; digest(): FileHash } {
  const h = createHash('sha256');
  let size = 0;
  return {
    update(chunk) {
      h.update(chunk);
      size += chunk.length;
    },
    digest: () => ({ sha256: h.digest('hex'), size }),
  };
}
