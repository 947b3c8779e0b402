import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { treeHash, type ArchiveFormat } from '../../src/archive/index.js';
import { craftTar, gnuTar, makeTree, tempDir } from './rig.js';

const FORMATS: ArchiveFormat[] = ['tar', 'tar.gz', 'tar.bz2', 'tar.xz', 'tar.zst'];

test('tree hash is the same for every compression of the same tar content', async () => {
  const { dir, cleanup } = await tempDir('treehash');
  try {
    await makeTree(dir);
    const hashes = new Set<string>();
    for (const f of FORMATS) hashes.add(await treeHash(gnuTar(dir, 'proj-1.0', f, path.join(dir, `a.${f}`))));
    assert.equal(hashes.size, 1);
    assert.match([...hashes][0]!, /^[0-9a-f]{64}$/);
  } finally {
    await cleanup();
  }
});

test('tree hash ignores mtimes, owners and member order, but not contents or the executable bit', async () => {
  const { dir, cleanup } = await tempDir('treehash2');
  try {
    const top = await makeTree(dir);
    const base = await treeHash(gnuTar(dir, 'proj-1.0', 'tar.gz', path.join(dir, 'base.tgz')));
    execFileSync('tar', ['-czf', path.join(dir, 'owned.tgz'), '--owner=1234', '--group=99', '--mtime=@1', '--sort=name', '-C', dir, 'proj-1.0']);
    assert.equal(await treeHash(path.join(dir, 'owned.tgz')), base, 'owner/mtime/order must not matter');

    await fs.writeFile(path.join(top, 'README'), 'hellO\n'); // one byte changed
    const changed = await treeHash(gnuTar(dir, 'proj-1.0', 'tar.xz', path.join(dir, 'changed.txz')));
    assert.notEqual(changed, base);
    await fs.writeFile(path.join(top, 'README'), 'hello\n');
    await fs.chmod(path.join(top, 'configure'), 0o644);
    const noexec = await treeHash(gnuTar(dir, 'proj-1.0', 'tar', path.join(dir, 'noexec.tar')));
    assert.notEqual(noexec, base);
  } finally {
    await cleanup();
  }
});

test('tree hash: implied folders equal explicit ones, hardlinks equal copies, a symlink target matters', async () => {
  const { dir, cleanup } = await tempDir('treehash3');
  try {
    const explicit = await craftTar(path.join(dir, 'e.tar'), [
      { name: 'p/', type: 'directory' },
      { name: 'p/a', body: 'same' },
      { name: 'p/b', body: 'same' },
      { name: 'p/l', type: 'symlink', linkname: 'a' },
    ]);
    const implied = await craftTar(path.join(dir, 'i.tar'), [
      { name: 'p/l', type: 'symlink', linkname: 'a', mtime: 5 },
      { name: 'p/a', body: 'same', mode: 0o600 },
      { name: 'p/b', type: 'link', linkname: 'p/a' },
    ]);
    const other = await craftTar(path.join(dir, 'o.tar'), [
      { name: 'p/a', body: 'same' },
      { name: 'p/b', body: 'same' },
      { name: 'p/l', type: 'symlink', linkname: 'b' },
    ]);
    assert.equal(await treeHash(implied), await treeHash(explicit));
    assert.notEqual(await treeHash(other), await treeHash(explicit));
  } finally {
    await cleanup();
  }
});
