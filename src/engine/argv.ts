/**
 * Argv assembly for one BuildKit build: pure, so every option's spelling is unit-tested for both paths
 * (`docker buildx build` and `DOCKER_BUILDKIT=1 docker build`).
 */
import { ExitCode, fail, unreachable } from '../core/errors.js';
import { cacheArgs, cacheBuilder } from './cache.js';
import type { BuildMode } from './probe.js';

export type Progress = 'auto' | 'plain' | 'tty';

export type BuildOutput =
  /** Export the target stage's files into a folder. */
  | { kind: 'local'; dest: string }
  /** Load the target stage into the local image store under a tag. */
  | { kind: 'image'; tag: string };

export interface BuildRequest {
  contextDir: string;
  dockerfile: string;
  target: string;
  platform?: string;
  /** `none` for source builds; `default` only for the toolchain step. */
  network: 'none' | 'default';
  output: BuildOutput;
  secrets: { id: string; src: string }[];
  progress: Progress;
  builder?: string;
  /** The buildx builder's driver (`docker`, `docker-container`, `remote`, …), for the cache rules. */
  driver?: string;
  /** Cache specs, checked against the builder (src/engine/cache.ts). */
  cacheFrom: string[];
  cacheTo: string[];
  /** Where the engine writes the image ID. */
  iidfile?: string;
  /** Ignore the BuildKit cache (a cold build). */
  noCache?: boolean;
}

export interface BuildInvocation {
  argv: string[];
  /** Extra environment for the client. */
  env: Record<string, string>;
  /** Cache images to build and push after this build (src/engine/cache-carrier.ts): their references. */
  carriers: string[];
}

/** A value that goes into a comma-separated option (`--secret id=..,src=..`, `--output type=..,dest=..`). */
function csvSafe(what: string, v: string): string {
  if (v.includes(',') || v.includes('"') || v.includes('\n')) {
    fail({
      code: 'usage.unsafe-path',
      message: `${what} contains a comma, quote or newline, which the engine's option syntax cannot carry`,
      value: v,
      exit: ExitCode.usage,
      hint: 'use a path without commas or quotes',
    });
  }
  return v;
}

function needsBuildx(flag: string): never {
  return fail({
    code: 'usage.needs-buildx',
    message: `${flag} needs docker buildx, and this docker client has none`,
    value: flag,
    exit: ExitCode.usage,
    hint: 'install the buildx plugin (Debian: apt-get install docker-buildx), or drop the option',
  });
}

function outputArgs(mode: BuildMode, out: BuildOutput): string[] {
  switch (out.kind) {
    case 'local':
      return ['--output', `type=local,dest=${csvSafe('the output folder', out.dest)}`];
    case 'image':
      return mode === 'buildx' ? ['--load', '--tag', out.tag] : ['--tag', out.tag];
    default:
      return unreachable(out, 'build output');
  }
}

/** `client`: the docker client, alone or with its global options (`[docker, '--context', NAME]`). */
export function buildArgv(client: string | readonly string[], mode: BuildMode, req: BuildRequest): BuildInvocation {
  const prefix = typeof client === 'string' ? [client] : [...client];
  const argv = mode === 'buildx' ? [...prefix, 'buildx', 'build'] : [...prefix, 'build'];
  const env: Record<string, string> = mode === 'buildx' ? {} : { DOCKER_BUILDKIT: '1' };
  if (req.builder !== undefined) {
    if (mode !== 'buildx') needsBuildx('--builder');
    argv.push('--builder', req.builder);
  }
  argv.push('--progress', req.progress);
  argv.push('--file', req.dockerfile, '--target', req.target);
  if (req.platform !== undefined) argv.push('--platform', req.platform);
  argv.push('--network', req.network);
  for (const s of req.secrets) argv.push('--secret', `id=${csvSafe('a secret id', s.id)},src=${csvSafe('a secret file', s.src)}`);
  argv.push(...outputArgs(mode, req.output));
  if (req.noCache) argv.push('--no-cache');
  const cache = cacheArgs(cacheBuilder(mode, req.driver), req.output.kind, req.cacheFrom, req.cacheTo);
  argv.push(...cache.argv);
  for (const a of cache.buildArgs) argv.push('--build-arg', a);
  if (req.iidfile !== undefined) argv.push('--iidfile', req.iidfile);
  argv.push(req.contextDir);
  return { argv, env, carriers: cache.carriers };
}
