/**
 * Putting one file with a known (or not yet known) sha256 in place under packages/: already present → cache →
 * mirrors → origin. Every candidate lands in a temp file beside the target, is checked, and only then renamed.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, TarsmithError, fail, isTarsmithError, type Failure } from '../core/errors.js';
import { log } from '../core/log.js';
import { fromCache, toCache } from './cache.js';
import { hashFile } from '../lock/hash.js';
import { download } from './http.js';
import { mismatchFailure, rejectFile, renderWarning } from '../lock/mismatch.js';

export type Via = 'present' | 'cache' | 'mirror' | 'origin' | 'local' | 'git';

export interface Candidate {
  via: 'mirror' | 'origin';
  url: string;
}

export interface Placed {
  sha256: string;
  size: number;
  via: Via;
  /** Where the bytes came from (URL, cache, path). */
  from: string;
  /** Set when `needTree` and the tree was computed here. */
  treeHash?: string;
}

export interface Target {
  /** Manifest folder. */
  dir: string;
  /** Relative to the manifest folder, `/`-separated, e.g. `packages/x.tar.gz`. */
  rel: string;
  /** e.g. `source "zlib"`. */
  label: string;
  /** Expected sha256, when known (lock or manifest pin). */
  expected?: string;
  /** Locked tree hash, for telling "same tree, different compression". */
  lockedTree?: string;
  /** Compute the tree hash of what gets placed (new lock entries of archives). */
  needTree: boolean;
  /** The file at `rel` is the user's own (a `file:` source in place): never moved, a mismatch is only reported. */
  userOwned?: boolean;
  /** The line to write if a new hash is intended. */
  fix: (actual: string) => string;
}

export const abs = (t: Target): string => path.join(t.dir, ...t.rel.split('/'));

export async function treeHashOf(file: string): Promise<string> {
  const { treeHash } = await import('../archive/index.js');
  return treeHash(file);
}

async function treeSame(file: string, locked: string | undefined): Promise<boolean | undefined> {
  if (!locked) return undefined;
  try {
    return (await treeHashOf(file)) === locked;
  } catch {
    return undefined;
  }
}

/** Build the mismatch failure for `file` (absolute, about to be moved aside) and move it aside. */
export async function rejectMismatch(t: Target, file: string, actual: string, from: string): Promise<Failure> {
  const same = await treeSame(file, t.lockedTree);
  const movedTo = await rejectFile(t.dir, file, path.basename(t.rel), actual);
  return mismatchFailure({
    label: t.label,
    file: t.rel,
    expected: t.expected ?? '(none)',
    actual,
    origin: from,
    ...(same !== undefined ? { treeSame: same } : {}),
    fix: t.fix(actual),
    movedTo,
  });
}

/** Check a temp file against the target's expected hash, then rename it into place (or move it aside). */
export async function placeTmp(
  t: Target,
  tmp: string,
  got: { sha256: string; size: number },
  via: Via,
  from: string,
): Promise<Placed> {
  if (t.expected !== undefined && got.sha256 !== t.expected) {
    throw new TarsmithError(await rejectMismatch(t, tmp, got.sha256, from));
  }
  let tree: string | undefined;
  try {
    if (t.needTree) tree = await treeHashOf(tmp);
    await fs.rename(tmp, abs(t));
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  if (via !== 'cache' && via !== 'local') await toCache(abs(t), got.sha256);
  return { ...got, via, from, ...(tree !== undefined ? { treeHash: tree } : {}) };
}

/** Is the target already in place with the expected hash? A different file there is moved aside (with a warning). */
export async function checkPresent(t: Target): Promise<Placed | undefined> {
  const file = abs(t);
  const r = await hashFile(file);
  if (!r.ok) return undefined;
  if (t.expected === undefined || r.sha256 === t.expected) {
    return { sha256: r.sha256, size: r.size, via: 'present', from: t.rel };
  }
  if (t.userOwned) {
    const same = await treeSame(file, t.lockedTree);
    const f = mismatchFailure({
      label: t.label,
      file: t.rel,
      expected: t.expected,
      actual: r.sha256,
      origin: `${t.rel} (your file, left where it is)`,
      ...(same !== undefined ? { treeSame: same } : {}),
      fix: t.fix(r.sha256),
    });
    throw new TarsmithError(f);
  }
  const f = await rejectMismatch(t, file, r.sha256, `${t.rel} (already in packages/)`);
  log.warning(`${renderWarning(f)}\n  fetching the locked file again`);
  return undefined;
}

function candidateFailed(c: Candidate, e: unknown, last: boolean): Failure {
  if (!isTarsmithError(e)) throw e;
  const f = e.failures[0]!;
  if (!last) log.warn(`${c.via} ${c.url}: ${f.message}; trying the next one`);
  return f;
}

/** Place a file whose sha256 is known: present → cache → candidates in order. */
export async function placeKnown(t: Target, candidates: readonly Candidate[]): Promise<Placed> {
  const present = await checkPresent(t);
  if (present) return present;
  const cached = await fromCache(t.expected!, abs(t));
  if (cached) return placeTmp(t, cached.tmp, cached, 'cache', 'cache');
  return placeFromCandidates(t, candidates);
}

/** Try each URL in turn; the first that gives a matching file wins. Throws the failures if none does. */
export async function placeFromCandidates(t: Target, candidates: readonly Candidate[]): Promise<Placed> {
  const failures: Failure[] = [];
  for (const [i, c] of candidates.entries()) {
    const last = i === candidates.length - 1;
    try {
      const d = await download(c.url, { target: abs(t), label: `${t.label} from ${c.url}` });
      return await placeTmp(t, d.tmp, d, c.via, d.finalUrl);
    } catch (e) {
      failures.push(candidateFailed(c, e, last));
    }
  }
  if (failures.length === 0) {
    fail({
      code: 'vendor.no-origin',
      message: `${t.label}: ${t.rel} is missing and no mirror has it`,
      exit: ExitCode.io,
      value: t.rel,
      hint: 'put the file back, or add a mirror that has it',
    });
  }
  throw new TarsmithError(failures);
}
