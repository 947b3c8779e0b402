/**
 * Kernel builds, each number against its baseline in the same run:
 *  1. a warm rebuild after changing only a module's source against a cold `--no-cache` build of the small x86_64
 *     kernel (tinyconfig + MODULES, full build, two out-of-tree modules) (goal ≤ 10 % of cold);
 *  2. tarsmith's config step (`build --kernel-config-only` after a fragment change: the fragment stage in the
 *     engine, export, host check) against the same commands by hand (`make tinyconfig`, `merge_config.sh -m`,
 *     `make olddefconfig`) in a container of the same kernel-source stage (goal ≤ 5 % overhead); and like for
 *     like, against the last two by hand on the same base config.
 * `TARSMITH_BENCH_KERNEL=rebuild` or `=config` runs one of the two (the cold build alone is minutes long).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exec } from '../src/core/exec.js';
import { probeEngine } from '../src/engine/probe.js';
import { BIN } from '../test/e2e/build-rig.js';
import { kernelProject, type KernelProject } from '../test/e2e/kernel-rig.js';
import { median, pct, seconds as s, timed } from './lib.js';


async function main(): Promise<void> {
  const caps = await probeEngine();
  // A line of its own per run and per iteration: the engine's config stage is never a cache hit of an earlier bench.
  const run = `${Date.now()}-${process.pid}`;
  const fragment = (n: number) => `CONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\n# bench ${run} ${n}\n`;
  const p = await kernelProject({
    kernel: '  source: linux\n  arch: x86_64\n  defconfig: tinyconfig\n  fragments: [kernel/gateway.config]\n  build: full\n',
    targets: '    gateway:\n      modules: [cdx, fci]\n      steps: [make userspace]\n      artifacts: [bin/cmm]\n',
    files: { 'kernel/gateway.config': fragment(0) },
  });
  const ctx = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-kctx-'));
  const tags = { source: 'tarsmith-bench/kernel-source:latest', base: 'tarsmith-bench/kernel-base:latest' };
  const only = process.env.TARSMITH_BENCH_KERNEL;
  try {
    await timed([BIN, 'build', ...(only === 'config' ? ['--kernel-config-only'] : [])], { cwd: p.dir });
    if (only !== 'config') await rebuild(p);
    if (only !== 'rebuild') await configStep(p, caps.docker, ctx, tags, fragment);
  } finally {
    await exec([caps.docker, 'image', 'rm', tags.source, tags.base]).catch(() => undefined);
    await fs.rm(ctx, { recursive: true, force: true });
    await p.cleanup();
  }
}

/** 1. A warm rebuild after a module change vs a cold one. */
async function rebuild(p: KernelProject): Promise<void> {
    const cold = await timed([BIN, 'build', '--no-cache'], { cwd: p.dir });
    await p.editApp('cdx/cdx.c', (t) => t.replace('return 1;', 'return 1 + 0 * __LINE__;'));
    const warm = await timed([BIN, 'build'], { cwd: p.dir });
    console.log(`rebuild after changing a module's source ${s(warm)} vs cold ${s(cold)}: ${pct(warm / cold)} of cold (goal ≤ 10 %)`);
}

/**
 * 2. The config step after a fragment change vs the same commands by hand: every one of them (`make tinyconfig`,
 * `merge_config.sh -m`, `make olddefconfig`) in a container of the kernel-source stage, which is the goal's
 * baseline; and, like for like, only the last two in a container of the kernel-base stage (the base config
 * already made, as tarsmith's cache has it), which shows tarsmith's own share.
 */
async function configStep(p: KernelProject, docker: string, ctx: string, tags: { source: string; base: string }, fragment: (n: number) => string): Promise<void> {
    await timed([BIN, 'generate', '--out', ctx], { cwd: p.dir });
    for (const line of (await fs.readFile(path.join(ctx, 'inputs.tsv'), 'utf8')).split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const [cp, src] = line.split('\t') as [string, string];
      await fs.mkdir(path.dirname(path.join(ctx, cp)), { recursive: true });
      await fs.link(path.join(p.dir, src), path.join(ctx, cp));
    }
    const env = { env: { ...process.env, DOCKER_BUILDKIT: '1' } };
    await timed([docker, 'build', '--network', 'none', '--target', 'kernel-source', '--tag', tags.source, ctx], env);
    await timed([docker, 'build', '--network', 'none', '--target', 'kernel-base', '--tag', tags.base, ctx], env);
    const merge = 'scripts/kconfig/merge_config.sh -m .config /tarsmith/kernel/fragments/001.config >/dev/null && make -s olddefconfig';
    const byHand = (tag: string, script: string) =>
      timed([docker, 'run', '--rm', '--network', 'none', '-v', `${path.join(ctx, 'kernel', 'inputs')}:/tarsmith/kernel:ro`, '-w', '/src/linux', '-e', 'ARCH=x86_64', tag, 'sh', '-c', script]);
    const hand: number[] = [];
    const handBase: number[] = [];
    const tool: number[] = [];
    for (let i = 1; i <= 3; i++) {
      hand.push(await byHand(tags.source, `make -s tinyconfig && ${merge}`));
      handBase.push(await byHand(tags.base, merge));
      await fs.writeFile(path.join(p.dir, 'kernel', 'gateway.config'), fragment(i));
      await timed([BIN, 'vendor'], { cwd: p.dir });
      tool.push(await timed([BIN, 'build', '--kernel-config-only'], { cwd: p.dir }));
    }
    const [t, h, b] = [median(tool), median(hand), median(handBase)];
    console.log(`config step after a fragment change: tarsmith ${s(t)} (engine stages + export + check), by hand ${s(h)}: overhead ${pct(t / h - 1)} (goal ≤ 5 %)`);
    console.log(`  like for like, by hand from the same base config ${s(b)}: tarsmith's own share ${s(t - b)} (${pct(t / b - 1)})`);
}

await main();
