/**
 * Past one machine: a second dockerd (its own data root, socket and a TCP listener on 127.0.0.1) as the remote,
 * reached with DOCKER_HOST and with a docker context; the build context travels to it and the artifacts come back
 * to the local out/, identical to a build on the machine's engine. An OCI registry on 127.0.0.1 (Debian's
 * docker-registry) carries the image from one engine to the other.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerClient, exampleCopy, run, tarsmith, type Example } from './build-rig.js';
import { freePort, startRegistry, startSecondEngine, type Registry, type SecondEngine } from './remote-rig.js';

let remote: SecondEngine;
let ex: Example;
let registry: Registry;
/** The environment without any endpoint choice of the caller's. */
const base: NodeJS.ProcessEnv = { ...process.env };
delete base.DOCKER_HOST;
delete base.DOCKER_CONTEXT;

before(async () => {
  [remote, ex, registry] = await Promise.all([startSecondEngine(), exampleCopy(), startRegistry()]);
});
after(async () => {
  await Promise.all([remote?.stop(), ex?.cleanup(), registry?.stop()]);
});

interface Result {
  engine: { endpoint: string; context: string; server: string };
  artifacts: { path: string; sha256: string }[];
}

const sums = (dir: string) => fs.readFile(path.join(dir, 'out', 'hello', 'SHA256SUMS'), 'utf8');
const record = async (dir: string) =>
  JSON.parse(await fs.readFile(path.join(dir, 'out', 'hello', 'tarsmith-build.json'), 'utf8')) as { engine: { endpoint: string; context: string } };

test('DOCKER_HOST=tcp://… builds on the remote engine: the same artifacts as the local engine, the record names the endpoint', async () => {
  const local = await tarsmith(['build', '--json'], ex.dir, base);
  assert.equal(local.code, 0, local.stderr);
  const localSums = await sums(ex.dir);
  assert.equal((JSON.parse(local.stdout) as Result).engine.endpoint, 'unix:///var/run/docker.sock');

  const r = await tarsmith(['build', '--json', '--progress', 'plain'], ex.dir, { ...base, DOCKER_HOST: remote.tcp });
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as Result;
  assert.equal(res.engine.endpoint, remote.tcp);
  assert.equal(await sums(ex.dir), localSums, 'the remote build exported the same files');
  assert.equal((await record(ex.dir)).engine.endpoint, remote.tcp);
  // The build ran there: the remote engine's BuildKit cache holds it, and its log shows the steps running.
  assert.match(r.stderr, /make -j2/);
  const du = await run([...remote.client, 'system', 'df', '--format', '{{.Type}} {{.Size}}']);
  assert.match(du.stdout, /Build Cache [1-9]/);
});

test('--context NAME (a docker context for the remote\'s unix socket) is honoured by the probe and the build', async () => {
  const config = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-dockercfg-'));
  try {
    const env = { ...base, DOCKER_CONFIG: config };
    const docker = await dockerClient();
    const c = await run([docker, 'context', 'create', 'second', '--docker', `host=${remote.unix}`], { env });
    assert.equal(c.code, 0, c.stderr);
    const r = await tarsmith(['build', '--json', '--context', 'second'], ex.dir, env);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as Result;
    assert.deepEqual([res.engine.context, res.engine.endpoint], ['second', remote.unix]);
    assert.deepEqual([(await record(ex.dir)).engine.context, (await record(ex.dir)).engine.endpoint], ['second', remote.unix]);

    const unknown = await tarsmith(['build', '--context', 'no-such-context'], ex.dir, env);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /error\[engine\.unknown-context\].*no-such-context/);
  } finally {
    await fs.rm(config, { recursive: true, force: true });
  }
});

test('a remote engine that does not answer is its own coded error naming the address; nothing is written to out/', async () => {
  const port = await freePort();
  const before = await sums(ex.dir);
  const r = await tarsmith(['build'], ex.dir, { ...base, DOCKER_HOST: `tcp://127.0.0.1:${port}` });
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, new RegExp(`error\\[engine\\.remote-unreachable\\]: the engine at tcp://127\\.0\\.0\\.1:${port} \\(DOCKER_HOST\\) does not answer`));
  assert.match(r.stderr, /dockerd listens there/);
  assert.equal(await sums(ex.dir), before);
});

/**
 * Docker Engine 18.06's answers to the two requests a client's `docker version` makes (`/_ping`, `/version`): no
 * engine of that age can be installed here, so a loopback server gives the old engine's replies to the real client.
 */
function engine1806(): Promise<{ host: string; close(): Promise<void> }> {
  const version = { Version: '18.06.3-ce', ApiVersion: '1.38', MinAPIVersion: '1.12', Os: 'linux', Arch: 'amd64', GitCommit: 'd7080c1', GoVersion: 'go1.10.3', Components: [{ Name: 'Engine', Version: '18.06.3-ce' }] };
  const srv = http.createServer((req, res) => {
    res.setHeader('Api-Version', '1.38');
    res.setHeader('Content-Type', 'application/json');
    if (req.url?.endsWith('/_ping')) res.end('OK');
    else if (req.url?.endsWith('/version')) res.end(JSON.stringify(version));
    else {
      res.statusCode = 404;
      res.end('{"message":"page not found"}');
    }
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address() as { port: number };
      resolve({ host: `tcp://127.0.0.1:${a.port}`, close: () => new Promise((r) => srv.close(() => r())) });
    }),
  );
}

test('an engine without BuildKit (Docker Engine 18.06) is refused by the probe with its own code, before any build', async () => {
  const old = await engine1806();
  try {
    const r = await tarsmith(['build'], ex.dir, { ...base, DOCKER_HOST: old.host });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, new RegExp(`error\\[engine\\.no-buildkit\\]: the engine at ${old.host.replace(/\./g, '\\.')} \\(DOCKER_HOST\\), Docker Engine 18\\.06\\.3-ce, has no BuildKit`));
  } finally {
    await old.close();
  }
});

interface ImageJson {
  tag: string;
  imageId: string;
  pushed?: { ref: string; digest: string; pinned: string };
}

test('image --push REF pushes the runtime image; a pull on the second engine gives the same image ID', async () => {
  const ref = `${registry.host}/tarsmith-e2e/hello:push`;
  const r = await tarsmith(['image', '--push', ref, '--json'], ex.dir, base);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as ImageJson;
  assert.equal(res.pushed?.ref, ref);
  assert.match(res.pushed?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.equal(res.pushed?.pinned, `${registry.host}/tarsmith-e2e/hello@${res.pushed?.digest}`);
  // The registry holds it under that digest.
  const head = await fetch(`http://${registry.host}/v2/tarsmith-e2e/hello/manifests/push`, { method: 'HEAD', headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(head.headers.get('docker-content-digest'), res.pushed?.digest);

  await remote.reset();
  const pull = await run([...remote.client, 'pull', res.pushed?.pinned ?? '']);
  assert.equal(pull.code, 0, pull.stderr);
  const id = await run([...remote.client, 'image', 'inspect', '--format', '{{.Id}}', res.pushed?.pinned ?? '']);
  assert.equal(id.stdout.trim(), res.imageId);
  await run([(await dockerClient()), 'image', 'rm', ref]);
});

test('a registry that does not answer, one that refuses the push, and a bad reference are coded errors', async () => {
  const port = await freePort();
  const down = await tarsmith(['image', '--push', `127.0.0.1:${port}/hello:x`], ex.dir, base);
  assert.equal(down.code, 4, down.stderr);
  assert.match(down.stderr, new RegExp(`error\\[registry\\.unreachable\\]: the registry 127\\.0\\.0\\.1:${port} does not answer the engine at unix:///var/run/docker\\.sock`));
  assert.match(down.stderr, /connection refused/);

  const readOnly = await startRegistry({ readOnly: true });
  try {
    const refused = await tarsmith(['image', '--push', `${readOnly.host}/hello:x`], ex.dir, base);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /error\[registry\.refused\]: the registry 127\.0\.0\.1:\d+ refused the push of .*HTTP 405/);
  } finally {
    await run([await dockerClient(), 'image', 'rm', `127.0.0.1:${port}/hello:x`, `${readOnly.host}/hello:x`]);
    await readOnly.stop();
  }

  const bad = await tarsmith(['image', '--push', `${registry.host}/Hello:x`], ex.dir, base);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /error\[registry\.bad-reference\]: --push ".*\/Hello:x" is not an image reference: "Hello" is not a repository path component/);
  assert.doesNotMatch(bad.stderr, /build context/, 'refused before anything was built');
});

interface Steps {
  total: number;
  cached: number;
  ran: string[];
}

test('cache modes the builder cannot do are refused before the build, naming what works', async () => {
  const reg = await tarsmith(['build', '--cache-to', `type=registry,ref=${registry.host}/c:1,mode=max`], ex.dir, base);
  assert.equal(reg.code, 2, reg.stderr);
  assert.match(reg.stderr, /error\[engine\.cache-unsupported\]: .*exports only the inline cache \(type=inline\), not type=registry/);
  assert.match(reg.stderr, /docker-container or remote driver/);
  const files = await tarsmith(['build', '--cache-to', 'type=inline'], ex.dir, base);
  assert.equal(files.code, 2, files.stderr);
  assert.match(files.stderr, /error\[engine\.cache-unsupported\]: .*the inline cache rides on an engine-built image, and this build exports files/);
  // tarsmith image writes its image itself from the exported artifacts: no engine-built image to carry the cache
  const img = await tarsmith(['image', '--cache-to', 'type=inline'], ex.dir, base);
  assert.equal(img.code, 2, img.stderr);
  assert.match(img.stderr, /error\[engine\.cache-unsupported\]: .*tarsmith image writes its image itself/);
  const local = await tarsmith(['build', '--cache-from', 'type=local,src=/tmp'], ex.dir, base);
  assert.equal(local.code, 2, local.stderr);
  assert.match(local.stderr, /imports cache only from images in a registry, not type=local/);
});
