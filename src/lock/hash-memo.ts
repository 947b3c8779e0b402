/**
 * The hash memo (core/hash-memo.ts) with the lock's hasher: files not in the memo are read two at a time on worker
 * threads.
 */
import { hashFilesMemo as memoized, memoFile, type HashOutcome } from '../core/hash-memo.js';
import { hashFiles } from './hash.js';

export { memoFile, refreshAfterLinking } from '../core/hash-memo.js';

export function hashFilesMemo(files: readonly string[], memoPath = memoFile()): Promise<HashOutcome[]> {
  return memoized(files, memoPath, (todo) => hashFiles(todo, 2));
}
