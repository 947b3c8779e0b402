/**
 * arm64, cross-compiled (gcc-aarch64-linux-gnu in the builder): modules_prepare of Debian's linux-source-6.12,
 * then the flagship-shaped fixture's own Makefile builds its modules against $KDIR (ARCH and CROSS_COMPILE come
 * from the kernel: section) and its userspace; the modules are aarch64 ELF with the kernel's vermagic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { run } from './build-rig.js';
import { kernelProject } from './kernel-rig.js';

test('kernel: arm64 cross modules_prepare, and the flagship Makefile building modules against $KDIR and userspace', async () => {
  const p = await kernelProject({
    kernel: `  source: linux
  arch: arm64
  crossCompile: aarch64-linux-gnu-
  defconfig: tinyconfig
  fragments: [kernel/modules.config]
`,
    targets: `    gateway:
      kernel: true
      steps: ['make KDIR="$KDIR"']
      artifacts: [cdx/cdx.ko, fci/fci.ko, bin/cmm]
`,
    files: { 'kernel/modules.config': 'CONFIG_MODULES=y\n' },
  });
  try {
    const b = await p.tarsmith(['build']);
    assert.equal(b.code, 0, b.stderr);
    // this host has no aarch64-linux-gnu-gcc: the pre-flight says it cannot predict (unless an earlier run recorded the probes)
    assert.match(b.stderr, /info\[kernel\.preflight-skipped\]: the kernel config is not predicted on the host: no compiler for the Kconfig probes: aarch64-linux-gnu-gcc is not on PATH|kernel: predicted on the host [^\n]*probes: recorded/);
    assert.match(b.stderr, /kernel: 2 module\(s\) match the kernel's vermagic "6\.12\.\d+ [^"]*aarch64"/);
    assert.ok(b.stderr.split('\n').length < 80, `the compact view prints a line per step, not BuildKit's stream:\n${b.stderr}`);
    assert.match(b.stderr, /\[kernel 1\/1\] kernel\.build: \/bin\/sh \/tarsmith\/bin\/kernel\.sh build \/tarsmith\/kernel-out modules_prepare [0-9a-f]{64} · (done|cached)/);
    const out = path.join(p.dir, 'out', 'gw');
    for (const ko of ['cdx/cdx.ko', 'fci/fci.ko']) {
      const h = await run(['readelf', '-h', path.join(out, ko)]);
      assert.match(h.stdout, /Machine:\s+AArch64/, `${ko}: ${h.stdout}`);
    }
    await fs.access(path.join(out, 'bin', 'cmm'));
    assert.match(await fs.readFile(path.join(out, 'kernel', 'config'), 'utf8'), /^# Linux\/arm64 6\.12\.\d+ Kernel Configuration$/m);
    assert.match(await fs.readFile(path.join(p.dir, 'out', 'gw.log'), 'utf8'), /^#\d+ \[kernel 1\/1\] RUN \["\/bin\/sh", "\/tarsmith\/bin\/step\.sh", "kernel\.build"/m, 'the full BuildKit stream is kept in the log');

    // the config step alone: nothing compiled, the resolved config and its check report
    const only = await p.tarsmith(['build', '--kernel-config-only', '--json']);
    assert.equal(only.code, 0, only.stderr);
    const res = JSON.parse(only.stdout) as { out: string; artifacts: { path: string }[]; kernel: { prediction: { status: string; probes: string } } };
    // the build above recorded the builder's probes: now the host predicts the cross-compiled kernel's .config
    assert.deepEqual([res.kernel.prediction.status, res.kernel.prediction.probes], ['matches', 'recorded']);
    assert.deepEqual(res.artifacts.map((a) => a.path), ['config', 'config-check.json']);
    assert.equal(res.out, path.join(p.dir, 'out', 'gw.kernel-config'));
    const check = JSON.parse(await fs.readFile(path.join(res.out, 'config-check.json'), 'utf8')) as { ok: boolean; checked: number };
    assert.deepEqual([check.ok, check.checked], [true, 1]);
    assert.doesNotMatch(only.stderr, /\[kernel 1\/1\]/, 'the compile stage is not part of it');
  } finally {
    await p.cleanup();
  }
});
