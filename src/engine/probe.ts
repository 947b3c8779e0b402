/**
 * The engine capability probe: run once, gives a typed object (which docker client, engine version, buildx,
 * BuildKit), so nothing else checks versions. Picking the client is a pure decision over what was observed
 * (`chooseClient`), unit-tested on its own; `probeEngine` only gathers the observations.
 */
import { realpath } from 'node:fs/promises';
import { ExitCode, fail, type Failure } from '../core/errors.js';
import { exec, which } from '../core/exec.js';

export type BuildMode = 'buildx' | 'buildkit';

export interface EngineCaps {
  /** The docker client used for every engine call. */
  docker: string;
  clientVersion: string;
  serverVersion: string;
  /** buildx version when the client has the plugin. */
  buildx?: string;
  buildkit: boolean;
  /** `docker buildx build`, or `DOCKER_BUILDKIT=1 docker build`. */
  mode: BuildMode;
  notes: string[];
}

/** What one docker client reported. */
export interface ClientObservation {
  path: string;
  clientVersion?: string;
  serverVersion?: string;
  /** Why the daemon did not answer, when it did not. */
  serverError?: string;
  buildx?: string;
}

/** Where a distribution's own docker client lives; tried when the one on PATH cannot build. */
export const FALLBACK_DOCKER = '/usr/bin/docker';

export function majorVersion(v: string | undefined): number {
  const n = Number.parseInt((v ?? '').split('.')[0] ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/** Can this client run a BuildKit build? Clients from 23 on need buildx for it; older ones use DOCKER_BUILDKIT=1. */
export function clientCanBuild(o: ClientObservation): boolean {
  return o.buildx !== undefined || (o.clientVersion !== undefined && majorVersion(o.clientVersion) < 23);
}

const engine = (f: Omit<Failure, 'exit'>): Failure => ({ ...f, exit: ExitCode.engine });

function missingBuildx(o: ClientObservation): Failure {
  return engine({
    code: 'engine.buildx-missing',
    message: `docker ${o.clientVersion} at ${o.path} has no buildx plugin, and it cannot run BuildKit builds without it`,
    value: o.path,
    hint: `install the buildx plugin (Debian: apt-get install docker-buildx), or point tarsmith at a docker client that can build: --docker PATH or TARSMITH_DOCKER=PATH (e.g. ${FALLBACK_DOCKER} from Debian's docker.io)`,
  });
}

/**
 * Pick the client. `primary` is the explicit one (--docker / TARSMITH_DOCKER) or the one on PATH; `fallback`
 * (only for the PATH case) is another client to use when the primary cannot build. Returns the caps or a failure.
 */
export function chooseClient(
  primary: ClientObservation | undefined,
  fallback: ClientObservation | undefined,
  explicit: boolean,
): EngineCaps | Failure {
  const notes: string[] = [];
  let use = primary;
  if (!use || use.clientVersion === undefined) {
    if (!explicit && fallback?.clientVersion !== undefined) use = fallback;
    else {
      return engine({
        code: 'engine.docker-missing',
        message: primary ? `${primary.path} is not a working docker client` : 'no docker client found',
        ...(primary ? { value: primary.path } : {}),
        hint: 'install Docker (Debian: apt-get install docker.io, or run scripts/setup-engine.sh), or pass --docker PATH',
      });
    }
  } else if (!clientCanBuild(use)) {
    if (explicit || !fallback || !clientCanBuild(fallback) || fallback.clientVersion === undefined) return missingBuildx(use);
    notes.push(
      `docker ${use.clientVersion} at ${use.path} has no buildx; using docker ${fallback.clientVersion} at ${fallback.path} (set TARSMITH_DOCKER or --docker to choose)`,
    );
    use = fallback;
  }
  if (use.serverVersion === undefined) {
    return engine({
      code: 'engine.daemon-unreachable',
      message: `the Docker daemon does not answer${use.serverError ? `: ${use.serverError}` : ''}`,
      hint: 'start it (`sudo systemctl start docker`, or `sudo dockerd &`, or scripts/setup-engine.sh) and check that you may use its socket',
    });
  }
  const buildkit = majorVersion(use.serverVersion) > 18 || /^18\.(09|1\d)/.test(use.serverVersion);
  if (!buildkit) {
    return engine({
      code: 'engine.no-buildkit',
      message: `Docker Engine ${use.serverVersion} has no BuildKit`,
      value: use.serverVersion,
      hint: 'upgrade Docker Engine to 20.10 or newer',
    });
  }
  return {
    docker: use.path,
    clientVersion: use.clientVersion as string,
    serverVersion: use.serverVersion,
    ...(use.buildx !== undefined ? { buildx: use.buildx } : {}),
    buildkit,
    mode: use.buildx !== undefined ? 'buildx' : 'buildkit',
    notes,
  };
}

interface VersionJson {
  Client?: { Version?: string };
  Server?: { Version?: string; Components?: { Name?: string; Version?: string }[] } | null;
}

/** Ask one client for its version, the daemon's version, and its buildx version. */
export async function observeClient(path: string): Promise<ClientObservation> {
  const obs: ClientObservation = { path };
  const env = { ...process.env, DOCKER_CLI_HINTS: 'false' };
  // Both questions at once: each is a process start of a large Go binary.
  const [r, bx] = await Promise.all([
    exec([path, 'version', '--format', '{{json .}}'], { env }).catch(() => undefined),
    exec([path, 'buildx', 'version'], { env }).catch(() => undefined),
  ]);
  if (!r) return obs;
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  let v: VersionJson = {};
  try {
    v = line ? (JSON.parse(line) as VersionJson) : {};
  } catch {
    /* not JSON: treated as no answer below */
  }
  if (v.Client?.Version) obs.clientVersion = v.Client.Version;
  const server = v.Server?.Version ?? v.Server?.Components?.find((c) => c.Name === 'Engine')?.Version;
  if (server) obs.serverVersion = server;
  else obs.serverError = r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
  if (bx && bx.code === 0) obs.buildx = bx.stdout.trim().split(/\s+/)[1] ?? bx.stdout.trim();
  return obs;
}

async function same(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return x === y;
}

let cached: Promise<EngineCaps> | undefined;
let cachedKey: string | undefined;

/** Probe once per process (per client choice). Throws a TarsmithError when no usable engine is there. */
export function probeEngine(opts: { docker?: string } = {}): Promise<EngineCaps> {
  const explicit = opts.docker ?? process.env.TARSMITH_DOCKER;
  const key = explicit ?? '';
  if (!cached || cachedKey !== key) {
    cachedKey = key;
    cached = probeUncached(explicit);
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

async function probeUncached(explicit: string | undefined): Promise<EngineCaps> {
  const primaryPath = explicit ?? (await which('docker'));
  // The fallback is observed alongside the primary (it is only used when the primary cannot build).
  const fallbackPath =
    !explicit && (!primaryPath || !(await same(primaryPath, FALLBACK_DOCKER))) && (await which(FALLBACK_DOCKER)) ? FALLBACK_DOCKER : undefined;
  const [primary, fallback] = await Promise.all([
    primaryPath ? observeClient(primaryPath) : Promise.resolve(undefined),
    fallbackPath ? observeClient(fallbackPath) : Promise.resolve(undefined),
  ]);
  const r = chooseClient(primary, fallback, explicit !== undefined);
  if ('code' in r) return fail(r);
  return r;
}
