/**
 * External BuildKit cache: `--cache-from` / `--cache-to` specs checked against what the builder can do, and spelled
 * for it. Pure, so each builder's rules are unit-tested:
 *
 * | builder | cache export (`--cache-to`) | cache import (`--cache-from`) |
 * | --- | --- | --- |
 * | `docker build`, Docker 20.10's built-in BuildKit | `type=inline` only, into an image output (`BUILDKIT_INLINE_CACHE=1`) | image references (an image with inline cache, or a registry cache export) |
 * | buildx, `docker` driver | `type=inline` only, into an image output | passed through (`type=registry,ref=…`) |
 * | buildx, `docker-container` / `remote` / `kubernetes` driver | passed through: `type=registry,ref=…,mode=max`, `type=local`, `type=inline`, … | passed through |
 */
import { ExitCode, fail, type Failure } from '../core/errors.js';
import type { BuildMode } from './probe.js';

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
}

/** The argv for the cache specs on this builder; a spec it cannot honour is refused, never dropped. */
export function cacheArgs(builder: CacheBuilder, output: 'local' | 'image', from: readonly string[], to: readonly string[]): CacheArgs {
  const argv: string[] = [];
  const buildArgs: string[] = [];
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
    const who = builder === 'engine' ? 'docker build (Docker 20.10\'s built-in BuildKit)' : 'the buildx docker driver';
    if (s.type !== 'inline') fail(unsupported(text, `${who} exports only the inline cache (type=inline), not type=${s.type}`, EXPORTER));
    if (Object.keys(s.attrs).length > 0) fail(unsupported(text, 'type=inline takes no parameters (it always holds the cache of the image\'s own stages: mode=min)', 'give --cache-to type=inline'));
    if (output !== 'image') {
      fail(unsupported(text, 'the inline cache rides on an engine-built image, and this build exports files (tarsmith image writes its image itself, from the exported artifacts)', EXPORTER));
    }
    if (builder === 'engine') buildArgs.push('BUILDKIT_INLINE_CACHE=1');
    else argv.push('--cache-to', 'type=inline');
  }
  return { argv, buildArgs: [...new Set(buildArgs)] };
}
