/** The one policy through normalize (which also makes the build's canonical source tars): every attack class. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { canonicalTree, normalize, readEntries, treeHash } from '../../src/archive/index.js';
import { isTarsmithError } from '../../src/core/errors.js';
import { memoFile } from '../../src/core/hash-memo.js';
import { MADE_ATTACKS } from './attacks.js';
import { craftTar, gnuTar, listTree, tempDir } from './rig.js';

const EPOCH = 1_700_000_000;

for (const attack of MADE_ATTACKS) {
  if (attack.maxDepth !== undefined) continue; // a lowered limit is an extraction option only
  test(`normalize refuses ${attack.name} (${attack.code}), naming the member, and writes nothing`, async () => {
    const { dir, cleanup } = await tempDir('policy');
    try {
      const work = path.join(dir, 'work');
      await fs.mkdir(work);
      const input = await attack.make(path.join(work, 'hostile.tar'), path.join(dir, 'outside'));
      await assert.rejects(normalize(input, path.join(work, 'out.tar'), { format: 'tar', sourceDateEpoch: EPOCH }), (e) => {
        assert.ok(isTarsmithError(e));
        assert.equal(e.exit, 2);
        assert.deepEqual(e.failures.map((f) => f.code), Array<string>(attack.refused).fill(attack.code));
        for (const f of e.failures) assert.ok(f.value && f.value !== 'good.txt', 'each failure names the refused member');
        return true;
      });
      assert.deepEqual(await listTree(dir), ['work', 'work/hostile.tar']);
    } finally {
      await cleanup();
    }
  });
}

test('allow: [absolute-symlinks] lets exactly absolute symlinks through, read as rooted at the top of the tree', async () => {
  const { dir, cleanup } = await tempDir('policy-allow');
  try {
    const input = await craftTar(path.join(dir, 'rootfs.tar'), [
      { name: 'etc/os-release', body: 'ID=x\n' },
      { name: 'usr/lib/os-release', type: 'symlink', linkname: '/etc/os-release' },
      { name: 'bin', type: 'symlink', linkname: '/usr/bin' },
    ]);
    const out = path.join(dir, 'out.tar');
    await assert.rejects(normalize(input, out, { format: 'tar', sourceDateEpoch: EPOCH }), (e) => isTarsmithError(e) && e.failures.length === 2 && e.failures.every((f) => f.code === 'archive.link-escape'));
    await normalize(input, out, { format: 'tar', sourceDateEpoch: EPOCH, allow: ['absolute-symlinks'] });
    const links: string[] = [];
    for await (const e of readEntries(out)) if (e.type === 'symlink') links.push(`${e.path} -> ${e.linkname ?? ''}`);
    assert.deepEqual(links, ['bin -> /usr/bin', 'usr/lib/os-release -> /etc/os-release']);
    // Still refused with the allowance: a relative link climbing out, and writing through an absolute link.
    const bad = await craftTar(path.join(dir, 'bad.tar'), [
      { name: 'up', type: 'symlink', linkname: '../../x' },
      { name: 'bin', type: 'symlink', linkname: '/usr/bin' },
      { name: 'bin/sh', body: 'through the link' },
    ]);
    await assert.rejects(normalize(bad, path.join(dir, 'bad-out.tar'), { format: 'tar', sourceDateEpoch: EPOCH, allow: ['absolute-symlinks'] }), (e) => {
      assert.ok(isTarsmithError(e));
      assert.deepEqual(e.failures.map((f) => f.code).sort(), ['archive.link-escape', 'archive.through-symlink']);
      return true;
    });
  } finally {
    await cleanup();
  }
});

test('setuid, setgid, sticky and world-writable bits never reach the output; strip applies to hardlink targets', async () => {
  const { dir, cleanup } = await tempDir('policy-modes');
  try {
    const input = await craftTar(path.join(dir, 'modes.tar'), [
      { name: 'top/', type: 'directory', mode: 0o1777 },
      { name: 'top/suid', body: '#!/bin/sh\n', mode: 0o4755 },
      { name: 'top/sgid', body: 'x', mode: 0o2666 },
      { name: 'top/same', type: 'link', linkname: 'top/suid' },
    ]);
    const out = path.join(dir, 'out.tar');
    await normalize(input, out, { format: 'tar', sourceDateEpoch: EPOCH, strip: 1 });
    const seen: string[] = [];
    for await (const e of readEntries(out)) seen.push(`${e.type} ${e.mode.toString(8)} ${e.path}${e.linkname ? ` -> ${e.linkname}` : ''}`);
    // Sorted by name; hardlinked copies carry the body under their first name.
    assert.deepEqual(seen, ['file 755 same', 'file 644 sgid', 'link 755 suid -> same']);
  } finally {
    await cleanup();
  }
});

test('a truncated archive of every format fails as archive.truncated through normalize, the tree hash and the canonical tree, leaving nothing', async () => {
  const { dir, cleanup } = await tempDir('policy-truncated');
  try {
    const src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 's'), { recursive: true });
    await fs.writeFile(path.join(src, 's', 'f'), randomBytes(300_000));
    const cut = path.join(dir, 'cut');
    await fs.mkdir(cut);
    for (const format of ['tar', 'tar.gz', 'tar.bz2', 'tar.xz', 'tar.zst'] as const) {
      const whole = gnuTar(src, 's', format, path.join(dir, `whole.${format}`));
      const input = path.join(cut, `t.${format}`);
      await fs.writeFile(input, (await fs.readFile(whole)).subarray(0, 20_000));
      const truncated = (e: unknown): boolean => isTarsmithError(e) && e.exit === 2 && e.failures[0]?.code === 'archive.truncated';
      await assert.rejects(normalize(input, path.join(cut, `o.${format}.tar`), { format: 'tar', sourceDateEpoch: EPOCH }), truncated, format);
      await assert.rejects(treeHash(input), truncated, format);
      const req = { input, sha256: format, strip: 0, dropVcs: true, allow: [], sourceDateEpoch: EPOCH };
      await assert.rejects(canonicalTree(req, path.join(cut, 'trees')), truncated, format);
    }
    assert.deepEqual((await listTree(cut)).filter((n) => !n.startsWith('t.')), ['trees'], 'no temp or partial file left');
  } finally {
    await cleanup();
  }
});

test('canonical tree cache: a second request is answered from the cache (its hash remembered by file identity); a tree damaged in place, even with its mtime restored, is made again', async () => {
  const { dir, cleanup } = await tempDir('policy-canonical-cache');
  try {
    const src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 's'), { recursive: true });
    await fs.writeFile(path.join(src, 's', 'f'), randomBytes(100_000));
    const input = gnuTar(src, 's', 'tar.gz', path.join(dir, 'in.tar.gz'));
    const req = { input, sha256: 'in', strip: 0, dropVcs: true, allow: [], sourceDateEpoch: EPOCH };
    const trees = path.join(dir, 'trees');
    const made = await canonicalTree(req, trees);
    assert.equal(made.cached, false);
    const memo = JSON.parse(await fs.readFile(memoFile(), 'utf8')) as Record<string, { sha256: string }>;
    assert.equal(memo[made.file]?.sha256, made.sha256, 'the hash of the tree just written is remembered');
    const again = await canonicalTree(req, trees);
    assert.deepEqual(again, { ...made, cached: true });
    const st = await fs.stat(made.file);
    const fh = await fs.open(made.file, 'r+');
    await fh.write(Buffer.from('X'), 0, 1, 600);
    await fh.close();
    await fs.utimes(made.file, st.atime, st.mtime);
    const remade = await canonicalTree(req, trees);
    assert.equal(remade.cached, false, 'the damage is noticed (ctime changed) and the tree made again');
    assert.equal(remade.sha256, made.sha256);
  } finally {
    await cleanup();
  }
});
