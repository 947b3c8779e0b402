import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { exampleCopy, tarsmith } from './build-rig.js';

test('no docker client, and a daemon that does not answer: exit 4 with the next step spelled out', async () => {
  const ex = await exampleCopy();
  try {
    const missing = await tarsmith(['build'], ex.dir, { ...process.env, TARSMITH_DOCKER: path.join(ex.dir, 'no-docker') });
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(missing.stderr, /error\[engine\.docker-missing\]/);
    assert.match(missing.stderr, /fix: install Docker/);

    const down = await tarsmith(['build', '--json'], ex.dir, { ...process.env, DOCKER_HOST: `unix://${path.join(ex.dir, 'no.sock')}` });
    assert.equal(down.code, 4, down.stderr);
    const res = JSON.parse(down.stdout) as { ok: boolean; errors: { code: string; hint?: string }[] };
    assert.equal(res.ok, false);
    // An engine chosen by DOCKER_HOST (here a socket nothing listens on) is named with how it was chosen.
    assert.equal(res.errors[0]?.code, 'engine.remote-unreachable');
    assert.match(res.errors[0]?.hint ?? '', /dockerd/);
  } finally {
    await ex.cleanup();
  }
});
