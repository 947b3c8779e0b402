/**
 * The resolver's own failure modes against the real engine: a base image the engine does not have (and cannot pull,
 * offline) is reported as the engine's failure to start the resolver, with docker's message, not as an apt error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePackages } from '../../src/fetch/toolchain/resolve.js';
import { isTarsmithError } from '../../src/core/errors.js';
import { dockerClient } from './build-rig.js';

test('a base image the engine lacks: toolchain.resolver-not-started with docker\'s own message (exit 4)', async () => {
  const docker = await dockerClient();
  const image = 'tarsmith-absent/never-built:1';
  await assert.rejects(
    () => resolvePackages({ docker, base: { kind: 'image', ref: image }, family: 'apt', names: ['make'] }),
    (e: unknown) => {
      assert.ok(isTarsmithError(e), String(e));
      const f = e.failures[0];
      assert.equal(f?.code, 'toolchain.resolver-not-started');
      assert.equal(e.exit, 4);
      assert.match(f?.message ?? '', /could not start the resolver container from tarsmith-absent\/never-built:1: .*(pull|not found|denied|lookup|dial|resolve)/i);
      return true;
    },
  );
});
