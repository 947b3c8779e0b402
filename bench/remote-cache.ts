/**
 * The shared cache through a registry: `tarsmith build` of the bundled example on a fresh engine (a second dockerd,
 * every image and cache record removed before each run) with the cache from the registry (`--cache-from REF`, REF
 * the cache image the machine's engine pushed with `--cache-to type=registry,ref=REF`), against the same build on
 * the same fresh engine cold, in the same run (goal ≤ 15 % of cold). Both send the build context (the 450 MB
 * rootfs) to the engine: BuildKit needs the files to compute the cache keys of ADD and COPY; the time of that
 * transfer is read from the progress log and printed beside. Median of RUNS whole-process runs each.
 */
import { exec } from '../src/core/exec.js';
import { measure, median, seconds as secs } from './lib.js';
import { BIN, dockerClient, exampleCopy } from '../test/e2e/build-rig.js';
import { startRegistry, startSecondEngine } from '../test/e2e/remote-rig.js';

const RUNS = 3;

/** One whole-process run, timed (wall), its output kept; it must exit 0. */
const timed = (argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => measure(argv, { ...opts, usage: false });

/** The seconds BuildKit took to receive the build context (`[internal] load build context`, its DONE line). */
function contextSeconds(plain: string): number {
  const id = /^#(\d+) \[internal\] load build context$/m.exec(plain)?.[1];
  if (id === undefined) return 0;
  const done = [...plain.matchAll(new RegExp(`^#${id} DONE ([\\d.]+)s$`, 'gm'))].at(-1)?.[1];
  return done === undefined ? 0 : Number(done);
}

interface Steps {
  total: number;
  cached: number;
}

async function main(): Promise<void> {
  const [ex, engine, registry] = await Promise.all([exampleCopy(), startSecondEngine(), startRegistry()]);
  const ref = `${registry.host}/tarsmith-bench/hello:cache`;
  const base = { ...process.env };
  delete base.DOCKER_HOST;
  delete base.DOCKER_CONTEXT;
  const remote = { ...base, DOCKER_HOST: engine.tcp };
  const build = (extra: string[]) => timed([BIN, 'build', '--json', '--progress', 'plain', ...extra], { cwd: ex.dir, env: remote });
  try {
    const pushed = await timed([BIN, 'build', '--json', '-q', '--cache-to', `type=registry,ref=${ref}`], { cwd: ex.dir, env: base });
    const exports = (JSON.parse(pushed.stdout) as { cacheExports?: { digest: string }[] }).cacheExports ?? [];
    if (exports.length !== 1) throw new Error(`no cache image was pushed:\n${pushed.stderr.slice(-2000)}`);
    const cold: number[] = [];
    const warm: number[] = [];
    const coldCtx: number[] = [];
    const warmCtx: number[] = [];
    let steps = '';
    for (let i = 0; i < RUNS; i++) {
      await engine.reset();
      const c = await build([]);
      cold.push(c.ms);
      coldCtx.push(contextSeconds(c.stderr) * 1000);
      await engine.reset();
      const w = await build(['--cache-from', ref]);
      warm.push(w.ms);
      warmCtx.push(contextSeconds(w.stderr) * 1000);
      const s = (JSON.parse(w.stdout) as { steps?: Steps }).steps;
      steps = s ? `${s.cached} of ${s.total} steps from the registry cache` : '';
    }
    const c = median(cold);
    const w = median(warm);
    const pct = (100 * w) / c;
    console.log(`fresh engine, cold:                 ${secs(c)} (median of ${RUNS}; receiving the context ${secs(median(coldCtx))})`);
    console.log(`fresh engine, cache from registry:  ${secs(w)} (median of ${RUNS}; receiving the context ${secs(median(warmCtx))}; ${steps})`);
    console.log(`ratio: ${pct.toFixed(1)} % of cold (goal ≤ 15 %: ${pct <= 15 ? 'met' : 'NOT met'})`);
    const rest = ((w - median(warmCtx)) * 100) / c;
    console.log(`without the context transfer: ${rest.toFixed(1)} % of cold`);
  } finally {
    await exec([await dockerClient(), 'image', 'rm', ref]).catch(() => undefined);
    await Promise.all([engine.stop(), registry.stop(), ex.cleanup()]);
  }
}

await main();
