import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTarsmithError } from '../../src/core/errors.js';
import { buildArgv, type BuildRequest } from '../../src/engine/argv.js';

const req: BuildRequest = {
  contextDir: '/tmp/ctx',
  dockerfile: '/tmp/ctx/Dockerfile',
  target: 'artifacts',
  platform: 'linux/amd64',
  network: 'none',
  output: { kind: 'local', dest: '/w/out/.hello.partial' },
  secrets: [{ id: 'source-sdk', src: '/w/packages/sdk.tar.gz' }],
  progress: 'plain',
  cacheFrom: [],
  cacheTo: [],
};

test('legacy BuildKit path: DOCKER_BUILDKIT=1 docker build with network none, secrets, local export', () => {
  const inv = buildArgv('/usr/bin/docker', 'buildkit', req);
  assert.deepEqual(inv.env, { DOCKER_BUILDKIT: '1' });
  assert.deepEqual(inv.argv, [
    '/usr/bin/docker', 'build', '--progress', 'plain', '--file', '/tmp/ctx/Dockerfile', '--target', 'artifacts',
    '--platform', 'linux/amd64', '--network', 'none', '--secret', 'id=source-sdk,src=/w/packages/sdk.tar.gz',
    '--output', 'type=local,dest=/w/out/.hello.partial', '/tmp/ctx',
  ]);
});

test('buildx path: builder, cache-from and cache-to passed through; image output loads', () => {
  const inv = buildArgv('docker', 'buildx', {
    ...req,
    builder: 'ci',
    output: { kind: 'image', tag: 'hello:latest' },
    cacheFrom: ['type=local,src=/c'],
    cacheTo: ['type=local,dest=/c,mode=max'],
    iidfile: '/tmp/iid',
  });
  assert.deepEqual(inv.env, {});
  assert.deepEqual(inv.argv, [
    'docker', 'buildx', 'build', '--builder', 'ci', '--progress', 'plain', '--file', '/tmp/ctx/Dockerfile',
    '--target', 'artifacts', '--platform', 'linux/amd64', '--network', 'none',
    '--secret', 'id=source-sdk,src=/w/packages/sdk.tar.gz', '--load', '--tag', 'hello:latest',
    '--cache-from', 'type=local,src=/c', '--cache-to', 'type=local,dest=/c,mode=max', '--iidfile', '/tmp/iid', '/tmp/ctx',
  ]);
});

test('--no-cache is passed through for cold builds', () => {
  assert.ok(buildArgv('docker', 'buildkit', { ...req, noCache: true }).argv.includes('--no-cache'));
  assert.ok(!buildArgv('docker', 'buildkit', req).argv.includes('--no-cache'));
});

test('the toolchain step is the only one that keeps the network', () => {
  const inv = buildArgv('docker', 'buildkit', { ...req, network: 'default', output: { kind: 'image', tag: 't:1' }, secrets: [] });
  assert.deepEqual(inv.argv.slice(inv.argv.indexOf('--network'), inv.argv.indexOf('--network') + 2), ['--network', 'default']);
  assert.ok(inv.argv.includes('--tag') && !inv.argv.includes('--load'));
});

test('--builder without buildx is a usage error naming the fix; so is a cache export docker build cannot do', () => {
  assert.throws(
    () => buildArgv('docker', 'buildkit', { ...req, builder: 'x' }),
    (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'usage.needs-buildx' && /docker-buildx/.test(e.failures[0]?.hint ?? ''),
  );
  assert.throws(
    () => buildArgv('docker', 'buildkit', { ...req, cacheTo: ['type=local,dest=/c'] }),
    (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'engine.cache-unsupported' && /docker-container/.test(e.failures[0]?.hint ?? ''),
  );
});

test('paths the option syntax cannot carry (commas) are refused', () => {
  assert.throws(
    () => buildArgv('docker', 'buildkit', { ...req, output: { kind: 'local', dest: '/a,b' } }),
    (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'usage.unsafe-path',
  );
});

test('the client\'s global options (a docker context) come before the build subcommand, on both paths', () => {
  const legacy = buildArgv(['/usr/bin/docker', '--context', 'ci'], 'buildkit', req);
  assert.deepEqual(legacy.argv.slice(0, 4), ['/usr/bin/docker', '--context', 'ci', 'build']);
  const bx = buildArgv(['docker', '--context', 'ci'], 'buildx', req);
  assert.deepEqual(bx.argv.slice(0, 5), ['docker', '--context', 'ci', 'buildx', 'build']);
});
