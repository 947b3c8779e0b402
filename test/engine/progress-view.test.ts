import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressView, stepName } from '../../src/engine/progress-view.js';

const STREAM = [
  '#1 [internal] load build definition from Dockerfile',
  '#1 sha256:0a1b',
  '#1 transferring dockerfile: 2.1kB done',
  '#1 DONE 0.1s',
  '',
  '#6 [kernel-source 1/5] COPY [tarsmith/bin/extract.sh, /tarsmith/bin/]',
  '#6 DONE 0.3s',
  '#12 [kernel-config 2/2] RUN ["/bin/sh", "/tarsmith/bin/step.sh", "kernel.config", "/bin/sh /tarsmith/bin/kernel.sh config /tarsmith/kernel-config defconfig tinyconfig"]',
  '#12 36.25 Using .config as base',
  '#12 46.86 .config:1393:warning: unknown symbol: NETFILTER_XTABLES_LEGACY',
  '#13 [kernel 1/1] RUN ["/bin/sh", "/tarsmith/bin/step.sh", "kernel.build", "/bin/sh /tarsmith/bin/kernel.sh build /tarsmith/kernel-out full abc"]',
  '#13 CACHED',
  '#12 DONE 47.0s',
  '#22 [build 3/6] RUN --mount=type=bind,from=kernel,source=/src/linux,target=/src/linux,rw ["/bin/sh", "/tarsmith/bin/step.sh", "build.targets.gateway.modules[0]", "make -C /src/linux M=/src/gateway/cdx modules"]',
  '#22 1.05   CC [M]  /src/gateway/cdx/cdx.o',
  '#22 ERROR: process "/bin/sh ..." did not complete successfully: exit code: 2',
];

test('step names: the manifest label and command of step.sh runs; other instructions as BuildKit names them', () => {
  assert.equal(stepName(STREAM[7]?.slice(4) as string), '[kernel-config 2/2] kernel.config: /bin/sh /tarsmith/bin/kernel.sh config /tarsmith/kernel-config defconfig tinyconfig');
  assert.equal(stepName(STREAM[13]?.slice(4) as string), '[build 3/6] build.targets.gateway.modules[0]: make -C /src/linux M=/src/gateway/cdx modules');
  assert.equal(stepName('[sources 2/6] COPY [packages/, /opt/tarsmith/packages/]'), '[sources 2/6] COPY [packages/, /opt/tarsmith/packages/]');
});

test('not a terminal: one plain line per finished step, internal vertices and output left to the log', () => {
  let out = '';
  const v = new ProgressView({ tty: false, write: (s) => (out += s), columns: 200 });
  for (const l of STREAM) v.line(l);
  v.finish();
  assert.deepEqual(out.trimEnd().split('\n'), [
    '[kernel-source 1/5] COPY [tarsmith/bin/extract.sh, /tarsmith/bin/] · done 0.3s',
    '[kernel 1/1] kernel.build: /bin/sh /tarsmith/bin/kernel.sh build /tarsmith/kernel-out full abc · cached',
    '[kernel-config 2/2] kernel.config: /bin/sh /tarsmith/bin/kernel.sh config /tarsmith/kernel-config defconfig tinyconfig · done 47.0s',
    '[build 3/6] build.targets.gateway.modules[0]: make -C /src/linux M=/src/gateway/cdx modules · FAILED',
  ]);
  assert.ok(!out.includes('\x1b'), 'no escape sequences in a pipe');
});

test('on a terminal: a live status line with the running step, its elapsed time and its last output line', () => {
  let out = '';
  let t = 0;
  const v = new ProgressView({ tty: true, write: (s) => (out += s), columns: 200, now: () => t });
  for (const l of STREAM.slice(0, 9)) {
    t += 1000;
    v.line(l);
  }
  const status = out.slice(out.lastIndexOf('\r\x1b[K') + 4);
  assert.equal(status, '[9s] [kernel-config 2/2] kernel.config: /bin/sh /tarsmith/bin/kernel.sh config /tarsmith/kernel-config defconfig tinyconfig · 1s · Using .config as base');
  const narrow = new ProgressView({ tty: true, write: (s) => (out = s), columns: 60, now: () => t });
  narrow.line(STREAM[7] as string);
  assert.equal(out.length - 4, 59, 'fits the terminal');
  v.finish();
  assert.ok(out.endsWith('\r\x1b[K'), 'the status line is cleared at the end');
});
