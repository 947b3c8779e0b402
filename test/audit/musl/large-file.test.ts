/**
 * A 600 MB C file (sparse, made in the test's temp folder) is refused by `audit musl` with audit.file-too-large,
 * before it is read, in a folder and inside a tarball; the command's memory stays small. It used to crash
 * (a string over V8's limit) after holding the whole file.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { BIN } from '../../support/rig.js';
import { tarInto, withPeakRss } from '../../support/peak-rss.js';

test('audit musl: a 600 MB C file is a coded refusal naming it, folder or tarball, in bounded memory', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-musl-big-'));
  try {
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'src', 'ok.c'), 'int main(void) { return 0; }\n');
    await writeFile(path.join(dir, 'src', 'big.c'), '');
    await truncate(path.join(dir, 'src', 'big.c'), 600 * 1024 * 1024);
    tarInto(path.join(dir, 'src.tar.zst'), dir, 'src', ['zstd', '-q', '-3']);
    for (const [input, named] of [['src', 'src/big.c'], ['src.tar.zst', 'src.tar.zst: src/big.c']] as const) {
      const r = withPeakRss([BIN, 'audit', 'musl', input, '--json'], { cwd: dir });
      assert.equal(r.status, 2, r.stderr);
      const doc = JSON.parse(r.stdout) as { ok: boolean; errors: { code: string; value: string; message: string }[] };
      assert.equal(doc.ok, false);
      assert.equal(doc.errors[0]?.code, 'audit.file-too-large');
      assert.equal(doc.errors[0]?.value, named);
      assert.match(doc.errors[0]?.message ?? '', /is 629145600 bytes, more than the 67108864 bytes/);
      assert.ok(r.peakMiB < 200, `${input}: peak RSS ${r.peakMiB.toFixed(0)} MiB (goal < 200)`);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['src', 'src.tar.zst']);
    assert.deepEqual((await readdir(path.join(dir, 'src'))).sort(), ['big.c', 'ok.c']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
