/**
 * Cache images: the registry cache of a builder that exports only the inline cache (Docker 20.10's built-in
 * BuildKit, the buildx docker driver). The build's own output stays what it is (the exported files, from which
 * `tarsmith image` writes the reproducible image); then the same stage is built once more on the same engine,
 * every step from the cache the first build just filled, into an engine-built image REF with the inline cache
 * (`BUILDKIT_INLINE_CACHE=1`), which the engine pushes. A fresh engine given `--cache-from REF` imports the cache
 * records, finds the stage's result in REF's layers and runs no step. The cache image is never the image tarsmith
 * writes: its config holds the build time and the cache metadata.
 */
import { log } from '../core/log.js';
import { buildArgv, type BuildRequest } from './argv.js';
import type { EngineCaps } from './probe.js';
import { pushImage } from './push.js';
import { runBuild, type RunOptions } from './run.js';
import type { StepCounts } from './step-tally.js';

export interface CacheExport {
  /** The cache image's reference, as pushed. */
  ref: string;
  /** The manifest digest the registry stored, and `HOST/PATH@sha256:…`. */
  digest: string;
  pinned: string;
  /** The stage whose result it holds. */
  stage: string;
  /** The steps of the cache image's build (all from the cache on the engine that just built them). */
  steps?: StepCounts;
}

/** Build the request's stage into each cache image (inline cache, from the engine's cache) and push it. */
export async function pushCacheImages(caps: EngineCaps, req: BuildRequest, refs: readonly string[], run: RunOptions): Promise<CacheExport[]> {
  const out: CacheExport[] = [];
  for (const ref of refs) {
    log.info(`cache image ${ref}: the ${req.target} stage into an image with the inline cache, from the engine's cache`);
    const { iidfile: _iid, noCache: _cold, ...rest } = req;
    const inv = buildArgv(caps.client, caps.mode, { ...rest, output: { kind: 'image', tag: ref }, cacheTo: ['type=inline'] });
    const steps = await runBuild(inv, { ...run, appendLog: run.logFile !== undefined, what: `cache image ${ref} (${run.what})` });
    if (steps) log.info(`cache image ${ref}: ${steps.cached} of ${steps.total} steps from the cache`);
    const pushed = await pushImage(caps, ref, ref);
    out.push({ ref, digest: pushed.digest, pinned: pushed.pinned, stage: req.target, ...(steps ? { steps } : {}) });
  }
  return out;
}
