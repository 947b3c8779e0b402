import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { detectFormat, readEntries, type ArchiveEntry, type ArchiveFormat } from '../../src/archive/index.js';
import { isTarsmithError } from '../../src/core/errors.js';
import { gnuTar, makeTree, tempDir } from './rig.js';

const FORMATS: ArchiveFormat[] = ['tar', 'tar.gz', 'tar.bz2', 'tar.xz', 'tar.zst'];

async function collect(file: string): Promise<Array<Omit<ArchiveEntry, 'body'> & { text?: string }>> {
  const out: Array<Omit<ArchiveEntry, 'body'> & { text?: string }> = [];
  for await (const e of readEntries(file)) {
    const { body, ...rest } = e;
    let text: string | undefined;
    if (body) {
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(c);
      text = Buffer.concat(parts).toString('utf8');
    }
    out.push(text === undefined ? rest : { ...rest, text });
  }
  return out;
}

async function failureCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isTarsmithError(e), `expected a TarsmithError, got ${String(e)}`);
    assert.equal(e.exit, 2);
    return e.failures[0]?.code ?? '';
  }
  assert.fail('expected a failure');
}

async function drain(file: string): Promise<void> {
  for await (const e of readEntries(file)) if (e.body) for await (const _ of e.body) void _;
}

test('detectFormat recognises every format by magic bytes, whatever the file name', async () => {
  const { dir, cleanup } = await tempDir('detect');
  try {
    await makeTree(dir);
    for (const f of FORMATS) {
      // A misleading name: the format must come from the bytes.
      const file = gnuTar(dir, 'proj-1.0', f, path.join(dir, `archive-${f.replace('.', '-')}.zip`));
      assert.equal(await detectFormat(file), f);
    }
    await fs.writeFile(path.join(dir, 'notes.txt'), 'just text, not an archive\n'.repeat(40));
    assert.equal(await failureCode(detectFormat(path.join(dir, 'notes.txt'))), 'archive.unknown-format');
    await fs.writeFile(path.join(dir, 'empty.tar'), '');
    assert.equal(await failureCode(detectFormat(path.join(dir, 'empty.tar'))), 'archive.truncated');
  } finally {
    await cleanup();
  }
});

test('readEntries yields the same members and contents for every GNU tar format', async () => {
  const { dir, cleanup } = await tempDir('read');
  try {
    await makeTree(dir);
    const results = [];
    for (const f of FORMATS) results.push(await collect(gnuTar(dir, 'proj-1.0', f, path.join(dir, `a.${f}`))));
    const first = results[0]!;
    for (const r of results) assert.deepEqual(r, first);
    const byPath = new Map(first.map((e) => [e.path, e]));
    assert.equal(byPath.get('proj-1.0/README')?.text, 'hello\n');
    assert.equal(byPath.get('proj-1.0/README')?.type, 'file');
    assert.equal(byPath.get('proj-1.0/configure')?.mode, 0o755);
    assert.equal(byPath.get('proj-1.0/src/README.link')?.type, 'symlink');
    assert.equal(byPath.get('proj-1.0/src/README.link')?.linkname, '../README');
    assert.equal(byPath.get('proj-1.0/empty/')?.type, 'directory');
    assert.equal(byPath.get('proj-1.0/src/deep/main.c')?.size, 26 * 500);
  } finally {
    await cleanup();
  }
});

test('readEntries skips bodies the consumer did not read, and stops cleanly on break', async () => {
  const { dir, cleanup } = await tempDir('skip');
  try {
    await makeTree(dir);
    const file = gnuTar(dir, 'proj-1.0', 'tar.xz', path.join(dir, 'a.tar.xz'));
    const names: string[] = [];
    for await (const e of readEntries(file)) names.push(e.path); // never touches a body
    assert.ok(names.includes('proj-1.0/src/deep/main.c'));
    let seen = 0;
    for await (const e of readEntries(file)) {
      seen++;
      if (e.body) {
        for await (const _ of e.body) break; // read one chunk only
        break;
      }
    }
    assert.ok(seen >= 1);
  } finally {
    await cleanup();
  }
});

test('truncated and corrupt archives fail with archive.truncated / archive.corrupt, never a hang', async () => {
  const { dir, cleanup } = await tempDir('broken');
  try {
    const top = await makeTree(dir);
    // Enough incompressible data that a cut in the middle lands inside the compressed stream.
    const { randomBytes } = await import('node:crypto');
    await fs.writeFile(path.join(top, 'blob.bin'), randomBytes(600_000));
    for (const f of FORMATS) {
      const file = gnuTar(dir, 'proj-1.0', f, path.join(dir, `a.${f}`));
      const bytes = await fs.readFile(file);
      const cut = path.join(dir, `cut.${f}`);
      await fs.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
      assert.equal(await failureCode(drain(cut)), 'archive.truncated', `${f} cut in half`);
      const bad = Buffer.from(bytes);
      // Garbage inside the first member's header (plain tar) or the compressed data. fzstd does not check the
      // frame checksum, so for zstd the garbage goes into the frame header (see docs: sha256 pins catch the rest).
      if (f === 'tar.zst') bad.fill(0x5a, 4, 12);
      else bad.fill(0x5a, 300, 340);
      const corrupt = path.join(dir, `bad.${f}`);
      await fs.writeFile(corrupt, bad);
      assert.equal(await failureCode(drain(corrupt)), 'archive.corrupt', `${f} with garbage`);
    }
  } finally {
    await cleanup();
  }
});
