/**
 * `tarsmith repro` on the bundled example against two plain builds in the same run (goal: at most 10 % more).
 * The plain builds are `tarsmith build`s with the same cache behaviour as repro's (base and toolchain cached,
 * nothing after: each gets its own build id), so the ratio is what the variations, the comparison and the
 * explanation cost. Medians of RUNS, alternating.
 */
import { randomBytes } from 'node:crypto';
import { build } from '../src/engine/build.js';
import { version } from '../src/core/version.js';
import { setLogLevel } from '../src/core/log.js';
import { repro } from '../src/repro/run.js';
import { exampleCopy } from '../test/e2e/build-rig.js';
import { median, timedCall } from './lib.js';

const RUNS = 3;

const timed = async (fn: () => Promise<unknown>): Promise<number> => (await timedCall(fn)).ms;

const ex = await exampleCopy();
try {
  setLogLevel('quiet');
  const opts = { cwd: ex.dir, version: version(), progress: 'plain' as const };
  await build(opts); // warm the base stage, as a project that built once has it
  const plain: number[] = [];
  const twice: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    plain.push(await timed(async () => {
      for (const n of ['a', 'b']) await build({ ...opts, variant: { buildId: `${randomBytes(6).toString('hex')}-${n}` } });
    }));
    twice.push(await timed(async () => {
      const r = await repro(opts);
      if (!r.ok) throw new Error(`the example is not reproducible: ${JSON.stringify(r.differences)}`);
    }));
  }
  const p = median(plain);
  const r = median(twice);
  process.stdout.write(`repro (every variation): ${(r / 1000).toFixed(1)} s; two plain builds: ${(p / 1000).toFixed(1)} s; ratio ${(r / p).toFixed(2)} (goal <= 1.10)\n`);
} finally {
  await ex.cleanup();
}
