/**
 * The probe memo's key and its daemon question, on real files and a real socket: the key changes with every input
 * the clients' answers come from (the programs, the client's configuration, its contexts and buildx builders, the
 * buildx plugins, the environment) and with nothing else; the daemon is asked over its socket and an endpoint that
 * does not answer, or is not a local socket, gives no answer (the full probe then runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeKey, recallProbe, rememberProbe, withDaemon } from '../../src/engine/probe-memo.js';

async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

test('probe memo key: changes with the client program, its configuration, contexts, builders, plugins and environment', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-probe-key-'));
  try {
    const config = path.join(dir, 'docker-config');
    await fs.mkdir(config);
    const client = path.join(dir, 'docker');
    await fs.writeFile(client, '#!/bin/sh\n', { mode: 0o755 });
    await withEnv({ DOCKER_CONFIG: config, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, BUILDX_BUILDER: undefined }, async () => {
      const key = () => probeKey([client, ''], {});
      const seen = new Set<string>();
      const changed = async (what: string) => {
        const k = await key();
        assert.ok(!seen.has(k), `${what} changes the key`);
        seen.add(k);
      };
      await changed('the start');
      assert.ok(seen.has(await key()), 'nothing changed: the same key');

      const later = new Date(Date.now() + 10_000);
      await fs.utimes(client, later, later);
      await changed('a changed client program');
      await fs.writeFile(path.join(config, 'config.json'), '{"currentContext":"remote"}\n');
      await changed('config.json');
      await fs.mkdir(path.join(config, 'contexts', 'meta', 'abc'), { recursive: true });
      await changed('a new context');
      await fs.writeFile(path.join(config, 'contexts', 'meta', 'abc', 'meta.json'), '{"Name":"remote"}');
      await changed("a context's meta.json");
      await fs.mkdir(path.join(config, 'buildx', 'instances'), { recursive: true });
      await changed('buildx instances');
      await fs.writeFile(path.join(config, 'buildx', 'instances', 'kit'), '{}');
      await changed('a new buildx builder');
      await fs.writeFile(path.join(config, 'buildx', 'current'), '{"Key":"kit"}');
      await changed("buildx's current builder");
      await fs.mkdir(path.join(config, 'cli-plugins'));
      await fs.writeFile(path.join(config, 'cli-plugins', 'docker-buildx'), '#!/bin/sh\n', { mode: 0o755 });
      await changed('a buildx plugin');
      await withEnv({ DOCKER_CONTEXT: 'remote' }, () => changed('DOCKER_CONTEXT'));
      await withEnv({ BUILDX_BUILDER: 'kit' }, () => changed('BUILDX_BUILDER'));
      assert.notEqual(await probeKey([client, ''], { builder: 'kit' }), await key(), '--builder');
      assert.notEqual(await probeKey([client, '/usr/bin/docker'], {}), await key(), 'the fallback client');
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('probe memo: the daemon is asked over its socket; no answer there, or no local socket, gives nothing remembered', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-probe-sock-'));
  const sock = path.join(dir, 'engine.sock');
  // A Docker Engine API endpoint of its own on a local socket: GET /version as dockerd answers it.
  const server = http.createServer((req, res) => {
    if (req.url === '/version') res.end(JSON.stringify({ Version: '99.1.0', Os: 'linux', ApiVersion: '1.99' }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  try {
    await withEnv({ XDG_CACHE_HOME: path.join(dir, 'cache') }, async () => {
      const obs = { path: '/usr/bin/docker', clientVersion: '20.10.24', host: `unix://${sock}`, context: 'default', serverVersion: '20.10.24', serverOs: 'linux' };
      await rememberProbe('k', obs, undefined);
      const r = await recallProbe<typeof obs>('k');
      assert.ok(r);
      assert.equal((r.primary as Record<string, unknown>).serverVersion, undefined, "the daemon's answers are not remembered");
      assert.deepEqual(await withDaemon(r), { primary: { ...obs, serverVersion: '99.1.0', serverOs: 'linux' } }, "the daemon's answer of now");
      assert.equal(await recallProbe('other'), undefined);
      assert.equal(await withDaemon({ ...r, primary: { ...r.primary, host: `unix://${dir}/none.sock` } as typeof obs }), undefined, 'no daemon at that socket');
      assert.equal(await withDaemon({ ...r, primary: { ...r.primary, host: 'tcp://127.0.0.1:2375' } as typeof obs }), undefined, 'not a local socket');
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await fs.rm(dir, { recursive: true, force: true });
  }
});
