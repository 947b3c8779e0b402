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

test('a FROM vertex (an image source, DONE once resolved) is not a step: a build from the cache is every step CACHED', () => {
  const t = new StepTally();
  for (const l of [
    '#3 [internal] load metadata for 127.0.0.1:5000/hello@sha256:66f5f653a908085607639ad33669b13011ed98163254836cdc0eed973dff27c9',
    '#3 DONE 0.0s',
    '#4 [base 1/1] FROM 127.0.0.1:5000/hello@sha256:66f5f653a908085607639ad33669b13011ed98163254836cdc0eed973dff27c9',
    '#4 resolve 127.0.0.1:5000/hello@sha256:66f5f653a908085607639ad33669b13011ed98163254836cdc0eed973dff27c9 done',
    '#4 DONE 0.0s',
    '#6 [sources 1/7] COPY [tarsmith/bin/, /tarsmith/bin/]',
    '#6 CACHED',
    '#19 [artifacts 1/1] COPY --from=build [/tarsmith/out/, /]',
    '#19 pulling sha256:0cbee1788d3ee260f63b309c89d1a011c28771c264444cd657f7b21cfeeada22 done',
    '#19 CACHED',
  ]) t.line(l);
  assert.deepEqual(t.counts(), { total: 2, cached: 2, ran: [] });
});
