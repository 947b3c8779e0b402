/** An interrupted command leaves nothing; the next run clears what a killed one left. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { clearStaleTemps } from '../../src/core/fs-atomic.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('Ctrl-C during withTempDirBeside removes the partial folder; a killed run\'s leftovers are cleared next time', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-cleanup-'));
  try {
    const target = path.join(dir, 'out', 'hello');
    const script = `import { withTempDirBeside } from ${JSON.stringify(path.join(ROOT, 'src/core/fs-atomic.ts'))};
await withTempDirBeside(${JSON.stringify(target)}, async (tmp) => { process.stdout.write(tmp + '\\n'); await new Promise(() => setInterval(() => {}, 1000)); });`;
    for (const sig of ['SIGINT', 'SIGKILL'] as const) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const tmp = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
      assert.ok((await fs.stat(tmp)).isDirectory());
      const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, s) => resolve(s)));
      child.kill(sig);
      assert.equal(await closed, sig);
      const left = await fs.readdir(path.join(dir, 'out'));
      if (sig === 'SIGINT') assert.deepEqual(left, [], 'an interrupted command leaves nothing');
      else {
        assert.equal(left.length, 1, 'SIGKILL cannot be handled: the folder stays');
        assert.equal(await clearStaleTemps(target), 1);
        assert.deepEqual(await fs.readdir(path.join(dir, 'out')), [], 'the next run clears it');
      }
    }
    await fs.mkdir(path.join(dir, 'out', `.hello.partial-${process.pid}-00000000`));
    assert.equal(await clearStaleTemps(target), 0, 'a live run\'s folder is left alone');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
