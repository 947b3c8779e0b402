/** The capability probe against the Docker engine of this machine (the unit tests of the probe are in test/engine/). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientCanBuild, probeEngine } from '../../src/engine/probe.js';

test('the real probe on this machine finds a client that can build, and the daemon', async () => {
  const caps = await probeEngine();
  assert.ok(caps.buildkit);
  assert.ok(caps.serverVersion.length > 0);
  assert.ok(clientCanBuild({ path: caps.docker, clientVersion: caps.clientVersion, ...(caps.buildx ? { buildx: caps.buildx } : {}) }));
});
