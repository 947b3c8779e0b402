import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { safeExtract } from '../../src/archive/index.js';
import { isTarsmithError } from '../../src/core/errors.js';
import { MADE_ATTACKS } from './attacks.js';
import { craftTar, gnuTar, listTree, makeTree, tempDir } from './rig.js';

test('extracts a GNU tar.gz with strip, drops VCS folders, keeps modes and symlinks', async () => {
  const { dir, cleanup } = await tempDir('extract');
  try {
    await makeTree(dir);
    const archive = gnuTar(dir, 'proj-1.0', 'tar.gz', path.join(dir, 'p.tgz'));
    const dest = path.join(dir, 'out');
    const report = await safeExtract(archive, dest, { strip: 1 });
    assert.deepEqual(await listTree(dest), [
      'README',
      'configure',
      'empty',
      'src',
      'src/README.link',
      'src/deep',
      'src/deep/main.c',
    ]);
    assert.equal(await fs.readFile(path.join(dest, 'README'), 'utf8'), 'hello\n');
    assert.equal((await fs.stat(path.join(dest, 'configure'))).mode & 0o777, 0o755);
    assert.equal(await fs.readlink(path.join(dest, 'src/README.link')), '../README');
    assert.equal(report.format, 'tar.gz');
    assert.equal(report.files, 3);
    assert.equal(report.symlinks, 1);
    assert.equal(report.skippedByStrip, 1);
    assert.ok(report.skippedVcs >= 3);
    const withVcs = await safeExtract(archive, path.join(dir, 'vcs'), { strip: 1, dropVcs: false });
    assert.equal(await fs.readFile(path.join(dir, 'vcs/.git/HEAD'), 'utf8'), 'ref: refs/heads/main\n');
    assert.equal(withVcs.skippedVcs, 0);
  } finally {
    await cleanup();
  }
});

test('a later file replaces an earlier one; a hardlink to an extracted file is made', async () => {
  const { dir, cleanup } = await tempDir('extract-ok');
  try {
    const archive = await craftTar(path.join(dir, 'ok.tar'), [
      { name: 'a/f', body: 'old' },
      { name: 'a/f', body: 'new' },
      { name: 'a/h', type: 'link', linkname: 'a/f' },
      { name: 'a/s', type: 'symlink', linkname: 'f' },
    ]);
    await safeExtract(archive, path.join(dir, 'out'));
    assert.equal(await fs.readFile(path.join(dir, 'out/a/f'), 'utf8'), 'new');
    assert.equal(await fs.readFile(path.join(dir, 'out/a/h'), 'utf8'), 'new');
    assert.equal(await fs.readFile(path.join(dir, 'out/a/s'), 'utf8'), 'new');
  } finally {
    await cleanup();
  }
});

test('refuses a destination that exists and is not empty', async () => {
  const { dir, cleanup } = await tempDir('extract-dest');
  try {
    const archive = await craftTar(path.join(dir, 'ok.tar'), [{ name: 'f', body: 'x' }]);
    await fs.mkdir(path.join(dir, 'out'));
    await fs.writeFile(path.join(dir, 'out', 'keep'), 'mine');
    await assert.rejects(safeExtract(archive, path.join(dir, 'out')), (e) => isTarsmithError(e) && e.failures[0]?.code === 'archive.dest-not-empty');
    assert.equal(await fs.readFile(path.join(dir, 'out', 'keep'), 'utf8'), 'mine');
  } finally {
    await cleanup();
  }
});

for (const attack of MADE_ATTACKS) {
  test(`refuses ${attack.name} (${attack.code}) and leaves nothing behind`, async () => {
    const { dir, cleanup } = await tempDir('attack');
    try {
      const work = path.join(dir, 'work');
      await fs.mkdir(work);
      const outside = path.join(dir, 'outside');
      const archive = await attack.make(path.join(work, 'hostile.tar'), outside);
      let codes: string[] = [];
      await assert.rejects(safeExtract(archive, path.join(work, 'dest', 'x'), { ...(attack.maxDepth ? { maxDepth: attack.maxDepth } : {}) }), (e) => {
        assert.ok(isTarsmithError(e));
        assert.equal(e.exit, 2);
        codes = e.failures.map((f) => f.code);
        for (const f of e.failures) assert.ok(f.value, 'each failure names the member');
        return true;
      });
      assert.deepEqual(codes, Array<string>(attack.refused).fill(attack.code));
      // Nothing outside the destination, and (all-or-nothing) nothing at the destination either.
      assert.deepEqual(await listTree(dir), ['work', 'work/dest', 'work/hostile.tar']);
      assert.deepEqual(await listTree(path.join(work, 'dest')), []);
    } finally {
      await cleanup();
    }
  });
}

test('a truncated archive fails with archive.truncated and leaves nothing behind', async () => {
  const { dir, cleanup } = await tempDir('extract-cut');
  try {
    const { randomBytes } = await import('node:crypto');
    const top = await makeTree(dir);
    await fs.writeFile(path.join(top, 'blob.bin'), randomBytes(400_000));
    const archive = gnuTar(dir, 'proj-1.0', 'tar.xz', path.join(dir, 'p.txz'));
    const bytes = await fs.readFile(archive);
    await fs.writeFile(archive, bytes.subarray(0, bytes.length - 5000));
    await fs.rm(top, { recursive: true });
    await assert.rejects(safeExtract(archive, path.join(dir, 'out')), (e) => isTarsmithError(e) && e.failures[0]?.code === 'archive.truncated');
    assert.deepEqual(await listTree(dir), ['p.txz']);
  } finally {
    await cleanup();
  }
});

test('strip counts a `.` component as GNU tar does: tar -C dir . with strip 1 extracts the contents, like tar --strip-components=1', async () => {
  const { dir, cleanup } = await tempDir('extract-dot');
  try {
    await makeTree(dir);
    const archive = path.join(dir, 'dot.tgz');
    execFileSync('tar', ['-czf', archive, '-C', path.join(dir, 'proj-1.0'), '.']);
    const dotted = path.join(dir, 'dotted.tgz');
    execFileSync('tar', ['-czf', dotted, '-C', dir, './proj-1.0']);
    for (const [file, strip] of [[archive, 1], [dotted, 1], [dotted, 2]] as const) {
      const ours = path.join(dir, `ours-${strip}-${path.basename(file)}`);
      const gnu = path.join(dir, `gnu-${strip}-${path.basename(file)}`);
      await fs.mkdir(gnu);
      execFileSync('tar', ['-xzf', file, '-C', gnu, `--strip-components=${strip}`]);
      await safeExtract(file, ours, { strip, dropVcs: false });
      assert.deepEqual(await listTree(ours), await listTree(gnu), `${path.basename(file)} strip ${strip}`);
    }
  } finally {
    await cleanup();
  }
});
