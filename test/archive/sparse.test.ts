/**
 * A real sparse file (holes made with truncate, data at the start, the middle and the end) packed by GNU tar
 * `--sparse --format=pax` (format 1.0, its default, and 0.1): `normalize` (the command), the tree hash and safe
 * extraction restore it byte for byte, exactly as the same file packed without --sparse; the canonical output is
 * the same bytes. (Before, the sparse map and data runs were taken as the file: a 2 GiB file became a few KiB.)
 * The older forms (pax 0.0: the map in repeated records; old GNU `S`: the map in the header and its extension
 * blocks) are checked against GNU tar's own extraction with cmp, and a 2 GiB file is read in bounded memory.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readEntries, safeExtract, treeHash } from '../../src/archive/index.js';
import { sha256File, tempDir } from './rig.js';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));
const SIZE = 40 * 1024 * 1024;

test('GNU sparse files (pax 1.0 and 0.1) are restored byte for byte by normalize, the tree hash and safe extraction', async () => {
  const { dir, cleanup } = await tempDir('sparse');
  try {
    const src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 'img'), { recursive: true });
    const file = path.join(src, 'img', 'disk.img');
    const fh = await fs.open(file, 'w');
    await fh.write('boot sector');
    await fh.write(Buffer.alloc(5000, 0x5a), 0, 5000, 17 * 1024 * 1024 + 3);
    await fh.write('the end', SIZE - 7);
    await fh.close();
    assert.ok((await fs.stat(file)).blocks * 512 < 1024 * 1024, 'the test file is sparse on disk');
    const want = await sha256File(file);
    const tars: Record<string, string[]> = { plain: [], 'pax-1.0': ['--sparse', '--format=pax'], 'pax-0.1': ['--sparse', '--format=pax', '--sparse-version=0.1'] };
    const outs = new Set<string>();
    const trees = new Set<string>();
    for (const [name, flags] of Object.entries(tars)) {
      const tar = path.join(dir, `${name}.tar`);
      execFileSync('tar', [...flags, '-cf', tar, '-C', src, 'img']);
      if (name !== 'plain') assert.ok((await fs.stat(tar)).size < 64 * 1024, `${name}: GNU tar stored it sparse`);
      trees.add(await treeHash(tar));
      const out = path.join(dir, `${name}.norm.tar.gz`);
      const r = spawnSync(bin, ['normalize', tar, out, '--source-date-epoch', '1700000000', '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      outs.add(String((JSON.parse(r.stdout) as { sha256: string }).sha256));
      const back = path.join(dir, `${name}.back`);
      await fs.mkdir(back);
      execFileSync('tar', ['-xzf', out, '-C', back]);
      assert.equal(await sha256File(path.join(back, 'img', 'disk.img')), want, `${name}: normalize restored the bytes`);
      const ex = path.join(dir, `${name}.extracted`);
      const rep = await safeExtract(tar, ex);
      assert.equal(rep.bytes, SIZE);
      assert.deepEqual(await fs.readdir(path.join(ex, 'img')), ['disk.img'], `${name}: the real name, not GNUSparseFile.N/`);
      assert.equal(await sha256File(path.join(ex, 'img', 'disk.img')), want, `${name}: safe extraction restored the bytes`);
      await fs.rm(back, { recursive: true });
      await fs.rm(ex, { recursive: true });
    }
    assert.equal(trees.size, 1, 'one tree hash for the plain and both sparse forms');
    assert.equal(outs.size, 1, 'normalize writes the same bytes for all three');
  } finally {
    await cleanup();
  }
});

/** A sparse file of `runs` data runs (more than the four an old GNU header holds, so extension blocks follow). */
async function manyRuns(file: string, size: number, runs: number): Promise<void> {
  const fh = await fs.open(file, 'w');
  try {
    for (let i = 0; i < runs; i++) await fh.write(Buffer.alloc(3000 + i, 0x41 + (i % 26)), 0, 3000 + i, Math.floor((size / runs) * i) + 123);
    await fh.truncate(size);
  } finally {
    await fh.close();
  }
}

const OLD_FORMS: Record<string, string[]> = {
  'pax-0.0': ['--sparse', '--format=pax', '--sparse-version=0.0'],
  gnu: ['--sparse', '--format=gnu'],
  oldgnu: ['--sparse', '--format=oldgnu'],
};

test('GNU sparse files in pax 0.0 and old GNU "S" form (with extension blocks) are restored byte for byte, as GNU tar extracts them', async () => {
  const { dir, cleanup } = await tempDir('sparse-old');
  try {
    const src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 'img'), { recursive: true });
    await manyRuns(path.join(src, 'img', 'disk.img'), 24 * 1024 * 1024, 40);
    await fs.writeFile(path.join(src, 'img', 'after.txt'), 'a member after the sparse one\n');
    const plain = path.join(dir, 'plain.tar');
    const members = ['img/disk.img', 'img/after.txt']; // the sparse file's header first: its extension flag is checked below
    execFileSync('tar', ['-cf', plain, '-C', src, ...members]);
    const plainTree = await treeHash(plain);
    const outs = new Set<string>();
    for (const [name, flags] of Object.entries(OLD_FORMS)) {
      const tar = path.join(dir, `${name}.tar`);
      execFileSync('tar', [...flags, '-cf', tar, '-C', src, ...members]);
      assert.ok((await fs.stat(tar)).size < 1024 * 1024, `${name}: GNU tar stored it sparse`);
      if (name !== 'pax-0.0') assert.ok(execFileSync('od', ['-A', 'd', '-c', '-j', '482', '-N', '1', tar], { encoding: 'utf8' }).includes('001'), `${name}: the header says extension blocks follow`);
      // Ground truth: GNU tar's own extraction of the same archive.
      const gnu = path.join(dir, `${name}.gnu`);
      await fs.mkdir(gnu);
      execFileSync('tar', ['-xf', tar, '-C', gnu]);
      const ex = path.join(dir, `${name}.ours`);
      const rep = await safeExtract(tar, ex);
      assert.deepEqual((await fs.readdir(path.join(ex, 'img'))).sort(), ['after.txt', 'disk.img']);
      for (const f of ['disk.img', 'after.txt']) execFileSync('cmp', [path.join(gnu, 'img', f), path.join(ex, 'img', f)]);
      assert.equal(rep.bytes, 24 * 1024 * 1024 + 30);
      assert.equal(await treeHash(tar), plainTree, `${name}: the tree hash of the plain file`);
      const out = path.join(dir, `${name}.norm.tar`);
      const r = spawnSync(bin, ['normalize', tar, out, '--source-date-epoch', '1700000000', '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      outs.add(String((JSON.parse(r.stdout) as { sha256: string }).sha256));
      const back = path.join(dir, `${name}.back`);
      await fs.mkdir(back);
      execFileSync('tar', ['-xf', out, '-C', back]);
      execFileSync('cmp', [path.join(gnu, 'img', 'disk.img'), path.join(back, 'img', 'disk.img')]);
      for (const d of [gnu, ex, back, out]) await fs.rm(d, { recursive: true });
    }
    const r = spawnSync(bin, ['normalize', plain, path.join(dir, 'plain.norm.tar'), '--source-date-epoch', '1700000000', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    outs.add(String((JSON.parse(r.stdout) as { sha256: string }).sha256));
    assert.equal(outs.size, 1, 'normalize writes the same bytes for every form and for the plain file');
  } finally {
    await cleanup();
  }
});

test('a 2 GiB sparse file (old GNU "S") is read with its real bytes in bounded memory', async () => {
  const { dir, cleanup } = await tempDir('sparse-2g');
  try {
    const src = path.join(dir, 'src');
    await fs.mkdir(src);
    const size = 2 * 1024 * 1024 * 1024;
    await manyRuns(path.join(src, 'big.img'), size, 8);
    const want = execFileSync('sha256sum', [path.join(src, 'big.img')], { encoding: 'utf8' }).split(' ')[0];
    for (const [name, flags] of Object.entries(OLD_FORMS)) {
      if (name !== 'gnu') continue; // the others share its reading of the map once parsed (checked above at 24 MiB)
      const tar = path.join(dir, `${name}.tar`);
      execFileSync('tar', [...flags, '-cf', tar, '-C', src, 'big.img']);
      let bytes = 0;
      const h = createHash('sha256');
      for await (const e of readEntries(tar)) {
        assert.equal(e.size, size);
        for await (const c of e.body ?? []) {
          h.update(c);
          bytes += c.length;
        }
      }
      assert.equal(bytes, size, name);
      assert.equal(h.digest('hex'), want, `${name}: the file's real bytes`);
    }
    const peak = process.resourceUsage().maxRSS * 1024;
    assert.ok(peak < 400 * 1024 * 1024, `peak RSS ${Math.round(peak / 1048576)} MB for 2 GiB files`);
  } finally {
    await cleanup();
  }
});
