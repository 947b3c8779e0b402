/**
 * The engine probe's memo with the real engine and a real docker client, seen through a PATH wrapper that logs
 * each call and runs Debian's client: a second command asks no client (the daemon is asked over its socket); a
 * changed client program is asked again; a daemon that stops answering is seen at once, and the whole probe runs
 * and says why; once it answers again the remembered answers serve again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, run } from './build-rig.js';

const PROBE = `import(${JSON.stringify(path.join(ROOT, 'src', 'engine', 'probe.ts'))}).then(async (m) => {
  try { const c = await m.probeEngine(); console.log(JSON.stringify({ ok: true, docker: c.docker, serverVersion: c.serverVersion, mode: c.mode, host: c.endpoint.host })); }
  catch (e) { console.log(JSON.stringify({ ok: false, code: e.failures?.[0]?.code ?? String(e) })); }
})`;

test('probe memo: asks no client while nothing changed, asks again when the client or the daemon changed', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-probe-memo-'));
  try {
    const ctx = await run(['/usr/bin/docker', 'context', 'inspect', '--format', '{{.Endpoints.docker.Host}}']);
    const host = ctx.stdout.trim();
    assert.match(host, /^unix:\/\//, `the engine is reached over a local socket here: ${host}`);
    const sock = path.join(dir, 'engine.sock');
    await fs.symlink(host.slice('unix://'.length), sock);
    const bin = path.join(dir, 'bin');
    await fs.mkdir(bin);
    const calls = path.join(dir, 'calls.log');
    const wrapper = path.join(bin, 'docker');
    await fs.writeFile(wrapper, `#!/bin/sh\necho "$*" >> '${calls}'\nexec /usr/bin/docker "$@"\n`, { mode: 0o755 });
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, XDG_CACHE_HOME: path.join(dir, 'cache'), DOCKER_HOST: `unix://${sock}` };
    delete env.TARSMITH_DOCKER;
    const probe = async () => {
      const r = await run([process.execPath, '--import', 'tsx', '--input-type=module', '-e', PROBE], { cwd: ROOT, env });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { ok: boolean; docker?: string; serverVersion?: string; code?: string };
    };
    const asked = async () => (await fs.readFile(calls, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

    const first = await probe();
    assert.equal(first.ok, true, JSON.stringify(first));
    assert.equal(first.docker, wrapper);
    const n1 = await asked();
    assert.ok(n1 >= 3, 'the first probe asks the client');
    await fs.access(path.join(dir, 'cache', 'tarsmith', 'engine-probe.json'));

    assert.deepEqual(await probe(), first, 'the same answer');
    assert.equal(await asked(), n1, 'the second probe asked no client');

    // a changed client program (a reinstall or upgrade changes its mtime and ctime)
    const later = new Date(Date.now() + 5000);
    await fs.utimes(wrapper, later, later);
    assert.deepEqual(await probe(), first);
    const n2 = await asked();
    assert.ok(n2 > n1, 'a changed client is asked again');

    // the daemon stops answering at that endpoint: the full probe runs and says why
    await fs.rm(sock);
    const down = await probe();
    assert.deepEqual(down, { ok: false, code: 'engine.remote-unreachable' });
    const n3 = await asked();
    assert.ok(n3 > n2, 'the client was asked when the daemon did not answer');

    // it answers again: the remembered answers serve again
    await fs.symlink(host.slice('unix://'.length), sock);
    assert.deepEqual(await probe(), first);
    assert.equal(await asked(), n3);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
