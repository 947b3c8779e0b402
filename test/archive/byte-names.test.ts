/**
 * File names are bytes: two members whose names differ only in invalid UTF-8 (Latin-1 `caf\xe9` and `caf\xe8`,
 * made by GNU tar from real files) stay two records in the tree hash, and normalize and safe extraction refuse
 * each by name instead of merging them into one U+FFFD name (which lost one file's contents).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { normalize, safeExtract, treeHash } from '../../src/archive/index.js';
import { TarsmithError } from '../../src/core/errors.js';
import { tempDir } from './rig.js';

test('two names that differ only in invalid UTF-8 stay two in the tree hash and are refused by name by normalize and extraction', async () => {
  const { dir, cleanup } = await tempDir('byte-names');
  try {
    const src = Buffer.from(path.join(dir, 'src'));
    const name = (b: number): Buffer => Buffer.concat([src, Buffer.from('/d/caf'), Buffer.from([b])]);
    await fs.mkdir(path.join(dir, 'src', 'd'), { recursive: true });
    const tarOf = async (files: [number, string][], out: string): Promise<string> => {
      await fs.rm(path.join(dir, 'src', 'd'), { recursive: true, force: true });
      await fs.mkdir(path.join(dir, 'src', 'd'));
      for (const [b, body] of files) await fs.writeFile(name(b), body);
      const tar = path.join(dir, out);
      execFileSync('tar', ['--sort=name', '-cf', tar, '-C', path.join(dir, 'src'), 'd']);
      return tar;
    };
    const both = await treeHash(await tarOf([[0xe9, 'one'], [0xe8, 'two']], 'both.tar'));
    const swapped = await treeHash(await tarOf([[0xe9, 'two'], [0xe8, 'one']], 'swapped.tar'));
    const onlyE9 = await treeHash(await tarOf([[0xe9, 'one']], 'e9.tar'));
    const onlyE8 = await treeHash(await tarOf([[0xe8, 'two']], 'e8.tar'));
    assert.equal(new Set([both, swapped, onlyE9, onlyE8]).size, 4, 'every name counts by its bytes');

    const tar = path.join(dir, 'both.tar');
    const norm = await normalize(tar, path.join(dir, 'out.tar'), { format: 'tar', sourceDateEpoch: 1700000000 }).then(() => undefined, (e: unknown) => e);
    assert.ok(norm instanceof TarsmithError);
    assert.deepEqual(norm.failures.map((f) => f.code), ['archive.non-utf8-name', 'archive.non-utf8-name']);
    const ex = await safeExtract(tar, path.join(dir, 'x')).then(() => undefined, (e: unknown) => e);
    assert.ok(ex instanceof TarsmithError);
    assert.deepEqual(ex.failures.map((f) => f.code), ['archive.non-utf8-name', 'archive.non-utf8-name']);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['both.tar', 'e8.tar', 'e9.tar', 'src', 'swapped.tar'], 'nothing written');

    // Valid UTF-8 names read as before (the tree hash of a UTF-8 name is unchanged: the same bytes).
    await fs.rm(path.join(dir, 'src', 'd'), { recursive: true });
    await fs.mkdir(path.join(dir, 'src', 'd'));
    await fs.writeFile(path.join(dir, 'src', 'd', 'café'), 'one');
    execFileSync('tar', ['-cf', path.join(dir, 'utf8.tar'), '-C', path.join(dir, 'src'), 'd']);
    const r = await safeExtract(path.join(dir, 'utf8.tar'), path.join(dir, 'utf8'));
    assert.equal(r.files, 1);
    assert.deepEqual(await fs.readdir(path.join(dir, 'utf8', 'd')), ['café']);
  } finally {
    await cleanup();
  }
});
