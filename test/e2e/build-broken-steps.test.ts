/**
 * Failures of a real build, each a coded error a person can act on: a package manager in a step (network off)
 * fails at once pointing at builder.packages; a missing artifact names its target, its manifest line and the
 * nearest paths that exist; a full disk under --out says so. One vendored copy of the example for all three.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exampleCopy, tarsmith } from './build-rig.js';

test('apt-get in a step, a missing artifact and a full --out disk: coded errors with the manifest line and the fix', async (t) => {
  const ex = await exampleCopy(async (_dir, m) =>
    m.replace(
      '  targets:\n',
      `  targets:
    pkgs:
      steps:
        - apt-get update && apt-get install -y libfoo-dev
      artifacts: [hello]
    misplaced:
      steps:
        - make -j2
      artifacts:
        - build/hello
`,
    ),
  );
  const mnt = path.join(ex.dir, 'small');
  let mounted = false;
  try {
    const manifest = await fs.readFile(path.join(ex.dir, 'tarsmith.yaml'), 'utf8');
    const lineOf = (text: string): number => manifest.split('\n').findIndex((l) => l.includes(text)) + 1;

    const pkgs = await tarsmith(['build', 'pkgs', '--progress', 'plain'], ex.dir);
    assert.equal(pkgs.code, 4, pkgs.stderr);
    assert.match(pkgs.stderr, new RegExp(`tarsmith\\.yaml:${lineOf('apt-get update')}:\\d+: error\\[build\\.step-failed\\]`));
    assert.match(pkgs.stderr, /tarsmith: apt-get update: the build runs with the network off; the package lists are the toolchain's/);
    assert.match(pkgs.stderr, /tarsmith: apt-get install -y libfoo-dev: the build runs with the network off, so no package can be downloaded here/);
    assert.match(pkgs.stderr, /builder\.packages in tarsmith\.yaml/);
    assert.doesNotMatch(pkgs.stderr, /Temporary failure resolving|Reading package lists/, 'the real apt-get never ran');

    const mis = await tarsmith(['build', 'misplaced'], ex.dir);
    assert.equal(mis.code, 4, mis.stderr);
    assert.match(mis.stderr, new RegExp(`tarsmith\\.yaml:${lineOf('- build/hello')}:\\d+: error\\[build\\.artifact-missing\\]: the artifact glob "build/hello" of target misplaced matches nothing`));
    assert.match(mis.stderr, /nearest paths that exist in the build tree: hello\b/);

    await fs.mkdir(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tarsmith-test', mnt]);
      mounted = true;
    } catch (e) {
      t.skip(`the full-disk case needs a tmpfs of its own: ${(e as Error).message.split('\n')[0]}`);
    }
    if (mounted) {
      await fs.writeFile(path.join(mnt, 'filler'), Buffer.alloc(56 * 1024));
      const full = await tarsmith(['build', 'hello', '--out', mnt], ex.dir);
      assert.equal(full.code, 3, full.stderr);
      assert.match(full.stderr, /error\[io\.enospc\]/);
      assert.match(full.stderr, new RegExp(`no space left.*${mnt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|${mnt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*no space left`, 'i'));
      assert.doesNotMatch(full.stderr, /context canceled\s*$/m);
      assert.deepEqual((await fs.readdir(mnt)).filter((f) => f !== 'filler' && !f.endsWith('.log')), [], 'nothing half-written under --out');
    }
  } finally {
    if (mounted) execFileSync('umount', [mnt]);
    await ex.cleanup();
  }
});
