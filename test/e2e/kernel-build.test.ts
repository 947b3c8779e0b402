/**
 * The kernel: section end to end on x86_64, from Debian's linux-source-6.12 tarball: a fragment with an unknown
 * symbol and a value capped by a dependency fails before compiling, naming both with their reasons; with the
 * unknown one allowed and the fix applied, a full tinyconfig+MODULES kernel and two out-of-tree modules build
 * (KBUILD_EXTRA_SYMBOLS between them); the .ko vermagic is the kernel's; a --no-cache rebuild gives the same .ko
 * bytes; a change to a module's source rebuilds the module and not the kernel; the flagship-shaped Makefile
 * (modules against $KDIR, and userspace) builds too.
 */
import { test } from 'node:test';
import { randomInt } from 'node:crypto';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { run } from './build-rig.js';
import { kernelProject, vertices } from './kernel-rig.js';

const KERNEL = `  source: linux
  arch: x86_64
  defconfig: tinyconfig
  fragments: [kernel/gateway.config]
  build: full
  artifacts: [image, symvers]
`;

const TARGETS = `    gateway:
      kernel: true
      modules: [cdx, fci]
      steps: [make userspace]
      artifacts: [bin/cmm]
    flagship:
      kernel: true
      steps: ['make KDIR="$KDIR"']
      artifacts: [cdx/cdx.ko, fci/fci.ko, bin/cmm]
`;

test('kernel: config checked before compiling, then a full kernel, modules with the kernel vermagic, reproducible, cached', async () => {
  const p = await kernelProject({
    kernel: KERNEL,
    targets: TARGETS,
    files: { 'kernel/gateway.config': 'CONFIG_MODULE_UNLOAD=y\nCONFIG_NETFILTER_XTABLES_LEGACY=y\n' },
  });
  try {
    // the in-build check (the pre-flight, which stops the same report before anything is compiled, is kernel-preflight.test.ts)
    const bad = await p.tarsmith(['build', '--no-kernel-preflight', '--progress', 'plain']);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /error\[kernel\.config-mismatch\]: 2 specified values did not make it into the kernel's final configuration \(checked before compiling: nothing was compiled\)/);
    assert.match(bad.stderr, /kernel\/gateway\.config:1: CONFIG_MODULE_UNLOAD=y\n\s+actual: +<missing>\n\s+why: +CONFIG_MODULE_UNLOAD is not visible: its dependencies are unmet[^\n]*\n\s+prompt "Module unloading" visible if MODULES \[MODULES=n\]\n\s+fix: +set CONFIG_MODULES=y/);
    assert.match(bad.stderr, /kernel\/gateway\.config:2: CONFIG_NETFILTER_XTABLES_LEGACY=y\n\s+actual: +<missing>\n\s+why: +CONFIG_NETFILTER_XTABLES_LEGACY is not defined in this tree \(ARCH=x86_64\)\n\s+nearest names: NETFILTER_XTABLES, IP_NF_IPTABLES_LEGACY/);
    assert.match(bad.stderr, /kernel\.allowUnknown: \[CONFIG_NETFILTER_XTABLES_LEGACY\]/);
    const badLog = await fs.readFile(path.join(p.dir, 'out', 'gw.log'), 'utf8');
    assert.ok(![...vertices(badLog).keys()].some((v) => v.startsWith('[kernel ')), 'the compile stage never ran');
    assert.match(bad.stderr, /kernel \(olddefconfig\): \.config:\d+:warning: unknown symbol: NETFILTER_XTABLES_LEGACY/, "the kernel's own warning");

    // the fix the explanation names, and the policy for the symbol 6.12 does not have
    await fs.writeFile(path.join(p.dir, 'kernel', 'gateway.config'), 'CONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\nCONFIG_NETFILTER_XTABLES_LEGACY=y\n');
    const yaml = path.join(p.dir, 'tarsmith.yaml');
    await fs.writeFile(yaml, (await fs.readFile(yaml, 'utf8')).replace('  build: full\n', '  build: full\n  allowUnknown: [CONFIG_NETFILTER_XTABLES_LEGACY]\n'));
    assert.equal((await p.tarsmith(['vendor'])).code, 0);
    const ok = await p.tarsmith(['build', '--progress', 'plain']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /kernel\/gateway\.config:3: warning\[kernel\.line-dropped\]: dropped CONFIG_NETFILTER_XTABLES_LEGACY=y \(CONFIG_NETFILTER_XTABLES_LEGACY is not defined in this tree \(ARCH=x86_64\); allowed by kernel\.allowUnknown\)/);
    const out = path.join(p.dir, 'out', 'gw');
    const config = await fs.readFile(path.join(out, 'kernel', 'config'), 'utf8');
    assert.match(config, /^CONFIG_MODULES=y$/m);
    assert.match(config, /^CONFIG_MODULE_UNLOAD=y$/m);
    await fs.access(path.join(out, 'kernel', 'bzImage'));
    assert.match(await fs.readFile(path.join(out, 'kernel', 'Module.symvers'), 'utf8'), /^$|\t/);
    const release = (await fs.readFile(path.join(out, 'kernel', 'kernel.release'), 'utf8')).trim();
    assert.match(release, /^6\.12\.\d+/);
    const record = JSON.parse(await fs.readFile(path.join(out, 'tarsmith-build.json'), 'utf8'));
    assert.equal(record.kernel.release, release);
    assert.equal(record.kernel.prediction.status, 'matches', 'the host predicted the .config of the full kernel, the dropped line included');
    assert.match(ok.stderr, /kernel: the prediction matches the kernel's \.config/);
    assert.deepEqual(record.kernel.dropped.map((d: { text: string; allowedBy: string }) => [d.text, d.allowedBy]), [['CONFIG_NETFILTER_XTABLES_LEGACY=y', 'allowUnknown']]);

    // vermagic, read with binutils (ground truth), is the kernel's: release, then the config's flags
    const kos = ['modules/cdx/cdx.ko', 'modules/fci/fci.ko'];
    for (const ko of kos) {
      const r = await run(['readelf', '-p', '.modinfo', path.join(out, ko)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`vermagic=${release.replaceAll('.', '\\.')} mod_unload `));
    }
    const fci = await run(['readelf', '-p', '.modinfo', path.join(out, 'modules/fci/fci.ko')]);
    assert.match(fci.stdout, /depends=cdx/, 'fci resolved cdx_version through KBUILD_EXTRA_SYMBOLS');
    const first = await Promise.all(kos.map((k) => fs.readFile(path.join(out, k))));

    // a cold rebuild gives the same module bytes
    const cold = await p.tarsmith(['build', '--no-cache', '--progress', 'plain']);
    assert.equal(cold.code, 0, cold.stderr);
    const again = await Promise.all(kos.map((k) => fs.readFile(path.join(out, k))));
    kos.forEach((k, i) => assert.ok(first[i]?.equals(again[i] as Buffer), `${k} differs between two builds`));

    // a change to the module source: the kernel stage is cached, the module is built again
    // a change no earlier run made (BuildKit's cache outlives a test run on the same engine)
    const nonce = randomInt(1, 2 ** 31);
    await p.editApp('cdx/cdx.c', (t) => t.replace('return 1;', `return 1 + 0 * ${nonce};`));
    const warm = await p.tarsmith(['build', '--progress', 'plain']);
    assert.equal(warm.code, 0, warm.stderr);
    const v = vertices(await fs.readFile(path.join(p.dir, 'out', 'gw.log'), 'utf8'));
    const kernelSteps = [...v].filter(([n]) => n.startsWith('[kernel ') || n.startsWith('[kernel-config ') || n.startsWith('[kernel-base '));
    assert.ok(kernelSteps.length >= 3, [...v.keys()].join('\n'));
    for (const [n, s] of kernelSteps) assert.equal(s, 'cached', `${n} ran again`);
    const moduleStep = [...v].find(([n]) => n.includes('build.targets.gateway.modules[0]'));
    assert.equal(moduleStep?.[1], 'done', 'the cdx module was built again');

    // the flagship shape: its own Makefile builds the modules against $KDIR, and userspace
    const flag = await p.tarsmith(['build', 'flagship', '--progress', 'plain']);
    assert.equal(flag.code, 0, flag.stderr);
    assert.match(flag.stderr, /kernel: 2 module\(s\) match the kernel's vermagic/);
    await fs.access(path.join(p.dir, 'out', 'gw-flagship', 'bin', 'cmm'));
  } finally {
    await p.cleanup();
  }
});
