import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exampleCopy, run, tarsmith } from './build-rig.js';

test('after the application tarball changes (re-vendored), the rebuild uses the new sources', async () => {
  const ex = await exampleCopy();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-src-'));
  try {
    assert.equal((await tarsmith(['build'], ex.dir)).code, 0);
    const tgz = path.join(ex.dir, 'packages', 'hello-1.0.tar.gz');
    assert.equal((await run(['tar', '-xzf', tgz, '-C', work])).code, 0);
    const c = path.join(work, 'hello-1.0', 'hello.c');
    await fs.writeFile(c, (await fs.readFile(c, 'utf8')).replace('(hello %s)', '(changed %s)'));
    assert.equal((await run(['tar', '-czf', tgz, '-C', work, 'hello-1.0'])).code, 0);
    const v = await tarsmith(['vendor'], ex.dir);
    assert.equal(v.code, 0, v.stderr);
    const b = await tarsmith(['build'], ex.dir);
    assert.equal(b.code, 0, b.stderr);
    assert.equal((await run([path.join(ex.dir, 'out', 'hello', 'hello')])).stdout, 'hello, world (changed 1.0.0)\n');
  } finally {
    await fs.rm(work, { recursive: true, force: true });
    await ex.cleanup();
  }
});

test('an artifact glob that matches nothing fails the build, naming the glob; no output is written', async () => {
  const ex = await exampleCopy(async (_dir, manifest) => `${manifest}    lib:\n      steps: [make libgreet.a]\n      artifacts: [lib/*.so]\n`);
  try {
    const r = await tarsmith(['build', 'lib'], ex.dir);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /error\[build\.artifact-missing\]: the artifact glob "lib\/\*\.so" of target lib matches nothing in the build tree/);
    assert.match(r.stderr, /fix: check the path under build\.targets\.\*\.artifacts/);
    assert.equal(await fs.stat(path.join(ex.dir, 'out', 'hello-lib')).catch(() => undefined), undefined);
  } finally {
    await ex.cleanup();
  }
});
