import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashFilesMemo } from '../../src/lock/hash-memo.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('hash memo: answers unchanged files from the memo, re-hashes any rewrite even with the mtime restored', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tarsmith-memo-'));
  try {
    const memo = path.join(dir, 'memo.json');
    const a = path.join(dir, 'a.tar');
    const missing = path.join(dir, 'missing.tar');
    await writeFile(a, 'first');
    const [r1, r2] = await hashFilesMemo([a, missing], memo);
    assert.deepEqual(r1, { ok: true, sha256: sha('first'), size: 5 });
    assert.equal(r2?.ok, false);
    const stored = JSON.parse(await readFile(memo, 'utf8')) as Record<string, { sha256: string }>;
    assert.deepEqual(Object.keys(stored), [a]);

    // An entry for the file's current identity is trusted without reading the file: prove it by planting one.
    stored[a]!.sha256 = 'f'.repeat(64);
    await writeFile(memo, JSON.stringify(stored));
    const planted = (await hashFilesMemo([a], memo))[0];
    assert.ok(planted?.ok);
    assert.equal(planted.sha256, 'f'.repeat(64));

    // Rewrite with the same size and restore the mtime: ctime changes, so the file is read again.
    const before = await stat(a);
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(a, 'Frist');
    await utimes(a, before.atime, before.mtime);
    const again = (await hashFilesMemo([a], memo))[0];
    assert.ok(again?.ok);
    assert.equal(again.sha256, sha('Frist'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('hash memo: a hard link made and removed by tarsmith keeps the memo valid; a rewrite does not', async () => {
  const { link, unlink } = await import('node:fs/promises');
  const { refreshAfterLinking } = await import('../../src/lock/hash-memo.js');
  const dir = await mkdtemp(path.join(tmpdir(), 'tarsmith-memo-'));
  try {
    const memo = path.join(dir, 'memo.json');
    const a = path.join(dir, 'a.tar');
    await writeFile(a, 'content');
    await hashFilesMemo([a], memo);
    const stored = JSON.parse(await readFile(memo, 'utf8')) as Record<string, { sha256: string }>;
    stored[a]!.sha256 = 'e'.repeat(64); // planted: visible only if the memo answers
    await writeFile(memo, JSON.stringify(stored));

    await new Promise((r) => setTimeout(r, 20));
    await link(a, path.join(dir, 'staged.tar'));
    await unlink(path.join(dir, 'staged.tar'));
    await refreshAfterLinking([a], memo);
    const carried = (await hashFilesMemo([a], memo))[0];
    assert.ok(carried?.ok);
    assert.equal(carried.sha256, 'e'.repeat(64));

    await new Promise((r) => setTimeout(r, 20));
    await writeFile(a, 'changed');
    await refreshAfterLinking([a], memo);
    const fresh = (await hashFilesMemo([a], memo))[0];
    assert.ok(fresh?.ok);
    assert.equal(fresh.sha256, sha('changed'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('hash memo: lookups that only hit write nothing; a new hash, or a last use over an hour old, rewrites the memo', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tarsmith-memo-'));
  try {
    const memo = path.join(dir, 'memo.json');
    const a = path.join(dir, 'a.tar');
    const b = path.join(dir, 'b.tar');
    await writeFile(a, 'aaa');
    await writeFile(b, 'bbb');
    await hashFilesMemo([a], memo);
    const first = await stat(memo);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await hashFilesMemo([a], memo), [{ ok: true, sha256: sha('aaa'), size: 3 }]);
    const hit = await stat(memo);
    assert.equal(hit.ino, first.ino, 'a hit does not rewrite the memo (an atomic rewrite is a new inode)');
    assert.equal(hit.mtimeMs, first.mtimeMs);
    await hashFilesMemo([a, b], memo);
    const learned = await stat(memo);
    assert.notEqual(learned.ino, first.ino, 'a new hash is written');
    // An entry last used over an hour ago is refreshed (its use time orders the eviction).
    const stored = JSON.parse(await readFile(memo, 'utf8')) as Record<string, { used: number }>;
    stored[a]!.used = Date.now() - 2 * 60 * 60 * 1000;
    await writeFile(memo, JSON.stringify(stored));
    const planted = await stat(memo);
    await hashFilesMemo([a], memo);
    const refreshed = JSON.parse(await readFile(memo, 'utf8')) as Record<string, { used: number }>;
    assert.notEqual((await stat(memo)).ino, planted.ino);
    assert.ok(Date.now() - refreshed[a]!.used < 60_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
