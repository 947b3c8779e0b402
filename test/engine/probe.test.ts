import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseClient, clientCanBuild, endpointVia, engineHasBuildkit, globalArgs, observeClient, type ClientObservation } from '../../src/engine/probe.js';
import { which } from '../../src/core/exec.js';

const v28: ClientObservation = { path: '/usr/local/bin/docker', clientVersion: '28.2.2', serverVersion: '20.10.24' };
const v20: ClientObservation = { path: '/usr/bin/docker', clientVersion: '20.10.24+dfsg1', serverVersion: '20.10.24+dfsg1' };

test('a client from 23 on without buildx cannot build; with buildx or older it can', () => {
  assert.equal(clientCanBuild(v28), false);
  assert.equal(clientCanBuild({ ...v28, buildx: 'v0.13.1' }), true);
  assert.equal(clientCanBuild(v20), true);
});

test('the docker on PATH without buildx falls back to the distribution client, with a note', () => {
  const r = chooseClient(v28, v20, false);
  assert.ok(!('code' in r));
  assert.equal(r.docker, '/usr/bin/docker');
  assert.equal(r.mode, 'buildkit');
  assert.match(r.notes[0] ?? '', /no buildx; using docker 20\.10\.24\+dfsg1 at \/usr\/bin\/docker/);
});

test('buildx present: the buildx path, no note', () => {
  const r = chooseClient({ ...v28, buildx: 'v0.13.1' }, undefined, false);
  assert.ok(!('code' in r));
  assert.equal(r.mode, 'buildx');
  assert.deepEqual(r.notes, []);
});

test('an explicit client is never replaced; its missing buildx is an error naming the fix', () => {
  const r = chooseClient(v28, v20, true);
  assert.ok('code' in r);
  assert.equal(r.code, 'engine.buildx-missing');
  assert.match(r.hint ?? '', /docker-buildx/);
  assert.match(r.hint ?? '', /TARSMITH_DOCKER/);
});

test('no client at all, and a daemon that does not answer, are engine errors with the next step', () => {
  const none = chooseClient(undefined, undefined, false);
  assert.ok('code' in none && none.code === 'engine.docker-missing' && /apt-get install docker\.io/.test(none.hint ?? ''));
  const down = chooseClient({ path: '/usr/bin/docker', clientVersion: '20.10.24', serverError: 'Cannot connect to the Docker daemon' }, undefined, false);
  assert.ok('code' in down && down.code === 'engine.daemon-unreachable' && /dockerd/.test(down.hint ?? ''));
  assert.match(down.message, /Cannot connect/);
});

test('observing a program that is not docker gives no versions', async () => {
  const sh = (await which('true')) as string;
  const o = await observeClient(sh);
  assert.equal(o.clientVersion, undefined);
  assert.equal(o.serverVersion, undefined);
});

test('the endpoint follows the docker CLI precedence: --context, DOCKER_HOST, DOCKER_CONTEXT, the configured context', () => {
  assert.equal(endpointVia({ context: 'a', env: { DOCKER_HOST: 'tcp://h:1' } }, 'a'), 'flag');
  assert.equal(endpointVia({ env: { DOCKER_HOST: 'tcp://h:1', DOCKER_CONTEXT: 'b' } }, 'default'), 'DOCKER_HOST');
  assert.equal(endpointVia({ env: { DOCKER_CONTEXT: 'b' } }, 'b'), 'DOCKER_CONTEXT');
  assert.equal(endpointVia({ env: {} }, 'ci'), 'config');
  assert.equal(endpointVia({ env: {} }, 'default'), 'default');
  assert.deepEqual(globalArgs({ context: 'ci' }), ['--context', 'ci']);
  assert.deepEqual(globalArgs({ env: { DOCKER_HOST: 'tcp://h:1' } }), []);
});

test('a chosen context rides on every client call; the caps name the endpoint', () => {
  const r = chooseClient({ ...v20, context: 'ci', host: 'ssh://builder@ci' }, undefined, false, { context: 'ci' });
  assert.ok(!('code' in r));
  assert.deepEqual(r.client, ['/usr/bin/docker', '--context', 'ci']);
  assert.deepEqual(r.endpoint, { context: 'ci', host: 'ssh://builder@ci', via: 'flag' });
});

test('a chosen engine that does not answer is engine.remote-unreachable naming it; the default socket keeps its own code', () => {
  const down = { path: '/usr/bin/docker', clientVersion: '20.10.24', serverError: 'Cannot connect to the Docker daemon at tcp://10.0.0.9:2375', context: 'default', host: 'tcp://10.0.0.9:2375' };
  const r = chooseClient(down, undefined, false, { env: { DOCKER_HOST: 'tcp://10.0.0.9:2375' } });
  assert.ok('code' in r && r.code === 'engine.remote-unreachable');
  assert.match(r.message, /^the engine at tcp:\/\/10\.0\.0\.9:2375 \(DOCKER_HOST\) does not answer: Cannot connect/);
  assert.equal(r.value, 'tcp://10.0.0.9:2375');
  const local = chooseClient({ ...down, host: 'unix:///var/run/docker.sock' }, undefined, false, { env: {} });
  assert.ok('code' in local && local.code === 'engine.daemon-unreachable');
});

test('an unknown context is a usage error naming it, even when a fallback client exists', () => {
  const bad = { path: '/usr/local/bin/docker', endpointError: 'unable to resolve docker endpoint: context "nope" does not exist' };
  const r = chooseClient(bad, v20, false, { context: 'nope' });
  assert.ok('code' in r && r.code === 'engine.unknown-context');
  assert.equal(r.exit, 2);
  assert.equal(r.value, 'nope');
});

test('an engine without BuildKit: Docker Engine before 18.09, or a Windows engine', () => {
  assert.equal(engineHasBuildkit('18.06.3-ce', 'linux'), false);
  assert.equal(engineHasBuildkit('18.09.1', 'linux'), true);
  assert.equal(engineHasBuildkit('20.10.24', 'windows'), false);
  const r = chooseClient({ ...v20, serverVersion: '20.10.24', serverOs: 'windows', host: 'tcp://win:2375' }, undefined, false, { env: { DOCKER_HOST: 'tcp://win:2375' } });
  assert.ok('code' in r && r.code === 'engine.no-buildkit');
  assert.match(r.message, /on windows, has no BuildKit/);
  assert.match(r.hint ?? '', /Linux engine/);
});
