/**
 * The hashing worker thread of `hashFiles` (src/lock/hash.ts): answers each `{ id, file }` message with that file's
 * `HashOutcome` and the same id. Started by `new Worker(URL)` as its own module, so it hashes with the same code as
 * the main thread (`hashFile`, over `core/hash-file.ts`).
 */
import { parentPort } from 'node:worker_threads';
import { hashFile, type HashRequest, type HashReply } from './hash.js';

if (parentPort === null) throw new Error('src/lock/hash-worker is a worker thread entry: start it with new Worker()');
const port = parentPort;
port.on('message', ({ id, file }: HashRequest) => {
  void hashFile(file).then((outcome) => port.postMessage({ id, ...outcome } satisfies HashReply));
});
