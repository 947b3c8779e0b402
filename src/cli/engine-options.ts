/**
 * The engine option group, shared by every command that reaches the container engine or plans a build
 * (`build`, `image`, `toolchain`; `generate` takes the planning part): one definition, so their help text and
 * defaults cannot drift apart.
 */
import { Option, type Command } from 'commander';

function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

/** `--allow-unpinned`: the one planning option; also taken by `generate`, which plans but does not build. */
export function pinOption(cmd: Command): Command {
  return cmd.option('--allow-unpinned', 'accept a builder image without @sha256: digest');
}

/**
 * The per-run choices of build, image and generate: `--source NAME=PATH` (another file for a source, repeatable)
 * and `--source-date-epoch N` (another SOURCE_DATE_EPOCH than the manifest's).
 */
export function sourceOption(cmd: Command): Command {
  cmd.option('--source-date-epoch <n>', "SOURCE_DATE_EPOCH for this run instead of the manifest's sourceDateEpoch (recorded in the build record)");
  return cmd.option(
    '--source <name=path>',
    'build source NAME from the file PATH instead of the locked one, for this run only (hashed, checked by the extraction policy, recorded in the build record; tarsmith.lock is not changed; repeatable)',
    collect,
    [],
  );
}

/** The options every engine command shares (build, image, toolchain). */
export function engineOptions(cmd: Command): Command {
  cmd
    .option('--platform <platform>', 'target platform (default: the manifest\'s platform)')
    .addOption(new Option('--progress <mode>', 'BuildKit progress output (on stderr)').choices(['auto', 'plain', 'tty']).default('auto'))
    .option('--docker <path>', 'docker client to use (default: $TARSMITH_DOCKER, else docker on PATH)')
    .option('--context <name>', 'docker context naming the engine to build on (default: DOCKER_HOST, else DOCKER_CONTEXT, else the current context)')
    .option('--builder <name>', 'buildx builder instance (passed to docker buildx build)')
    .option('--cache-from <spec>', 'BuildKit cache source: an image REF (or type=registry,ref=REF); any type with a buildx container/remote builder (repeatable)', collect, [])
    .option('--cache-to <spec>', 'BuildKit cache export: type=registry,ref=REF (a cache image pushed to REF; also type=inline,ref=REF); type=inline (into the toolchain image); type=registry,ref=REF,mode=max or type=local,dest=DIR with a buildx container/remote builder (repeatable)', collect, []);
  return pinOption(cmd).option('--no-cache', 'ignore the BuildKit cache (a cold build)');
}

export interface EngineCliOptions {
  platform?: string;
  progress?: 'auto' | 'plain' | 'tty';
  docker?: string;
  context?: string;
  builder?: string;
  cacheFrom: string[];
  cacheTo: string[];
  allowUnpinned?: boolean;
  /** commander's negatable option: false with --no-cache. */
  cache?: boolean;
  json?: boolean;
  /** `--source NAME=PATH` (build, image). */
  source?: string[];
  sourceDateEpoch?: string;
}

/** The options object for src/engine from the parsed command line. */
export function engineArgs(o: EngineCliOptions, manifest: string | undefined, target: string | undefined) {
  return {
    ...(manifest !== undefined ? { manifest } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(o.platform !== undefined ? { platform: o.platform } : {}),
    ...(o.progress !== undefined ? { progress: o.progress } : {}),
    ...(o.docker !== undefined ? { docker: o.docker } : {}),
    ...(o.context !== undefined ? { context: o.context } : {}),
    ...(o.builder !== undefined ? { builder: o.builder } : {}),
    cacheFrom: o.cacheFrom,
    cacheTo: o.cacheTo,
    allowUnpinned: Boolean(o.allowUnpinned),
    noCache: o.cache === false,
    ...(o.source && o.source.length > 0 ? { sources: o.source } : {}),
    ...(o.sourceDateEpoch !== undefined ? { sourceDateEpoch: o.sourceDateEpoch } : {}),
  };
}
