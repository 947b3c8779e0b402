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

test('a missing artifact names its target and manifest line and lists the nearest paths that exist (collect.sh under dash and busybox)', async () => {
  const { promises: fs } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { exec, which } = await import('../../src/core/exec.js');
  const { COLLECT_SH } = await import('../../src/dockerfile/helpers.js');
  const { loadManifest } = await import('../../src/manifest/load.js');
  const { locateIn } = await import('../../src/engine/build.js');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-artifact-near-'));
  try {
    await fs.writeFile(path.join(dir, 'tarsmith.yaml'), `version: 1
name: hello
sourceDateEpoch: 1700000000
sources:
  - { name: hello, file: packages/hello.tar.gz }
builder: { rootfs: packages/rootfs.tar, family: apt }
build:
  targets:
    hello:
      steps:
        - make
      artifacts:
        - lib/libgreet.so
        - build/hello
`);
    const m = await loadManifest({ path: path.join(dir, 'tarsmith.yaml') });
    const target = m.build!.targets.find((t) => t.name === 'hello')!;
    const wd = path.join(dir, 'tree');
    for (const f of ['lib/libgreet.so', 'src/hello', 'src/hello.o', 'build/helo', 'build/sub/deep/far', 'README']) {
      await fs.mkdir(path.dirname(path.join(wd, f)), { recursive: true });
      await fs.writeFile(path.join(wd, f), f);
    }
    await fs.writeFile(path.join(dir, 'collect.sh'), COLLECT_SH, { mode: 0o755 });
    const shells = [await which('dash'), await which('busybox')].filter((s): s is string => s !== null);
    assert.ok(shells.length > 0);
    for (const sh of shells) {
      const argv = sh.endsWith('busybox') ? [sh, 'sh'] : [sh];
      const r = await exec([...argv, path.join(dir, 'collect.sh'), path.join(dir, 'out'), 'lib/libgreet.so', '', 'build/hello', ''], { cwd: wd, capture: true });
      assert.equal(r.code, 3, r.stderr);
      const lines = r.stderr.trim().split('\n').map((l) => `#21 0.3 ${l}`);
      const f = failureFromLog(lines, { steps, what: 'build of hello', locate: locateIn(m, target) });
      assert.equal(f.code, 'build.artifact-missing');
      assert.equal(f.message, 'the artifact glob "build/hello" of target hello matches nothing in the build tree');
      assert.equal(f.where?.line, 14, 'the artifact entry\'s line');
      assert.equal(f.details?.[0], 'nearest paths that exist in the build tree: build/helo, src/hello');
      assert.ok(!f.details?.some((d) => d.includes('tarsmith-artifact-near')), 'the listing is not repeated in the log tail');
    }
    const step = failureFromLog(['#9 0.1 tarsmith-step-failed label=build.targets.hello.steps[0] exit=2'], { steps, what: 'build', locate: locateIn(m, target) });
    assert.equal(step.where?.line, 11, 'the step\'s line');
    const engine = failureFromLog(['#30 ERROR: failed to solve: something else'], { steps, what: 'build', locate: locateIn(m, target) });
    assert.equal(engine.code, 'engine.build-failed');
    assert.equal(engine.where?.line, 10, 'the target\'s line');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
