/**
 * Canonical source trees for the build: the host reads each source archive once through the one policy
 * (normalize with the source's strip, VCS rule and allowances) and keeps the result as a plain, sorted,
 * already-checked tar under the cache folder, named by the input's sha256 and everything else that shapes the
 * output. The build container only unpacks that plain tar, so any format tarsmith reads builds whatever the
 * builder has installed, and nothing the policy refuses reaches a build stage.
 *
 * A cached tree is used only when its recorded sha256 still matches its bytes (taken from the hash memo while the
 * file's identity is unchanged, so a 1.5 GB kernel tree is not read again on every build); a damaged one is made
 * again. The container's extract step checks the sha256 once more whenever it runs.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ioFailure, fail, isTarsmithError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { hashFilesMemo, rememberHash } from '../core/hash-memo.js';
import { normalize } from './normalize.js';
import type { AllowClass } from './policy.js';

/** Bump when the bytes normalize writes for a given input change. */
export const CANONICAL_VERSION = 'tarsmith-canonical-v2';

export interface TreeRequest {
  /** The source archive (already verified against `sha256`). */
  input: string;
  sha256: string;
  strip: number;
  dropVcs: boolean;
  allow: readonly AllowClass[];
  sourceDateEpoch: number;
}

export interface CanonicalTree {
  /** The plain tar, absolute. */
  file: string;
  sha256: string;
  size: number;
  /** True when it came from the cache. */
  cached: boolean;
}

/** The cache key of a request: the input's sha256 and every option that changes the output. */
export function treeKey(r: Omit<TreeRequest, 'input'>): string {
  const shape = JSON.stringify([CANONICAL_VERSION, r.sha256, r.strip, r.dropVcs, [...r.allow].sort(), r.sourceDateEpoch]);
  return createHash('sha256').update(shape).digest('hex');
}

interface Sidecar {
  version: string;
  sha256: string;
  size: number;
}

async function fromCache(file: string, sidecar: string): Promise<CanonicalTree | undefined> {
  try {
    const meta = JSON.parse(await fs.readFile(sidecar, 'utf8')) as Partial<Sidecar>;
    if (meta.version !== CANONICAL_VERSION || typeof meta.sha256 !== 'string') return undefined;
    // Remembered by file identity (the hash memo): a tree unchanged since it was last hashed is not read again.
    const [h] = await hashFilesMemo([file]);
    if (!h?.ok || h.sha256 !== meta.sha256 || h.size !== meta.size) return undefined;
    return { file, sha256: h.sha256, size: h.size, cached: true };
  } catch {
    return undefined;
  }
}

/** The canonical tree of `r` under `cacheDir` (made when missing or damaged). Refusals name member and rule (exit 2). */
export async function canonicalTree(r: TreeRequest, cacheDir: string, onMake?: () => void): Promise<CanonicalTree> {
  const key = treeKey(r);
  const file = path.join(cacheDir, `${key}.tar`);
  const sidecar = path.join(cacheDir, `${key}.json`);
  const hit = await fromCache(file, sidecar);
  if (hit) return hit;
  onMake?.();
  try {
    await fs.mkdir(cacheDir, { recursive: true });
    const out = await normalize(r.input, file, {
      format: 'tar',
      sourceDateEpoch: r.sourceDateEpoch,
      strip: r.strip,
      dropVcs: r.dropVcs,
      allow: r.allow,
    });
    const meta: Sidecar = { version: CANONICAL_VERSION, sha256: out.sha256, size: out.size };
    await writeFileAtomic(sidecar, `${JSON.stringify(meta)}\n`);
    await rememberHash(file, out.sha256, out.size);
    return { file, sha256: out.sha256, size: out.size, cached: false };
  } catch (e) {
    if (isTarsmithError(e)) throw e;
    return fail(ioFailure(e, 'cannot write the source tree cache', cacheDir));
  }
}
