import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as http from 'node:http';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { loadManifest } from '../../src/manifest/load.js';
import { vendor } from '../../src/fetch/vendor.js';
import { readLock } from '../../src/lock/lock.js';
import { isTarsmithError, type TarsmithError } from '../../src/core/errors.js';
import { git, makeRepo, project, sha256, writeManifest, type Project } from '../support/rig.js';

const run = async (p: Project, opts = {}) => vendor(await loadManifest({ cwd: p.dir }), opts);

async function failureOf(p: Promise<unknown>): Promise<TarsmithError> {
  try {
    await p;
  } catch (e) {
    if (isTarsmithError(e)) return e;
    throw e;
  }
  assert.fail('expected a failure');
}

function tarList(file: string): string[] {
  return execFileSync('tar', ['--full-time', '--numeric-owner', '-tvzf', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }).trim().split('\n');
}

test('a git tag becomes a deterministic tarball: sorted, owner 0, commit-time mtimes, no .git, same bytes twice', async () => {
  const p = await project('git');
  try {
    const repo = await makeRepo(p.root);
    const commit = git(repo, ['rev-parse', 'HEAD']);
    await writeManifest(p.dir, [{ name: 'lib', git: `file://${repo}`, ref: 'v1' }]);
    const r1 = await run(p);
    const lock = await readLock(p.dir);
    const e = lock?.sources.lib;
    assert.equal(e?.commit, commit);
    assert.equal(e?.origin, 'git');
    assert.equal(e?.ref, 'v1');
    assert.equal(e?.file, `packages/lib-${commit.slice(0, 12)}.tar.gz`);
    assert.equal(r1.items[0]?.via, 'git');
    const file = path.join(p.dir, ...e!.file.split('/'));
    const lines = tarList(file);
    const names = lines.map((l) => l.split(/\s+/).at(-1));
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('README') && names.includes('src/a.c'), names.join(','));
    assert.ok(!names.some((n) => n?.startsWith('.git')));
    for (const l of lines) {
      assert.match(l, / 0\/0 /);
      assert.match(l, /2023-11-14 22:13:20/);
    }
    const first = sha256(await fs.readFile(file));
    assert.equal(first, e?.sha256);

    await fs.rm(path.join(p.dir, 'packages'), { recursive: true });
    await fs.rm(path.join(p.cache, 'tarsmith', 'sha256'), { recursive: true });
    const r2 = await run(p);
    assert.equal(r2.items[0]?.via, 'git');
    assert.equal(r2.lockChanged, false);
    assert.equal(sha256(await fs.readFile(file)), first);
  } finally {
    await p.cleanup();
  }
});

test('a moved branch stays at the locked commit until --update; a pinned commit that no longer matches fails', async () => {
  const p = await project('branch');
  try {
    const repo = await makeRepo(p.root);
    const c1 = git(repo, ['rev-parse', 'HEAD']);
    await writeManifest(p.dir, [{ name: 'lib', git: `file://${repo}`, ref: 'main' }]);
    await run(p);
    await fs.writeFile(path.join(repo, 'README'), 'v2\n');
    git(repo, ['commit', '-q', '-am', 'two'], '1700100000 +0000');
    const c2 = git(repo, ['rev-parse', 'HEAD']);

    const same = await run(p);
    assert.equal(same.lockChanged, false);
    assert.equal((await readLock(p.dir))?.sources.lib?.commit, c1);

    const moved = await run(p, { update: ['lib'] });
    assert.equal(moved.lockChanged, true);
    const lock = await readLock(p.dir);
    assert.equal(lock?.sources.lib?.commit, c2);
    assert.equal(lock?.sources.lib?.file, `packages/lib-${c2.slice(0, 12)}.tar.gz`);

    await writeManifest(p.dir, [{ name: 'lib', git: `file://${repo}`, ref: 'main', commit: c1 }]);
    const e = await failureOf(run(p));
    assert.equal(e.failures[0]?.code, 'vendor.git-commit-mismatch');
    assert.equal(e.exit, 1);
    assert.match(e.failures[0]?.hint ?? '', new RegExp(`commit: ${c2}`));
    assert.ok(e.failures[0]?.where?.line, 'points at the commit: line');

    await writeManifest(p.dir, [{ name: 'lib', git: `file://${repo}`, ref: 'no-such-ref' }]);
    const u = await failureOf(run(p));
    assert.equal(u.failures[0]?.code, 'vendor.git-unknown-ref');
    assert.equal(u.exit, 2);
  } finally {
    await p.cleanup();
  }
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('a repository served by git daemon on loopback gives the same bytes as over file://', async () => {
  const p = await project('daemon');
  const repo = await makeRepo(p.root);
  const port = await freePort();
  const daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', `--base-path=${p.root}`, '--listen=127.0.0.1', `--port=${port}`, p.root], { stdio: 'ignore' });
  try {
    const url = `git://127.0.0.1:${port}/repo`;
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('git', ['ls-remote', url], { stdio: 'ignore' });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await writeManifest(p.dir, [{ name: 'lib', git: url, ref: 'v1' }]);
    await run(p);
    const viaDaemon = (await readLock(p.dir))?.sources.lib;
    await fs.rm(path.join(p.dir, 'packages'), { recursive: true });
    await fs.rm(path.join(p.dir, 'tarsmith.lock'));
    await fs.rm(path.join(p.cache, 'tarsmith'), { recursive: true });
    await writeManifest(p.dir, [{ name: 'lib', git: `file://${repo}`, ref: 'v1' }]);
    await run(p);
    const viaFile = (await readLock(p.dir))?.sources.lib;
    assert.equal(viaDaemon?.commit, viaFile?.commit);
    assert.equal(viaDaemon?.sha256, viaFile?.sha256);
    assert.equal(viaDaemon?.treeHash, viaFile?.treeHash);
  } finally {
    daemon.kill('SIGTERM');
    await p.cleanup();
  }
});

/** `git http-backend` run as a CGI program behind a Node HTTP server on 127.0.0.1 (git's smart HTTP protocol). */
async function smartHttp(root: string): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env, GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1), REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '', REMOTE_ADDR: '127.0.0.1',
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const end = out.indexOf('\r\n\r\n');
      const head = out.subarray(0, end).toString('latin1').split('\r\n');
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers).end(out.subarray(end + 4));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

test('git smart HTTP (git http-backend on loopback) gives the same commit and bytes as file://', async () => {
  const p = await project('smarthttp');
  const repo = await makeRepo(p.root);
  const srv = await smartHttp(p.root);
  try {
    await writeManifest(p.dir, [{ name: 'lib', git: `${srv.base}/repo`, ref: 'main' }]);
    await run(p);
    const viaHttp = (await readLock(p.dir))?.sources.lib;
    assert.equal(viaHttp?.commit, git(repo, ['rev-parse', 'HEAD']));
    await fs.rm(path.join(p.dir, 'packages'), { recursive: true });
    await fs.rm(path.join(p.dir, 'tarsmith.lock'));
    await fs.rm(path.join(p.cache, 'tarsmith'), { recursive: true });
    await writeManifest(p.dir, [{ name: 'lib', git: `file://${repo}`, ref: 'main' }]);
    await run(p);
    assert.equal((await readLock(p.dir))?.sources.lib?.sha256, viaHttp?.sha256);
  } finally {
    await srv.close();
    await p.cleanup();
  }
});
