import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readLock } from '../../src/lock/lock.js';
import { BIN, cli, finalFiles, makeTarball, project, sha256, startServer, writeManifest } from '../support/rig.js';

test('a vendor run killed with SIGKILL mid-download leaves packages/ and the lock consistent; the next run completes', async () => {
  const p = await project('kill');
  const s = await startServer();
  try {
    const small = await makeTarball(p.root, 'small-1', { a: 'a\n' });
    const big = await makeTarball(p.root, 'big-1', { blob: randomBytes(200 * 1024).toString('base64') });
    s.files.set('small-1.tar.gz', small);
    s.files.set('big-1.tar.gz', big);
    await writeManifest(p.dir, [
      { name: 'small', url: `${s.base}/files/small-1.tar.gz` },
      { name: 'big', url: `${s.base}/slowonce/big-1.tar.gz` },
    ]);
    const child = spawn(BIN, ['vendor'], { cwd: p.dir, env: p.env, stdio: 'ignore' });
    const pkg = path.join(p.dir, 'packages');
    let partial: string | undefined;
    for (let i = 0; i < 400 && !partial; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const names = await fs.readdir(pkg).catch(() => [] as string[]);
      const tmp = names.find((n) => n.startsWith('.big-1.tar.gz.download-'));
      if (tmp && (await fs.stat(path.join(pkg, tmp))).size > 8 * 1024) partial = tmp;
    }
    assert.ok(partial, 'the slow download started');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    assert.deepEqual(await finalFiles(p.dir), ['SHA256SUMS', 'small-1.tar.gz'], 'no partial file under a final name');
    const lock = await readLock(p.dir);
    assert.deepEqual(Object.keys(lock?.sources ?? {}), ['small'], 'the lock lists exactly what is complete');
    assert.equal(lock?.sources.small?.sha256, sha256(await fs.readFile(path.join(pkg, 'small-1.tar.gz'))));
    execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: pkg });

    const again = await cli(p, ['vendor']);
    assert.equal(again.status, 0, again.stderr);
    const names = await fs.readdir(pkg);
    assert.ok(!names.includes(partial!), 'the dead run\'s temp file was cleaned up');
    assert.deepEqual(await finalFiles(p.dir), ['SHA256SUMS', 'big-1.tar.gz', 'small-1.tar.gz']);
    assert.equal((await readLock(p.dir))?.sources.big?.sha256, sha256(big));
    const verify = await cli(p, ['verify', '--strict']);
    assert.equal(verify.status, 0, verify.stderr);
  } finally {
    await s.close();
    await p.cleanup();
  }
});
