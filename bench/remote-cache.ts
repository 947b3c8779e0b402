/**
 * The shared cache through a registry: `tarsmith build` of the bundled example on a fresh engine (a second dockerd,
 * every image and cache record removed before each run) with the cache from the registry (`--cache-from REF`, REF
 * the cache image the machine's engine pushed with `--cache-to type=registry,ref=REF`, which also pushed the base
 * image, the locked rootfs as one layer, beside it), against the same build on the same fresh engine cold, in the
 * same run (goal ≤ 15 % of cold). Cold is the build without a registry: the 450 MB rootfs goes in the build context.
 * Beside them: the same cold build with the base from the registry (`--no-cache --cache-from REF`: the fresh engine
 * pulls the base image's layer instead of receiving the rootfs), and the cached build on an engine that already holds
 * the base image (pulled before the timed run). The time BuildKit took to receive the build context is read from
 * the progress log and printed beside. Median of RUNS whole-process runs each, interleaved.
 */
import { exec } from '../src/core/exec.js';
import { measure, median, seconds as secs } from './lib.js';
import { BIN, dockerClient, exampleCopy } from '../test/e2e/build-rig.js';
import { startRegistry, startSecondEngine } from '../test/e2e/remote-rig.js';

/** Runs of each build (`TARSMITH_BENCH_RUNS`, default 5): the cached build is well under a second, so a loaded machine's noise is large. */
const RUNS = Number(process.env.TARSMITH_BENCH_RUNS ?? 5);

/** One whole-process run, timed (wall), its output kept; it must exit 0. */
const timed = (argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => measure(argv, { ...opts, usage: false });

/** The seconds BuildKit took to receive the build context (`[internal] load build context`, its DONE line). */
function contextSeconds(plain: string): number {
  const id = /^#(\d+) \[internal\] load build context$/m.exec(plain)?.[1];
  if (id === undefined) return 0;
  const done = [...plain.matchAll(new RegExp(`^#${id} DONE ([\\d.]+)s$`, 'gm'))].at(-1)?.[1];
  return done === undefined ? 0 : Number(done);
}

interface Result {
  steps?: { total: number; cached: number };
  base?: { from: string; pinned?: string };
}

interface Series {
  ms: number[];
  ctx: number[];
  last?: Result;
}

async function main(): Promise<void> {
  const [ex, engine, registry] = await Promise.all([exampleCopy(), startSecondEngine(), startRegistry()]);
  const ref = `${registry.host}/tarsmith-bench/hello:cache`;
  const base = { ...process.env };
  delete base.DOCKER_HOST;
  delete base.DOCKER_CONTEXT;
  const remote = { ...base, DOCKER_HOST: engine.tcp };
  const series = (): Series => ({ ms: [], ctx: [] });
  const once = async (s: Series, extra: string[], before?: () => Promise<void>) => {
    await engine.reset();
    if (before) await before();
    const r = await timed([BIN, 'build', '--json', '--progress', 'plain', ...extra], { cwd: ex.dir, env: remote });
    s.ms.push(r.ms);
    s.ctx.push(contextSeconds(r.stderr) * 1000);
    s.last = JSON.parse(r.stdout) as Result;
  };
  try {
    const pushed = await timed([BIN, 'build', '--json', '-q', '--cache-to', `type=registry,ref=${ref}`], { cwd: ex.dir, env: base });
    const a = JSON.parse(pushed.stdout) as { cacheExports?: { digest: string }[]; base?: { from: string; pinned?: string } };
    if ((a.cacheExports ?? []).length !== 1) throw new Error(`no cache image was pushed:\n${pushed.stderr.slice(-2000)}`);
    if (a.base?.from !== 'registry' || !a.base.pinned) throw new Error(`the base image was not pushed:\n${pushed.stderr.slice(-2000)}`);
    const pinned = a.base.pinned;
    const cold = series();
    const coldPull = series();
    const warm = series();
    const warmPulled = series();
    for (let i = 0; i < RUNS; i++) {
      await once(cold, []);
      await once(coldPull, ['--no-cache', '--cache-from', ref]);
      await once(warm, ['--cache-from', ref]);
      await once(warmPulled, ['--cache-from', ref], async () => {
        const p = await exec([...engine.client, 'pull', '-q', pinned]);
        if (p.code !== 0) throw new Error(`cannot pull ${pinned} into the second engine: ${p.stderr}`);
      });
    }
    const c = median(cold.ms);
    const line = (what: string, s: Series) => {
      const st = s.last?.steps;
      const steps = st ? `; ${st.cached} of ${st.total} steps from the cache` : '';
      const from = s.last?.base ? `; base from the ${s.last.base.from}` : '';
      console.log(`${what.padEnd(54)} ${secs(median(s.ms), 2)} (median of ${RUNS}, ${secs(Math.min(...s.ms), 2)} to ${secs(Math.max(...s.ms), 2)}; receiving the context ${secs(median(s.ctx), 2)}${steps}${from}) = ${((100 * median(s.ms)) / c).toFixed(1)} % of cold`);
    };
    line('fresh engine, cold (rootfs in the context):', cold);
    line('fresh engine, cold, base pulled from the registry:', coldPull);
    line('fresh engine, cache from registry:', warm);
    line('engine holding the base image, cache from registry:', warmPulled);
    const pct = (100 * median(warm.ms)) / c;
    console.log(`ratio: ${pct.toFixed(1)} % of cold (goal ≤ 15 %: ${pct <= 15 ? 'met' : 'NOT met'})`);
  } finally {
    // Every image of the machine's engine that names the bench's registry (the cache image, the base image).
    const docker = await dockerClient();
    const ls = await exec([docker, 'image', 'ls', '--digests', '--format', '{{.ID}} {{.Repository}}']);
    const ids = ls.stdout.split('\n').filter((l) => l.split(' ')[1]?.startsWith(`${registry.host}/`)).map((l) => l.split(' ')[0] as string);
    if (ids.length > 0) await exec([docker, 'image', 'rm', '-f', ...new Set(ids)]).catch(() => undefined);
    await Promise.all([engine.stop(), registry.stop(), ex.cleanup()]);
  }
}

await main();
