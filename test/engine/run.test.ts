import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureFromLog } from '../../src/engine/run.js';

const steps = [
  { label: 'build.steps[0]', command: './configure' },
  { label: 'build.targets.hello.steps[1]', command: 'wget https://example.org/x.tar.gz' },
];

test('a failed step is named with its manifest label and command, the log tail and where the log is', () => {
  const lines = ['#14 [build 3/4] RUN ...', '#14 0.1 wget: bad address', '#14 0.1 tarsmith-step-failed label=build.targets.hello.steps[1] exit=4', 'ERROR: executor failed'];
  const f = failureFromLog(lines, { steps, what: 'build of hello', logFile: '/p/out/hello.log' });
  assert.equal(f.code, 'build.step-failed');
  assert.equal(f.message, 'build step build.targets.hello.steps[1] failed (exit 4): wget https://example.org/x.tar.gz');
  assert.match(f.hint ?? '', /\/p\/out\/hello\.log/);
  assert.match(f.hint ?? '', /network off/);
  assert.ok(f.details?.some((d) => d.includes('wget: bad address')));
  assert.equal(f.exit, 4);
});

test('an artifact glob that matched nothing is named (spaces kept)', () => {
  const f = failureFromLog(['#15 0.2 tarsmith-artifact-missing pattern=dir with space/*.so'], { steps, what: 'build' });
  assert.equal(f.code, 'build.artifact-missing');
  assert.equal(f.value, 'dir with space/*.so');
});

test('without a marker the failure is the engine\'s, with the last lines', () => {
  const f = failureFromLog(['a', 'b', 'ERROR: failed to solve'], { steps, what: 'build of hello' });
  assert.equal(f.code, 'engine.build-failed');
  assert.deepEqual(f.details?.slice(-1), ['| ERROR: failed to solve']);
});
