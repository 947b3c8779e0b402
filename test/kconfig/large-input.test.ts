/**
 * A small tarball holding a huge Kconfig (1.2 GB of zeros: 40 KB as zstd, a few KB as bzip2) is refused from its
 * tar header with kconfig.file-too-large, and the command's memory stays small: the decoders no longer expand
 * everything they are given at once (it peaked at 2.5 GB before refusing).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { BIN } from '../support/rig.js';
import { tarInto, withPeakRss } from '../support/peak-rss.js';

test('kconfig symbols: a 1.2 GB Kconfig in a small tarball is refused early with a code, in bounded memory', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-kconfig-bomb-'));
  try {
    await mkdir(path.join(dir, 'linux'));
    await writeFile(path.join(dir, 'linux', 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\n');
    await writeFile(path.join(dir, 'linux', 'Kconfig'), '');
    await truncate(path.join(dir, 'linux', 'Kconfig'), 1200 * 1024 * 1024);
    tarInto(path.join(dir, 'k.tar.zst'), dir, 'linux', ['zstd', '-q', '-3']);
    // bzip2 is slow to write; 150 MB of the same zeros still expanded to over 300 MB in the old decoder.
    await truncate(path.join(dir, 'linux', 'Kconfig'), 150 * 1024 * 1024);
    tarInto(path.join(dir, 'k.tar.bz2'), dir, 'linux', ['bzip2', '-1']);
    await rm(path.join(dir, 'linux'), { recursive: true });
    for (const [file, size] of [['k.tar.zst', 1200], ['k.tar.bz2', 150]] as const) {
      const r = withPeakRss([BIN, 'kconfig', 'symbols', '--kernel', file, '--arch', 'x86_64', '--json'], { cwd: dir });
      assert.equal(r.status, 2, r.stderr);
      const doc = JSON.parse(r.stdout) as { errors: { code: string; message: string }[] };
      assert.equal(doc.errors[0]?.code, 'kconfig.file-too-large');
      assert.match(doc.errors[0]?.message ?? '', new RegExp(`${file}: linux/Kconfig is ${size * 1024 * 1024} bytes`));
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
      assert.ok(r.peakMiB < 200, `${file}: peak RSS ${r.peakMiB.toFixed(0)} MiB (goal < 200)`);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['k.tar.bz2', 'k.tar.zst']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
