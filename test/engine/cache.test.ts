import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTarsmithError } from '../../src/core/errors.js';
import { cacheArgs, cacheBuilder, parseCacheSpec } from '../../src/engine/cache.js';

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
  assert.deepEqual(r, { argv: ['--cache-from', 'r/c:1', '--cache-from', 'r/d:2'], buildArgs: ['BUILDKIT_INLINE_CACHE=1'] });
  assert.throws(() => cacheArgs('engine', 'image', [], ['type=registry,ref=r/c:1,mode=max']), refusedWith(/exports only the inline cache \(type=inline\), not type=registry/));
  assert.throws(() => cacheArgs('engine', 'local', [], ['type=inline']), refusedWith(/rides on an engine-built image, and this build exports files/));
  assert.throws(() => cacheArgs('engine', 'image', [], ['type=inline,mode=max']), refusedWith(/takes no parameters/));
  assert.throws(() => cacheArgs('engine', 'local', ['type=local,src=/c'], []), refusedWith(/imports cache only from images in a registry, not type=local/));
});

test('buildx: the docker driver exports inline only; the container and remote drivers get every spec as given', () => {
  assert.deepEqual(cacheArgs('buildx-docker', 'image', ['type=registry,ref=r/c'], ['type=inline']), { argv: ['--cache-from', 'type=registry,ref=r/c', '--cache-to', 'type=inline'], buildArgs: [] });
  assert.throws(() => cacheArgs('buildx-docker', 'local', [], ['type=local,dest=/c']), refusedWith(/the buildx docker driver exports only the inline cache/));
  const max = cacheArgs('buildx-other', 'local', ['type=registry,ref=r/c'], ['type=registry,ref=r/c,mode=max']);
  assert.deepEqual(max.argv, ['--cache-from', 'type=registry,ref=r/c', '--cache-to', 'type=registry,ref=r/c,mode=max']);
});
