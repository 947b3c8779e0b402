/**
 * What the docker clients said about themselves, remembered across commands: each client's version, its buildx
 * and builder driver, and the endpoint it resolved (`observeClient` runs four processes of a large Go binary per
 * client, about 80 ms of every engine command). An entry is keyed by everything those answers come from:
 *
 * - the client programs (symlinks followed: device, inode, size, mtime, ctime) and the options and environment
 *   that choose them and their endpoint (`--docker`, `--context`, `--builder`, PATH, HOME, DOCKER_HOST,
 *   DOCKER_CONTEXT, DOCKER_CONFIG, BUILDX_BUILDER, BUILDX_CONFIG, the TLS and API variables);
 * - the client's configuration: config.json, every context's meta.json, buildx's current builder and instances;
 * - every `docker-buildx` plugin the client could load (its user folder and the system folders).
 *
 * Any change there asks the clients again. The daemon is never remembered: a hit asks it for its version over its
 * socket (one request, no process), so an engine that stopped or changed is seen at once; when that request fails,
 * or the endpoint is not a local socket (tcp://, ssh://), the whole probe runs as if nothing were remembered. Only
 * answers that gave a usable engine are kept, so a failure is always the probe's own.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheRoot } from '../core/cache-dir.js';
import { readMemoFile, statIdentity, writeMemoFile } from '../core/memo-file.js';
import { socketGet, unixSocket } from './engine-socket.js';

const MAX_ENTRIES = 50;

/** What this module reads of a client observation (probe.ts's ClientObservation). */
export interface Observation {
  clientVersion?: string;
  host?: string;
  serverVersion?: string;
  serverOs?: string;
  serverError?: string;
}

/** An observation without the daemon's part, which is asked afresh on every command. */
export type ClientFacts<O extends Observation> = Omit<O, 'serverVersion' | 'serverOs' | 'serverError'>;

export interface RememberedProbe<O extends Observation> {
  primary?: ClientFacts<O>;
  fallback?: ClientFacts<O>;
  used: number;
}

const ENV = [
  'PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'BUILDX_BUILDER', 'BUILDX_CONFIG',
  'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION', 'DOCKER_CLI_PLUGIN_EXTRA_DIRS',
] as const;

/** Where the docker CLI looks for plugins besides the user's folder (cli-plugins/manager, Linux). */
const SYSTEM_PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

export function probeMemoFile(): string {
  return path.join(cacheRoot(), 'engine-probe.json');
}

async function stamp(p: string): Promise<string> {
  try {
    return statIdentity(await fs.stat(p, { bigint: true }));
  } catch {
    return '-';
  }
}

async function program(p: string): Promise<[string, string]> {
  const real = await fs.realpath(p).catch(() => p);
  return [real, await stamp(real)];
}

/** Stamps of the files in `dir` named `file` one level down (`contexts/meta/<id>/meta.json`), or of its entries. */
async function stampsUnder(dir: string, file?: string): Promise<[string, string][]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
  return Promise.all(names.map(async (n): Promise<[string, string]> => {
    const p = file !== undefined ? path.join(dir, n, file) : path.join(dir, n);
    return [p, await stamp(p)];
  }));
}

/** The memo key for observing `clients` (primary first) with these options. Cheap: stats and two folder listings, no process. */
export async function probeKey(clients: readonly string[], opts: { explicit?: string; context?: string; builder?: string }): Promise<string> {
  const env = process.env;
  const config = env.DOCKER_CONFIG ? path.resolve(env.DOCKER_CONFIG) : path.join(os.homedir(), '.docker');
  const pluginDirs = [path.join(config, 'cli-plugins'), ...(env.DOCKER_CLI_PLUGIN_EXTRA_DIRS ?? '').split(':').filter(Boolean), ...SYSTEM_PLUGIN_DIRS];
  const [programs, files, contexts, instances, plugins] = await Promise.all([
    Promise.all(clients.map(program)),
    Promise.all(['config.json', 'buildx/current', 'buildx/instances', 'contexts/meta'].map(async (f): Promise<[string, string]> => [f, await stamp(path.join(config, f))])),
    stampsUnder(path.join(config, 'contexts', 'meta'), 'meta.json'),
    stampsUnder(path.join(config, 'buildx', 'instances')),
    Promise.all(pluginDirs.map(async (d): Promise<[string, string]> => [d, await stamp(path.join(d, 'docker-buildx'))])),
  ]);
  return JSON.stringify({
    clients, programs, opts, config, files, contexts, instances, plugins,
    env: ENV.map((k) => [k, env[k] ?? null]),
  });
}

export async function recallProbe<O extends Observation>(key: string): Promise<RememberedProbe<O> | undefined> {
  return (await readMemoFile<RememberedProbe<O>>(probeMemoFile()))[key];
}

export async function rememberProbe<O extends Observation>(key: string, primary: O | undefined, fallback: O | undefined): Promise<void> {
  const file = probeMemoFile();
  const memo = await readMemoFile<RememberedProbe<O>>(file);
  memo[key] = { ...(primary ? { primary: facts(primary) } : {}), ...(fallback ? { fallback: facts(fallback) } : {}), used: Date.now() };
  await writeMemoFile(file, memo, MAX_ENTRIES);
}

function facts<O extends Observation>(o: O): ClientFacts<O> {
  const { serverVersion: _v, serverOs: _o, serverError: _e, ...rest } = o;
  return rest;
}

/** The daemon's version and OS, asked over its socket (`GET /version`), or undefined when it does not answer. */
async function daemonVersion(socketPath: string): Promise<{ version: string; os?: string } | undefined> {
  const r = await socketGet(socketPath, '/version');
  const v = r?.status === 200 ? (r.body as { Version?: unknown; Os?: unknown } | null) : undefined;
  return v && typeof v.Version === 'string' && v.Version !== '' ? { version: v.Version, ...(typeof v.Os === 'string' ? { os: v.Os } : {}) } : undefined;
}

/**
 * The remembered observations with the daemon's answers of now, or undefined when they cannot stand: an endpoint
 * that is not a local socket, or a daemon that does not answer there (the full probe then says why).
 */
export async function withDaemon<O extends Observation>(r: RememberedProbe<O>): Promise<{ primary?: O; fallback?: O } | undefined> {
  const sockets = new Set([r.primary, r.fallback].flatMap((o) => (o && o.clientVersion !== undefined ? [o.host] : [])));
  const answers = new Map<string | undefined, { version: string; os?: string }>();
  for (const host of sockets) {
    const socket = unixSocket(host);
    const v = socket !== undefined ? await daemonVersion(socket) : undefined;
    if (!v) return undefined;
    answers.set(host, v);
  }
  const full = (o: ClientFacts<O> | undefined): O | undefined => {
    if (!o) return undefined;
    const v = answers.get(o.host);
    return (v ? { ...o, serverVersion: v.version, ...(v.os !== undefined ? { serverOs: v.os } : {}) } : { ...o }) as O;
  };
  const primary = full(r.primary);
  const fallback = full(r.fallback);
  return { ...(primary ? { primary } : {}), ...(fallback ? { fallback } : {}) };
}
