/**
 * Bench: `tarsmith normalize` of the Debian kernel source tarball (tar.xz → tar.gz) against GNU tar + gzip
 * making the same kind of deterministic tarball from the extracted tree, measured in the same run:
 *   tar --sort=name --mtime=@N --owner=0 --group=0 --numeric-owner -c DIR | gzip -n
 * Prints the wall-time ratio (goal ≤ 1.2×) and tarsmith's peak RSS from /usr/bin/time (goal < 200 MB).
 * Then the spill path: the same tree re-tarred (plain tar) in reverse name order, so that every member is out of
 * order, normalized to tar.gz; prints its peak RSS (goal < 200 MB) and checks that it made the same tarball.
 * Usage: npm run bench -- normalize   (TARSMITH_BENCH_TARBALL=PATH to use another tarball)
 */
import { spawn } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GNU_TIME, readTimeFile } from './lib.js';

const TARBALL = process.env.TARSMITH_BENCH_TARBALL ?? '/usr/src/linux-source-6.12.tar.xz';
const EPOCH = '1700000000';
const TIME = GNU_TIME;
const BIN = fileURLToPath(new URL('../bin/tarsmith', import.meta.url));

interface Run {
  seconds: number;
  peakKb: number;
  /** CPU seconds (user + system). */
  cpu: number;
}

interface Usage {
  peakKb: number;
  cpu: number;
}

/** Run argv under /usr/bin/time; stdout goes to `stdoutTo` (a stream) or is ignored. */
function timed(argv: string[], rssFile: string, stdin?: NodeJS.ReadableStream, stdoutTo?: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(TIME, ['-f', '%M %U %S', '-o', rssFile, ...argv], {
      stdio: [stdin ? 'pipe' : 'ignore', stdoutTo ? 'pipe' : 'ignore', 'inherit'],
    });
    if (stdin && child.stdin) stdin.pipe(child.stdin);
    if (stdoutTo && child.stdout) child.stdout.pipe(stdoutTo);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(code) : reject(new Error(`${argv.join(' ')} exited ${code}`))));
  });
}

async function usage(rssFile: string): Promise<Usage> {
  const u = await readTimeFile(rssFile);
  return { peakKb: u.rssKiB, cpu: u.cpuMs / 1000 };
}

async function gnu(tree: string, name: string, out: string, work: string): Promise<Run> {
  const t0 = process.hrtime.bigint();
  const tarRss = path.join(work, 'tar.rss');
  const gzRss = path.join(work, 'gzip.rss');
  const tarArgv = ['tar', '--sort=name', `--mtime=@${EPOCH}`, '--owner=0', '--group=0', '--numeric-owner', '-C', tree, '-c', name];
  const tar = spawn(TIME, ['-f', '%M %U %S', '-o', tarRss, ...tarArgv], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tarDone = new Promise<void>((resolve, reject) => tar.on('close', (c) => (c === 0 ? resolve() : reject(new Error(`tar exited ${c}`)))));
  await Promise.all([tarDone, timed(['gzip', '-n'], gzRss, tar.stdout, createWriteStream(out))]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const [a, b] = [await usage(tarRss), await usage(gzRss)];
  return { seconds, peakKb: a.peakKb + b.peakKb, cpu: a.cpu + b.cpu };
}

async function tarsmith(input: string, out: string, work: string): Promise<Run> {
  const rss = path.join(work, 'tarsmith.rss');
  const t0 = process.hrtime.bigint();
  await timed(['node', BIN, 'normalize', input, out, '--format', 'tar.gz', '--source-date-epoch', EPOCH, '--quiet'], rss);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, ...(await usage(rss)) };
}

async function sha256(file: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256');
  for await (const chunk of (await import('node:fs')).createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The spill path: the tree re-tarred in reverse name order (not timed), then normalized; peak RSS and bytes. */
async function spillPath(tree: string, name: string, work: string, expectSha: string): Promise<void> {
  const list = path.join(work, 'reverse.list');
  const reversed = path.join(work, 'reverse.tar');
  const names: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    names.push(rel);
    for (const d of await fs.readdir(path.join(tree, rel), { withFileTypes: true })) {
      if (d.isDirectory()) await walk(`${rel}/${d.name}`);
      else names.push(`${rel}/${d.name}`);
    }
  };
  await walk(name);
  await fs.writeFile(list, `${names.sort().reverse().join('\n')}\n`);
  console.log(`re-tarring ${names.length} members in reverse order for the spill path (not timed)...`);
  await timed(['tar', '--no-recursion', '-C', tree, '-cf', reversed, '-T', list], path.join(work, 'r.rss'));
  await fs.rm(path.join(tree, name), { recursive: true, force: true });
  const out = path.join(work, 'spill.tar.gz');
  const s = await tarsmith(reversed, out, work);
  const same = (await sha256(out)) === expectSha;
  console.log(`tarsmith normalize, spill path (reverse-ordered tar → tar.gz): ${s.seconds.toFixed(1)} s wall, ${s.cpu.toFixed(1)} s CPU`);
  console.log(`tarsmith spill-path peak RSS: ${mb(s.peakKb)} (goal < 200 MB) ${s.peakKb < 200 * 1024 ? 'ok' : 'MISSED'}; same bytes as the one-pass path: ${same ? 'yes' : 'NO'}`);
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  try {
    await fs.access(TARBALL);
    await fs.access(TIME);
  } catch {
    console.log(`skipped: needs ${TARBALL} and ${TIME} (scripts/setup-deps.sh installs both)`);
    return;
  }
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-normalize-'));
  try {
    const tree = path.join(work, 'tree');
    await fs.mkdir(tree);
    console.log(`extracting ${TARBALL} for the GNU side (not timed)...`);
    await timed(['tar', '-xf', TARBALL, '-C', tree], path.join(work, 'x.rss'));
    const [name] = await fs.readdir(tree);
    if (!name) throw new Error('empty tarball');
    const g = await gnu(tree, name, path.join(work, 'gnu.tar.gz'), work);
    const t = await tarsmith(TARBALL, path.join(work, 'tarsmith.tar.gz'), work);
    const gz = (await fs.stat(path.join(work, 'gnu.tar.gz'))).size;
    const ts = (await fs.stat(path.join(work, 'tarsmith.tar.gz'))).size;
    const ratio = t.seconds / g.seconds;
    const line = (what: string, r: Run, bytes: number): string =>
      `${what}: ${r.seconds.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU, peak RSS ${mb(r.peakKb)}, output ${(bytes / 1e6).toFixed(1)} MB`;
    console.log(line('GNU tar | gzip -n (extracted tree)', g, gz));
    console.log(line('tarsmith normalize (tar.xz → tar.gz)', t, ts));
    console.log(`load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    console.log(`time ratio tarsmith/GNU: ${ratio.toFixed(2)}x wall, ${(t.cpu / g.cpu).toFixed(2)}x CPU (goal <= 1.2x) ${ratio <= 1.2 ? 'ok' : 'MISSED'}`);
    console.log(`tarsmith peak RSS: ${mb(t.peakKb)} (goal < 200 MB) ${t.peakKb < 200 * 1024 ? 'ok' : 'MISSED'}`);
    await spillPath(tree, name, work, await sha256(path.join(work, 'tarsmith.tar.gz')));
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

await main();
