/**
 * A full file system under --out (a 64 KiB tmpfs, mounted for the test; root only): a failed export there is
 * io.enospc naming the folder and the free bytes (BuildKit only says "context canceled"), and a build log that
 * cannot be written is a warning, not a crash. Skipped, saying why, where no tmpfs can be mounted.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { TarsmithError } from '../../src/core/errors.js';
import { failIfOutFull } from '../../src/engine/build.js';
import { runBuild } from '../../src/engine/run.js';

async function smallDisk(): Promise<{ dir: string; done(): Promise<void> } | string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tarsmith-test', dir], { stdio: 'ignore' });
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]})`;
  }
  await fs.writeFile(path.join(dir, 'filler'), Buffer.alloc(60 * 1024)).catch(() => undefined);
  return {
    dir,
    done: async () => {
      execFileSync('umount', [dir]);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

test('a full disk under --out: the failed export is io.enospc naming the folder; an unwritable log does not crash the build', async (t) => {
  const disk = await smallDisk();
  if (typeof disk === 'string') return t.skip(disk);
  try {
    const cancelled = new TarsmithError({ code: 'engine.build-failed', message: 'the build of hello failed', details: ['| ERROR: failed to solve: error from receiver: context canceled'] });
    const err = await failIfOutFull(cancelled, disk.dir, path.join(disk.dir, '.hello.partial-1')).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof TarsmithError, 'a coded failure');
    assert.equal(err.failures[0]?.code, 'io.enospc');
    assert.match(err.failures[0]?.message ?? '', new RegExp(`no space left on the file system of ${disk.dir} .*\\(\\d+ bytes free\\)`));
    assert.equal(err.exit, 3);
    // Not full: the engine's own failure stands.
    await failIfOutFull(cancelled, os.tmpdir(), path.join(os.tmpdir(), 'x'));

    // 3000 lines of 70 bytes: more than the 4 KiB left for the log.
    await runBuild(
      { argv: ['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo "line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i + 1)); done'], env: {}, carriers: [] },
      { steps: [], what: 'build of hello', logFile: path.join(disk.dir, 'hello.log'), view: 'raw' },
    );
  } finally {
    await disk.done();
  }
});
