import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { normalize, readEntries, treeHash, type ArchiveFormat } from '../../src/archive/index.js';
import { isTarsmithError } from '../../src/core/errors.js';
import { craftTar, gnuTar, listTree, makeTree, sha256File, tempDir, type CraftedEntry } from './rig.js';

const EPOCH = 1_700_000_000;

/** Fixed inputs, deliberately out of order, with owners' modes and mtimes on both sides of the epoch. */
const FIXED: CraftedEntry[] = [
  { name: 'pkg/src/main.c', body: 'int main(void) { return 0; }\n', mode: 0o664, mtime: EPOCH + 5000 },
  { name: 'pkg/configure', body: '#!/bin/sh\nexit 0\n', mode: 0o775, mtime: EPOCH - 10 },
  { name: 'pkg/.git/config', body: '[core]\n' },
  { name: 'pkg/README', body: 'fixed input\n', mode: 0o600 },
  { name: 'pkg/link', type: 'symlink', linkname: 'README' },
  { name: 'pkg/a-hardlink', type: 'link', linkname: 'pkg/src/main.c' },
];

/** Pinned results for FIXED (change only with a deliberate format change, and say so in the commit). */
const GOLDEN: Partial<Record<ArchiveFormat, string>> = {
  tar: '87d18fdf7ee5dfa04c8dd9f294601a21d1165a04f107bdaf20202ae0e6556b85',
  'tar.gz': '7b06f0264394dcf5d067b60b7acc7a40e77a5bfa53a31fd4a457fbf21df8daae',
  'tar.xz': '24b8bbe29563045e555ee93b751e96a612175904907bdce5b8e3be6d347a5a03',
  'tar.zst': '67c89c7f3ef33f56d5fd44bc25520c892ed155c719c9af51facde324e8704fde',
};

async function listing(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readEntries(file)) out.push(`${e.type} ${e.mode.toString(8)} ${e.mtime} ${e.path}${e.linkname ? ` -> ${e.linkname}` : ''}`);
  return out;
}

test('normalize output is pinned (golden sha256) and identical when run twice', async () => {
  const { dir, cleanup } = await tempDir('normalize-golden');
  try {
    const input = await craftTar(path.join(dir, 'in.tar'), FIXED);
    for (const format of ['tar', 'tar.gz', 'tar.xz', 'tar.zst'] as const) {
      const a = await normalize(input, path.join(dir, `a.${format}`), { format, sourceDateEpoch: EPOCH });
      const b = await normalize(input, path.join(dir, `b.${format}`), { format, sourceDateEpoch: EPOCH });
      assert.equal(a.method, 'spill');
      assert.equal(a.sha256, b.sha256, `${format} twice`);
      assert.equal(a.sha256, await sha256File(path.join(dir, `a.${format}`)));
      assert.equal(a.size, (await fs.stat(path.join(dir, `a.${format}`))).size);
      assert.equal(a.sha256, GOLDEN[format], `${format} golden`);
    }
    assert.deepEqual(await listing(path.join(dir, 'a.tar.gz')), [
      'directory 755 1700000000 pkg/',
      'file 644 1700000000 pkg/README',
      'file 644 1700000000 pkg/a-hardlink',
      'file 755 1699999990 pkg/configure',
      'symlink 777 1700000000 pkg/link -> README',
      'directory 755 1700000000 pkg/src/',
      'link 644 1700000000 pkg/src/main.c -> pkg/a-hardlink',
    ]);
  } finally {
    await cleanup();
  }
});

test('normalize: GNU tar reads and extracts the output in every written format; gzip header is fixed', async () => {
  const { dir, cleanup } = await tempDir('normalize-gnu');
  try {
    const input = await craftTar(path.join(dir, 'in.tar'), FIXED);
    for (const format of ['tar', 'tar.gz', 'tar.xz', 'tar.zst'] as const) {
      const out = path.join(dir, `n.${format}`);
      await normalize(input, out, { format, sourceDateEpoch: EPOCH });
      const x = path.join(dir, `x-${format}`);
      await fs.mkdir(x);
      execFileSync('tar', ['-xf', out, '-C', x]);
      assert.deepEqual(await listTree(x), ['pkg', 'pkg/README', 'pkg/a-hardlink', 'pkg/configure', 'pkg/link', 'pkg/src', 'pkg/src/main.c']);
      assert.equal(await fs.readFile(path.join(x, 'pkg/src/main.c'), 'utf8'), 'int main(void) { return 0; }\n');
      assert.equal((await fs.stat(path.join(x, 'pkg/configure'))).mode & 0o777, 0o755);
      const owners = execFileSync('tar', ['--numeric-owner', '-tvf', out], { encoding: 'utf8' });
      for (const line of owners.trim().split('\n')) assert.match(line, /^\S+ 0\/0 /);
    }
    const gz = await fs.readFile(path.join(dir, 'n.tar.gz'));
    assert.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], 'no name, mtime 0, OS Unix');
  } finally {
    await cleanup();
  }
});

test('normalize: same bytes whatever the input compression, member order, owners and later mtimes', async () => {
  const { dir, cleanup } = await tempDir('normalize-same');
  try {
    await makeTree(dir);
    const fromGnu = path.join(dir, 'a.tgz');
    await normalize(gnuTar(dir, 'proj-1.0', 'tar.xz', path.join(dir, 'in.txz')), fromGnu, { format: 'tar.gz', sourceDateEpoch: EPOCH });
    execFileSync('tar', ['-cjf', path.join(dir, 'in2.tbz'), '--sort=name', '--owner=4242', '--group=7', '--mtime=@2000000000', '-C', dir, 'proj-1.0']);
    const other = path.join(dir, 'b.tgz');
    await normalize(path.join(dir, 'in2.tbz'), other, { format: 'tar.gz', sourceDateEpoch: EPOCH });
    // GNU tar stored the real (recent) mtimes in in.txz; both are later than the epoch and clamp to it.
    assert.equal(await sha256File(fromGnu), await sha256File(other));
    const names = (await listing(fromGnu)).map((l) => l.split(' ').slice(3).join(' '));
    assert.ok(!names.some((n) => n.includes('.git')), 'VCS folders dropped');
    const kept = path.join(dir, 'c.tar');
    await normalize(path.join(dir, 'in2.tbz'), kept, { format: 'tar', sourceDateEpoch: EPOCH, dropVcs: false });
    assert.equal(await treeHash(kept), await treeHash(path.join(dir, 'in.txz')), 'contents unchanged');
  } finally {
    await cleanup();
  }
});

test('normalize accepts git archive output (plain tar with a pax global header)', async () => {
  const { dir, cleanup } = await tempDir('normalize-git');
  try {
    const repo = await makeTree(dir);
    await fs.rm(path.join(repo, '.git'), { recursive: true });
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', repo, ...args], {
        encoding: 'utf8',
        env: { ...process.env, GIT_AUTHOR_DATE: '@1600000000 +0000', GIT_COMMITTER_DATE: '@1600000000 +0000' },
      });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'c');
    const epoch = Number(git('log', '-1', '--format=%ct').trim());
    git('archive', '--format=tar', '--prefix=proj/', `--output=${path.join(dir, 'git.tar')}`, 'HEAD');
    const out = path.join(dir, 'git.tgz');
    await normalize(path.join(dir, 'git.tar'), out, { format: 'tar.gz', sourceDateEpoch: epoch });
    const lines = await listing(out);
    assert.ok(lines.every((l) => l.split(' ')[2] === String(epoch)));
    assert.ok(lines.includes(`symlink 777 ${epoch} proj/src/README.link -> ../README`));
    assert.equal(await treeHash(out), await treeHash(path.join(dir, 'git.tar')));
  } finally {
    await cleanup();
  }
});

test('normalize refuses hostile or unsupported input and writes nothing', async () => {
  const { dir, cleanup } = await tempDir('normalize-bad');
  try {
    const input = await craftTar(path.join(dir, 'bad.tar'), [
      { name: 'ok', body: 'x' },
      { name: '../escape', body: 'x' },
      { name: '/abs', body: 'x' },
      { name: 'dev', type: 'character-device' },
    ]);
    const out = path.join(dir, 'out.tgz');
    await assert.rejects(normalize(input, out, { format: 'tar.gz', sourceDateEpoch: EPOCH }), (e) => {
      assert.ok(isTarsmithError(e));
      assert.deepEqual(e.failures.map((f) => f.code), ['archive.path-traversal', 'archive.absolute-path', 'archive.special-file']);
      return true;
    });
    const good = await craftTar(path.join(dir, 'good.tar'), [{ name: 'ok', body: 'x' }]);
    await assert.rejects(normalize(good, out, { format: 'tar.bz2', sourceDateEpoch: EPOCH }), (e) => isTarsmithError(e) && e.failures[0]?.code === 'archive.unsupported-output');
    await assert.rejects(normalize(good, out, { format: 'tar', sourceDateEpoch: -1 }), (e) => isTarsmithError(e) && e.exit === 2);
    assert.deepEqual(await listTree(dir), ['bad.tar', 'good.tar']);
  } finally {
    await cleanup();
  }
});

test('normalize: an input already in order streams in one pass and gives the same bytes as a shuffled one', async () => {
  const { dir, cleanup } = await tempDir('normalize-paths');
  try {
    const sorted: CraftedEntry[] = [
      { name: 'pkg/README', body: 'fixed input\n', mode: 0o600 },
      { name: 'pkg/a-hardlink', body: 'int main(void) { return 0; }\n', mode: 0o664 },
      { name: 'pkg/configure', body: '#!/bin/sh\nexit 0\n', mode: 0o775, mtime: EPOCH - 10 },
      { name: 'pkg/link', type: 'symlink', linkname: 'README' },
      { name: 'pkg/src/main.c', type: 'link', linkname: 'pkg/a-hardlink' },
    ];
    // FIXED without its .git folder: the same tree, out of order, with the hardlink pointing the other way.
    const shuffled = FIXED.filter((e) => !e.name.includes('.git'));
    for (const format of ['tar', 'tar.zst'] as const) {
      const a = await normalize(await craftTar(path.join(dir, 'sorted.tar'), sorted), path.join(dir, `s.${format}`), { format, sourceDateEpoch: EPOCH });
      const b = await normalize(await craftTar(path.join(dir, 'shuffled.tar'), shuffled), path.join(dir, `u.${format}`), { format, sourceDateEpoch: EPOCH });
      assert.equal(a.method, 'stream');
      assert.equal(b.method, 'spill');
      assert.equal(a.sha256, b.sha256, format);
    }
    assert.equal(
      (await normalize(path.join(dir, 'sorted.tar'), path.join(dir, 'g.tar.gz'), { format: 'tar.gz', sourceDateEpoch: EPOCH })).sha256,
      GOLDEN['tar.gz'],
      'the one-pass path reproduces the pinned output too',
    );
  } finally {
    await cleanup();
  }
});

test('normalize: empty files never turn the next file into a hardlink (spill path = one-pass path)', async () => {
  const { dir, cleanup } = await tempDir('normalize-empty');
  try {
    const inOrder: CraftedEntry[] = [
      { name: 'p/a-empty', body: '' },
      { name: 'p/b-full', body: 'contents of b\n' },
      { name: 'p/c-empty', body: '' },
      { name: 'p/d-full', body: 'contents of d\n' },
    ];
    const outOfOrder = [inOrder[2]!, inOrder[3]!, inOrder[0]!, inOrder[1]!];
    const a = await normalize(await craftTar(path.join(dir, 'in.tar'), inOrder), path.join(dir, 'a.tar'), { format: 'tar', sourceDateEpoch: EPOCH });
    const b = await normalize(await craftTar(path.join(dir, 'out.tar'), outOfOrder), path.join(dir, 'b.tar'), { format: 'tar', sourceDateEpoch: EPOCH });
    assert.equal(a.method, 'stream');
    assert.equal(b.method, 'spill');
    assert.deepEqual(await listing(path.join(dir, 'b.tar')), [
      'directory 755 1700000000 p/',
      'file 644 1700000000 p/a-empty',
      'file 644 1700000000 p/b-full',
      'file 644 1700000000 p/c-empty',
      'file 644 1700000000 p/d-full',
    ]);
    assert.equal(a.sha256, b.sha256);
  } finally {
    await cleanup();
  }
});
