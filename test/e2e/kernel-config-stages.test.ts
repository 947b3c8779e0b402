/**
 * The kernel config in two stages, end to end on Debian's linux-source-6.12: the base (`make tinyconfig`, or a
 * config file with the kernel's conf tool built beside it) and the fragments (merge_config.sh -m, olddefconfig).
 * A fragment change re-runs only the second: the base stage is a cache hit, and the resolved config is the one the
 * whole sequence gives. A config-file base resolves to the same config as the defconfig it was taken from.
 */
import { test } from 'node:test';
import { randomInt } from 'node:crypto';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { kernelProject, vertices } from './kernel-rig.js';

const TARGETS = `    gateway:
      kernel: true
      modules: [cdx]
      steps: [make userspace]
      artifacts: [bin/cmm]
`;

test('kernel config: a fragment change re-runs only the fragment step, with a defconfig base and with a config-file base', async () => {
  // Lines no earlier run wrote: BuildKit's cache outlives a test run on the same engine.
  const nonce = randomInt(1, 2 ** 31);
  const fragment = (n: number) => `CONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\n# ${nonce} ${n}\n`;
  const p = await kernelProject({
    kernel: '  source: linux\n  arch: x86_64\n  defconfig: tinyconfig\n  fragments: [kernel/gw.config]\n  build: modules_prepare\n',
    targets: TARGETS,
    files: { 'kernel/gw.config': fragment(0) },
  });
  const out = path.join(p.dir, 'out', 'gw.kernel-config', 'config');
  const log = () => fs.readFile(path.join(p.dir, 'out', 'gw.log'), 'utf8');
  const configOnly = async (): Promise<Map<string, 'cached' | 'done'>> => {
    const v = await p.tarsmith(['vendor']);
    assert.equal(v.code, 0, v.stderr);
    const r = await p.tarsmith(['build', '--kernel-config-only', '--progress', 'plain']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /kernel: the resolved config satisfies kernel\/gw\.config/);
    return vertices(await log());
  };
  const state = (v: Map<string, 'cached' | 'done'>, stage: string): string | undefined => [...v].find(([n]) => n.startsWith(`[${stage} `) && n.includes('RUN'))?.[1];
  try {
    await configOnly();
    const resolved = await fs.readFile(out, 'utf8');
    assert.match(resolved, /^CONFIG_MODULE_UNLOAD=y$/m);

    await fs.writeFile(path.join(p.dir, 'kernel', 'gw.config'), fragment(1));
    let v = await configOnly();
    assert.equal(state(v, 'kernel-base'), 'cached', 'make tinyconfig did not run again');
    assert.equal(state(v, 'kernel-config'), 'done', 'the fragment step ran');
    assert.equal(await fs.readFile(out, 'utf8'), resolved);

    // The resolved config as a config-file base: its own stage runs once (conf built there), then only the fragments.
    await fs.writeFile(path.join(p.dir, 'kernel', 'base.config'), `${resolved}# base ${nonce}\n`);
    const manifest = path.join(p.dir, 'tarsmith.yaml');
    await fs.writeFile(manifest, (await fs.readFile(manifest, 'utf8')).replace('defconfig: tinyconfig', 'config: kernel/base.config'));
    v = await configOnly();
    assert.equal(state(v, 'kernel-base'), 'done');
    assert.equal(await fs.readFile(out, 'utf8'), resolved, 'olddefconfig of a resolved config and the same fragment is a fixed point');

    await fs.writeFile(path.join(p.dir, 'kernel', 'gw.config'), fragment(2));
    v = await configOnly();
    assert.equal(state(v, 'kernel-base'), 'cached');
    assert.equal(state(v, 'kernel-config'), 'done');
    assert.equal(await fs.readFile(out, 'utf8'), resolved);
  } finally {
    await p.cleanup();
  }
});
