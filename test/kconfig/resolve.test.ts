/**
 * `kconfig resolve` pieces on small inputs: the `.config` writer's layout, merge_config.sh's line semantics,
 * KBUILD_DEFCONFIG, quoted tristate constants (regression), all*config presets, and the comparison with the
 * kernel's own `.config`. The byte-for-byte comparison with the kernel's tools is in resolve-kernel.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kbuildDefconfig, linesOf, mergeFragment, mergedText, parseTarget } from '../../src/kconfig/defconfig.js';
import { writeDotConfig } from '../../src/kconfig/dotconfig-write.js';
import { parseConfigText } from '../../src/kconfig/fragment.js';
import { buildModel } from '../../src/kconfig/model.js';
import { compareWithKernel } from '../../src/kconfig/predict.js';
import { resolveConfig } from '../../src/kconfig/resolve.js';
import { Calculator } from '../../src/kconfig/values.js';
import { parseSnippet } from './snippet.js';

const KCONFIG = `mainmenu "Linux/$(ARCH) 1.2.3 Kernel Configuration"
config MODULES
\tbool "modules"
\tmodules
config A
\tbool "a"
menu "Things"
config B
\ttristate "b"
\tdefault "y"
comment "only with A"
\tdepends on A
config C
\tstring "c"
\tdefault "x\\"y"
endmenu
menu "Hidden"
\tdepends on A
config D
\tbool
\tdefault y
endmenu
config E
\tint "e"
\trange 1 10
\tdefault 3
`;

function resolveText(config: string): string {
  const tree = parseSnippet(KCONFIG);
  return writeDotConfig(new Calculator(buildModel(tree), parseConfigText(config, '.config')), tree);
}

test('the .config writer: header, menu titles, comments, "# end of", blank lines, escaped strings', () => {
  assert.equal(
    resolveText('CONFIG_MODULES=y\n'),
    [
      '#', '# Automatically generated file; DO NOT EDIT.', '# Linux/x86_64 1.2.3 Kernel Configuration', '#',
      'CONFIG_MODULES=y', '# CONFIG_A is not set', '', '#', '# Things', '#', 'CONFIG_B=y', 'CONFIG_C="x\\"y"',
      '# end of Things', '', 'CONFIG_E=3', '',
    ].join('\n'),
  );
  const withA = resolveText('CONFIG_MODULES=y\nCONFIG_A=y\nCONFIG_E=99\n');
  assert.match(withA, /CONFIG_B=y\n\n#\n# only with A\n#\nCONFIG_C=/);
  assert.match(withA, /# end of Things\n\n#\n# Hidden\n#\nCONFIG_D=y\n# end of Hidden\n\nCONFIG_E=10\n$/);
});

test('regression: a quoted one-letter default ("y", "m", "n") is the tristate constant, as sym_lookup makes it', () => {
  const tree = parseSnippet('config MODULES\n\tbool "m"\n\tmodules\nconfig T\n\ttristate "t"\n\tdefault "m"\nconfig U\n\tbool "u"\n\tdefault "y"\nconfig V\n\tbool "v"\n\tdefault "n"\n');
  const calc = new Calculator(buildModel(tree), parseConfigText('CONFIG_MODULES=y\n', '.config'));
  assert.deepEqual(['T', 'U', 'V'].map((n) => calc.line(n)), ['CONFIG_T=m', 'CONFIG_U=y', '# CONFIG_V is not set']);
});

test('merge_config.sh -m: redefined lines are deleted from the base, the fragment is appended after a blank line', () => {
  const base = linesOf('CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_BB=y\nCONFIG_S="CONFIG_A"\n', '.config');
  const merged = mergeFragment(base, linesOf('CONFIG_B=y\n# CONFIG_A is not set\n', 'f.config'));
  assert.equal(mergedText(merged), 'CONFIG_BB=y\nCONFIG_S="CONFIG_A"\n\nCONFIG_B=y\n# CONFIG_A is not set\n');
  assert.deepEqual(merged.at(-1), { text: '# CONFIG_A is not set', file: 'f.config', line: 2 });
});

test('the last line wins, and a value the type refuses leaves the earlier one (conf_read_simple)', () => {
  const text = resolveText('CONFIG_MODULES=y\nCONFIG_A=y\nCONFIG_A=m\nCONFIG_E=4\nCONFIG_E=5\n');
  assert.match(text, /^CONFIG_A=y$/m);
  assert.match(text, /^CONFIG_E=5$/m);
});

test('KBUILD_DEFCONFIG: default, plain, ifeq on ARCH, and a host-dependent choice reported rather than guessed', () => {
  assert.deepEqual(kbuildDefconfig(undefined, { ARCH: 'arm64' }), { ok: true, name: 'defconfig' });
  assert.deepEqual(kbuildDefconfig('KBUILD_DEFCONFIG := multi_v7_defconfig\n', { ARCH: 'arm' }), { ok: true, name: 'multi_v7_defconfig' });
  const x86 = 'ifeq ($(ARCH),x86)\n  ifeq ($(shell uname -m),i386)\n    KBUILD_DEFCONFIG := i386_defconfig\n  else\n    KBUILD_DEFCONFIG := x86_64_defconfig\n  endif\nelse\n  KBUILD_DEFCONFIG := $(ARCH)_defconfig\nendif\n';
  assert.deepEqual(kbuildDefconfig(x86, { ARCH: 'x86_64' }), { ok: true, name: 'x86_64_defconfig' });
  assert.deepEqual(kbuildDefconfig(x86, { ARCH: 'i386' }), { ok: true, name: 'i386_defconfig' });
  assert.equal(kbuildDefconfig(x86, { ARCH: 'x86' }).ok, false);
  assert.deepEqual(parseTarget('kvm_guest.config'), { kind: 'fragment-target', name: 'kvm_guest.config' });
  assert.equal(parseTarget('menuconfig'), undefined);
});

test('allnoconfig / allyesconfig / allmodconfig with KCONFIG_ALLCONFIG, as conf_set_all_new_symbols', async () => {
  const tree = parseSnippet(KCONFIG);
  const model = buildModel(tree);
  const run = (target: string, allconfig?: string) =>
    resolveConfig({
      kernel: '', tree, model, toolchain: true, base: { target },
      ...(allconfig ? { allconfig: { file: 'all.config', text: allconfig } } : {}),
    });
  const no = await run('allnoconfig', 'CONFIG_A=y\n');
  assert.match(no.text, /# CONFIG_MODULES is not set\nCONFIG_A=y\n/);
  assert.match(no.text, /# CONFIG_B is not set/);
  assert.deepEqual(no.steps, ['KCONFIG_ALLCONFIG=all.config conf --allnoconfig']);
  assert.match((await run('allmodconfig')).text, /CONFIG_A=y\n[^]*CONFIG_B=m\n/);
  await assert.rejects(run('menuconfig'), (e: { failures: { code: string }[] }) => e.failures[0]?.code === 'kconfig.unknown-target');
});

test('compareWithKernel: identical texts, and any difference reported as a tarsmith bug with the symbols', () => {
  const kernel = resolveText('CONFIG_MODULES=y\n');
  assert.deepEqual(compareWithKernel(kernel, kernel), { identical: true, differences: [] });
  const c = compareWithKernel(kernel.replace('CONFIG_B=y', 'CONFIG_B=m'), kernel, 'out/.config');
  assert.equal(c.identical, false);
  assert.deepEqual(c.differences, [{ name: 'B', predicted: 'CONFIG_B=m', actual: 'CONFIG_B=y' }]);
  assert.equal(c.failure?.code, 'kconfig.prediction-differs');
  assert.equal(c.failure?.exit, 70);
  assert.match(c.failure?.message ?? '', /^tarsmith bug: .*CONFIG_B/);
  assert.deepEqual(c.failure?.where, { file: 'out/.config', line: 11 });
  const layout = compareWithKernel(kernel.replace('\n\n#\n# Things', '\n#\n# Things'), kernel);
  assert.deepEqual(layout.differences, []);
  assert.match(layout.failure?.message ?? '', /layout only, from line 7/);
});
