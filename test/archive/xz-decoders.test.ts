import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readEntries } from '../../src/archive/index.js';
import { isTarsmithError } from '../../src/core/errors.js';
import { gnuTar, makeTree, tempDir } from './rig.js';

const INDEX = fileURLToPath(new URL('../../src/archive/index.ts', import.meta.url));

/** One line per member (type, path, sha256 of the body), then the failure code of `cut` ('' if none). */
const SCRIPT = `
import { createHash } from 'node:crypto';
const { readEntries } = await import(process.env.INDEX);
const lines = [];
for await (const e of readEntries(process.env.FULL)) {
  const h = createHash('sha256');
  if (e.body) for await (const c of e.body) h.update(c);
  lines.push(e.type + ' ' + e.path + ' ' + h.digest('hex'));
}
let code = '';
try { for await (const e of readEntries(process.env.CUT)) if (e.body) for await (const _ of e.body) void _; }
catch (e) { code = e.failures?.[0]?.code ?? String(e); }
lines.push(code);
process.stdout.write(lines.join('\\n'));
`;

async function inProcess(full: string, cut: string): Promise<string> {
  const lines: string[] = [];
  for await (const e of readEntries(full)) {
    const h = createHash('sha256');
    if (e.body) for await (const c of e.body) h.update(c);
    lines.push(`${e.type} ${e.path} ${h.digest('hex')}`);
  }
  let code = '';
  try {
    for await (const e of readEntries(cut)) if (e.body) for await (const _ of e.body) void _;
  } catch (e) {
    code = isTarsmithError(e) ? (e.failures[0]?.code ?? '') : String(e);
  }
  lines.push(code);
  return lines.join('\n');
}

test('xz reads the same through the xz child process and, without xz on PATH, through lzma-native', async () => {
  const { dir, cleanup } = await tempDir('xz-decoders');
  try {
    const top = await makeTree(dir);
    await fs.writeFile(path.join(top, 'blob.bin'), randomBytes(600_000));
    const full = gnuTar(dir, 'proj-1.0', 'tar.xz', path.join(dir, 'a.tar.xz'));
    const bytes = await fs.readFile(full);
    const cut = path.join(dir, 'cut.tar.xz');
    await fs.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const here = await inProcess(full, cut);
    assert.match(here, /^file proj-1\.0\/blob\.bin [0-9a-f]{64}$/m);
    assert.ok(here.endsWith('\narchive.truncated'), here);
    const noXz = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, PATH: path.join(dir, 'no-such-dir'), INDEX, FULL: full, CUT: cut },
    });
    assert.equal(noXz, here);
  } finally {
    await cleanup();
  }
});
