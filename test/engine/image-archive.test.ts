import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { imageConfig, parsePlatform, writeImageArchive } from '../../src/engine/image-archive.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('platforms: OS/ARCH[/VARIANT], anything else refused', () => {
  assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.equal(parsePlatform('amd64'), undefined);
  assert.equal(parsePlatform('linux/arm/v7/x'), undefined);
});

test('the image config holds no wall clock: created and history from SOURCE_DATE_EPOCH; fixed bytes', () => {
  const o = { platform: { os: 'linux', architecture: 'amd64' }, diffId: 'a'.repeat(64), sourceDateEpoch: 1700000000, name: 'hello', target: 'hello' };
  const c = imageConfig(o);
  assert.deepEqual(c, imageConfig(o));
  const j = JSON.parse(c.toString()) as { created: string; history: { created: string }[]; rootfs: { diff_ids: string[] }; os: string; architecture: string };
  assert.equal(j.created, '2023-11-14T22:13:20Z');
  assert.equal(j.history[0]?.created, '2023-11-14T22:13:20Z');
  assert.deepEqual(j.rootfs.diff_ids, [`sha256:${'a'.repeat(64)}`]);
  assert.notDeepEqual(imageConfig({ ...o, sourceDateEpoch: 1700000001 }), c);
});

test('the Docker image archive: manifest.json names the config (its sha256 is the image ID) and the layer (its diff ID)', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-image-archive-'));
  try {
    const art = path.join(tmp, 'art');
    await fs.mkdir(path.join(art, 'bin'), { recursive: true });
    await fs.writeFile(path.join(art, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    const work1 = path.join(tmp, 'w1');
    const work2 = path.join(tmp, 'w2');
    await fs.mkdir(work1);
    await fs.mkdir(work2);
    const o = { tag: 'x:y', platform: { os: 'linux', architecture: 'amd64' }, sourceDateEpoch: 1700000000, name: 'x', target: 'y' };
    const a = await writeImageArchive(art, work1, o);
    await fs.utimes(path.join(art, 'bin', 'tool'), 1, 1);
    const b = await writeImageArchive(art, work2, o);
    assert.equal(a.imageId, b.imageId, 'the same ID for the same artifacts, whatever their mtimes');
    assert.equal(sha(await fs.readFile(a.file)), sha(await fs.readFile(b.file)));
    const out = path.join(tmp, 'x');
    await fs.mkdir(out);
    execFileSync('tar', ['-xf', a.file, '-C', out]);
    const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8')) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    assert.equal(manifest.length, 1);
    const [entry] = manifest;
    assert.deepEqual(entry?.RepoTags, ['x:y']);
    assert.equal(`sha256:${sha(await fs.readFile(path.join(out, entry!.Config)))}`, a.imageId);
    const layer = await fs.readFile(path.join(out, entry!.Layers[0]!));
    assert.equal(`sha256:${sha(layer)}`, a.diffId);
    const cfg = JSON.parse(await fs.readFile(path.join(out, entry!.Config), 'utf8')) as { rootfs: { diff_ids: string[] } };
    assert.deepEqual(cfg.rootfs.diff_ids, [a.diffId]);
    assert.deepEqual(execFileSync('tar', ['-tf', path.join(out, entry!.Layers[0]!)], { encoding: 'utf8' }).trim().split('\n'), ['opt/', 'opt/x/', 'opt/x/bin/', 'opt/x/bin/tool']);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});
