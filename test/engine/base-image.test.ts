import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { baseImageConfig, baseImageId, baseImageTag, writeBaseImageArchive } from '../../src/engine/base-image.js';
import { apiName, registryCacheRef } from '../../src/engine/registry-base.js';
import { bearerChallenge } from '../../src/engine/registry-api.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const AMD64 = { os: 'linux', architecture: 'amd64' };

test('the base image config: the rootfs sha256 is its one diff ID; no time; fixed bytes, so a fixed image ID', () => {
  const o = { rootfsSha256: 'a'.repeat(64), platform: AMD64 };
  const c = baseImageConfig(o);
  assert.deepEqual(c, baseImageConfig({ ...o }));
  const j = JSON.parse(c.toString()) as Record<string, unknown> & { rootfs: { diff_ids: string[] }; history: Record<string, unknown>[] };
  assert.deepEqual(j.rootfs.diff_ids, [`sha256:${'a'.repeat(64)}`]);
  assert.equal(j.created, undefined);
  assert.equal(j.history[0]?.created, undefined);
  assert.deepEqual([j.os, j.architecture], ['linux', 'amd64']);
  assert.equal(baseImageId(o), `sha256:${sha(c)}`);
  assert.notEqual(baseImageId({ ...o, rootfsSha256: 'b'.repeat(64) }), baseImageId(o));
  assert.notEqual(baseImageId({ ...o, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }), baseImageId(o));
  assert.equal(baseImageTag('791e29f634a9581663bbb72b06904e513d2d518fdb53e787e418bc11f237c9f0'), 'base-791e29f634a95816');
});

test('the base image archive holds the rootfs tarball byte for byte as its layer, and the config whose sha256 is the ID', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-base-image-'));
  try {
    const tree = path.join(tmp, 'tree');
    await fs.mkdir(path.join(tree, 'bin'), { recursive: true });
    await fs.writeFile(path.join(tree, 'bin', 'sh'), '#!/bin/true\n', { mode: 0o755 });
    const rootfs = path.join(tmp, 'rootfs.tar');
    execFileSync('tar', ['-cf', rootfs, '-C', tree, '.']);
    const bytes = await fs.readFile(rootfs);
    const inputs = { rootfsSha256: sha(bytes), platform: AMD64 };
    const work = path.join(tmp, 'w');
    await fs.mkdir(work);
    const a = await writeBaseImageArchive(rootfs, work, { ...inputs, tag: '127.0.0.1:5000/x:base-1' });
    assert.equal(a.imageId, baseImageId(inputs));
    assert.equal(a.diffId, `sha256:${inputs.rootfsSha256}`);
    const out = path.join(tmp, 'x');
    await fs.mkdir(out);
    execFileSync('tar', ['-xf', a.file, '-C', out]);
    const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8')) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    assert.deepEqual(manifest[0]?.RepoTags, ['127.0.0.1:5000/x:base-1']);
    assert.deepEqual(await fs.readFile(path.join(out, manifest[0]?.Layers[0] ?? '')), bytes, 'the layer is the rootfs as it is');
    assert.equal(`sha256:${sha(await fs.readFile(path.join(out, manifest[0]?.Config ?? '')))}`, a.imageId);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

test('the registry of the cache specs: the exported cache image first, else a registry import; other caches none', () => {
  const r = registryCacheRef(['127.0.0.1:5000/a/b:from'], ['type=inline,ref=127.0.0.1:5000/c/d:to']);
  assert.deepEqual(r, { side: 'export', ref: { registry: '127.0.0.1:5000', repository: 'c/d', tag: 'to' } });
  assert.deepEqual(registryCacheRef(['type=registry,ref=reg.example.org/team/x:c'], []), { side: 'import', ref: { registry: 'reg.example.org', repository: 'team/x', tag: 'c' } });
  assert.equal(registryCacheRef(['type=local,src=/tmp/c'], ['type=local,dest=/tmp/c']), undefined);
  assert.equal(registryCacheRef([], ['type=inline']), undefined);
  assert.deepEqual(apiName({ registry: '127.0.0.1:5000', repository: 'a/b', tag: 't' }), { host: '127.0.0.1:5000', repository: 'a/b', name: '127.0.0.1:5000/a/b' });
  assert.deepEqual(apiName({ repository: 'hello', tag: 't' }), { host: 'registry-1.docker.io', repository: 'library/hello', name: 'hello' });
});

test('a bearer challenge is read into its parameters; basic auth is none', () => {
  assert.deepEqual(bearerChallenge('Bearer realm="https://auth.example.org/token",service="registry.example.org",scope="repository:team/x:pull"'), { realm: 'https://auth.example.org/token', service: 'registry.example.org', scope: 'repository:team/x:pull' });
  assert.equal(bearerChallenge('Basic realm="registry"'), undefined);
  assert.equal(bearerChallenge(null), undefined);
});
