import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepTally } from '../../src/engine/step-tally.js';

test('steps are the [stage i/n] vertices; each counts once, as cached or as run', () => {
  const t = new StepTally();
  for (const l of [
    '#1 [internal] load build definition from Dockerfile',
    '#1 DONE 0.0s',
    '#4 importing cache manifest from 127.0.0.1:5000/hello:cache',
    '#4 DONE 0.1s',
    '#5 [base 1/1] ADD ["rootfs/rootfs.tar", "/"]',
    '#5 CACHED',
    '#6 [build 1/2] RUN ["/bin/sh", "/tarsmith/bin/step.sh", "build.targets.hello.steps[0]", "make -j2"]',
    '#6 0.412 cc -O2 -c hello.c',
    '#6 DONE 1.2s',
    '#7 [artifacts 1/1] COPY --from=build ["/tarsmith/out/", "/"]',
    '#7 CACHED',
    '#8 exporting to client',
    '#8 DONE 0.1s',
  ]) t.line(l);
  assert.deepEqual(t.counts(), { total: 3, cached: 2, ran: ['[build 1/2] RUN ["/bin/sh", "/tarsmith/bin/step.sh", "build.targets.hello.steps[0]", "make -j2"]'] });
});

test('a failed step counts as run', () => {
  const t = new StepTally();
  for (const l of ['#3 [build 1/1] RUN make', '#3 ERROR: process "make" did not complete successfully: exit code: 2']) t.line(l);
  assert.deepEqual(t.counts(), { total: 1, cached: 0, ran: ['[build 1/1] RUN make'] });
});
