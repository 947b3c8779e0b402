/**
 * The engine capability probe: run once, gives a typed object (which docker client, which engine endpoint, engine
 * version, buildx and its builder's driver, BuildKit), so nothing else checks versions. Picking the client is a
 * pure decision over what was observed (`chooseClient`), unit-tested on its own; `probeEngine` only gathers the
 * observations. The engine may be remote: `DOCKER_HOST` (tcp://, ssh://, unix://) or a docker context
 * (`--context NAME`, `DOCKER_CONTEXT`, the client's current one); every engine call goes through `caps.client`,
 * the argv prefix that carries the choice.
 */
import { realpath } from 'node:fs/promises';
import { ExitCode, fail, type Failure } from '../core/errors.js';
import { exec, which } from '../core/exec.js';
import { probeKey, recallProbe, rememberProbe, withDaemon } from './probe-memo.js';

export type BuildMode = 'buildx' | 'buildkit';

/** How the engine endpoint was chosen. */
export type EndpointVia = 'flag' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'config' | 'default';

/** The engine the client talks to. */
export interface Endpoint {
  /** The docker context the client resolved (`default` with DOCKER_HOST or no context at all). */
  context: string;
  /** The daemon's address as the client dials it: unix:///var/run/docker.sock, tcp://host:port, ssh://user@host. */
  host: string;
  via: EndpointVia;
}

export interface EngineCaps {
  /** The docker client used for every engine call. */
  docker: string;
  /** The argv prefix of every engine call: the client and its global options (`--context NAME`). */
  client: string[];
  endpoint: Endpoint;
  clientVersion: string;
  serverVersion: string;
  /** buildx version when the client has the plugin. */
  buildx?: string;
  /** The buildx builder's driver (`docker`, `docker-container`, `remote`, `kubernetes`): what its cache can do. */
  driver?: string;
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
  /** The daemon's OS (`linux`, `windows`). */
  serverOs?: string;
  /** Why the daemon did not answer, when it did not. */
  serverError?: string;
  buildx?: string;
  /** The driver of the buildx builder (the chosen one, or the current one). */
  driver?: string;
  /** buildx could not find the chosen builder. */
  builderError?: string;
  /** The context the client resolved, and its docker endpoint. */
  context?: string;
  host?: string;
  /** The client could not resolve the endpoint (e.g. an unknown context). */
  endpointError?: string;
}

/** What chooses the endpoint: `--context NAME`, and the environment's DOCKER_HOST / DOCKER_CONTEXT. */
export interface EndpointChoice {
  context?: string;
  /** `--builder NAME` (buildx). */
  builder?: string;
  env?: { DOCKER_HOST?: string | undefined; DOCKER_CONTEXT?: string | undefined };
}

/** The client's global options for the choice (the environment is inherited by every call anyway). */
export function globalArgs(choice: EndpointChoice): string[] {
  return choice.context !== undefined ? ['--context', choice.context] : [];
}

/** The docker CLI's own precedence: --context, then DOCKER_HOST, then DOCKER_CONTEXT, then the configured context. */
export function endpointVia(choice: EndpointChoice, context: string | undefined): EndpointVia {
  if (choice.context !== undefined) return 'flag';
  if (choice.env?.DOCKER_HOST) return 'DOCKER_HOST';
  if (choice.env?.DOCKER_CONTEXT) return 'DOCKER_CONTEXT';
  return context !== undefined && context !== 'default' ? 'config' : 'default';
}

/** `tcp://127.0.0.1:2376 (DOCKER_HOST)`, for messages. */
export function describeEndpoint(e: Endpoint): string {
  const how = e.via === 'flag' ? `--context ${e.context}` : e.via === 'DOCKER_HOST' ? 'DOCKER_HOST' : e.via === 'default' ? 'the default endpoint' : `context ${e.context}`;
  return `${e.host || '(no address)'} (${how})`;
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

/** Does this engine run BuildKit builds? Docker Engine from 18.09 on, on Linux (a Windows engine has none). */
export function engineHasBuildkit(serverVersion: string, serverOs: string | undefined): boolean {
  if (serverOs !== undefined && serverOs !== 'linux') return false;
  return majorVersion(serverVersion) > 18 || /^18\.(09|1\d)/.test(serverVersion);
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

function endpointOf(o: ClientObservation, choice: EndpointChoice): Endpoint {
  const context = o.context ?? choice.context ?? 'default';
  return { context, host: o.host ?? choice.env?.DOCKER_HOST ?? '', via: endpointVia(choice, o.context) };
}

function unreachable(o: ClientObservation, ep: Endpoint): Failure {
  const why = o.serverError ? `: ${o.serverError}` : '';
  if (ep.via === 'default') {
    return engine({
      code: 'engine.daemon-unreachable',
      message: `the Docker daemon does not answer${why}`,
      hint: 'start it (`sudo systemctl start docker`, or `sudo dockerd &`, or scripts/setup-engine.sh) and check that you may use its socket',
    });
  }
  return engine({
    code: 'engine.remote-unreachable',
    message: `the engine at ${describeEndpoint(ep)} does not answer${why}`,
    value: ep.host,
    hint: `check the address (${ep.via === 'DOCKER_HOST' ? 'DOCKER_HOST' : `\`docker context inspect ${ep.context}\``}), that dockerd listens there (-H tcp://ADDR:PORT, or its socket), and that this machine reaches it (firewall; for ssh://, \`ssh HOST docker version\`)`,
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
  choice: EndpointChoice = {},
): EngineCaps | Failure {
  const notes: string[] = [];
  let use = primary;
  if (primary?.endpointError !== undefined) {
    return {
      code: 'engine.unknown-context',
      message: `the docker client cannot resolve the engine endpoint: ${primary.endpointError}`,
      ...(choice.context !== undefined ? { value: choice.context } : choice.env?.DOCKER_CONTEXT ? { value: choice.env.DOCKER_CONTEXT } : {}),
      exit: ExitCode.usage,
      hint: 'list the contexts with `docker context ls` and pass one of them (--context NAME or DOCKER_CONTEXT), or create it: docker context create NAME --docker host=tcp://HOST:PORT',
    };
  }
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
  const ep = endpointOf(use, choice);
  if (use.buildx !== undefined && choice.builder !== undefined && use.builderError !== undefined) {
    return {
      code: 'engine.unknown-builder',
      message: `buildx has no builder ${JSON.stringify(choice.builder)}: ${use.builderError}`,
      value: choice.builder,
      exit: ExitCode.usage,
      hint: 'list the builders with `docker buildx ls` and pass one of them, or create one (docker buildx create --name NAME --driver docker-container, or --driver remote tcp://BUILDKITD:1234)',
    };
  }
  if (use.serverVersion === undefined) return unreachable(use, ep);
  if (!engineHasBuildkit(use.serverVersion, use.serverOs)) {
    const windows = use.serverOs !== undefined && use.serverOs !== 'linux';
    return engine({
      code: 'engine.no-buildkit',
      message: `the engine at ${describeEndpoint(ep)}, Docker Engine ${use.serverVersion}${windows ? ` on ${use.serverOs}` : ''}, has no BuildKit`,
      value: use.serverVersion,
      hint: windows ? 'build on a Linux engine (DOCKER_HOST, or --context NAME)' : 'upgrade Docker Engine to 20.10 or newer, or build on another engine (DOCKER_HOST, or --context NAME)',
    });
  }
  return {
    docker: use.path,
    client: [use.path, ...globalArgs(choice)],
    endpoint: ep,
    clientVersion: use.clientVersion as string,
    serverVersion: use.serverVersion,
    ...(use.buildx !== undefined ? { buildx: use.buildx } : {}),
    ...(use.buildx !== undefined && use.driver !== undefined ? { driver: use.driver } : {}),
    buildkit: true,
    mode: use.buildx !== undefined ? 'buildx' : 'buildkit',
    notes,
  };
}

interface VersionJson {
  Client?: { Version?: string; Context?: string };
  Server?: { Version?: string; Os?: string; Components?: { Name?: string; Version?: string }[] } | null;
}

interface ContextJson {
  Name?: string;
  Endpoints?: { docker?: { Host?: string } };
}

function firstJson<T>(stdout: string): T | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('{') || l.startsWith('['));
  try {
    const v: unknown = line ? JSON.parse(line) : undefined;
    return (Array.isArray(v) ? v[0] : v) as T | undefined;
  } catch {
    return undefined;
  }
}

const lastLine = (s: string): string | undefined => s.trim().split('\n').filter(Boolean).pop();

/**
 * Ask one client (with the global options `global`) for its version, the daemon's, its buildx and the builder's
 * driver (`builder`, or the current one), and its endpoint.
 */
export async function observeClient(path: string, global: readonly string[] = [], builder?: string): Promise<ClientObservation> {
  const obs: ClientObservation = { path };
  const env = { ...process.env, DOCKER_CLI_HINTS: 'false' };
  // All four questions at once: each is a process start of a large Go binary.
  const [r, bx, ctx, bi] = await Promise.all([
    exec([path, ...global, 'version', '--format', '{{json .}}'], { env }).catch(() => undefined),
    exec([path, ...global, 'buildx', 'version'], { env }).catch(() => undefined),
    exec([path, ...global, 'context', 'inspect', '--format', '{{json .}}'], { env }).catch(() => undefined),
    exec([path, ...global, 'buildx', 'inspect', ...(builder !== undefined ? [builder] : [])], { env }).catch(() => undefined),
  ]);
  if (!r) return obs;
  const v = firstJson<VersionJson>(r.stdout) ?? {};
  if (v.Client?.Version) obs.clientVersion = v.Client.Version;
  else if (/context .* does not exist|unable to resolve docker endpoint/i.test(r.stderr)) obs.endpointError = lastLine(r.stderr) ?? r.stderr;
  const server = v.Server?.Version ?? v.Server?.Components?.find((c) => c.Name === 'Engine')?.Version;
  if (server) obs.serverVersion = server;
  else obs.serverError = lastLine(r.stderr) ?? `exit ${r.code}`;
  if (v.Server?.Os) obs.serverOs = v.Server.Os;
  if (bx && bx.code === 0) obs.buildx = bx.stdout.trim().split(/\s+/)[1] ?? bx.stdout.trim();
  const driver = bi && bi.code === 0 ? /^Driver:\s+(\S+)/m.exec(bi.stdout)?.[1] : undefined;
  if (driver) obs.driver = driver;
  else if (bi && bi.code !== 0 && builder !== undefined) obs.builderError = lastLine(bi.stderr) ?? `exit ${bi.code}`;
  const c = ctx && ctx.code === 0 ? firstJson<ContextJson>(ctx.stdout) : undefined;
  const name = c?.Name ?? v.Client?.Context;
  if (name) obs.context = name;
  if (c?.Endpoints?.docker?.Host) obs.host = c.Endpoints.docker.Host;
  return obs;
}

async function same(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return x === y;
}

export interface ProbeOptions {
  docker?: string;
  /** A buildx builder (`--builder NAME`): its driver decides the cache modes. */
  builder?: string;
  /** A docker context (`docker --context NAME`); DOCKER_HOST and DOCKER_CONTEXT are read from the environment. */
  context?: string;
}

let cached: Promise<EngineCaps> | undefined;
let cachedKey: string | undefined;

/** Probe once per process (per client and endpoint choice). Throws a TarsmithError when no usable engine is there. */
export function probeEngine(opts: ProbeOptions = {}): Promise<EngineCaps> {
  const explicit = opts.docker ?? process.env.TARSMITH_DOCKER;
  const choice: EndpointChoice = {
    ...(opts.context !== undefined ? { context: opts.context } : {}),
    ...(opts.builder !== undefined ? { builder: opts.builder } : {}),
    env: { DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CONTEXT: process.env.DOCKER_CONTEXT },
  };
  const key = JSON.stringify([explicit ?? '', choice]);
  if (!cached || cachedKey !== key) {
    cachedKey = key;
    cached = probeUncached(explicit, choice);
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

async function probeUncached(explicit: string | undefined, choice: EndpointChoice): Promise<EngineCaps> {
  const primaryPath = explicit ?? (await which('docker'));
  // The fallback is observed alongside the primary (it is only used when the primary cannot build).
  const fallbackPath =
    !explicit && (!primaryPath || !(await same(primaryPath, FALLBACK_DOCKER))) && (await which(FALLBACK_DOCKER)) ? FALLBACK_DOCKER : undefined;
  // What the clients said last time, with the daemon asked afresh (src/engine/probe-memo.ts).
  const key = await probeKey([primaryPath ?? '', fallbackPath ?? ''], {
    ...(explicit !== undefined ? { explicit } : {}),
    ...(choice.context !== undefined ? { context: choice.context } : {}),
    ...(choice.builder !== undefined ? { builder: choice.builder } : {}),
  }).catch(() => undefined);
  const remembered = key !== undefined ? await recallProbe<ClientObservation>(key) : undefined;
  const now = remembered ? await withDaemon(remembered) : undefined;
  if (now) {
    const r = chooseClient(now.primary, now.fallback, explicit !== undefined, choice);
    if (!('code' in r)) return r;
  }
  const global = globalArgs(choice);
  const [primary, fallback] = await Promise.all([
    primaryPath ? observeClient(primaryPath, global, choice.builder) : Promise.resolve(undefined),
    fallbackPath ? observeClient(fallbackPath, global, choice.builder) : Promise.resolve(undefined),
  ]);
  const r = chooseClient(primary, fallback, explicit !== undefined, choice);
  if ('code' in r) return fail(r);
  if (key !== undefined) await rememberProbe(key, primary, fallback).catch(() => undefined);
  return r;
}
