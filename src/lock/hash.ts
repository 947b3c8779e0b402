/**
 * sha256 of files, streamed with two fixed 1 MiB buffers (memory does not grow with file size; the next block is
 * read while the last is hashed), on worker threads so that two files hash on two cores at once. The worker is plain JS evaluated in place, so it runs the same from
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
const fsp = require('node:fs/promises');
const crypto = require('node:crypto');
const BLOCK = 1 << 20;
// Two buffers: the next block is read on the thread pool while this thread hashes the last one.
let bufs = [Buffer.allocUnsafe(BLOCK), Buffer.allocUnsafe(BLOCK)];
async function hash(file) {
  const fh = await fsp.open(file, 'r');
  try {
    const h = crypto.createHash('sha256');
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
    await fh.close();
  }
}
parentPort.on('message', ({ id, file }) => {
  hash(file).then(
    (r) => parentPort.postMessage({ id, ok: true, ...r }),
    (e) => parentPort.postMessage({ id, ok: false, code: String(e && e.code || 'EIO'), message: String(e && e.message || e) }),
  );
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
