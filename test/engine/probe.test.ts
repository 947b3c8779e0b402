import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseClient, clientCanBuild, observeClient, type ClientObservation } from '../../src/engine/probe.js';
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
