import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkToolchainConfig, toolchainEntry, toolchainImageTag } from '../../src/engine/toolchain-image.js';

const L = (c: string) => `sha256:${c.repeat(64)}`;

test('the toolchain image tag: toolchain- and the first 16 hex digits of the inputs hash', () => {
  assert.equal(toolchainImageTag('3f0c2a9b81d4e6f7a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3'), 'toolchain-3f0c2a9b81d4e6f7');
});

test('the toolchain config check: the rootfs.diff_ids must be the recorded layers, in order', () => {
  const layers = [L('a'), L('b')];
  const config = (ids: unknown) => Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: ids } }));
  assert.deepEqual(checkToolchainConfig(config(layers), layers), { ok: true });
  // The image ID (the config's own digest, with the build time in it) does not matter: only the layers.
  assert.deepEqual(checkToolchainConfig(Buffer.from(JSON.stringify({ created: 'another time', rootfs: { diff_ids: layers } })), layers), { ok: true });
  const swapped = checkToolchainConfig(config([L('b'), L('a')]), layers);
  assert.equal(swapped.ok, false);
  assert.match(!swapped.ok ? swapped.why : '', new RegExp(`2 layer\\(s\\) against 2, layer 1 is ${L('b')}, the lock records ${L('a')}`));
  const fewer = checkToolchainConfig(config([L('a')]), layers);
  assert.match(!fewer.ok ? fewer.why : '', new RegExp(`1 layer\\(s\\) against 2, layer 2 is missing, the lock records ${L('b')}`));
  const more = checkToolchainConfig(config([...layers, L('c')]), layers);
  assert.match(!more.ok ? more.why : '', new RegExp(`3 layer\\(s\\) against 2, layer 3 is ${L('c')}, the lock records none`));
  assert.deepEqual(checkToolchainConfig(Buffer.from('not json'), layers), { ok: false, why: 'its config is not JSON' });
  assert.deepEqual(checkToolchainConfig(config(undefined), layers), { ok: false, why: 'its config lists no rootfs.diff_ids' });
  assert.deepEqual(checkToolchainConfig(config([1, 2]), layers), { ok: false, why: 'its config lists no rootfs.diff_ids' });
});

test('the toolchain entry of the record leaves the installed packages out (listed apart)', () => {
  assert.deepEqual(toolchainEntry({ inputsHash: 'h', tag: 't:1', layers: [L('a')], installed: { 'bc:amd64': '1.07' } }), { inputsHash: 'h', tag: 't:1', layers: [L('a')] });
});
