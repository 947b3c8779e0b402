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
import { baseImageId } from '../../src/engine/base-image.js';
import { freePort, startRegistry, startSecondEngine, type Registry, type SecondEngine } from './remote-rig.js';
import type { BaseOrigin } from '../../src/engine/registry-base.js';
import type { ToolchainOrigin } from '../../src/engine/toolchain-image.js';
import { kernelProject } from './kernel-rig.js';

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
  // Every name of the machine's engine that is in this run's registry (cache images, the base and toolchain images,
  // the digests the tampering left), removed by name: an image with other names (the toolchain image, which the
  // kernel tests share) keeps them.
  if (registry) {
    const docker = await dockerClient();
    const ls = await run([docker, 'image', 'ls', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']);
    const names = ls.stdout.split('\n').map((l) => l.split(' ')).filter(([repo]) => repo?.startsWith(`${registry.host}/`))
      .map(([repo, tag, digest]) => (tag && tag !== '<none>' ? `${repo}:${tag}` : `${repo}@${digest}`));
    if (names.length > 0) await run([docker, 'image', 'rm', ...new Set(names)]);
  }
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

interface CacheExport {
  ref: string;
  digest: string;
  pinned: string;
  stage: string;
}

/** The registry's own digest of a manifest (`Docker-Content-Digest`). */
async function registryDigest(ref: string): Promise<string | null> {
  const m = /^([^/]+)\/(.+):([^:/]+)$/.exec(ref);
  assert.ok(m, ref);
  const head = await fetch(`http://${m[1]}/v2/${m[2]}/manifests/${m[3]}`, { method: 'HEAD', headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  return head.headers.get('docker-content-digest');
}

/** Every step vertex of a plain progress log ended CACHED, and how many there were (a FROM is an image source, no step). */
function everyStepCached(stderr: string): { steps: number; all: boolean } {
  const steps = new Set([...stderr.matchAll(/^#(\d+) \[(?!internal|auth)[^\]]+\] (?!FROM )/gm)].map((m) => m[1]));
  const cached = new Set([...stderr.matchAll(/^#(\d+) CACHED$/gm)].map((m) => m[1]));
  return { steps: steps.size, all: [...steps].every((s) => cached.has(s)) };
}

test('the shared cache: engine A pushes cache images to the registry; a fresh engine B builds the same inputs with every step cached, the same artifacts and image ID', async () => {
  const ref = `${registry.host}/tarsmith-e2e/hello-cache:build`;
  const imgRef = `${registry.host}/tarsmith-e2e/hello-cache:image`;
  const client = [await dockerClient()];
  try {
    // Engine A: the files build exports its cache image (type=registry, the spelling of buildx's registry cache).
    const a = await tarsmith(['build', '--json', '--cache-to', `type=registry,ref=${ref}`], ex.dir, base);
    assert.equal(a.code, 0, a.stderr);
    const ar = JSON.parse(a.stdout) as { cacheExports: CacheExport[] };
    assert.equal(ar.cacheExports.length, 1);
    assert.deepEqual([ar.cacheExports[0]?.ref, ar.cacheExports[0]?.stage], [ref, 'artifacts']);
    assert.equal(await registryDigest(ref), ar.cacheExports[0]?.digest, 'the registry holds the cache image');
    const aSums = await sums(ex.dir);
    // `image` on A, its cache image spelled type=inline,ref=…: the reproducible image is tarsmith's, as without.
    const ai = await tarsmith(['image', '--json', '--cache-to', `type=inline,ref=${imgRef}`], ex.dir, base);
    assert.equal(ai.code, 0, ai.stderr);
    const aImage = JSON.parse(ai.stdout) as ImageJson & { cacheExports: CacheExport[] };
    assert.equal(aImage.cacheExports[0]?.ref, imgRef);
    const plainImage = JSON.parse((await tarsmith(['image', '--json'], ex.dir, base)).stdout) as ImageJson;
    assert.equal(plainImage.imageId, aImage.imageId, 'the cache export leaves the reproducible image as it is');
    // The cache image is the engine's, not the reproducible one: a different config (build time, cache metadata).
    const carrierId = (await run([...client, 'image', 'inspect', '--format', '{{.Id}}', imgRef])).stdout.trim();
    assert.notEqual(carrierId, aImage.imageId);

    // Engine B, fresh (no image, no cache record): the same build, the cache from the registry.
    await remote.reset();
    const b = await tarsmith(['build', '--json', '--progress', 'plain', '--cache-from', ref], ex.dir, { ...base, DOCKER_HOST: remote.tcp });
    assert.equal(b.code, 0, b.stderr);
    const br = JSON.parse(b.stdout) as { steps: Steps; engine: { endpoint: string }; base: { from: string } };
    assert.equal(br.engine.endpoint, remote.tcp);
    assert.equal(br.base.from, 'registry', 'the base came through the registry (pushed beside the cache image by A)');
    assert.match(b.stderr, new RegExp(`importing cache manifest from ${ref.replace(/\./g, '\\.')}`));
    assert.ok(br.steps.total >= 10, `the build's steps were seen (${br.steps.total})`);
    assert.deepEqual(br.steps.ran, [], 'no step ran again');
    assert.equal(br.steps.cached, br.steps.total);
    const log = everyStepCached(b.stderr);
    assert.ok(log.steps === br.steps.total && log.all, 'every step vertex is CACHED in the log');
    assert.equal(await sums(ex.dir), aSums, 'the same artifacts');

    // `image` on fresh B from A's image cache: every step cached, the same image ID as A's.
    await remote.reset();
    const bi = await tarsmith(['image', '--json', '--progress', 'plain', '--cache-from', `type=registry,ref=${imgRef}`], ex.dir, { ...base, DOCKER_HOST: remote.tcp });
    assert.equal(bi.code, 0, bi.stderr);
    const bImage = JSON.parse(bi.stdout) as ImageJson & { steps: Steps; base: { from: string } };
    assert.equal(bImage.base.from, 'registry');
    assert.deepEqual(bImage.steps.ran, [], 'no step ran again');
    assert.equal(bImage.steps.cached, bImage.steps.total);
    assert.equal(bImage.imageId, aImage.imageId, 'the same image ID');
    const bId = await run([...remote.client, 'image', 'inspect', '--format', '{{.Id}}', bImage.tag]);
    assert.equal(bId.stdout.trim(), aImage.imageId);

    // Without the cache, fresh B runs the steps: what the import saved.
    await remote.reset();
    const cold = await tarsmith(['build', '--json'], ex.dir, { ...base, DOCKER_HOST: remote.tcp });
    assert.equal(cold.code, 0, cold.stderr);
    assert.ok((JSON.parse(cold.stdout) as { steps: Steps }).steps.ran.some((r) => r.includes('make -j2')), 'a cold build runs make');
  } finally {
    // The cache images, and the base image's tag beside them (pushed by the first build with --cache-to).
    const tags = (await run([...client, 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', `${registry.host}/tarsmith-e2e/hello-cache`])).stdout.split('\n').filter(Boolean);
    await run([...client, 'image', 'rm', ...new Set([ref, imgRef, ...tags])]);
  }
});


/** The manifest the registry serves for REF (GET, the Docker and OCI media types), and its digest header. */
async function registryManifest(ref: string): Promise<{ digest: string | null; config?: string }> {
  const m = /^([^/]+)\/(.+):([^:/]+)$/.exec(ref);
  assert.ok(m, ref);
  const r = await fetch(`http://${m[1]}/v2/${m[2]}/manifests/${m[3]}`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(r.status, 200, `the registry has ${ref}`);
  const j = (await r.json()) as { config?: { digest?: string } };
  return { digest: r.headers.get('docker-content-digest'), ...(j.config?.digest ? { config: j.config.digest } : {}) };
}

/** The bytes BuildKit received as the build context (`[internal] load build context`: `transferring context: 45.23kB done`). */
function contextBytes(plain: string): number {
  const id = /^#(\d+) \[internal\] load build context$/m.exec(plain)?.[1];
  assert.ok(id !== undefined, 'the log shows the build context vertex');
  const sizes = [...plain.matchAll(new RegExp(`^#${id} transferring context: ([\\d.]+)([kMG]?B)`, 'gm'))];
  assert.ok(sizes.length > 0, 'the log shows the context transfer');
  const last = sizes.at(-1) as RegExpMatchArray;
  const unit = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[last[2] as 'B' | 'kB' | 'MB' | 'GB'];
  return Number(last[1]) * unit;
}

test('the base through the registry: A pushes the locked rootfs as an image beside the cache image; a fresh B builds FROM it by digest, the rootfs not in its context, every step cached', async () => {
  const ref = `${registry.host}/tarsmith-e2e/hello-base:build`;
  const client = [await dockerClient()];
  const lock = JSON.parse(await fs.readFile(path.join(ex.dir, 'tarsmith.lock'), 'utf8')) as { rootfs: { sha256: string } };
  const rootfs = lock.rootfs.sha256;
  const imageId = baseImageId({ rootfsSha256: rootfs, platform: { os: 'linux', architecture: 'amd64' } });
  const baseRef = `${registry.host}/tarsmith-e2e/hello-base:base-${rootfs.slice(0, 16)}`;
  try {
    await run([...client, 'image', 'rm', '-f', imageId]);
    // A: the base image is loaded into A's engine from the archive (the ID tarsmith computed), pushed under the base tag.
    const a = await tarsmith(['build', '--json', '--progress', 'plain', '--cache-to', `type=registry,ref=${ref}`], ex.dir, base);
    assert.equal(a.code, 0, a.stderr);
    const ab = (JSON.parse(a.stdout) as { base: BaseOrigin }).base;
    assert.deepEqual([ab.from, ab.rootfs, ab.imageId, ab.ref, ab.pushed], ['registry', rootfs, imageId, baseRef, true]);
    assert.match(a.stderr, /loading the base image .* into the engine/);
    const loaded = await run([...client, 'image', 'inspect', '--format', '{{.Id}}', baseRef]);
    assert.equal(loaded.stdout.trim(), imageId, 'docker load kept the image ID computed from the lock');
    const held = await registryManifest(baseRef);
    assert.equal(held.config, imageId, 'the registry\'s manifest names the config tarsmith computed');
    assert.equal(ab.pinned, `${registry.host}/tarsmith-e2e/hello-base@${held.digest}`);
    assert.ok(contextBytes(a.stderr) < 1e6, 'A sent no rootfs either');
    const aSums = await sums(ex.dir);
    // A again: the registry has the base image, so it is not pushed again.
    const a2 = await tarsmith(['build', '--json', '--cache-to', `type=registry,ref=${ref}`], ex.dir, base);
    assert.equal(a2.code, 0, a2.stderr);
    assert.equal((JSON.parse(a2.stdout) as { base: BaseOrigin }).base.pushed, false);
    assert.doesNotMatch(a2.stderr, new RegExp(`pushing ${baseRef.replace(/\./g, '\\.')}`));

    // B, fresh: the base is checked in the registry, the context is small, every step from the cache.
    await remote.reset();
    const b = await tarsmith(['build', '--json', '--progress', 'plain', '--cache-from', ref], ex.dir, { ...base, DOCKER_HOST: remote.tcp });
    assert.equal(b.code, 0, b.stderr);
    const br = JSON.parse(b.stdout) as { steps: Steps; base: BaseOrigin; context: { size: number } };
    assert.deepEqual([br.base.from, br.base.pinned, br.base.pushed], ['registry', ab.pinned, false]);
    assert.ok(br.steps.total >= 10, `the build's steps were seen (${br.steps.total})`);
    assert.deepEqual(br.steps.ran, [], 'no step ran again');
    assert.ok(everyStepCached(b.stderr).all, 'every step vertex is CACHED in the log');
    assert.match(b.stderr, new RegExp(`FROM ${ab.pinned?.replace(/\./g, '\\.')}`));
    assert.ok(br.context.size < 1e6, `the staged context holds no rootfs (${br.context.size} bytes)`);
    assert.ok(contextBytes(b.stderr) < 1e6, 'BuildKit received no rootfs');
    assert.equal(await sums(ex.dir), aSums, 'the same artifacts');
    assert.deepEqual((JSON.parse(await fs.readFile(path.join(ex.dir, 'out', 'hello', 'tarsmith-build.json'), 'utf8')) as { builder: { base: BaseOrigin } }).builder.base, br.base);
    // Every step a cache hit: B pulled none of the base's layers (its build cache holds the small context and the artifacts' layer).
    const df = await run([...remote.client, 'system', 'df', '--format', '{{.Type}}\t{{.Size}}']);
    const cacheSize = /^Build Cache\t([\d.]+)([kMG]?B)$/m.exec(df.stdout);
    assert.ok(cacheSize, df.stdout);
    assert.ok(Number(cacheSize[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[cacheSize[2] as 'B' | 'kB' | 'MB' | 'GB'] < 10e6, `B's build cache is small: ${df.stdout}`);

    // Another image pushed under the base tag (tampered) is refused by code before anything is built.
    const before = await sums(ex.dir);
    const t = await run([...client, 'tag', ref, baseRef]);
    assert.equal(t.code, 0, t.stderr);
    assert.equal((await run([...client, 'push', baseRef])).code, 0);
    assert.notEqual((await registryManifest(baseRef)).config, imageId);
    await remote.reset();
    const tampered = await tarsmith(['build', '--cache-from', ref], ex.dir, { ...base, DOCKER_HOST: remote.tcp });
    assert.equal(tampered.code, 1, tampered.stderr);
    assert.match(tampered.stderr, new RegExp(`error\\[registry\\.base-mismatch\\]: the registry holds another image under ${baseRef.replace(/\./g, '\\.')}: its manifest sha256:[0-9a-f]{64} names the config sha256:[0-9a-f]{64}, not the base image ${imageId}`));
    assert.match(tampered.stderr, /fix: the tag was overwritten/);
    assert.doesNotMatch(tampered.stderr, /build context/, 'refused before anything was staged or built');
    assert.equal(await sums(ex.dir), before, 'out/ is untouched');
  } finally {
    await run([...client, 'image', 'rm', ref, baseRef]);
  }
});

test('a registry cache without the base image: the rootfs goes in the build context, said by an info line and in the record', async () => {
  const ref = `${registry.host}/tarsmith-e2e/hello-nobase:build`;
  await remote.reset();
  const b = await tarsmith(['build', '--json', '--cache-from', ref], ex.dir, { ...base, DOCKER_HOST: remote.tcp });
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, new RegExp(`info\\[registry\\.base-absent\\]: the registry has no base image ${registry.host.replace(/\./g, '\\.')}/tarsmith-e2e/hello-nobase:base-[0-9a-f]{16}: the rootfs goes to the engine in the build context`));
  const br = JSON.parse(b.stdout) as { base: BaseOrigin; context: { size: number } };
  assert.equal(br.base.from, 'context');
  assert.ok(br.context.size > 100e6, 'the rootfs is in the context');
  assert.equal((JSON.parse(await fs.readFile(path.join(ex.dir, 'out', 'hello', 'tarsmith-build.json'), 'utf8')) as { builder: { base: BaseOrigin } }).builder.base.from, 'context');
});

test('a cache image the registry does not take is a registry error; nothing is written to out/', async () => {
  const before = await sums(ex.dir);
  const port = await freePort();
  const r = await tarsmith(['build', '--cache-to', `type=registry,ref=127.0.0.1:${port}/hello:cache`], ex.dir, base);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, new RegExp(`error\\[registry\\.unreachable\\]: the registry 127\\.0\\.0\\.1:${port} does not answer`));
  assert.equal(await sums(ex.dir), before, 'out/ is untouched');
  await run([await dockerClient(), 'image', 'rm', `127.0.0.1:${port}/hello:cache`]);
  // A cache import from a registry this machine cannot reach: the base image's manifest cannot be read.
  const from = await tarsmith(['build', '--cache-from', `127.0.0.1:${port}/hello:cache`], ex.dir, { ...base, DOCKER_HOST: remote.tcp });
  assert.equal(from.code, 4, from.stderr);
  assert.match(from.stderr, new RegExp(`error\\[registry\\.unreachable\\]: the registry 127\\.0\\.0\\.1:${port} does not answer this machine`));
  assert.match(from.stderr, /ECONNREFUSED/);
  assert.doesNotMatch(from.stderr, /build context/, 'refused before anything was built');
  assert.equal(await sums(ex.dir), before, 'out/ is untouched');
  // A registry that refuses the push of the base image (read-only): refused before the build, out/ untouched.
  const readOnly = await startRegistry({ readOnly: true });
  try {
    const ro = await tarsmith(['build', '--cache-to', `type=registry,ref=${readOnly.host}/hello:cache`], ex.dir, base);
    assert.equal(ro.code, 4, ro.stderr);
    assert.match(ro.stderr, new RegExp(`error\\[registry\\.refused\\]: the registry 127\\.0\\.0\\.1:\\d+ refused the push of ${readOnly.host.replace(/\./g, '\\.')}/hello:base-[0-9a-f]{16}: .*HTTP 405`));
    assert.doesNotMatch(ro.stderr, /build context/, 'refused before anything was built');
    assert.equal(await sums(ex.dir), before, 'out/ is untouched');
  } finally {
    const tags = (await run([await dockerClient(), 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', `${readOnly.host}/hello`])).stdout.split('\n').filter(Boolean);
    if (tags.length > 0) await run([await dockerClient(), 'image', 'rm', ...tags]);
    await readOnly.stop();
  }
});

test('cache modes the builder cannot do are refused before the build, naming what works', async () => {
  const reg = await tarsmith(['build', '--cache-to', `type=registry,ref=${registry.host}/c:1,mode=max`], ex.dir, base);
  assert.equal(reg.code, 2, reg.stderr);
  assert.match(reg.stderr, /error\[engine\.cache-unsupported\]: .*exports only the inline cache, which holds the result of the stage built \(mode=min\), not mode=max/);
  assert.match(reg.stderr, /docker-container or remote driver/);
  const files = await tarsmith(['build', '--cache-to', 'type=inline'], ex.dir, base);
  assert.equal(files.code, 2, files.stderr);
  assert.match(files.stderr, /error\[engine\.cache-unsupported\]: .*the inline cache without ref= rides on the engine-built image, and this build exports files/);
  assert.match(files.stderr, /type=registry,ref=HOST\/PATH:TAG/);
  // tarsmith image writes its image itself from the exported artifacts: no engine-built image to carry the cache
  const img = await tarsmith(['image', '--cache-to', 'type=inline'], ex.dir, base);
  assert.equal(img.code, 2, img.stderr);
  assert.match(img.stderr, /error\[engine\.cache-unsupported\]: .*tarsmith image writes its image itself/);
  const badRef = await tarsmith(['build', '--cache-to', `type=registry,ref=${registry.host}/Hello:c`], ex.dir, base);
  assert.equal(badRef.code, 2, badRef.stderr);
  assert.match(badRef.stderr, /error\[engine\.cache-unsupported\]: .*"Hello" is not a repository path component/);
  assert.doesNotMatch(badRef.stderr, /build context/, 'refused before anything was built');
  const local = await tarsmith(['build', '--cache-from', 'type=local,src=/tmp'], ex.dir, base);
  assert.equal(local.code, 2, local.stderr);
  assert.match(local.stderr, /imports cache only from images in a registry, not type=local/);
});

interface KernelRecord {
  builder: { installed?: Record<string, string>; toolchain?: { tag: string; layers: string[] }; toolchainOrigin?: ToolchainOrigin };
}

test('the toolchain through the registry: A pushes the kernel project\'s toolchain image beside the cache image; a fresh B builds FROM it by digest, every step cached, the same artifacts and package list', async () => {
  const started = Date.now();
  const p = await kernelProject({
    kernel: '  source: linux\n  arch: x86_64\n  defconfig: tinyconfig\n  fragments: [kernel/gw.config]\n  build: modules_prepare\n',
    targets: '    gateway:\n      kernel: true\n      modules: [cdx]\n      steps: [make userspace]\n      artifacts: [bin/cmm]\n',
    files: { 'kernel/gw.config': 'CONFIG_MODULES=y\n' },
  });
  const ref = `${registry.host}/tarsmith-e2e/gw-cache:build`;
  const client = [await dockerClient()];
  const lock = JSON.parse(await fs.readFile(path.join(p.dir, 'tarsmith.lock'), 'utf8')) as { toolchain: { inputsHash: string; tag: string; layers: string[]; installed: Record<string, string> } };
  const tcRef = `${registry.host}/tarsmith-e2e/gw-cache:toolchain-${lock.toolchain.inputsHash.slice(0, 16)}`;
  const out = path.join(p.dir, 'out', 'gw');
  const kernelRecord = async () => JSON.parse(await fs.readFile(path.join(out, 'tarsmith-build.json'), 'utf8')) as KernelRecord;
  try {
    // `tarsmith toolchain` recorded what is installed in the image: the build record's list comes from there.
    assert.ok(lock.toolchain.installed['bc:amd64'] && lock.toolchain.installed['libelf-dev:amd64'], 'the lock lists the toolchain\'s packages');
    // A: the toolchain image is pushed from A's engine under the toolchain tag; the registry's config has the lock's layers.
    const a = await tarsmith(['build', '--json', '--cache-to', `type=registry,ref=${ref}`], p.dir, base);
    assert.equal(a.code, 0, a.stderr);
    const at = (JSON.parse(a.stdout) as { toolchain: ToolchainOrigin }).toolchain;
    assert.deepEqual([at.from, at.tag, at.ref, at.pushed], ['registry', lock.toolchain.tag, tcRef, true]);
    const held = await registryManifest(tcRef);
    assert.equal(at.pinned, `${registry.host}/tarsmith-e2e/gw-cache@${held.digest}`);
    const blob = await fetch(`http://${registry.host}/v2/tarsmith-e2e/gw-cache/blobs/${held.config}`);
    assert.deepEqual(((await blob.json()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids, lock.toolchain.layers, 'the registry\'s config names the recorded layers');
    const aSums = await fs.readFile(path.join(out, 'SHA256SUMS'), 'utf8');
    assert.match(aSums, /modules\/cdx\/cdx\.ko/);
    const aRecord = await kernelRecord();
    assert.deepEqual(aRecord.builder.installed, lock.toolchain.installed);
    const aSeconds = (Date.now() - started) / 1000;

    // B, fresh (no images, no cache): the toolchain is checked in the registry, every step from the cache.
    await remote.reset();
    const bStarted = Date.now();
    const b = await tarsmith(['build', '--json', '--progress', 'plain', '--cache-from', ref], p.dir, { ...base, DOCKER_HOST: remote.tcp });
    assert.equal(b.code, 0, b.stderr);
    const br = JSON.parse(b.stdout) as { steps: Steps; toolchain: ToolchainOrigin };
    assert.deepEqual([br.toolchain.from, br.toolchain.pinned, br.toolchain.pushed], ['registry', at.pinned, false]);
    assert.ok(br.steps.total >= 5, `the build's steps were seen (${br.steps.total})`);
    assert.deepEqual(br.steps.ran, [], 'no step ran again');
    const log = await fs.readFile(path.join(p.dir, 'out', 'gw.log'), 'utf8');
    assert.match(log, new RegExp(`FROM ${at.pinned?.replace(/\./g, '\\.')}`), 'the toolchain stage names the pinned image');
    assert.doesNotMatch(log, /\[kernel \d+\/\d+\] kernel\.build: .* · done/, 'the kernel was not compiled on B');
    assert.equal(await fs.readFile(path.join(out, 'SHA256SUMS'), 'utf8'), aSums, 'the same artifacts');
    const bRecord = await kernelRecord();
    assert.deepEqual(bRecord.builder.toolchainOrigin, br.toolchain);
    assert.deepEqual(bRecord.builder.installed, aRecord.builder.installed, 'the same package list, read from the lock');
    assert.deepEqual(bRecord.builder.toolchain, aRecord.builder.toolchain);
    // The image was not run to list its packages: B's engine has no container and no image of it.
    const ps = await run([...remote.client, 'ps', '-aq']);
    assert.equal(ps.stdout.trim(), '', 'no container ran on B');
    const bSeconds = (Date.now() - bStarted) / 1000;
    // Every step a cache hit: B pulled none of the toolchain's layers (only the cache images' results at the last vertices).
    const tcManifest = await fetch(`http://${registry.host}/v2/tarsmith-e2e/gw-cache/manifests/${held.digest}`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    const tcLayers = ((await tcManifest.json()) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
    assert.equal(tcLayers.length, lock.toolchain.layers.length);
    const pulled = [...log.matchAll(/^#\d+ pulling (sha256:[0-9a-f]{64})/gm)].map((m) => m[1]);
    assert.deepEqual(pulled.filter((d) => tcLayers.includes(d as string)), [], `B pulled no toolchain layer (it pulled ${pulled.join(', ')})`);

    // A repository without the toolchain image: said, then the engine's own store is asked, which has none.
    await remote.reset();
    const none = await tarsmith(['build', '--cache-from', `${registry.host}/tarsmith-e2e/gw-none:build`], p.dir, { ...base, DOCKER_HOST: remote.tcp });
    assert.equal(none.code, 4, none.stderr);
    assert.match(none.stderr, /info\[registry\.toolchain-absent\]: the registry has no toolchain image .*gw-none:toolchain-[0-9a-f]{16}/);
    assert.match(none.stderr, /error\[build\.toolchain-missing\]: the toolchain image tarsmith-toolchain\/gw:[0-9a-f]{16} is not in the image store of the engine at/);
    assert.match(none.stderr, /fix: build once with --cache-to type=registry,ref=… on the engine that ran `tarsmith toolchain`/);

    // Another image pushed under the toolchain tag (tampered) is refused by code before anything is built.
    assert.equal((await run([...client, 'tag', ref, tcRef])).code, 0);
    assert.equal((await run([...client, 'push', tcRef])).code, 0);
    await remote.reset();
    const tampered = await tarsmith(['build', '--cache-from', ref], p.dir, { ...base, DOCKER_HOST: remote.tcp });
    assert.equal(tampered.code, 1, tampered.stderr);
    assert.match(tampered.stderr, new RegExp(`error\\[registry\\.toolchain-mismatch\\]: the registry holds another image under ${tcRef.replace(/\./g, '\\.')}: its manifest sha256:[0-9a-f]{64} names the config sha256:[0-9a-f]{64}: its layers are not the recorded ones`));
    assert.doesNotMatch(tampered.stderr, /build context/, 'refused before anything was staged or built');
    assert.equal(await fs.readFile(path.join(out, 'SHA256SUMS'), 'utf8'), aSums, 'out/ is untouched');
    console.log(`toolchain through the registry: A ${aSeconds.toFixed(1)} s (project, build, push), B ${bSeconds.toFixed(1)} s, whole test ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    // By name: the toolchain image keeps its own tag for the other kernel tests.
    await run([...client, 'image', 'rm', ref, tcRef, `${ref}-kernel-config-out`]);
    await p.cleanup();
  }
});
