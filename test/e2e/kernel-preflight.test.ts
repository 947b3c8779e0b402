/**
 * The kernel pre-flight end to end on x86_64 (Debian's linux-source-6.12, tinyconfig): a fragment that cannot be
 * satisfied stops the build — with DOCKER_HOST naming a socket nobody listens on, the failure is the kernel
 * config's, not engine.remote-unreachable; on the real engine the prediction runs beside the engine's config stage
 * and its refusal stops that stage; either way nothing is written to out/ — and the report is the one the in-build
 * check gives (--no-kernel-preflight, real engine), code, text and JSON.
 * With the fix, a modules_prepare build and a module: the prediction matches the kernel's own .config, and the
 * text output, the JSON result, the build record and kernel/config-check.json say so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tarsmith } from './build-rig.js';
import { kernelProject } from './kernel-rig.js';

const KERNEL = `  source: linux
  arch: x86_64
  defconfig: tinyconfig
  fragments: [kernel/gw.config]
`;

const TARGETS = `    gateway:
      kernel: true
      modules: [cdx]
      steps: [make userspace]
      artifacts: [bin/cmm]
`;

/** The rendered failure: from its `error[kernel.config-mismatch]` line to the end of stderr. */
function failureText(stderr: string): string {
  const i = stderr.indexOf('error[kernel.config-mismatch]');
  return i < 0 ? '' : stderr.slice(stderr.lastIndexOf('\n', i) + 1).trim();
}

const exists = (f: string) => fs.access(f).then(() => true, () => false);

test('kernel pre-flight: an unsatisfiable fragment stops the build with the in-build report (before the engine when it does not answer, stopping its config stage when it does); a normal build records that the prediction matches', async () => {
  // A line of its own per run: the engine's config stage is never a cache hit of an earlier run of this test.
  const nonce = `# run ${Date.now()}-${process.pid}\n`;
  const p = await kernelProject({ kernel: KERNEL, targets: TARGETS, files: { 'kernel/gw.config': `CONFIG_MODULE_UNLOAD=y\nCONFIG_NETFILTER_XTABLES_LEGACY=y\n${nonce}` } });
  try {
    const dead = { ...process.env, DOCKER_HOST: `unix://${path.join(p.dir, 'nobody.sock')}` };
    const started = Date.now();
    const text = await tarsmith(['build', '--progress', 'plain'], p.dir, dead);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(text.code, 1, text.stderr);
    assert.doesNotMatch(text.stderr, /engine\.remote-unreachable/);
    assert.match(text.stderr, /error\[kernel\.config-mismatch\]: 2 specified values did not make it into the kernel's final configuration \(checked before compiling: nothing was compiled\)/);
    assert.match(text.stderr, /kernel\/gw\.config:1: CONFIG_MODULE_UNLOAD=y\n\s+actual: +<missing>\n\s+why: +CONFIG_MODULE_UNLOAD is not visible: its dependencies are unmet[^\n]*\n\s+prompt "Module unloading" visible if MODULES \[MODULES=n\]\n\s+fix: +set CONFIG_MODULES=y/);
    assert.match(text.stderr, /kernel\/gw\.config:2: CONFIG_NETFILTER_XTABLES_LEGACY=y\n\s+actual: +<missing>\n\s+why: +CONFIG_NETFILTER_XTABLES_LEGACY is not defined in this tree \(ARCH=x86_64\)\n\s+nearest names: NETFILTER_XTABLES/);
    assert.match(text.stderr, /kernel: predicting the resolved config on the host \(tinyconfig \+ kernel\/gw\.config, olddefconfig; probes: (compiler gcc|recorded)\)/);
    assert.equal(await exists(path.join(p.dir, 'out')), false, 'nothing written to out/ (no log either)');
    const json = await tarsmith(['build', '--json'], p.dir, dead);
    assert.equal(json.code, 1, json.stderr);
    const preflightErrors = (JSON.parse(json.stdout) as { ok: boolean; errors: { code: string }[] }).errors;
    assert.deepEqual(preflightErrors.map((e) => e.code), ['kernel.config-mismatch', 'kernel.modules-disabled']);
    console.log(`pre-flight stop: ${seconds.toFixed(1)} s`);

    // on the real engine: the prediction runs beside the engine's config stage, and its refusal stops that stage
    const beside = await p.tarsmith(['build', '--progress', 'plain']);
    assert.equal(beside.code, 1, beside.stderr);
    assert.match(beside.stderr, /kernel: resolving the config/);
    assert.match(beside.stderr, /\[internal\] load build definition/, 'the engine was started');
    assert.doesNotMatch(beside.stderr, /kernel \(olddefconfig\)|kernel: the prediction (matches|differs)/, 'the engine\'s config stage did not finish');
    assert.equal(failureText(beside.stderr), failureText(text.stderr));
    assert.equal(await exists(path.join(p.dir, 'out')), false, 'nothing written to out/ (no log either)');

    // the in-build check on the real engine, for the same inputs: the same report
    const inBuild = await p.tarsmith(['build', '--no-kernel-preflight', '--progress', 'plain']);
    assert.equal(inBuild.code, 1, inBuild.stderr);
    assert.match(inBuild.stderr, /kernel \(olddefconfig\): \.config:\d+:warning: unknown symbol: NETFILTER_XTABLES_LEGACY/, 'the engine ran the kernel\'s tools');
    assert.equal(failureText(inBuild.stderr), failureText(text.stderr));
    const inBuildJson = await p.tarsmith(['build', '--no-kernel-preflight', '--json']);
    assert.deepEqual((JSON.parse(inBuildJson.stdout) as { errors: unknown[] }).errors, preflightErrors);

    // the fix the report names: the build goes on, and the kernel's .config is the predicted one
    await fs.writeFile(path.join(p.dir, 'kernel', 'gw.config'), 'CONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\n');
    assert.equal((await p.tarsmith(['vendor'])).code, 0);
    const ok = await p.tarsmith(['build', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /kernel: predicted on the host before anything is compiled \(tinyconfig \+ kernel\/gw\.config, olddefconfig; probes: (compiler gcc|recorded); [\d.]+ s\): the fragments are satisfied \(2 lines\)/);
    assert.match(ok.stderr, /kernel: the prediction matches the kernel's \.config \(\d+ lines, byte for byte; probes: (compiler gcc|recorded)\)/);
    const res = JSON.parse(ok.stdout) as { out: string; kernel: { prediction: { status: string; lines: number; probes: string; hostProbes?: unknown } } };
    assert.equal(res.kernel.prediction.status, 'matches');
    // this host's probes may not be the builder's (rustc on PATH here): then it was predicted again from the builder's, and said so
    if (res.kernel.prediction.hostProbes) assert.match(ok.stderr, /warning\[kernel\.host-probes-differ\]/);
    assert.doesNotMatch(ok.stderr, /kernel\.prediction-differs/);
    const record = JSON.parse(await fs.readFile(path.join(res.out, 'tarsmith-build.json'), 'utf8')) as { kernel: { prediction: { status: string; lines: number } } };
    assert.deepEqual(record.kernel.prediction, res.kernel.prediction);
    const config = await fs.readFile(path.join(res.out, 'kernel', 'config'), 'utf8');
    assert.equal(record.kernel.prediction.lines, config.split('\n').length - 1);
    const check = JSON.parse(await fs.readFile(path.join(res.out, 'kernel', 'config-check.json'), 'utf8')) as { prediction: unknown };
    assert.deepEqual(check.prediction, res.kernel.prediction);
    await fs.access(path.join(res.out, 'modules', 'cdx', 'cdx.ko'));
  } finally {
    await p.cleanup();
  }
});
