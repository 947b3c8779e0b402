/**
 * The shared cache through a registry: a build of the bundled example on a fresh engine (a second dockerd, every
 * image and cache record removed before each run) with the cache from the registry (`tarsmith image --cache-from
 * REF`, REF pushed by the machine's engine with `--cache-to type=inline`), against the same build on the same fresh
 * engine cold, in the same run (goal ≤ 15 % of cold). Both send the build context (the 450 MB rootfs) to the engine:
 * BuildKit needs the files to check the cache keys of ADD and COPY. Median of RUNS whole-process runs each.
 */
import { exec } from '../src/core/exec.js';
import { BIN, dockerClient, exampleCopy } from '../test/e2e/build-rig.js';
import { startRegistry, startSecondEngine } from '../test/e2e/remote-rig.js';

const RUNS = 3;

async function timed(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ ms: number; stdout: string }> {
  const start = process.hrtime.bigint();
  const r = await exec(argv, { ...opts, capture: true });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const [ex, engine, registry] = await Promise.all([exampleCopy(), startSecondEngine(), startRegistry()]);
  const ref = `${registry.host}/tarsmith-bench/hello:cache`;
  const base = { ...process.env };
  delete base.DOCKER_HOST;
  delete base.DOCKER_CONTEXT;
  const remote = { ...base, DOCKER_HOST: engine.tcp };
  try {
    await timed([BIN, 'image', '--push', ref, '--cache-to', 'type=inline', '-q'], { cwd: ex.dir, env: base });
    const cold: number[] = [];
    const warm: number[] = [];
    let steps = '';
    for (let i = 0; i < RUNS; i++) {
      await engine.reset();
      cold.push((await timed([BIN, 'image', '-q'], { cwd: ex.dir, env: remote })).ms);
      await engine.reset();
      const w = await timed([BIN, 'image', '--cache-from', ref, '--json', '-q'], { cwd: ex.dir, env: remote });
      warm.push(w.ms);
      const s = (JSON.parse(w.stdout) as { steps?: { total: number; cached: number } }).steps;
      steps = s ? `${s.cached} of ${s.total} steps from the registry cache` : '';
    }
    const c = median(cold);
    const w = median(warm);
    const pct = (100 * w) / c;
    console.log(`fresh engine, cold:                 ${secs(c)} (median of ${RUNS})`);
    console.log(`fresh engine, cache from registry:  ${secs(w)} (median of ${RUNS}; ${steps})`);
    console.log(`ratio: ${pct.toFixed(1)} % of cold (goal ≤ 15 %: ${pct <= 15 ? 'met' : 'NOT met'})`);
  } finally {
    await exec([await dockerClient(), 'image', 'rm', ref]).catch(() => undefined);
    await Promise.all([engine.stop(), registry.stop(), ex.cleanup()]);
  }
}

await main();
