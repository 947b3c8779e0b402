/**
 * Test rig for vendoring: a temp project folder with its own cache, a real HTTP server on 127.0.0.1 with slow,
 * truncating, redirecting, failing and mirror routes, real GNU tar archives and real git repositories.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const BIN = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

export interface Project {
  root: string;
  /** The manifest folder. */
  dir: string;
  cache: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** A temp folder with `proj/` (the manifest folder) and `cache/` (XDG_CACHE_HOME for this test only). */
export async function project(tag: string): Promise<Project> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `tarsmith-vendor-${tag}-`));
  const dir = path.join(root, 'proj');
  const cache = path.join(root, 'cache');
  await fs.mkdir(dir);
  await fs.mkdir(cache);
  process.env.XDG_CACHE_HOME = cache;
  process.env.TARSMITH_HTTP_RETRIES = '1';
  const env = { ...process.env, XDG_CACHE_HOME: cache, TARSMITH_HTTP_RETRIES: '1' };
  return { root, dir, cache, env, cleanup: () => fs.rm(root, { recursive: true, force: true }) };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function writeManifest(dir: string, sources: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
  const file = path.join(dir, 'tarsmith.yaml');
  await fs.writeFile(file, stringify({ version: 1, name: 'demo', sourceDateEpoch: 1700000000, sources, ...extra }));
  return file;
}

/** A `<name>-<version>/` tree tarred with GNU tar (`-z` by default); returns the archive bytes. */
export async function makeTarball(root: string, name: string, files: Record<string, string>, flag = '-z'): Promise<Buffer> {
  const work = await fs.mkdtemp(path.join(root, 'tree-'));
  for (const [rel, body] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(work, name, rel)), { recursive: true });
    await fs.writeFile(path.join(work, name, rel), body);
  }
  const out = path.join(work, 'out.tar');
  execFileSync('tar', [flag, '--sort=name', '--mtime=@1700000000', '--owner=0', '--group=0', '--numeric-owner', '-cf', out, '-C', work, name]);
  const data = await fs.readFile(out);
  await fs.rm(work, { recursive: true, force: true });
  return data;
}

export interface Server {
  base: string;
  /** Files served under /files/<name> and /slow/<name> and /trunc/<name>. */
  files: Map<string, Buffer>;
  /** Mirror content under /mirror/...: relative path → bytes. */
  mirror: Map<string, Buffer>;
  /** Request paths seen, in order. */
  hits: string[];
  close(): Promise<void>;
}

/**
 * Routes: /files/N (200), /slow/N (1 KiB every 50 ms), /trunc/N (half the body, then the socket is cut),
 * /slowonce/N (slow the first time only), /redirect/K/N (K redirects then /files/N), /status/C (that status), /flaky/N (500 once, then 200),
 * /mirror/<path> (from the mirror map, else 404).
 */
export async function startServer(): Promise<Server> {
  const files = new Map<string, Buffer>();
  const mirror = new Map<string, Buffer>();
  const hits: string[] = [];
  const flaky = new Set<string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push(url.pathname);
    const [, route, a, b] = url.pathname.split('/').map(decodeURIComponent);
    const body = a !== undefined ? files.get(a) : undefined;
    const notFound = () => res.writeHead(404).end('no\n');
    switch (route) {
      case 'files':
        return body ? res.writeHead(200, { 'content-length': body.length }).end(body) : notFound();
      case 'slow':
        return body ? slow(res, body) : notFound();
      case 'slowonce':
        if (!body) return notFound();
        if (!flaky.has(`slow:${a}`)) {
          flaky.add(`slow:${a}`);
          return slow(res, body);
        }
        return res.writeHead(200, { 'content-length': body.length }).end(body);
      case 'trunc':
        if (!body) return notFound();
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, body.length >> 1));
        return setTimeout(() => res.socket?.destroy(), 20);
      case 'redirect': {
        const k = Number(a);
        const next = k <= 1 ? `/files/${b}` : `/redirect/${k - 1}/${b}`;
        return res.writeHead(302, { location: next }).end();
      }
      case 'tofile':
        return res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      case 'hang':
        return undefined;
      case 'stall':
        if (!body) return notFound();
        res.writeHead(200, { 'content-length': body.length });
        return void res.write(body.subarray(0, body.length >> 1));
      case 'status':
        return res.writeHead(Number(a)).end(`status ${a}\n`);
      case 'flaky':
        if (!body) return notFound();
        if (!flaky.has(a!)) {
          flaky.add(a!);
          return res.writeHead(500).end('try later\n');
        }
        return res.writeHead(200, { 'content-length': body.length }).end(body);
      case 'mirror': {
        const m = mirror.get(url.pathname.slice('/mirror/'.length));
        return m ? res.writeHead(200, { 'content-length': m.length }).end(m) : notFound();
      }
      default:
        return notFound();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    files,
    mirror,
    hits,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function slow(res: http.ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-length': body.length });
  let off = 0;
  const tick = () => {
    if (res.destroyed) return;
    if (off >= body.length) return void res.end();
    res.write(body.subarray(off, off + 1024));
    off += 1024;
    setTimeout(tick, 50);
  };
  tick();
}

/** Run the real CLI (asynchronously: the test's own HTTP server must keep answering meanwhile). */
export function cli(p: Project, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd: p.dir, env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Run git with a fixed identity and dates so that commits are reproducible. */
export function git(cwd: string, args: string[], date = '1700000000 +0000'): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.org', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date,
      GIT_CONFIG_NOSYSTEM: '1', HOME: cwd,
    },
  }).trim();
}

/** A repository with one commit on `main`, tagged v1; returns its path. */
export async function makeRepo(root: string, name = 'repo'): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(path.join(dir, 'src'), { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  await fs.writeFile(path.join(dir, 'README'), 'v1\n');
  await fs.writeFile(path.join(dir, 'src', 'a.c'), 'int a;\n');
  git(dir, ['add', '.']);
  git(dir, ['commit', '-q', '-m', 'one']);
  git(dir, ['tag', 'v1']);
  return dir;
}

/** Files in packages/ whose names are final (no dot entries). */
export async function finalFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(dir, 'packages')).catch(() => [] as string[])) {
    if (!e.startsWith('.')) out.push(e);
  }
  return out.sort();
}
