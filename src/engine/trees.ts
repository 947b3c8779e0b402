/**
 * The build's sources, each read once on the host through the archive layer's one policy into a canonical
 * plain tar (cached by the input's sha256 under the cache folder). Refusals name the member, the rule, and the
 * source's place in tarsmith.yaml; nothing reaches the engine from a source the policy refuses.
 */
import * as path from 'node:path';
import { canonicalTree, type CanonicalTree } from '../archive/index.js';
import { cacheRoot } from '../core/cache-dir.js';
import { isTarsmithError, TarsmithError, type Failure } from '../core/errors.js';
import { log } from '../core/log.js';
import { whereOf } from '../lock/where.js';
import type { Lock } from '../lock/lock.js';
import type { Manifest } from '../manifest/types.js';

export type SourceTrees = Record<string, CanonicalTree>;

/** Where canonical trees are kept: `<cache>/trees/`. */
export function treesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'trees');
}

function located(f: Failure, m: Manifest, i: number, name: string): Failure {
  const at = whereOf(m, `/sources/${i}`);
  const loc = at.line !== undefined ? `${at.file}:${at.line}:${at.col ?? 1}` : at.file;
  return { ...f, details: [...(f.details ?? []), `in source "${name}" (${loc})`] };
}

/** The canonical tree of every locked source of `m` (sources missing from the lock are left to the planner). */
export async function sourceTrees(m: Manifest, lock: Lock, cacheDir = treesCacheDir()): Promise<SourceTrees> {
  const trees: SourceTrees = {};
  const failures: Failure[] = [];
  for (const [i, s] of m.sources.entries()) {
    const l = lock.sources[s.name];
    if (!l || !s.extract) continue; // a plain file is placed, not unpacked
    const req = { input: path.resolve(m.dir, l.file), sha256: l.sha256, strip: s.strip, dropVcs: s.dropVcs, allow: s.allow, sourceDateEpoch: m.sourceDateEpoch };
    const started = Date.now();
    try {
      trees[s.name] = await canonicalTree(req, cacheDir, () => log.info(`source ${s.name}: checking ${l.file} against the extraction policy (once per input, then cached)`));
      if (!trees[s.name]?.cached) log.verbose(`source ${s.name}: canonical tree made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      if (!isTarsmithError(e)) throw e;
      failures.push(...e.failures.map((f) => located(f, m, i, s.name)));
    }
  }
  if (failures.length > 0) throw new TarsmithError(failures);
  return trees;
}
