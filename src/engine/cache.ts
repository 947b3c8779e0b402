/**
 * External BuildKit cache: `--cache-from` / `--cache-to` specs checked against what the builder can do, and spelled
 * for it. Pure, so each builder's rules are unit-tested:
 *
 * | builder | cache export (`--cache-to`) | cache import (`--cache-from`) |
 * | --- | --- | --- |
 * | `docker build`, Docker 20.10's built-in BuildKit | a cache image: `type=registry,ref=REF` (mode=min) or `type=inline,ref=REF`; `type=inline` into an image output (`BUILDKIT_INLINE_CACHE=1`) | image references (a cache image, an image with inline cache, or a registry cache export) |
 * | buildx, `docker` driver | a cache image, as above; `type=inline` into an image output | passed through (`type=registry,ref=…`) |
 * | buildx, `docker-container` / `remote` / `kubernetes` driver | passed through: `type=registry,ref=…,mode=max`, `type=local`, `type=inline`, … | passed through |
 *
 * A cache image (a "carrier") is what makes a registry cache work on a builder that exports only the inline cache:
 * the build's own output is unchanged (files, or tarsmith's reproducible image), and the same target is built a
 * second time, every step cached on the same engine, into an engine-built image REF with the inline cache, which
 * the engine pushes (see cache-carrier.ts). A fresh engine given `--cache-from REF` finds the target's result
 * there and runs no step. The inline cache is mode=min: it holds the target stage's result, so every stage tarsmith
 * builds on its own (the kernel config stage) gets a cache image of its own, `REF` with the tag `TAG-STAGE`.
 */
import { ExitCode, fail, type Failure } from '../core/errors.js';
import type { BuildMode } from './probe.js';
import { parseImageRef } from './push.js';

export interface CacheSpec {
  type: string;
  attrs: Record<string, string>;
  /** As given on the command line. */
  text: string;
}

/** `type=registry,ref=R,mode=max` → its type and attributes; a bare `R` is `type=registry,ref=R` (docker build's form). */
export function parseCacheSpec(text: string): CacheSpec {
  if (!text.includes('=')) return { type: 'registry', attrs: { ref: text }, text };
  const attrs: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return fail(unsupported(text, `"${part}" is not KEY=VALUE`, 'write the spec as type=TYPE,KEY=VALUE,… (e.g. type=registry,ref=HOST/PATH:TAG)'));
    attrs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const type = attrs.type ?? 'registry';
  delete attrs.type;
  return { type, attrs, text };
}

function unsupported(text: string, why: string, hint: string): Failure {
  return { code: 'engine.cache-unsupported', message: `the cache spec ${JSON.stringify(text)} cannot be used: ${why}`, value: text, exit: ExitCode.usage, hint };
}

/** Which builder runs the build, for the cache rules. */
export type CacheBuilder = 'engine' | 'buildx-docker' | 'buildx-other';

export function cacheBuilder(mode: BuildMode, driver: string | undefined): CacheBuilder {
  if (mode !== 'buildx') return 'engine';
  return driver === 'docker' ? 'buildx-docker' : 'buildx-other';
}

const EXPORTER = 'buildx with a docker-container or remote driver exports type=registry (mode=min|max) and type=local: create one (docker buildx create --driver docker-container, or --driver remote tcp://BUILDKITD:1234) and pass --builder NAME';

export interface CacheArgs {
  argv: string[];
  /** Build arguments the specs become (`BUILDKIT_INLINE_CACHE=1`). */
  buildArgs: string[];
  /** Cache images to build (the same target, with the inline cache) and push after the build: their references. */
  carriers: string[];
}

const CARRIER = 'give --cache-to type=registry,ref=HOST/PATH:TAG (or type=inline,ref=HOST/PATH:TAG): tarsmith then builds the target once more, from the cache, into a cache image with the inline cache and pushes it there';

/** The reference of a cache image, checked as a push reference (the engine pushes it). */
function carrierRef(s: CacheSpec, ref: string): string {
  const r = parseImageRef(ref);
  if ('error' in r) fail(unsupported(s.text, `ref=${JSON.stringify(ref)} is not an image reference: ${r.error}`, 'give ref=HOST[:PORT]/PATH[:TAG], lowercase path components, no @digest'));
  return ref;
}

/**
 * A `--cache-to` spec on a builder that exports only the inline cache: a cache image (type=registry or
 * type=inline with a ref), or the inline cache into the build's own image. Returns the cache image's reference,
 * or undefined for the inline cache into the image.
 */
function inlineOnly(builder: 'engine' | 'buildx-docker', output: 'local' | 'image', s: CacheSpec): string | undefined {
  const who = builder === 'engine' ? 'docker build (Docker 20.10\'s built-in BuildKit)' : 'the buildx docker driver';
  const { ref, mode, ...rest } = s.attrs;
  if (s.type !== 'inline' && s.type !== 'registry') fail(unsupported(s.text, `${who} exports only the inline cache (into an image, or a cache image in a registry), not type=${s.type}`, `${CARRIER}; or ${EXPORTER}`));
  if (mode !== undefined && mode !== 'min') {
    fail(unsupported(s.text, `${who} exports only the inline cache, which holds the result of the stage built (mode=min), not mode=${mode}`, `drop mode=${mode} (tarsmith gives every stage it builds a cache image of its own); for mode=max, ${EXPORTER}`));
  }
  const extra = Object.keys(rest);
  if (extra.length > 0) fail(unsupported(s.text, `a cache image takes ref= (and mode=min) only, not ${extra.join(', ')}`, CARRIER));
  if (ref !== undefined) return carrierRef(s, ref);
  if (s.type === 'registry') fail(unsupported(s.text, 'type=registry needs ref=HOST/PATH:TAG', CARRIER));
  if (mode !== undefined) fail(unsupported(s.text, 'type=inline takes no parameters but ref= (it always holds the cache of the image\'s own stages: mode=min)', 'give --cache-to type=inline'));
  if (output !== 'image') {
    fail(unsupported(s.text, 'the inline cache without ref= rides on the engine-built image, and this build exports files (tarsmith image writes its image itself, from the exported artifacts)', `${CARRIER}; or ${EXPORTER}`));
  }
  return undefined;
}

/** The argv for the cache specs on this builder; a spec it cannot honour is refused, never dropped. */
export function cacheArgs(builder: CacheBuilder, output: 'local' | 'image', from: readonly string[], to: readonly string[]): CacheArgs {
  const argv: string[] = [];
  const buildArgs: string[] = [];
  const carriers: string[] = [];
  for (const text of from) {
    const s = parseCacheSpec(text);
    if (builder !== 'engine') argv.push('--cache-from', text);
    else if (s.type === 'registry' && s.attrs.ref) argv.push('--cache-from', s.attrs.ref);
    else fail(unsupported(text, `docker build (Docker 20.10's built-in BuildKit) imports cache only from images in a registry, not type=${s.type}`, `give --cache-from HOST/PATH:TAG (a registry cache export, or an image built elsewhere with an inline cache), or ${EXPORTER}`));
  }
  for (const text of to) {
    const s = parseCacheSpec(text);
    if (builder === 'buildx-other') {
      argv.push('--cache-to', text);
      continue;
    }
    const carrier = inlineOnly(builder, output, s);
    if (carrier !== undefined) carriers.push(carrier);
    else if (builder === 'engine') buildArgs.push('BUILDKIT_INLINE_CACHE=1');
    else argv.push('--cache-to', 'type=inline');
  }
  return { argv, buildArgs: [...new Set(buildArgs)], carriers: [...new Set(carriers)] };
}

/** The stage whose cache image is REF itself: the one `build` and `image` export. */
export const MAIN_STAGE = 'artifacts';

/** The cache image of one stage: REF for the artifacts stage, REF with the tag `TAG-STAGE` for any other. */
export function stageRef(ref: string, stage: string): string {
  if (stage === MAIN_STAGE) return ref;
  const r = parseImageRef(ref);
  if ('error' in r) return ref;
  const tag = `${r.tag}-${stage.replace(/[^\w.-]/g, '-')}`.slice(0, 128);
  return `${r.registry !== undefined ? `${r.registry}/` : ''}${r.repository}:${tag}`;
}

function withRef(s: CacheSpec, ref: string): string {
  if (!s.text.includes('=')) return ref;
  return [`type=${s.type}`, ...Object.entries(s.attrs).map(([k, v]) => `${k}=${k === 'ref' ? ref : v}`)].join(',');
}

/**
 * The cache specs of one stage's build on a builder that exports only the inline cache: a cache image export
 * goes to the stage's own reference, and an import also looks there (besides the reference as given, which may be
 * a mode=max export of another builder). The artifacts stage, and every spec of a buildx container or remote
 * builder, are left as given.
 */
export function stageCache(builder: CacheBuilder, stage: string, from: readonly string[], to: readonly string[]): { from: string[]; to: string[] } {
  if (builder === 'buildx-other' || stage === MAIN_STAGE) return { from: [...from], to: [...to] };
  const ref = (text: string): { s: CacheSpec; ref: string } | undefined => {
    try {
      const s = parseCacheSpec(text);
      return (s.type === 'registry' || s.type === 'inline') && s.attrs.ref !== undefined ? { s, ref: s.attrs.ref } : undefined;
    } catch {
      return undefined;
    }
  };
  const imports = from.flatMap((text) => {
    const r = ref(text);
    return r && r.s.type === 'registry' ? [text, withRef(r.s, stageRef(r.ref, stage))] : [text];
  });
  const exports = to.map((text) => {
    const r = ref(text);
    return r ? withRef(r.s, stageRef(r.ref, stage)) : text;
  });
  return { from: [...new Set(imports)], to: exports };
}
