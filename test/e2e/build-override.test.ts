import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exampleCopy, run, tarsmith } from './build-rig.js';

test('build --source builds from the override, records it beside the locked file, and leaves the lock alone', async () => {
  const ex = await exampleCopy();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-override-'));
  try {
    const lock = await fs.readFile(path.join(ex.dir, 'tarsmith.lock'), 'utf8');
    assert.equal((await run(['tar', '-xzf', path.join(ex.dir, 'packages', 'hello-1.0.tar.gz'), '-C', work])).code, 0);
    const c = path.join(work, 'hello-1.0', 'hello.c');
    await fs.writeFile(c, (await fs.readFile(c, 'utf8')).replace('(hello %s)', '(override %s)'));
    const tgz = path.join(work, 'hello-2.tar.gz');
    assert.equal((await run(['tar', '-czf', tgz, '-C', work, 'hello-1.0'])).code, 0);
    const sha = createHash('sha256').update(await fs.readFile(tgz)).digest('hex');

    const b = await tarsmith(['build', '--source', `hello=${tgz}`], ex.dir);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /warning\[verify\.source-overridden\]: source "hello" is built from /);
    assert.equal((await run([path.join(ex.dir, 'out', 'hello', 'hello')])).stdout, 'hello, world (override 1.0.0)\n');
    const record = JSON.parse(await fs.readFile(path.join(ex.dir, 'out', 'hello', 'tarsmith-build.json'), 'utf8'));
    const s = record.inputs.sources.hello;
    assert.equal(s.file, tgz);
    assert.equal(s.sha256, sha);
    assert.equal(s.overridden, true);
    assert.equal(s.locked.sha256, JSON.parse(lock).sources.hello.sha256);
    assert.deepEqual(record.args.sources, [`hello=${tgz}`]);
    assert.equal(await fs.readFile(path.join(ex.dir, 'tarsmith.lock'), 'utf8'), lock, 'tarsmith.lock is untouched');

    // Without the override the locked tarball is built again, and the record says nothing of an override.
    const again = await tarsmith(['build'], ex.dir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await run([path.join(ex.dir, 'out', 'hello', 'hello')])).stdout, 'hello, world (hello 1.0.0)\n');
    const plain = JSON.parse(await fs.readFile(path.join(ex.dir, 'out', 'hello', 'tarsmith-build.json'), 'utf8'));
    assert.equal(plain.inputs.sources.hello.overridden, undefined);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
    await ex.cleanup();
  }
});
