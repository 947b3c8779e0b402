/**
 * A second Docker engine and an OCI registry on loopback, started by the tests that need a remote engine or a
 * registry: the engine is a real `dockerd` with its own data root, exec root, pidfile, unix socket and a TCP
 * listener on 127.0.0.1 (a bridge of its own, no iptables: builds run with the network off anyway); the registry is Debian's
 * `docker-registry` (distribution 2.x) with its own config and storage folder. Both are stopped and their folders
 * removed by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerClient, run } from './build-rig.js';

/** A free TCP port on 127.0.0.1 (the listener is closed again before the port is used). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(what: string, child: ChildProcess, logFile: string, ok: () => Promise<boolean>, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (child.exitCode !== null) break;
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const logText = await fs.readFile(logFile, 'utf8').catch(() => '');
  throw new Error(`${what} did not come up (exit ${child.exitCode}):\n${logText.split('\n').slice(-30).join('\n')}`);
}

function startLogged(argv: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  return fs.open(logFile, 'w').then((fh) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, { stdio: ['ignore', fh.fd, fh.fd], detached: true, env });
    child.on('exit', () => void fh.close().catch(() => undefined));
    return child;
  });
}

async function stopChild(child: ChildProcess, seconds: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, seconds * 1000);
  await gone;
  clearTimeout(timer);
}

export interface SecondEngine {
  /** tcp://127.0.0.1:PORT */
  tcp: string;
  /** unix:///…/docker.sock */
  unix: string;
  /** The client argv prefix for this engine: [docker, '-H', tcp]. */
  client: string[];
  root: string;
  /** Remove every build cache record and image: the engine is as fresh as a new one. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A Linux bridge for the second engine (`ip link`), with a private /24 of 172.31.x.0, removed by `remove()`. */
async function ownBridge(): Promise<{ name: string; remove(): Promise<void> }> {
  const n = 200 + (process.pid % 50);
  const name = `tsme2e${process.pid % 100000}`;
  const must = async (argv: string[]) => {
    const r = await run(argv);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr.trim()}`);
  };
  await run(['ip', 'link', 'del', name]);
  await must(['ip', 'link', 'add', name, 'type', 'bridge']);
  await must(['ip', 'addr', 'add', `172.31.${n}.1/24`, 'dev', name]);
  await must(['ip', 'link', 'set', name, 'up']);
  return { name, remove: async () => void (await run(['ip', 'link', 'del', name])) };
}

/** Start a second dockerd beside the machine's (which stays untouched, its docker0 included). */
export async function startSecondEngine(): Promise<SecondEngine> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-engine-'));
  const port = await freePort();
  const tcp = `tcp://127.0.0.1:${port}`;
  const unix = `unix://${path.join(root, 'docker.sock')}`;
  const logFile = path.join(root, 'dockerd.log');
  // A bridge of its own: a dockerd started with --bridge=none deletes the interface docker0 (libnetwork's
  // removeDefaultBridgeInterface), which the machine's engine needs for every container with a network.
  const bridge = await ownBridge();
  const child = await startLogged(
    [
      'dockerd', '--data-root', path.join(root, 'data'), '--exec-root', path.join(root, 'exec'), '--pidfile', path.join(root, 'dockerd.pid'),
      '-H', unix, '-H', tcp, '--bridge', bridge.name, '--iptables=false', '--ip-masq=false', '--log-level', 'warn',
    ],
    logFile,
  );
  const docker = await dockerClient();
  const client = [docker, '-H', tcp];
  const stop = async () => {
    await stopChild(child, 30);
    await bridge.remove();
    await fs.rm(root, { recursive: true, force: true });
  };
  try {
    await waitFor('the second dockerd', child, logFile, async () => (await run([...client, 'version', '--format', '{{.Server.Version}}'])).code === 0, 60);
  } catch (e) {
    await stop();
    throw e;
  }
  const reset = async () => {
    await run([...client, 'builder', 'prune', '-af']);
    const ids = (await run([...client, 'image', 'ls', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await run([...client, 'image', 'rm', '-f', ...new Set(ids)]);
  };
  return { tcp, unix, client, root, reset, stop };
}

export interface Registry {
  /** 127.0.0.1:PORT, the host part of an image reference. */
  host: string;
  stop(): Promise<void>;
}

/**
 * Start Debian's docker-registry on 127.0.0.1 with its own config and storage. `readOnly` puts it in
 * distribution's read-only maintenance mode: it answers pulls and refuses every push (HTTP 405).
 */
export async function startRegistry(opts: { readOnly?: boolean } = {}): Promise<Registry> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const readOnly = opts.readOnly ? '  maintenance:\n    readonly:\n      enabled: true\n' : '';
  const config = `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(root, 'storage')}\n${readOnly}http:\n  addr: ${host}\n`;
  await fs.writeFile(path.join(root, 'config.yml'), config);
  const logFile = path.join(root, 'registry.log');
  const child = await startLogged(['docker-registry', 'serve', path.join(root, 'config.yml')], logFile);
  const stop = async () => {
    await stopChild(child, 10);
    await fs.rm(root, { recursive: true, force: true });
  };
  try {
    await waitFor('docker-registry', child, logFile, async () => {
      const r = await fetch(`http://${host}/v2/`).catch(() => undefined);
      return r !== undefined && (r.status === 200 || r.status === 401);
    }, 20);
  } catch (e) {
    await stop();
    throw e;
  }
  return { host, stop };
}
