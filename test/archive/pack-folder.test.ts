import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packFolder } from '../../src/archive/pack-folder.js';

async function tree(root: string, order: string[]): Promise<void> {
  await fs.mkdir(path.join(root, 'lib'), { recursive: true });
  for (const n of order) {
    const p = path.join(root, n);
    if (n === 'lib/libx.so') await fs.symlink('libx.so.1', p);
    else await fs.writeFile(p, `content of ${n}\n`, { mode: n === 'app' ? 0o700 : 0o600 });
  }
}

test('packFolder: the same bytes whatever the creation order, mtimes and modes; sorted, root-owned, clamped', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-pack-folder-'));
  try {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    await tree(a, ['app', 'lib/libx.so.1', 'lib/libx.so', 'B', 'a']);
    await tree(b, ['a', 'B', 'lib/libx.so', 'lib/libx.so.1', 'app']);
    await fs.utimes(path.join(b, 'app'), 5, 5);
    const ra = await packFolder(a, path.join(tmp, 'a.tar'), { prefix: 'opt/x', mtime: 1700000000 });
    const rb = await packFolder(b, path.join(tmp, 'b.tar'), { prefix: 'opt/x', mtime: 1700000000 });
    assert.equal(ra.sha256, rb.sha256);
    assert.equal(ra.sha256, createHash('sha256').update(await fs.readFile(path.join(tmp, 'a.tar'))).digest('hex'));
    const list = execFileSync('tar', ['--utc', '-tvf', path.join(tmp, 'a.tar')], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(list.map((l) => l.replace(/\s+/g, ' ').split(' ').filter((_, i) => i !== 2).join(' ')), [
      'drwxr-xr-x 0/0 2023-11-14 22:13 opt/',
      'drwxr-xr-x 0/0 2023-11-14 22:13 opt/x/',
      '-rw-r--r-- 0/0 2023-11-14 22:13 opt/x/B',
      '-rw-r--r-- 0/0 2023-11-14 22:13 opt/x/a',
      '-rwxr-xr-x 0/0 2023-11-14 22:13 opt/x/app',
      'drwxr-xr-x 0/0 2023-11-14 22:13 opt/x/lib/',
      'lrwxrwxrwx 0/0 2023-11-14 22:13 opt/x/lib/libx.so -> libx.so.1',
      '-rw-r--r-- 0/0 2023-11-14 22:13 opt/x/lib/libx.so.1',
    ]);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});
