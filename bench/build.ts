/**
 * `tarsmith build` on the bundled example, each number measured against plain docker in the same run:
 *  1. tool overhead: a warm `tarsmith build` (verify + plan + stage + build + export + hashes) against the same
 *     generated Dockerfile and context built by hand with `DOCKER_BUILDKIT=1 docker build` (goal ≤ 5 %);
 *  2. build context size against a naive `docker build .` of the example folder (everything in it is sent);
 *  3. a warm rebuild after changing only the application tarball against a cold build (`--no-cache`)
 *     (goal ≤ 30 % of cold).
 * Every timing is the median of several whole-process runs.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exec } from '../src/core/exec.js';
import { probeEngine } from '../src/engine/probe.js';
import { BIN, exampleCopy } from '../test/e2e/build-rig.js';
import { median, pct, seconds, timed } from './lib.js';

const RUNS = 5;

async function treeSize(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += await treeSize(p);
    else if (e.isFile()) n += (await fs.stat(p)).size;
  }
  return n;
}

/** The generated Dockerfile and helpers plus the inputs, staged by hand into `ctx` (what a user would do). */
async function handContext(dir: string, ctx: string): Promise<void> {
  await timed([BIN, 'generate', '--out', ctx], { cwd: dir });
  const tsv = await fs.readFile(path.join(ctx, 'inputs.tsv'), 'utf8');
  for (const line of tsv.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [cp, src] = line.split('\t') as [string, string];
    await fs.mkdir(path.dirname(path.join(ctx, cp)), { recursive: true });
    await fs.link(path.join(dir, src), path.join(ctx, cp));
  }
}

/** A different application tarball (one changed file), made with tar and gzip. */
async function retouchTarball(dir: string, n: number): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-src-'));
  const tgz = path.join(dir, 'packages', 'hello-1.0.tar.gz');
  await timed(['tar', '-xzf', tgz, '-C', work]);
  await fs.appendFile(path.join(work, 'hello-1.0', 'README'), `change ${n}\n`);
  await timed(['tar', '-czf', tgz, '-C', work, 'hello-1.0']);
  await fs.rm(work, { recursive: true, force: true });
}

const s = (ms: number) => seconds(ms, 2);

async function main(): Promise<void> {
  const caps = await probeEngine();
  const ex = await exampleCopy();
  const ctx = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-ctx-'));
  const handOut = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-out-'));
  try {
    // 1. overhead, warm
    await fs.rm(ctx, { recursive: true, force: true });
    await handContext(ex.dir, ctx);
    const hand = [caps.docker, 'build', '--progress', 'plain', '--network', 'none', '--target', 'artifacts', '--output', `type=local,dest=${handOut}`, ctx];
    const env = { ...process.env, DOCKER_BUILDKIT: '1' };
    await timed([BIN, 'build'], { cwd: ex.dir });
    await timed(hand, { env });
    const tool: number[] = [];
    const docker: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      tool.push(await timed([BIN, 'build'], { cwd: ex.dir }));
      docker.push(await timed(hand, { env }));
    }
    const overhead = median(tool) / median(docker) - 1;
    console.log(`warm build: tarsmith ${s(median(tool))}, docker build by hand ${s(median(docker))}: overhead ${pct(overhead)} (goal ≤ 5 %)`);

    // 2. context size
    const r = await exec([BIN, 'build', '--json'], { cwd: ex.dir });
    const staged = (JSON.parse(r.stdout) as { context: { size: number } }).context.size;
    const naive = await treeSize(ex.dir);
    const rootfs = (await fs.stat(path.join(ex.dir, 'packages', 'rootfs-bookworm-buildd.tar'))).size;
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`context: tarsmith ${(staged / 1048576).toFixed(1)} MiB, naive \`docker build .\` of the folder ${(naive / 1048576).toFixed(1)} MiB: ${pct(staged / naive)} of naive`);
    console.log(`context without the builder rootfs (sent once, then reused): tarsmith ${kib(staged - rootfs)}, naive ${kib(naive - rootfs)}: ${pct((staged - rootfs) / (naive - rootfs))} of naive`);

    // 3. warm rebuild after an application change vs cold
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < 2; i++) {
      cold.push(await timed([BIN, 'build', '--no-cache'], { cwd: ex.dir }));
      await retouchTarball(ex.dir, i);
      await timed([BIN, 'vendor'], { cwd: ex.dir });
      warm.push(await timed([BIN, 'build'], { cwd: ex.dir }));
    }
    const ratio = median(warm) / median(cold);
    console.log(`rebuild after changing the application tarball ${s(median(warm))} vs cold ${s(median(cold))}: ${pct(ratio)} of cold (goal ≤ 30 %)`);
  } finally {
    await fs.rm(ctx, { recursive: true, force: true });
    await fs.rm(handOut, { recursive: true, force: true });
    await ex.cleanup();
  }
}

await main();
