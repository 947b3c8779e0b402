import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { dockerClient, exampleCopy, run, tarsmith } from './build-rig.js';

test('toolchain packages: build refuses until `tarsmith toolchain` made the image; then it builds offline with them', async () => {
  const ex = await exampleCopy(async (_dir, manifest) => {
    const withPkg = manifest.replace('  family: apt\n', '  family: apt\n  packages: [bc]\n');
    return `${withPkg}    calc:\n      steps:\n        - echo '6*7' | bc > answer.txt\n      artifacts: [answer.txt]\n`;
  });
  const docker = await dockerClient();
  let tag: string | undefined;
  try {
    const before = await tarsmith(['build', 'calc'], ex.dir);
    assert.equal(before.code, 2, before.stderr);
    assert.match(before.stderr, /error\[build\.toolchain-stale\]/);
    assert.match(before.stderr, /run `tarsmith toolchain`/);

    const t = await tarsmith(['toolchain', '--json'], ex.dir);
    assert.equal(t.code, 0, t.stderr);
    const res = JSON.parse(t.stdout) as { needed: boolean; tag: string; layers: string[]; inputsHash: string };
    tag = res.tag;
    assert.equal(res.needed, true);
    assert.match(res.tag, /^tarsmith-toolchain\/hello:[0-9a-f]{16}$/);
    const lock = JSON.parse(await fs.readFile(path.join(ex.dir, 'tarsmith.lock'), 'utf8')) as { toolchain?: { installed?: Record<string, string> } };
    const { installed, ...recorded } = lock.toolchain ?? {};
    assert.deepEqual(recorded, { layers: res.layers, inputsHash: res.inputsHash, tag: res.tag });
    assert.ok(installed?.['make:amd64'], 'the lock lists the packages installed in the image, base packages too');

    const b = await tarsmith(['build', 'calc'], ex.dir);
    assert.equal(b.code, 0, b.stderr);
    assert.doesNotMatch(b.stderr, /apt-get/, 'the build installs nothing');
    assert.equal(await fs.readFile(path.join(ex.dir, 'out', 'hello-calc', 'answer.txt'), 'utf8'), '42\n');
  } finally {
    if (tag) await run([docker, 'image', 'rm', tag]);
    await ex.cleanup();
  }
});
