/**
 * A real sparse file (holes made with truncate, data at the start, the middle and the end) packed by GNU tar
 * `--sparse --format=pax` (format 1.0, its default, and 0.1): `normalize` (the command), the tree hash and safe
 * extraction restore it byte for byte, exactly as the same file packed without --sparse; the canonical output is
 * the same bytes. (Before, the sparse map and data runs were taken as the file: a 2 GiB file became a few KiB.)
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { safeExtract, treeHash } from '../../src/archive/index.js';
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
