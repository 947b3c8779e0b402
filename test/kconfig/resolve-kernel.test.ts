/**
 * `kconfig resolve` against the kernel's own make path on the real 6.12 tree, byte for byte: `make ARCH=…
 * TARGET`, `merge_config.sh -m .config FRAGMENT`, `make olddefconfig`, with the same compiler (gcc) for the
 * Kconfig probes. Also the two defects the engine had (quoted tristate constants, the Makefile's exported
 * variables) and the proof of a fix, checked with the kernel's tools too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../src/core/exec.js';
import { runExplain } from '../../src/kconfig/explain.js';
import { parseConfigText } from '../../src/kconfig/fragment.js';
import { compareWithKernel, predictConfig, type PredictInput } from '../../src/kconfig/predict.js';
import { kconfigEnv } from '../../src/kconfig/tree.js';
import { kernelMake, type KernelMake } from './kernel-make.js';

const NETFILTER = `# netfilter for a gateway: one symbol 6.12 lacks, and a group IPV6=m caps at m
CONFIG_NETFILTER=y
CONFIG_NETFILTER_ADVANCED=y
CONFIG_NETFILTER_XTABLES=y
CONFIG_NETFILTER_XTABLES_LEGACY=y
CONFIG_NF_CONNTRACK=y
CONFIG_NF_NAT=y
CONFIG_NF_TABLES=y
CONFIG_NF_TABLES_INET=y
CONFIG_NFT_NAT=y
CONFIG_IP_NF_IPTABLES=y
CONFIG_IP_NF_FILTER=y
CONFIG_IP_NF_NAT=y
CONFIG_IP6_NF_IPTABLES=y
CONFIG_IP6_NF_FILTER=y
CONFIG_BRIDGE=y
CONFIG_BRIDGE_NETFILTER=y
CONFIG_VETH=y
`;

let dir: string;
let km: KernelMake;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tarsmith-resolve-kernel-'));
  km = await kernelMake(dir);
  await writeFile(join(dir, 'netfilter.config'), NETFILTER);
});
after(() => rm(dir, { recursive: true, force: true }));

const predict = (arch: string, extra: Partial<PredictInput> = {}) =>
  predictConfig({ kernel: km.tree, arch, cc: 'gcc', cacheDir: join(dir, 'cache'), ...extra });

function assertSame(predicted: string, kernel: string): void {
  const c = compareWithKernel(predicted, kernel);
  assert.deepEqual(c.differences.slice(0, 10), []);
  assert.equal(c.firstLine, undefined, JSON.stringify(c.firstLine));
  assert.ok(c.identical);
}

test('arm64 defconfig: byte-identical to make ARCH=arm64 defconfig (quoted "y" and RUSTC regressions included)', async () => {
  const kernel = await km.make('arm64-defconfig', 'arm64', ['defconfig']);
  const p = await predict('arm64', { defconfig: 'defconfig' });
  assertSame(p.dotconfig, kernel);
  assert.deepEqual(p.steps, ['conf --defconfig=arch/arm64/configs/defconfig']);
  // drivers/media/platform/Kconfig: `default "y"` is the constant y, so the whole menu is visible.
  assert.match(kernel, /^CONFIG_MEDIA_PLATFORM_DRIVERS=y$/m);
  const cfg = join(dir, 'arm64-defconfig', '.config');
  const why = await runExplain({ symbol: 'MEDIA_PLATFORM_DRIVERS', kernel: km.tree, arch: 'arm64', config: cfg, cc: 'gcc', cache: false });
  assert.equal(why.config?.computed, 'y');
  const rustc = await exec(['rustc', '--version']).catch(() => undefined);
  if (rustc?.code === 0) assert.match(kernel, /^CONFIG_RUSTC_VERSION=[1-9][0-9]*$/m);
});

test('arm64 defconfig + a netfilter fragment: byte-identical to merge_config.sh -m + olddefconfig; fixes proven', async () => {
  const kernel = await km.merged('arm64-netfilter', 'arm64', 'defconfig', [{ name: 'netfilter.config', text: NETFILTER }]);
  const p = await predict('arm64', { fragments: [join(dir, 'netfilter.config')] });
  assertSame(p.dotconfig, kernel);
  const bad = p.nonSticking.map((l) => l.text.replace(/=.*/, ''));
  assert.deepEqual(bad, ['CONFIG_NETFILTER_XTABLES_LEGACY', 'CONFIG_IP6_NF_IPTABLES', 'CONFIG_IP6_NF_FILTER', 'CONFIG_BRIDGE', 'CONFIG_BRIDGE_NETFILTER']);
  assert.equal(p.sticking.length, 12);
  const fixes = p.fixes[0];
  const bn = fixes?.verdicts.find((v) => v.name === 'BRIDGE_NETFILTER');
  assert.deepEqual(bn?.suggested, ['CONFIG_BRIDGE=y']);
  assert.deepEqual(bn?.rounds[0]?.blockedBy, ['CONFIG_IPV6=m']);
  assert.deepEqual(bn?.proven, ['CONFIG_IPV6=y']);
  assert.match(fixes?.verdicts[0]?.none ?? '', /not defined in this tree/);
  assert.deepEqual(fixes?.combined, { added: ['CONFIG_IPV6=y'], notSticking: ['CONFIG_NETFILTER_XTABLES_LEGACY=y'] });
  // The kernel's own tools agree: with the fix merged too, every line but the unknown one sticks.
  const fixed = await km.merged('arm64-netfilter-fixed', 'arm64', 'defconfig', [
    { name: 'netfilter.config', text: NETFILTER }, { name: 'fix.config', text: 'CONFIG_IPV6=y\n' },
  ]);
  const got = parseConfigText(fixed, '.config').byName;
  const notHeld = parseConfigText(NETFILTER, 'f').lines.filter((l) => got.get(l.name)?.text !== l.text).map((l) => l.name);
  assert.deepEqual(notHeld, ['NETFILTER_XTABLES_LEGACY']);
});

test('x86_64_defconfig: byte-identical to make ARCH=x86_64 x86_64_defconfig', async () => {
  const kernel = await km.make('x86-defconfig', 'x86_64', ['x86_64_defconfig']);
  assertSame((await predict('x86_64', { defconfig: 'x86_64_defconfig' })).dotconfig, kernel);
});

test('x86_64 allnoconfig: byte-identical to make ARCH=x86_64 allnoconfig', async () => {
  const kernel = await km.make('x86-allno', 'x86_64', ['allnoconfig']);
  assertSame((await predict('x86_64', { defconfig: 'allnoconfig' })).dotconfig, kernel);
});

test('regression: every variable the top Makefile exports and Kconfig reads reaches the macros', async () => {
  const makefiles = (await readFile(join(km.tree, 'Makefile'), 'utf8')) + (await readFile(join(km.tree, 'scripts/Makefile.clang'), 'utf8'));
  // Exported by the Makefiles, plus what reaches Kconfig when given on the make command line (make exports those).
  const exported = new Set(makefiles.split('\n').filter((l) => l.startsWith('export ')).flatMap((l) => l.slice(7).split(/\s+/)));
  for (const v of ['USERCFLAGS', 'USERLDFLAGS', 'CROSS_COMPILE_COMPAT']) exported.add(v);
  const { stdout } = await exec(['grep', '-rhoE', '--include=Kconfig*', '\\$\\([A-Z_][A-Z0-9_]*\\)', '.'], { cwd: km.tree });
  const read = new Set(stdout.split('\n').filter(Boolean).map((m) => m.slice(2, -1)));
  const wanted = [...read].filter((v) => exported.has(v)).sort();
  for (const v of ['RUSTC', 'BINDGEN', 'PAHOLE', 'PYTHON3', 'CLANG_FLAGS', 'USERCFLAGS', 'CROSS_COMPILE_COMPAT']) assert.ok(wanted.includes(v), wanted.join(' '));
  const env = await kconfigEnv({ kernel: km.tree, arch: 'arm64', cc: 'gcc' });
  const missing = wanted.filter((v) => !env.has(v) && !['ARCH', 'SRCARCH', 'KERNELVERSION'].includes(v));
  assert.deepEqual(missing, []);
});
