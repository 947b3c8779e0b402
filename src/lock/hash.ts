/**
 * sha256 of files, streamed with two fixed 1 MiB buffers (memory does not grow with file size; the next block is
 * read while the last is hashed), on worker threads so that two files hash on two cores at once. The worker
 * (hash-worker.ts) runs `hashFile` (core/hash-file.ts), the same code as this thread.
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { hashFile, type FileHash, type HashOutcome } from '../core/hash-file.js';

export { hashFile, type FileHash, type HashOutcome } from '../core/hash-file.js';

/** A message to the worker (src/lock/hash-worker.ts) and its answer, matched by `id`. */
export interface HashRequest {
  id: number;
  file: string;
}
export type HashReply = HashOutcome & { id: number };

/**
 * A hashing worker thread running hash-worker: `hash-worker.js` beside this module when this runs compiled from
 * dist/ (bin/tarsmith). From the TypeScript sources (tests and benches run under `node --import tsx`), this module
 * is `hash.ts` and the worker's is `hash-worker.ts`; a worker thread of Node 20 does not get tsx's module hooks
 * (tsx registers them on the main thread only), so the worker registers them itself before it loads the module.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./hash-worker.js', here));
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./hash-worker.ts', here).href);
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${entry}); })`, { eval: true });
}

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
    const worker = startWorker();
    try {
      while (next < files.length) {
        const id = next++;
        results[id] = await new Promise<HashOutcome>((resolve, reject) => {
          // A worker that fails (its module did not load, it ran out of memory) or ends is an internal error,
          // never a hang.
          const onExit = (code: number) => reject(new Error(`the hashing worker ended (exit code ${code}) before it answered`));
          const onMsg = (m: HashReply) => {
            if (m.id !== id) return;
            worker.off('message', onMsg);
            worker.off('error', reject);
            worker.off('exit', onExit);
            const { id: _drop, ...rest } = m;
            resolve(rest as HashOutcome);
          };
          worker.on('message', onMsg);
          worker.once('error', reject);
          worker.once('exit', onExit);
          worker.postMessage({ id, file: files[id]! } satisfies HashRequest);
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
