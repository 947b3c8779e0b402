import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTarsmithError } from '../../src/core/errors.js';
import { cacheArgs, cacheBuilder, parseCacheSpec, stageCache, stageRef } from '../../src/engine/cache.js';

const refusedWith = (re: RegExp) => (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'engine.cache-unsupported' && e.failures[0]?.exit === 2 && re.test(e.failures[0]?.message ?? '');

test('cache specs: KEY=VALUE lists, and a bare reference is a registry import', () => {
  assert.deepEqual(parseCacheSpec('type=registry,ref=r:5000/c:1,mode=max'), { type: 'registry', attrs: { ref: 'r:5000/c:1', mode: 'max' }, text: 'type=registry,ref=r:5000/c:1,mode=max' });
  assert.deepEqual(parseCacheSpec('127.0.0.1:5000/hello:cache').attrs, { ref: '127.0.0.1:5000/hello:cache' });
  assert.equal(parseCacheSpec('type=inline').type, 'inline');
  assert.throws(() => parseCacheSpec('type=local,dest'), refusedWith(/"dest" is not KEY=VALUE/));
});

test('the builder follows the driver: docker build, buildx docker driver, buildx container/remote drivers', () => {
  assert.equal(cacheBuilder('buildkit', undefined), 'engine');
  assert.equal(cacheBuilder('buildx', 'docker'), 'buildx-docker');
  assert.equal(cacheBuilder('buildx', 'docker-container'), 'buildx-other');
  assert.equal(cacheBuilder('buildx', 'remote'), 'buildx-other');
});

test('docker build (Docker 20.10): inline export into an image as BUILDKIT_INLINE_CACHE=1, registry imports as plain references', () => {
  const r = cacheArgs('engine', 'image', ['type=registry,ref=r/c:1', 'r/d:2'], ['type=inline']);
  assert.deepEqual(r, { argv: ['--cache-from', 'r/c:1', '--cache-from', 'r/d:2'], buildArgs: ['BUILDKIT_INLINE_CACHE=1'], carriers: [] });
  assert.throws(() => cacheArgs('engine', 'image', [], ['type=registry,ref=r/c:1,mode=max']), refusedWith(/exports only the inline cache, which holds the result of the stage built \(mode=min\), not mode=max/));
  assert.throws(() => cacheArgs('engine', 'local', [], ['type=local,dest=/c']), refusedWith(/exports only the inline cache \(into an image, or a cache image in a registry\), not type=local/));
  assert.throws(() => cacheArgs('engine', 'local', [], ['type=inline']), refusedWith(/without ref= rides on the engine-built image, and this build exports files/));
  assert.throws(() => cacheArgs('engine', 'image', [], ['type=inline,mode=max']), refusedWith(/exports only the inline cache, which holds the result of the stage built/));
  assert.throws(() => cacheArgs('engine', 'local', ['type=local,src=/c'], []), refusedWith(/imports cache only from images in a registry, not type=local/));
});

test('buildx: the docker driver exports inline only; the container and remote drivers get every spec as given', () => {
  assert.deepEqual(cacheArgs('buildx-docker', 'image', ['type=registry,ref=r/c'], ['type=inline']), { argv: ['--cache-from', 'type=registry,ref=r/c', '--cache-to', 'type=inline'], buildArgs: [], carriers: [] });
  assert.deepEqual(cacheArgs('buildx-docker', 'local', [], ['type=registry,ref=r/c:1']).carriers, ['r/c:1']);
  assert.throws(() => cacheArgs('buildx-docker', 'local', [], ['type=local,dest=/c']), refusedWith(/the buildx docker driver exports only the inline cache/));
  const max = cacheArgs('buildx-other', 'local', ['type=registry,ref=r/c'], ['type=registry,ref=r/c,mode=max']);
  assert.deepEqual(max.argv, ['--cache-from', 'type=registry,ref=r/c', '--cache-to', 'type=registry,ref=r/c,mode=max']);
});

test('a registry cache on an inline-only builder is a cache image: type=registry,ref= or type=inline,ref=, for files and images alike', () => {
  const r = cacheArgs('engine', 'local', ['127.0.0.1:5000/c:1'], ['type=registry,ref=127.0.0.1:5000/c:1', 'type=inline,ref=127.0.0.1:5000/d:2', 'type=registry,ref=127.0.0.1:5000/c:1,mode=min']);
  // Not an argument of the build itself: the cache images are built and pushed after it.
  assert.deepEqual(r, { argv: ['--cache-from', '127.0.0.1:5000/c:1'], buildArgs: [], carriers: ['127.0.0.1:5000/c:1', '127.0.0.1:5000/d:2'] });
  assert.deepEqual(cacheArgs('engine', 'image', [], ['type=registry,ref=r.example/c:1']).carriers, ['r.example/c:1']);
  assert.throws(() => cacheArgs('engine', 'local', [], ['type=registry']), refusedWith(/type=registry needs ref=/));
  assert.throws(() => cacheArgs('engine', 'local', [], ['type=registry,ref=r/C:1']), refusedWith(/ref="r\/C:1" is not an image reference: "C" is not a repository path component/));
  assert.throws(() => cacheArgs('engine', 'local', [], ['type=registry,ref=r/c@sha256:00']), refusedWith(/no @digest/));
  assert.throws(() => cacheArgs('engine', 'local', [], ['type=registry,ref=r/c:1,compression=zstd']), refusedWith(/takes ref= \(and mode=min\) only, not compression/));
  // A container or remote builder exports the registry cache itself.
  assert.deepEqual(cacheArgs('buildx-other', 'local', [], ['type=registry,ref=r/c:1']), { argv: ['--cache-to', 'type=registry,ref=r/c:1'], buildArgs: [], carriers: [] });
});

test('each stage built on its own has a cache image of its own: REF for the artifacts stage, TAG-STAGE otherwise', () => {
  assert.equal(stageRef('127.0.0.1:5000/team/hello:cache', 'artifacts'), '127.0.0.1:5000/team/hello:cache');
  assert.equal(stageRef('127.0.0.1:5000/team/hello:cache', 'kernel-config-out'), '127.0.0.1:5000/team/hello:cache-kernel-config-out');
  assert.equal(stageRef('registry.example/hello', 'toolchain'), 'registry.example/hello:latest-toolchain');
  assert.equal(stageRef('r.example/h:t', 'a b'), 'r.example/h:t-a-b');
  assert.equal(stageRef(`r.example/h:${'t'.repeat(120)}`, 'kernel-config-out').split(':')[1]?.length, 128);

  const specs = stageCache('engine', 'kernel-config-out', ['r.example/h:c', 'type=registry,ref=r.example/h:d'], ['type=registry,ref=r.example/h:c,mode=min', 'type=inline,ref=r.example/h:e']);
  assert.deepEqual(specs, {
    // The import looks for the stage's own cache image, and at the reference as given (a mode=max export of another builder).
    from: ['r.example/h:c', 'r.example/h:c-kernel-config-out', 'type=registry,ref=r.example/h:d', 'type=registry,ref=r.example/h:d-kernel-config-out'],
    to: ['type=registry,ref=r.example/h:c-kernel-config-out,mode=min', 'type=inline,ref=r.example/h:e-kernel-config-out'],
  });
  assert.deepEqual(stageCache('engine', 'artifacts', ['r.example/h:c'], ['type=registry,ref=r.example/h:c']), { from: ['r.example/h:c'], to: ['type=registry,ref=r.example/h:c'] });
  assert.deepEqual(stageCache('buildx-other', 'toolchain', ['type=registry,ref=r/c'], ['type=registry,ref=r/c,mode=max']), { from: ['type=registry,ref=r/c'], to: ['type=registry,ref=r/c,mode=max'] });
  // The inline cache into the image itself, and imports of other kinds, are left as given.
  assert.deepEqual(stageCache('engine', 'toolchain', ['type=local,src=/c'], ['type=inline']), { from: ['type=local,src=/c'], to: ['type=inline'] });
});
