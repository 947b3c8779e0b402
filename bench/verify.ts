/**
 * `tarsmith verify` against `sha256sum -c` over the same files, measured in the same run (goal: ≥ 4× faster):
 *  1. the kernel tarball /usr/src/linux-source-6.12.tar.xz (one file; packages/SHA256SUMS mode),
 *  2. a generated 1.5 GB uncompressed tar (one file; SHA256SUMS mode),
 *  3. both at once from a tarsmith.lock (two files hashed in parallel).
 * Files are read once beforehand so that both tools hash from the page cache (the CPU cost is what differs).
 * Whole-process timings (start-up included), median of several runs; peak RSS of tarsmith is shown to make the
 * point that memory does not grow with file size.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { exec } from '../src/core/exec.js';
import { writeLock, type Lock } from '../src/lock/lock.js';
import { formatSums } from '../src/lock/sha256sums.js';
import { hashFile } from '../src/lock/hash.js';
import { measure, median } from './lib.js';

const KERNEL = '/usr/src/linux-source-6.12.tar.xz';
const BIG_BYTES = 1536 * 1024 * 1024;
const RUNS = 3;
const GOAL = 4;
const bin = fileURLToPath(new URL('../bin/tarsmith', import.meta.url));

async function makeBigTar(dir: string): Promise<string> {
  const parts = path.join(dir, 'parts');
  await fs.mkdir(parts);
  const per = BIG_BYTES / 3;
  for (const n of ['a', 'b', 'c']) {
    const r = await exec(['sh', '-c', `head -c ${per} /dev/urandom > "$1"`, 'sh', path.join(parts, `${n}.bin`)]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const out = path.join(dir, 'big.tar');
  const t = await exec(['tar', '-cf', out, '-C', parts, '.']);
  if (t.code !== 0) throw new Error(t.stderr);
  await fs.rm(parts, { recursive: true });
  return out;
}

async function place(src: string, dest: string): Promise<void> {
  try {
    await fs.link(src, dest);
  } catch {
    await fs.copyFile(src, dest);
  }
}

/** Time `tarsmith verify` in `dir` against `sha256sum -c SHA256SUMS` in `dir/packages`. */
async function compare(label: string, dir: string): Promise<number> {
  const ours = [bin, 'verify'];
  const theirs = ['sha256sum', '-c', '--quiet', 'SHA256SUMS'];
  const a: number[] = [];
  const b: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = await measure(theirs, { cwd: path.join(dir, 'packages') });
    b.push(t.ms);
    cb.push(t.cpuMs);
    const r = await measure(ours, { cwd: dir });
    a.push(r.ms);
    ca.push(r.cpuMs);
    rss = Math.max(rss, r.rssKiB);
  }
  const ratio = median(b) / median(a);
  const cpu = median(ca) > 0 ? `   CPU time ${median(cb).toFixed(0)} vs ${median(ca).toFixed(0)} ms (${(median(cb) / median(ca)).toFixed(2)}x)` : '';
  process.stdout.write(
    `${label}\n  sha256sum -c: ${median(b).toFixed(0)} ms   tarsmith verify: ${median(a).toFixed(0)} ms   ` +
      `ratio ${ratio.toFixed(2)}x (goal ≥ ${GOAL}x)${cpu}   tarsmith peak RSS ${(rss / 1024).toFixed(0)} MiB\n`,
  );
  return ratio;
}

async function sumsProject(root: string, name: string, file: string): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(path.join(dir, 'packages'), { recursive: true });
  const base = path.basename(file);
  await place(file, path.join(dir, 'packages', base));
  const h = await hashFile(file);
  if (!h.ok) throw new Error(h.message);
  await fs.writeFile(path.join(dir, 'packages', 'SHA256SUMS'), formatSums([{ file: base, sha256: h.sha256 }]));
  return dir;
}

async function lockProject(root: string, files: string[]): Promise<string> {
  const dir = path.join(root, 'both');
  await fs.mkdir(path.join(dir, 'packages'), { recursive: true });
  const lock: Lock = { lockVersion: 1, sources: {}, patches: {} };
  const sources: { name: string; file: string }[] = [];
  for (const [i, f] of files.entries()) {
    const base = path.basename(f);
    await place(f, path.join(dir, 'packages', base));
    const h = await hashFile(f);
    if (!h.ok) throw new Error(h.message);
    const name = `s${i}`;
    sources.push({ name, file: `packages/${base}` });
    lock.sources[name] = { origin: 'file', path: `packages/${base}`, file: `packages/${base}`, size: h.size, sha256: h.sha256, treeHash: 'not-used-by-verify' };
  }
  await fs.writeFile(path.join(dir, 'tarsmith.yaml'), stringify({ version: 1, name: 'bench', sourceDateEpoch: 0, sources }));
  await writeLock(dir, lock);
  return dir;
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-verify-'));
  try {
    process.stderr.write('generating a 1.5 GB tar ...\n');
    const big = await makeBigTar(root);
    const kernel = await sumsProject(root, 'kernel', KERNEL);
    const bigDir = await sumsProject(root, 'bigtar', big);
    await fs.rm(big);
    const both = await lockProject(root, [path.join(kernel, 'packages', path.basename(KERNEL)), path.join(bigDir, 'packages', 'big.tar')]);
    for (const d of [kernel, bigDir]) await exec(['sh', '-c', 'cat packages/* > /dev/null'], { cwd: d });
    const ratios = [
      await compare(`kernel tarball (${KERNEL}, one file):`, kernel),
      await compare('generated 1.5 GB tar (one file):', bigDir),
      await compare('both files from tarsmith.lock (two at once):', both),
    ];
    const worst = Math.min(...ratios);
    process.stdout.write(`worst ratio ${worst.toFixed(2)}x: ${worst >= GOAL ? 'goal met' : 'goal NOT met'}\n`);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
