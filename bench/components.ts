/**
 * Components: a change to the leaf of the chain (libcli and libnetfilter_conntrack from Debian's .orig tarballs,
 * and a small library over both; see test/e2e/components-rig.ts) against a cold build of the whole chain
 * (`--no-cache`), in the same run (goal ≤ 20 % of cold). Both are whole `tarsmith build` processes; the leaf
 * change rewrites its tarball and re-vendors it first (`tarsmith vendor`, timed on its own line).
 */
import { exec } from '../src/core/exec.js';
import { probeEngine } from '../src/engine/probe.js';
import { BIN } from '../test/e2e/build-rig.js';
import { chainProject } from '../test/e2e/components-rig.js';
import { median, seconds as s, timed } from './lib.js';

const LEAF_RUNS = 3;


async function main(): Promise<void> {
  const caps = await probeEngine();
  const p = await chainProject();
  let tag: string | undefined;
  try {
    const t = await exec([BIN, 'toolchain', '--json'], { cwd: p.dir, capture: true });
    if (t.code !== 0) throw new Error(t.stderr);
    tag = (JSON.parse(t.stdout) as { tag: string }).tag;
    const cold = await timed([BIN, 'build', '--no-cache'], { cwd: p.dir });
    const leaf: number[] = [];
    const vendor: number[] = [];
    for (let i = 0; i < LEAF_RUNS; i++) {
      await p.changeLeaf();
      vendor.push(await timed([BIN, 'vendor'], { cwd: p.dir }));
      leaf.push(await timed([BIN, 'build'], { cwd: p.dir }));
    }
    const m = median(leaf);
    console.log(`cold build of the chain (--no-cache): ${s(cold)}`);
    console.log(`build after a change to the leaf, median of ${LEAF_RUNS}: ${s(m)}  [${leaf.map(s).join(', ')}]`);
    console.log(`  (re-vendoring the changed tarball before it: median ${s(median(vendor))})`);
    console.log(`leaf / cold: ${((m / cold) * 100).toFixed(1)} % (goal ≤ 20 %)`);
  } finally {
    if (tag) await exec([caps.docker, 'image', 'rm', tag], { capture: true });
    await p.cleanup();
  }
}

await main();
