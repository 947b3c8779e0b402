/**
 * File names are bytes: members whose names differ only in invalid UTF-8 (Latin-1 `caf\xe9` and `caf\xe8`, `\xff`
 * and `\xfe`), made by GNU tar from real files, stay apart and keep their bytes everywhere: the tree hash, normalize
 * (both the one-pass and the spill path), the canonical tree the build extracts, and safe extraction. Ground truth
 * is GNU tar: it lists and extracts the same bytes from what tarsmith wrote. (Before, normalize and extraction
 * refused such names: tar-stream writes names as UTF-8, which merged them into one U+FFFD name.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { canonicalTree, normalize, readEntries, safeExtract, treeHash } from '../../src/archive/index.js';
import { decodeName, nameBytes } from '../../src/archive/names.js';
import { sha256File, tempDir } from './rig.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Files to make (latin1 string = the name's bytes) and their contents; `->` entries are symlinks. */
const TREE: [string, string][] = [
  ['d/caf\xe9', 'one'],
  ['d/caf\xe8', 'two'],
  ['d/\xff', 'ff'],
  ['d/\xfe', 'fe'],
  ['d/caf\xc3\xa9', 'valid utf-8'],
  ['d/dir\xe9/inner', 'inside a byte-named folder'],
  ['d/link\xe9', '-> caf\xe9'],
];

async function makeTree(root: string, tree: readonly [string, string][]): Promise<void> {
  await fs.rm(root, { recursive: true, force: true });
  for (const [name, body] of tree) {
    const p = Buffer.concat([b(`${root}/`), b(name)]);
    const parent = p.subarray(0, p.lastIndexOf(0x2f));
    await fs.mkdir(parent, { recursive: true });
    if (body.startsWith('-> ')) await fs.symlink(b(body.slice(3)), p);
    else await fs.writeFile(p, body);
  }
}

/** What GNU tar lists: names as bytes (one per line, `--quoting-style=literal` prints them raw). */
function gnuList(tar: string): string[] {
  const out = execFileSync('tar', ['--quoting-style=literal', '-tf', tar], { env: { ...process.env, LC_ALL: 'C' } });
  return out.toString('latin1').split('\n').filter((l) => l !== '').map((l) => l.replace(/\/$/, '')).sort();
}

/** Every path under `dir` as bytes (latin1 strings), with file contents or symlink targets. */
async function tree(dir: Buffer, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { encoding: 'buffer', withFileTypes: true })) {
    const name = e.name as unknown as Buffer;
    const p = Buffer.concat([dir, b('/'), name]);
    const r = rel + name.toString('latin1');
    if (e.isDirectory()) out.push(`${r}/`, ...(await tree(p, `${r}/`)));
    else if (e.isSymbolicLink()) out.push(`${r} -> ${(await fs.readlink(p, { encoding: 'buffer' })).toString('latin1')}`);
    else out.push(`${r} = ${(await fs.readFile(p)).toString('latin1')}`);
  }
  return out.sort();
}

const WANT = [
  'd/',
  'd/caf\xc3\xa9 = valid utf-8',
  'd/caf\xe8 = two',
  'd/caf\xe9 = one',
  'd/dir\xe9/',
  'd/dir\xe9/inner = inside a byte-named folder',
  'd/link\xe9 -> caf\xe9',
  'd/\xfe = fe',
  'd/\xff = ff',
].sort();

test('names are decoded one to one: every byte string comes back, and two byte strings never read the same', () => {
  const samples = [b('caf\xe9'), b('caf\xe8'), b('\xff'), b('\xfe'), b('caf\xc3\xa9'), Buffer.from('😀 ok'), b('\xed\xa0\x80'), b('\xf0\x9f\x98'), b('\xc3')];
  const names = samples.map((s) => decodeName(s));
  assert.equal(new Set(names.map((n) => n.name)).size, samples.length);
  for (let i = 0; i < samples.length; i++) assert.deepEqual(nameBytes(names[i]!.name), samples[i]);
  assert.deepEqual(names.map((n) => n.valid), [false, false, false, false, true, true, false, false, false]);
});

test('names that differ only in invalid UTF-8 stay apart, byte for byte, in the tree hash, normalize, the canonical tree and safe extraction', async () => {
  const { dir, cleanup } = await tempDir('byte-names');
  try {
    const src = path.join(dir, 'src');
    await makeTree(src, TREE);
    const input = path.join(dir, 'in.tar');
    execFileSync('tar', ['--sort=name', '-cf', input, '-C', src, 'd']);
    const listed = gnuList(input);

    // Tree hash: every name counts by its bytes, and the hash is stable.
    const tarOf = async (t: [string, string][], name: string): Promise<string> => {
      await makeTree(path.join(dir, 'v'), t);
      const out = path.join(dir, name);
      execFileSync('tar', ['-cf', out, '-C', path.join(dir, 'v'), 'd']);
      return out;
    };
    const whole = await treeHash(input);
    assert.equal(await treeHash(input), whole, 'stable');
    const swapped = await treeHash(await tarOf([['d/caf\xe9', 'two'], ['d/caf\xe8', 'one'], ...TREE.slice(2)], 'swapped.tar'));
    const noE8 = await treeHash(await tarOf(TREE.filter(([n]) => n !== 'd/caf\xe8'), 'no-e8.tar'));
    const noE9 = await treeHash(await tarOf(TREE.filter(([n]) => n !== 'd/caf\xe9'), 'no-e9.tar'));
    assert.equal(new Set([whole, swapped, noE8, noE9]).size, 4, 'every name counts by its bytes');

    // normalize, one pass (sorted input) and spill (reverse order): the same bytes, which GNU tar reads back exactly.
    const reversed = path.join(dir, 'reversed.tar');
    const members = gnuList(input).reverse();
    execFileSync('tar', ['--no-recursion', '-cf', reversed, '-C', src, '--null', '-T', '-'], { input: Buffer.concat(members.map((m) => Buffer.concat([b(m), Buffer.from([0])]))) });
    const one = await normalize(input, path.join(dir, 'one.tar'), { format: 'tar', sourceDateEpoch: 1700000000 });
    const spill = await normalize(reversed, path.join(dir, 'spill.tar'), { format: 'tar', sourceDateEpoch: 1700000000 });
    assert.equal(one.method, 'stream');
    assert.equal(spill.method, 'spill');
    assert.equal(spill.sha256, one.sha256, 'both paths write the same bytes');
    const gz = await normalize(input, path.join(dir, 'one.tar.gz'), { format: 'tar.gz', sourceDateEpoch: 1700000000 });
    assert.equal((await normalize(input, path.join(dir, 'again.tar.gz'), { format: 'tar.gz', sourceDateEpoch: 1700000000 })).sha256, gz.sha256, 'deterministic');
    assert.deepEqual(gnuList(path.join(dir, 'one.tar')), listed, 'GNU tar lists the same bytes');
    const byGnu = path.join(dir, 'by-gnu');
    await fs.mkdir(byGnu);
    execFileSync('tar', ['-xf', path.join(dir, 'one.tar'), '-C', byGnu], { env: { ...process.env, LC_ALL: 'C' } });
    assert.deepEqual(await tree(b(byGnu)), WANT, 'GNU tar extracts the same bytes');
    assert.equal(await treeHash(path.join(dir, 'one.tar')), whole, 'the normalized archive has the tree hash of its input');
    const read: string[] = [];
    for await (const e of readEntries(path.join(dir, 'one.tar'))) read.push(nameBytes(e.path).toString('latin1'));
    assert.deepEqual(read.map((n) => n.replace(/\/$/, '')), [...listed].sort((x, y) => Buffer.compare(b(x), b(y))), 'written in byte order');

    // The canonical tree the build extracts is that same archive.
    const tree0 = await canonicalTree({ input, sha256: await sha256File(input), strip: 0, dropVcs: true, allow: [], sourceDateEpoch: 1700000000 }, path.join(dir, 'cache'));
    assert.equal(tree0.sha256, one.sha256);

    // Safe extraction writes the names byte for byte.
    const ex = path.join(dir, 'ex');
    const rep = await safeExtract(input, ex);
    assert.equal(rep.files, 6);
    assert.equal(rep.symlinks, 1);
    assert.deepEqual(await tree(b(ex)), WANT);
  } finally {
    await cleanup();
  }
});
