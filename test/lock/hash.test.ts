import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as fromSources from '../../src/lock/hash.js';

type HashModule = typeof fromSources;

/**
 * Files of several sizes (empty, under one 1 MiB block, exactly two blocks, not a whole number of blocks), a missing
 * one, and more files than hashing runs at once, so that the worker thread answers several of them.
 */
async function fixture(dir: string): Promise<string[]> {
  const sizes = [0, 1, 4096, 2 << 20, (3 << 20) + 17, 100, 5];
  const files: string[] = [];
  for (const [i, size] of sizes.entries()) {
    const f = path.join(dir, `f${i}.bin`);
    await writeFile(f, Buffer.alloc(size, i + 1));
    files.push(f);
  }
  files.splice(3, 0, path.join(dir, 'missing.bin'));
  return files;
}

/** What coreutils says the files hash to. */
function sha256sum(file: string): string {
  return execFileSync('sha256sum', ['-b', file], { encoding: 'utf8' }).split(' ')[0]!;
}

async function check(mod: HashModule, dir: string): Promise<void> {
  const files = await fixture(dir);
  for (const concurrency of [1, 2, 3]) {
    const got = await mod.hashFiles(files, concurrency);
    assert.equal(got.length, files.length);
    for (const [i, f] of files.entries()) {
      const r = got[i]!;
      if (f.endsWith('missing.bin')) {
        assert.equal(r.ok, false, f);
        assert.equal(r.ok === false && r.code, 'ENOENT');
        continue;
      }
      assert.ok(r.ok, `${f}: ${JSON.stringify(r)}`);
      assert.equal(r.sha256, sha256sum(f), f);
    }
  }
}

test('hashFiles from the sources (the worker thread loads hash-worker.ts): the sums sha256sum gives, in input order', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tarsmith-hash-'));
  try {
    await check(fromSources, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('hashFiles compiled in dist/ (what bin/tarsmith runs; the worker thread loads hash-worker.js): the same sums', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tarsmith-hash-dist-'));
  try {
    const url = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/lock/hash.js')).href;
    const compiled = (await import(url)) as HashModule;
    await check(compiled, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
