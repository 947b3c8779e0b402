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
 *
 * `TARSMITH_BENCH_REMOTE=kernel`: the same comparison for the small kernel (x86_64 tinyconfig + MODULES, the full
 * build, two out-of-tree modules, as bench/kernel.ts sets it up), whose base is the toolchain image of `tarsmith
 * toolchain`, which goes through the registry beside the cache image. Cold on the fresh engine is `--no-cache
 * --cache-from REF`: the toolchain image pulled from the registry (a fresh engine has no other way to get it short
 * of running `tarsmith toolchain` there), every step run; against `--cache-from REF`. Each run of the cold side is
 * a kernel build of minutes, so RUNS defaults to 1 in this mode.
 */
import { exec } from '../src/core/exec.js';
import { measure, median, seconds as secs } from './lib.js';
import { BIN, dockerClient, exampleCopy } from '../test/e2e/build-rig.js';
import { kernelProject } from '../test/e2e/kernel-rig.js';
import { startRegistry, startSecondEngine, type Registry, type SecondEngine } from '../test/e2e/remote-rig.js';

const KERNEL = process.env.TARSMITH_BENCH_REMOTE === 'kernel';
/**
 * Runs of each build (`TARSMITH_BENCH_RUNS`, default 5): the example's cached build is well under a second, so a
 * loaded machine's noise is large; 1 for the kernel, whose cold build takes minutes.
 */
const RUNS = Number(process.env.TARSMITH_BENCH_RUNS ?? (KERNEL ? 1 : 5));

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
  toolchain?: { from: string; pinned?: string };
}

interface Series {
  ms: number[];
  ctx: number[];
  last?: Result;
  /** The kernel's compile step (`[kernel i/n] … kernel.sh build`): DONE seconds, or CACHED. */
  compile?: string;
}

/** How the kernel's compile step ended in a plain progress log: its DONE time, CACHED, or not seen. */
function compileStep(plain: string): string {
  const id = /^#(\d+) \[kernel \d+\/\d+\] RUN .*kernel\.sh build /m.exec(plain)?.[1];
  if (id === undefined) return 'not seen';
  if (new RegExp(`^#${id} CACHED$`, 'm').test(plain)) return 'cached';
  const done = [...plain.matchAll(new RegExp(`^#${id} DONE ([\\d.]+)s$`, 'gm'))].at(-1)?.[1];
  return done === undefined ? 'not finished' : `${Number(done).toFixed(1)} s`;
}

/** Every name of the machine's engine that is in the bench's registry, removed by name (an image with other names keeps them). */
async function removeRegistryNames(registry: Registry): Promise<void> {
  const docker = await dockerClient();
  const ls = await exec([docker, 'image', 'ls', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']);
  const names = ls.stdout.split('\n').map((l) => l.split(' ')).filter(([repo]) => repo?.startsWith(`${registry.host}/`))
    .map(([repo, tag, digest]) => (tag && tag !== '<none>' ? `${repo}:${tag}` : `${repo}@${digest}`));
  if (names.length > 0) await exec([docker, 'image', 'rm', ...new Set(names)]).catch(() => undefined);
}

/** The small kernel: cold (the toolchain pulled from the registry, every step run) against the cache from the registry, both on the fresh engine. */
async function kernel(engine: SecondEngine, registry: Registry): Promise<void> {
  // The kernel of test/e2e/kernel-build.test.ts: the machine's engine may hold its stages already (A's time is not measured).
  const p = await kernelProject({
    kernel: '  source: linux\n  arch: x86_64\n  defconfig: tinyconfig\n  fragments: [kernel/gateway.config]\n  build: full\n  allowUnknown: [CONFIG_NETFILTER_XTABLES_LEGACY]\n  artifacts: [image, symvers]\n',
    targets: '    gateway:\n      kernel: true\n      modules: [cdx, fci]\n      steps: [make userspace]\n      artifacts: [bin/cmm]\n',
    files: { 'kernel/gateway.config': 'CONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\nCONFIG_NETFILTER_XTABLES_LEGACY=y\n' },
  });
  const ref = `${registry.host}/tarsmith-bench/gw:cache`;
  const base = { ...process.env };
  delete base.DOCKER_HOST;
  delete base.DOCKER_CONTEXT;
  const remote = { ...base, DOCKER_HOST: engine.tcp };
  try {
    const pushed = await timed([BIN, 'build', '--json', '-q', '--cache-to', `type=registry,ref=${ref}`], { cwd: p.dir, env: base });
    const a = JSON.parse(pushed.stdout) as Result & { cacheExports?: unknown[] };
    if (a.toolchain?.from !== 'registry' || (a.cacheExports ?? []).length === 0) throw new Error(`the toolchain image or the cache images were not pushed:\n${pushed.stderr.slice(-2000)}`);
    console.log(`machine's engine: the build with --cache-to (toolchain image and cache images pushed) ${secs(pushed.ms, 1)}`);
    const cold: Series = { ms: [], ctx: [] };
    const warm: Series = { ms: [], ctx: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const [s, extra] of [[cold, ['--no-cache', '--cache-from', ref]], [warm, ['--cache-from', ref]]] as const) {
        await engine.reset();
        const r = await timed([BIN, 'build', '--json', '--progress', 'plain', ...extra], { cwd: p.dir, env: remote });
        s.ms.push(r.ms);
        // Both builds' contexts: the config stage's receives the kernel tree; the artifacts build's, from the same
        // staged folder, only what changed since (BuildKit syncs a local context incrementally).
        s.ctx.push(r.stderr.split(/^#\d+ \[internal\] load build definition/m).reduce((t, part) => t + contextSeconds(part), 0) * 1000);
        s.last = JSON.parse(r.stdout) as Result;
        s.compile = compileStep(r.stderr);
      }
    }
    const c = median(cold.ms);
    const line = (what: string, s: Series) => {
      const st = s.last?.steps;
      console.log(`${what.padEnd(58)} ${secs(median(s.ms), 1)} (median of ${RUNS}, ${secs(Math.min(...s.ms), 1)} to ${secs(Math.max(...s.ms), 1)}; receiving the contexts ${secs(median(s.ctx), 2)}${st ? `; ${st.cached} of ${st.total} steps from the cache` : ''}; the kernel's compile step ${s.compile ?? '?'}; toolchain from the ${s.last?.toolchain?.from ?? '?'}) = ${((100 * median(s.ms)) / c).toFixed(1)} % of cold`);
    };
    line('fresh engine, cold (toolchain pulled from the registry):', cold);
    line('fresh engine, cache from registry:', warm);
    const ratio = (100 * median(warm.ms)) / c;
    console.log(`ratio: ${ratio.toFixed(2)} % of cold (goal ≤ 15 %: ${ratio <= 15 ? 'met' : 'NOT met'})`);
  } finally {
    await p.cleanup();
  }
}

async function main(): Promise<void> {
  if (KERNEL) {
    const [engine, registry] = await Promise.all([startSecondEngine(), startRegistry()]);
    try {
      await kernel(engine, registry);
    } finally {
      await removeRegistryNames(registry);
      await Promise.all([engine.stop(), registry.stop()]);
    }
    return;
  }
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
    // Every name of the machine's engine that is in the bench's registry (the cache image, the base image).
    await removeRegistryNames(registry);
    await Promise.all([engine.stop(), registry.stop(), ex.cleanup()]);
  }
}

await main();
