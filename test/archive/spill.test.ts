import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Spill } from '../../src/archive/spill.js';
import { ExitCode, isTarsmithError } from '../../src/core/errors.js';
import { tempDir } from './rig.js';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

async function readAll(spill: Spill, ref: { offset: number; size: number }): Promise<string> {
  const out: Buffer[] = [];
  for await (const b of spill.read(ref)) out.push(b);
  return Buffer.concat(out).toString();
}

test('a spill file gives its bodies back by reference, in any order', async () => {
  const { dir, cleanup } = await tempDir('spill');
  const spill = await Spill.create(path.join(dir, 'spill'));
  try {
    const a = await spill.append(chunks('first ', 'body'));
    const b = await spill.append(chunks('second'));
    await spill.seal();
    assert.equal(await readAll(spill, b), 'second');
    assert.equal(await readAll(spill, a), 'first body');
  } finally {
    await spill.close();
    await cleanup();
  }
});

test('a spill file cut short while in use is an I/O failure (archive.spill-short), not an internal error', async () => {
  const { dir, cleanup } = await tempDir('spill');
  const file = path.join(dir, 'spill');
  const spill = await Spill.create(file);
  try {
    await spill.append(chunks('x'.repeat(1000)));
    const ref = await spill.append(chunks('y'.repeat(1000)));
    await spill.seal();
    await fs.truncate(file, 1500);
    await assert.rejects(readAll(spill, ref), (e: unknown) => {
      assert.ok(isTarsmithError(e), String(e));
      const f = e.failures[0]!;
      assert.equal(f.code, 'archive.spill-short');
      assert.equal(e.exit, ExitCode.io);
      assert.deepEqual(f.where, { file });
      assert.match(f.message, /ends at byte 1500, inside a member stored at 1000\.\.2000/);
      return true;
    });
  } finally {
    await spill.close();
    await cleanup();
  }
});
