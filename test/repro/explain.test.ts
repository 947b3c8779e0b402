import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { explainBytes, type ExplainContext } from '../../src/repro/explain.js';
import { arMembers, tarMembers } from '../../src/repro/members.js';

const ctx: ExplainContext = { secondOnly: [{ cause: 'build-path', text: '/tarsmith-repro/build-path-varied' }, { cause: 'host-or-user', text: 'tarsmith-repro-b' }], firstBuildPath: '/src/app' };
const causes = (a: Buffer, b: Buffer, name = 'f') => explainBytes(a, b, ctx, 0, name).map((h) => h.cause);

async function tmpdir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-explain-'));
}

test('a date string, a build path and a host name are named from the bytes; text files get a diff', () => {
  const a = Buffer.from('built Thu Dec  3 14:05:01 UTC 2026\n');
  const b = Buffer.from('built Fri Jan  5 09:12:44 UTC 2029\n');
  const hints = explainBytes(a, b, ctx, 0, 'stamp.txt');
  assert.deepEqual(hints.map((h) => h.cause), ['date-time', 'text']);
  assert.match(hints[0]!.detail, /"Thu Dec" in the first build/);
  assert.match(hints[1]!.detail, /^-built Thu Dec {2}3/m);
  assert.match(hints[1]!.detail, /^\+built Fri Jan {2}5/m);
  assert.deepEqual(causes(Buffer.from('dir=/src/app/x\n'), Buffer.from('dir=/tarsmith-repro/build-path-varied/src/app/x\n')), ['build-path', 'text']);
  assert.match(explainBytes(Buffer.from('dir=/src/app\n'), Buffer.from('dir=/tarsmith-repro/build-path-varied/src/app\n'), ctx)[0]!.detail, /"\/src\/app" in the first/);
  assert.deepEqual(causes(Buffer.from('host=buildkitsandbox\0'), Buffer.from('host=tarsmith-repro-b\0')), ['host-or-user']);
  assert.deepEqual(causes(Buffer.from([0, 1, 2, 3]), Buffer.from([0, 1, 9, 3])), ['bytes']);
});

test('tar: directory-order members, member times and owners, also inside gzip (with the gzip header time)', async () => {
  const dir = await tmpdir();
  try {
    await fs.mkdir(path.join(dir, 'd'));
    for (const n of ['x', 'y', 'z']) await fs.writeFile(path.join(dir, 'd', n), n);
    const tar = (...args: string[]) => execFileSync('tar', ['-c', '-f', '-', '-C', dir, '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1700000000', ...args]);
    const sorted = tar('d/x', 'd/y', 'd/z');
    const reversed = tar('d/z', 'd/y', 'd/x');
    assert.deepEqual(tarMembers(sorted).map((m) => m.name), ['d/x', 'd/y', 'd/z']);
    const order = explainBytes(sorted, reversed, ctx);
    assert.equal(order[0]?.cause, 'archive-order');
    assert.match(order[0]!.detail, /tar members in another order \(first: d\/x, d\/y, d\/z; second: d\/z, d\/y, d\/x\)/);
    const later = execFileSync('tar', ['-c', '-f', '-', '-C', dir, '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1800000000', 'd/x', 'd/y', 'd/z']);
    assert.deepEqual(causes(sorted, later), ['archive-times']);
    const owned = execFileSync('tar', ['-c', '-f', '-', '-C', dir, '--owner=7', '--group=7', '--numeric-owner', '--mtime=@1700000000', 'd/x', 'd/y', 'd/z']);
    assert.deepEqual(causes(sorted, owned), ['archive-owners']);
    const gzA = gzipSync(sorted);
    const gzB = Buffer.from(gzipSync(reversed));
    gzB.writeUInt32LE(1800000000, 4);
    const inGz = explainBytes(gzA, gzB, ctx);
    assert.deepEqual(inGz.map((h) => h.cause), ['gzip-header', 'archive-order']);
    assert.match(inGz[1]!.detail, /^inside the gzip stream: tar members in another order/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('ar (.a): member order and times, from real ar archives', async () => {
  const dir = await tmpdir();
  try {
    for (const n of ['a.o', 'b.o']) await fs.writeFile(path.join(dir, n), `object ${n}\n`);
    execFileSync('ar', ['rcD', 'one.a', 'a.o', 'b.o'], { cwd: dir });
    execFileSync('ar', ['rcD', 'two.a', 'b.o', 'a.o'], { cwd: dir });
    execFileSync('ar', ['rcU', 'three.a', 'a.o', 'b.o'], { cwd: dir });
    const [one, two, three] = await Promise.all(['one.a', 'two.a', 'three.a'].map((f) => fs.readFile(path.join(dir, f))));
    assert.deepEqual(arMembers(one!).map((m) => m.name), ['a.o', 'b.o']);
    assert.deepEqual(causes(one!, two!), ['archive-order']);
    assert.ok(causes(one!, three!).includes('archive-times'), 'ar U keeps the real mtimes, D writes 0');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('ELF: the sections that differ are named, debug info with the compile-directory hint', async () => {
  const dir = await tmpdir();
  try {
    for (const d of ['a', 'bb/longer']) {
      await fs.mkdir(path.join(dir, d), { recursive: true });
      await fs.writeFile(path.join(dir, d, 'x.c'), 'int f(int x) { return x + 1; }\n');
      execFileSync('gcc', ['-g', '-c', 'x.c', '-o', 'x.o'], { cwd: path.join(dir, d) });
    }
    const [a, b] = await Promise.all([fs.readFile(path.join(dir, 'a', 'x.o')), fs.readFile(path.join(dir, 'bb/longer', 'x.o'))]);
    const hints = explainBytes(a, b, ctx);
    const elf = hints.find((h) => h.cause === 'elf-sections');
    assert.ok(elf, JSON.stringify(hints));
    assert.match(elf.detail, /\.debug_(str|line_str|info)/);
    assert.match(elf.detail, /-ffile-prefix-map/);
    assert.doesNotMatch(elf.detail, /\.text\b/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
