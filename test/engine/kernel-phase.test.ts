import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exec, processAlive } from '../../src/core/exec.js';
import { ExitCode, fail, isTarsmithError } from '../../src/core/errors.js';
import { configStageWithPreflight, type PreflightRun, type StageControl } from '../../src/engine/kernel-phase.js';
import type { Plan } from '../../src/engine/plan.js';

const kp = { spec: { base: { kind: 'defconfig', target: 'tinyconfig' } }, fragments: [] } as unknown as NonNullable<Plan['kernel']>;

/** A pre-flight whose outcome the test decides, started at most once (as `preflightRunner`'s). */
function preflight(outcome: () => Promise<undefined>): PreflightRun & { starts: number } {
  let running: Promise<undefined> | undefined;
  const run = {
    starts: 0,
    hook: async () => undefined,
    start: () => {
      if (!running) {
        run.starts++;
        running = outcome();
      }
      return running;
    },
    first: async <T>(fn: () => Promise<T> | T) => fn(),
  };
  return run;
}

const refusal = () => fail({ code: 'kernel.config-mismatch', message: 'did not stick', exit: ExitCode.checkFailed });

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-kphase-'));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

test('config stage beside the pre-flight: a refusal stops the running stage (its process group ended) and no log reaches out/', () =>
  withDir(async (dir) => {
    const pidFile = path.join(dir, 'pid');
    const logFile = path.join(dir, 'out', 'gw.log');
    let pid = 0;
    const stage = async (_s: string, _d: string, c: StageControl) => {
      // A real engine client stands in for docker build: it logs, then works until it is stopped.
      const r = await exec(['sh', '-c', `echo $$ > ${pidFile}; echo building > ${c.logFile}; exec sleep 30`], { signal: c.signal, onSpawn: c.onStarted });
      if (r.code !== 0) fail({ code: 'build.step-failed', message: 'the stage was stopped', exit: ExitCode.engine });
    };
    const pre = preflight(async () => {
      await new Promise((r) => setTimeout(r, 200));
      pid = Number(await fs.readFile(pidFile, 'utf8'));
      return refusal();
    });
    const started = Date.now();
    await assert.rejects(configStageWithPreflight(kp, stage, dir, pre, logFile), (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'kernel.config-mismatch');
    assert.ok(Date.now() - started < 10_000, 'stopped at once, not after the stage');
    assert.equal(pre.starts, 1);
    assert.ok(pid > 0 && !processAlive(pid), 'the stage\'s process is gone');
    await assert.rejects(fs.access(logFile), 'nothing written to out/');
  }));

test('config stage beside the pre-flight: a stage that fails before it starts still lets the pre-flight speak first; otherwise its own failure counts', () =>
  withDir(async (dir) => {
    const early = async () => fail({ code: 'build.input-missing', message: 'cannot stage', exit: ExitCode.checkFailed });
    const refused = preflight(async () => refusal());
    await assert.rejects(configStageWithPreflight(kp, early, dir, refused, undefined), (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'kernel.config-mismatch');
    assert.equal(refused.starts, 1);
    const passes = preflight(async () => undefined);
    await assert.rejects(configStageWithPreflight(kp, early, dir, passes, undefined), (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'build.input-missing');
    assert.equal(passes.starts, 1);
  }));

test('config stage beside the pre-flight: both finish; the stage\'s log becomes out/<name>.log; the pre-flight starts once the client runs', () =>
  withDir(async (dir) => {
    const logFile = path.join(dir, 'out', 'gw.log');
    const order: string[] = [];
    const stage = async (_s: string, _d: string, c: StageControl) => {
      order.push('stage');
      const r = await exec(['sh', '-c', `echo stage-log > ${c.logFile}; sleep 0.3`], { signal: c.signal, onSpawn: () => { order.push('client'); c.onStarted(); } });
      assert.equal(r.code, 0);
      order.push('stage done');
      assert.equal(c.logShownAs, logFile, 'failures name the final log');
    };
    const pre = preflight(async () => {
      order.push('pre-flight');
      return undefined;
    });
    assert.equal(await configStageWithPreflight(kp, stage, dir, pre, logFile), undefined);
    assert.deepEqual(order, ['stage', 'client', 'pre-flight', 'stage done']);
    assert.equal(await fs.readFile(logFile, 'utf8'), 'stage-log\n');
  }));
