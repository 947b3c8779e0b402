/**
 * The kernel pre-flight on a small kernel-shaped tree (a top Kconfig and Makefile, an arch Makefile): the
 * prediction stops on a fragment that cannot hold with the failure the in-build check gives for the same
 * `.config`; who answers the probes (the recorded table first, then the kernel build's compiler on this host;
 * else skipped, saying why); a patch changing what Kconfig reads skips it; and the comparison with the kernel's
 * own `.config`: equality recorded, a crafted difference reported as a tarsmith bug naming each symbol and both values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diagnosticToJson, isTarsmithError, renderDiagnostic } from '../../src/core/errors.js';
import { dotConfigFromText } from '../../src/kconfig/dotconfig.js';
import { readConfigFile } from '../../src/kconfig/fragment.js';
import { predictConfig } from '../../src/kconfig/predict.js';
import { loadTreeKnowledge } from '../../src/kconfig/tree-knowledge.js';
import { checkKernelConfig, configFailure } from '../../src/kernel/check.js';
import { comparePrediction, hostCompiler, hostProbesDiffer, kernelPreflight, patchedFiles, probeTableFile, readByKconfig, recordProbes, type Preflight, type PreflightInput } from '../../src/kernel/preflight.js';
import type { KernelSpec } from '../../src/manifest/types.js';

const KCONFIG = `mainmenu "Linux/$(ARCH) $(KERNELVERSION) Kernel Configuration"
config CC_VERSION_TEXT
\tstring
\tdefault "$(CC_VERSION_TEXT)"
config MODULES
\tbool "Enable loadable module support"
\tmodules
config MODULE_UNLOAD
\tbool "Module unloading"
\tdepends on MODULES
config NET
\tbool "Networking support"
\tdefault y
config NETFILTER_XTABLES
\ttristate "Netfilter Xtables support"
\tdepends on NET
source "arch/$(SRCARCH)/Kconfig"
`;

const MAKEFILE = 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n';

async function tree(): Promise<{ dir: string; file: (rel: string, text: string) => Promise<string>; done: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-preflight-'));
  const file = async (rel: string, text: string) => {
    const f = path.join(dir, rel);
    await fs.mkdir(path.dirname(f), { recursive: true });
    await fs.writeFile(f, text);
    return f;
  };
  await file('linux/Kconfig', KCONFIG);
  await file('linux/Makefile', MAKEFILE);
  await file('linux/arch/x86/Makefile', '');
  await file('linux/arch/x86/Kconfig', 'config 64BIT\n\tdef_bool y\n');
  return { dir, file, done: () => fs.rm(dir, { recursive: true, force: true }) };
}

function spec(over: Partial<KernelSpec> = {}): KernelSpec {
  return {
    source: 'linux', arch: 'x86_64', base: { kind: 'defconfig', target: 'allnoconfig' }, fragments: ['kernel/gw.config'], unknownSymbols: 'error',
    allowUnknown: [], allowMismatch: [], build: 'modules_prepare', artifacts: [], ...over,
  };
}

const WHERE = { file: 'tarsmith.yaml', line: 20, col: 3 };

async function input(t: Awaited<ReturnType<typeof tree>>, fragment: string, over: Partial<PreflightInput> = {}): Promise<PreflightInput> {
  return {
    spec: spec(), kernel: path.join(t.dir, 'linux'), fragments: [{ path: 'kernel/gw.config', file: await t.file('kernel/gw.config', fragment) }],
    patches: [], probeTable: path.join(t.dir, 'cache', 'none.config'), needsModules: false, where: WHERE, hostArch: 'x64', cacheDir: false, ...over,
  };
}

/** The gcc of this host, as a PATH holding it alone (the pre-flight looks the compiler up there). */
async function gccPath(t: Awaited<ReturnType<typeof tree>>): Promise<string> {
  const bin = path.join(t.dir, 'bin');
  await fs.mkdir(bin, { recursive: true });
  let gcc: string | undefined;
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    if (d && (await fs.stat(path.join(d, 'gcc')).then((s) => s.isFile(), () => false))) {
      gcc = path.join(d, 'gcc');
      break;
    }
  }
  assert.ok(gcc, 'gcc on PATH');
  await fs.symlink(gcc, path.join(bin, 'gcc')).catch(() => undefined);
  return bin;
}

test('pre-flight: an unsatisfiable fragment stops with the failure the in-build check gives for the same .config', async () => {
  const t = await tree();
  try {
    const inp = await input(t, 'CONFIG_MODULE_UNLOAD=y\nCONFIG_NETFILTER_XTABLES_LEGACY=y\nCONFIG_NET=y\n', { searchPath: await gccPath(t) });
    const err = await kernelPreflight(inp).then(() => undefined, (e: unknown) => e);
    assert.ok(isTarsmithError(err), String(err));
    assert.deepEqual(err.failures.map((f) => f.code), ['kernel.config-mismatch']);
    const text = renderDiagnostic(err.failures[0]!);
    assert.match(text, /^tarsmith\.yaml:20:3: error\[kernel\.config-mismatch\]: 2 specified values did not make it into the kernel's final configuration/);
    assert.match(text, /kernel\/gw\.config:1: CONFIG_MODULE_UNLOAD=y\n {4}actual: {3}<missing>\n {4}why: {6}CONFIG_MODULE_UNLOAD is not visible/);
    assert.match(text, /kernel\/gw\.config:2: CONFIG_NETFILTER_XTABLES_LEGACY=y\n {4}actual: {3}<missing>\n {4}why: {6}CONFIG_NETFILTER_XTABLES_LEGACY is not defined in this tree \(ARCH=x86_64\)\n {14}nearest names: NETFILTER_XTABLES/);

    // The in-build check of the .config the kernel resolves for the same inputs (what the prediction computes),
    // with the tree read the in-build way (no compiler; the .config answers the probes): the same failure.
    const { dotconfig } = await predictConfig({ kernel: inp.kernel, arch: 'x86_64', defconfig: 'allnoconfig', fragments: [inp.fragments[0]!.file], cc: 'gcc', cacheDir: false, verifyFixes: false });
    assert.match(dotconfig, /^# Linux\/x86_64 6\.12\.0 Kernel Configuration$/m);
    assert.match(dotconfig, /^CONFIG_CC_VERSION_TEXT="gcc /m, 'the probes ran with the host compiler');
    const config = dotConfigFromText(dotconfig, 'config');
    const fragments = [{ path: 'kernel/gw.config', parsed: { ...(await readConfigFile(inp.fragments[0]!.file)), file: 'kernel/gw.config' } }];
    const inBuild = await checkKernelConfig(inp.spec, fragments, config, () => loadTreeKnowledge({ kernel: inp.kernel, arch: 'x86_64', cache: false }, config));
    assert.deepEqual(diagnosticToJson(err.failures[0]!), diagnosticToJson(configFailure(inBuild, WHERE)), 'same code, text and JSON shape');

    const ok = await kernelPreflight(await input(t, 'CONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\n', { searchPath: inp.searchPath! }));
    assert.equal(ok.status, 'predicted');
    assert.match(ok.status === 'predicted' ? ok.dotconfig : '', /^CONFIG_MODULE_UNLOAD=y$/m);
    assert.deepEqual(ok.status === 'predicted' ? [ok.probes, ok.report.ok, ok.report.checked] : [], [{ kind: 'compiler', program: 'gcc', cc: 'gcc' }, true, 2]);
  } finally {
    await t.done();
  }
});

test('pre-flight: the recorded probe table answers first; without it and without the compiler it is skipped, saying why', async () => {
  const t = await tree();
  try {
    const none = await kernelPreflight(await input(t, 'CONFIG_NET=y\n', { searchPath: path.join(t.dir, 'empty') }));
    assert.equal(none.status, 'skipped');
    assert.match(none.status === 'skipped' ? none.reason : '', /no compiler for the Kconfig probes: gcc is not on PATH, and no earlier build of this kernel with this toolchain recorded its probes/);
    const cross = await kernelPreflight(await input(t, 'CONFIG_NET=y\n', { spec: spec({ arch: 'arm64', crossCompile: 'aarch64-tarsmith-none-' }), searchPath: await gccPath(t) }));
    assert.match(cross.status === 'skipped' ? cross.reason : '', /aarch64-tarsmith-none-gcc is not on PATH/);
    assert.deepEqual(await hostCompiler(spec({ arch: 'arm64' }), 'x64', await gccPath(t)), { missing: 'the build compiles natively for ARCH=arm64 and this host\'s gcc targets x86 (no kernel.crossCompile)' });

    // a build recorded the kernel's .config for this tree and toolchain: it answers the probes, no compiler needed
    const table = probeTableFile({ tree: 'a'.repeat(64), arch: 'x86_64', toolchain: 'tc' }, path.join(t.dir, 'cache'));
    assert.notEqual(table, probeTableFile({ tree: 'a'.repeat(64), arch: 'x86_64', toolchain: 'tc2' }, path.join(t.dir, 'cache')));
    await recordProbes(table, '# CONFIG_MODULES is not set\nCONFIG_CC_VERSION_TEXT="gcc (Builder) 12.2.0"\nCONFIG_NET=y\n');
    const rec = await kernelPreflight(await input(t, 'CONFIG_NET=y\n', { probeTable: table, searchPath: path.join(t.dir, 'empty') }));
    assert.equal(rec.status, 'predicted');
    if (rec.status === 'predicted') {
      assert.deepEqual(rec.probes, { kind: 'recorded', file: table });
      assert.match(rec.dotconfig, /^CONFIG_CC_VERSION_TEXT="gcc \(Builder\) 12\.2\.0"$/m);
    }
  } finally {
    await t.done();
  }
});

test('pre-flight: a base the tree lacks stops it; what the Kconfig engine cannot read skips it, saying why (the in-build check reports it)', async () => {
  const t = await tree();
  try {
    const search = await gccPath(t);
    const target = await kernelPreflight(await input(t, 'CONFIG_NET=y\n', { spec: spec({ base: { kind: 'defconfig', target: 'nosuch_defconfig' } }), searchPath: search })).catch((e: unknown) => e);
    assert.ok(isTarsmithError(target));
    assert.equal(target.failures[0]?.code, 'kconfig.unknown-target');
    const malformed = await kernelPreflight(await input(t, '#CONFIG_NET is not set\n', { searchPath: search }));
    assert.equal(malformed.status, 'skipped');
    assert.match(malformed.status === 'skipped' ? malformed.reason : '', /^tarsmith's Kconfig engine could not predict it \(kconfig\.fragment-syntax: not a valid "is not set" line/);
  } finally {
    await t.done();
  }
});

test('pre-flight: a kernel patch changing what Kconfig reads skips it (the tree read is unpatched); other patches do not', async () => {
  const t = await tree();
  const patch = (file: string) => `--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-x\n+y\n`;
  try {
    assert.deepEqual(patchedFiles(`${patch('drivers/net/foo.c')}--- a/init/Kconfig\n+++ /dev/null\n`), ['drivers/net/foo.c', 'init/Kconfig']);
    assert.deepEqual(['net/Kconfig', 'Makefile', 'arch/arm64/Makefile', 'arch/arm64/configs/defconfig', 'kernel/configs/tiny.config', 'scripts/Kconfig.include', 'drivers/Makefile', 'net/core/dev.c'].map(readByKconfig),
      [true, true, true, true, true, true, false, false]);
    const search = await gccPath(t);
    const harmless = await t.file('p/001.patch', patch('drivers/net/foo.c'));
    assert.equal((await kernelPreflight(await input(t, 'CONFIG_NET=y\n', { patches: [harmless], searchPath: search }))).status, 'predicted');
    const kconfig = await t.file('p/002.patch', patch('net/Kconfig'));
    const s = await kernelPreflight(await input(t, 'CONFIG_NET=y\n', { patches: [harmless, kconfig], searchPath: search }));
    assert.equal(s.status, 'skipped');
    assert.match(s.status === 'skipped' ? s.reason : '', /^the kernel source's patch 002\.patch changes net\/Kconfig, which Kconfig reads/);
  } finally {
    await t.done();
  }
});

const KERNEL_CONFIG = '#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86_64 6.12.0 Kernel Configuration\n#\nCONFIG_CC_VERSION_TEXT="gcc (Debian 12.2.0-14) 12.2.0"\nCONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\nCONFIG_NET=y\nCONFIG_NETFILTER_XTABLES=m\n';
const predicted = (dotconfig: string, probes: Preflight extends infer P ? P extends { status: 'predicted'; probes: infer Q } ? Q : never : never = { kind: 'compiler', program: 'gcc', cc: 'gcc' }): Preflight =>
  ({ status: 'predicted', probes, dotconfig, report: { ok: true, arch: 'x86_64', fragments: [], checked: 0, dropped: [], failed: [], warnings: [], errors: [] } });

test('the comparison with the kernel\'s .config: equality recorded; a difference is a tarsmith bug naming each symbol with both values', () => {
  assert.deepEqual(comparePrediction(predicted(KERNEL_CONFIG), KERNEL_CONFIG, 'kernel/config'), { record: { status: 'matches', probes: 'compiler gcc', lines: 9 } });
  assert.deepEqual(comparePrediction({ status: 'skipped', reason: 'gcc is not on PATH' }, KERNEL_CONFIG, 'kernel/config'), { record: { status: 'skipped', reason: 'gcc is not on PATH' } });

  const wrong = KERNEL_CONFIG.replace('CONFIG_NETFILTER_XTABLES=m', 'CONFIG_NETFILTER_XTABLES=y').replace('CONFIG_MODULE_UNLOAD=y\n', '');
  const c = comparePrediction(predicted(wrong, { kind: 'recorded', file: '/cache/x.config' }), KERNEL_CONFIG, 'kernel/config');
  assert.deepEqual(c.record, {
    status: 'differs', probes: 'recorded', lines: 9,
    differences: [
      { name: 'MODULE_UNLOAD', predicted: '<missing>', actual: 'CONFIG_MODULE_UNLOAD=y' },
      { name: 'NETFILTER_XTABLES', predicted: 'CONFIG_NETFILTER_XTABLES=y', actual: 'CONFIG_NETFILTER_XTABLES=m' },
    ],
  });
  assert.ok(c.warning);
  assert.equal(renderDiagnostic(c.warning), [
    "kernel/config:7: warning[kernel.prediction-differs]: tarsmith bug: the kernel config predicted before the build differs from the kernel's own .config (2 symbols; probes: recorded); the build went on with the kernel's",
    '  CONFIG_MODULE_UNLOAD: predicted <missing>, the kernel\'s CONFIG_MODULE_UNLOAD=y',
    '  CONFIG_NETFILTER_XTABLES: predicted CONFIG_NETFILTER_XTABLES=y, the kernel\'s CONFIG_NETFILTER_XTABLES=m',
    "  fix: please report it with the kernel's .config (out/<name>/kernel/config) and the symbols above",
  ].join('\n'));
  assert.equal(diagnosticToJson(c.warning).exit, 0, 'a warning: the build goes on with the kernel\'s .config');

  // the host's compiler is not the builder's: said so, beside the symbols
  const hostCc = KERNEL_CONFIG.replace('gcc (Debian 12.2.0-14) 12.2.0', 'gcc (Other 13.1.0) 13.1.0');
  const h = comparePrediction(predicted(hostCc), KERNEL_CONFIG, 'kernel/config');
  assert.deepEqual(h.record.differences?.map((d) => d.name), ['CC_VERSION_TEXT']);
  assert.match(h.warning?.details?.at(-1) ?? '', /^the probes were answered by this host's gcc \("gcc \(Other 13\.1\.0\) 13\.1\.0"\), the builder's compiler is "gcc \(Debian 12\.2\.0-14\) 12\.2\.0"/);

  // layout only: no symbol differs, the first differing line is named
  const layout = comparePrediction(predicted(KERNEL_CONFIG.replace('#\n# Automatically', '#\n\n# Automatically')), KERNEL_CONFIG, 'kernel/config');
  assert.equal(layout.record.status, 'differs');
  assert.deepEqual(layout.record.firstLine, { line: 2, predicted: '', actual: '# Automatically generated file; DO NOT EDIT.' });
  assert.match(layout.warning?.message ?? '', /\(layout only; probes: compiler gcc\)/);
});

test('host probes that are not the builder\'s: predicted again from the recorded answers and matching, it is said as such, not as a bug', () => {
  const host = KERNEL_CONFIG.replace('CONFIG_NET=y\n', 'CONFIG_NET=y\nCONFIG_RUSTC_VERSION=109500\n');
  const first = comparePrediction(predicted(host), KERNEL_CONFIG, 'kernel/config');
  assert.equal(first.warning?.code, 'kernel.prediction-differs');
  const again = comparePrediction(predicted(KERNEL_CONFIG, { kind: 'recorded', file: '/cache/x.config' }), KERNEL_CONFIG, 'kernel/config');
  const h = hostProbesDiffer(first.record, again.record, 'kernel/config');
  assert.deepEqual(h.record, { status: 'matches', probes: 'recorded', lines: 9, hostProbes: { differences: [{ name: 'RUSTC_VERSION', predicted: 'CONFIG_RUSTC_VERSION=109500', actual: '<missing>' }] } });
  assert.equal(renderDiagnostic(h.warning).split('\n').slice(0, 2).join('\n'), [
    "kernel/config: warning[kernel.host-probes-differ]: the Kconfig probes answered on this host differ from the builder's (1 symbol): predicted again from the builder's own answers (recorded now), the prediction matches the kernel's .config",
    "  CONFIG_RUSTC_VERSION: this host's CONFIG_RUSTC_VERSION=109500, the builder's <missing>",
  ].join('\n'));
});
