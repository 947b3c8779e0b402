/**
 * The kernel config check's policy, against the real 6.12 tree (Debian's linux-source tarball, parsed by
 * tarsmith's Kconfig engine; the parse is cached across runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDiagnostic } from '../../src/core/errors.js';
import { loadTreeKnowledge } from '../../src/kconfig/tree-knowledge.js';
import { dotConfigFromText } from '../../src/kconfig/dotconfig.js';
import { parseConfigText } from '../../src/kconfig/fragment.js';
import { checkKernelConfig, configFailure, configPreflight, droppedWarnings } from '../../src/kernel/check.js';
import type { KernelSpec } from '../../src/manifest/types.js';

const TARBALL = '/usr/src/linux-source-6.12.tar.xz';

const CONFIG = dotConfigFromText(
  ['# Linux/x86_64 6.12.0 Kernel Configuration', 'CONFIG_64BIT=y', 'CONFIG_X86_64=y', '# CONFIG_MODULES is not set', 'CONFIG_PRINTK=y', ''].join('\n'),
  'config',
);

function spec(over: Partial<KernelSpec> = {}): KernelSpec {
  return {
    source: 'linux', arch: 'x86_64', base: { kind: 'defconfig', target: 'tinyconfig' }, fragments: [], unknownSymbols: 'error',
    allowUnknown: [], allowMismatch: [], build: 'modules_prepare', artifacts: [], ...over,
  };
}

const frag = (p: string, text: string) => ({ path: p, parsed: parseConfigText(text, p) });
const tree = () => loadTreeKnowledge({ kernel: TARBALL, arch: 'x86_64' }, CONFIG);

const A = frag('kernel/a.config', 'CONFIG_MODULE_UNLOAD=y\nCONFIG_NETFILTER_XTABLES_LEGACY=y\nCONFIG_PRINTK=y\n');

test('strict policy: an unknown symbol and a value capped by its dependency both stop the build, each with its why and fix', async () => {
  const r = await checkKernelConfig(spec(), [A], CONFIG, tree);
  assert.equal(r.ok, false);
  assert.equal(r.checked, 3);
  assert.deepEqual(r.failed.map((e) => [e.line, e.name, e.reason]), [[1, 'MODULE_UNLOAD', 'not-applied'], [2, 'NETFILTER_XTABLES_LEGACY', 'unknown-symbol']]);
  const text = renderDiagnostic(configFailure(r, { file: 'tarsmith.yaml', line: 20, col: 3 }));
  assert.match(text, /^tarsmith\.yaml:20:3: error\[kernel\.config-mismatch\]: 2 specified values did not make it into the kernel's final configuration/);
  assert.match(text, /kernel\/a\.config:1: CONFIG_MODULE_UNLOAD=y\n {4}actual: {3}<missing>\n {4}why: {6}CONFIG_MODULE_UNLOAD is not visible[^\n]*\n {14}prompt "Module unloading" visible if MODULES \[MODULES=n\]\n {4}fix: {6}set CONFIG_MODULES=y/);
  assert.match(text, /nearest names: NETFILTER_XTABLES, IP_NF_IPTABLES_LEGACY/);
  assert.match(text, /fix: .*kernel\.allowUnknown: \[CONFIG_NETFILTER_XTABLES_LEGACY\] \(symbols this kernel does not have\); kernel\.allowMismatch: \[CONFIG_MODULE_UNLOAD\]$/);
});

test('allowUnknown drops only the unknown line; allowMismatch the capped one; both are recorded with the reason', async () => {
  const one = await checkKernelConfig(spec({ allowUnknown: ['NETFILTER_XTABLES_LEGACY'] }), [A], CONFIG, tree);
  assert.equal(one.ok, false);
  assert.deepEqual(one.dropped.map((e) => [e.name, e.allowedBy]), [['NETFILTER_XTABLES_LEGACY', 'allowUnknown']]);
  const both = await checkKernelConfig(spec({ allowUnknown: ['NETFILTER_XTABLES_LEGACY'], allowMismatch: ['MODULE_UNLOAD'] }), [A], CONFIG, tree);
  assert.equal(both.ok, true);
  assert.deepEqual(droppedWarnings(both).map(renderDiagnostic), [
    'kernel/a.config:1: warning[kernel.line-dropped]: dropped CONFIG_MODULE_UNLOAD=y (CONFIG_MODULE_UNLOAD is not visible: its dependencies are unmet, so a value given for it is ignored; allowed by kernel.allowMismatch)',
    'kernel/a.config:2: warning[kernel.line-dropped]: dropped CONFIG_NETFILTER_XTABLES_LEGACY=y (CONFIG_NETFILTER_XTABLES_LEGACY is not defined in this tree (ARCH=x86_64); allowed by kernel.allowUnknown)',
  ]);
});

test('unknownSymbols: warn drops every unknown line with its name (also "is not set" ones); a later fragment overrides an earlier one', async () => {
  const B = frag('kernel/b.config', '# CONFIG_NO_SUCH_THING is not set\n# CONFIG_MODULE_UNLOAD is not set\n');
  const r = await checkKernelConfig(spec({ unknownSymbols: 'warn', allowMismatch: ['PRINTK_TIME'] }), [A, B], CONFIG, tree);
  assert.equal(r.ok, true, JSON.stringify(r.failed));
  assert.deepEqual(r.dropped.map((e) => [e.fragment, e.name, e.allowedBy]), [
    ['kernel/a.config', 'NETFILTER_XTABLES_LEGACY', 'unknownSymbols'],
    ['kernel/b.config', 'NO_SUCH_THING', 'unknownSymbols'],
  ]);
  assert.equal(r.checked, 4, 'MODULE_UNLOAD is checked once, in the fragment that set it last');
  assert.deepEqual(r.warnings, ['kernel.allowMismatch lists CONFIG_PRINTK_TIME, but no fragment line for it was dropped: remove it from the list']);
});

test('a config that satisfies the fragments does not read the tree at all', async () => {
  const r = await checkKernelConfig(spec(), [frag('ok.config', 'CONFIG_PRINTK=y\n# CONFIG_MODULES is not set\n')], CONFIG, () => assert.fail('tree read'));
  assert.equal(r.ok, true);
});

test('preflight: modules needed but disabled, and an ephemeral module signing key, stop the build before compiling', () => {
  assert.deepEqual(configPreflight(spec(), CONFIG, true, undefined).map((f) => f.code), ['kernel.modules-disabled']);
  const signed = dotConfigFromText('CONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_KEY="certs/signing_key.pem"\n', 'config');
  const f = configPreflight(spec(), signed, true, undefined);
  assert.deepEqual(f.map((x) => x.code), ['kernel.ephemeral-signing-key']);
  assert.match(f[0]?.hint ?? '', /# CONFIG_MODULE_SIG is not set/);
  assert.deepEqual(configPreflight(spec(), dotConfigFromText('CONFIG_MODULES=y\n# CONFIG_MODULE_SIG is not set\n', 'config'), true, undefined), []);
});

test('preflight with a declared signing key: signing must be on, with CONFIG_MODULE_SIG_KEY at the key\'s mount path', () => {
  const keyed = { ...spec(), signingKey: 'signing-key' };
  const cfg = (t: string) => dotConfigFromText(`CONFIG_MODULES=y\n${t}`, 'config');
  const off = configPreflight(keyed, cfg('# CONFIG_MODULE_SIG is not set\n'), true, undefined);
  assert.deepEqual(off.map((f) => f.code), ['kernel.signing-key-unused']);
  const other = configPreflight(keyed, cfg('CONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_KEY="certs/signing_key.pem"\n'), true, undefined);
  assert.deepEqual(other.map((f) => f.code), ['kernel.signing-key-path'], 'the default key path is this check, not the ephemeral-key one');
  assert.match(other[0]?.hint ?? '', /add CONFIG_MODULE_SIG_KEY="\/run\/tarsmith\/module-signing-key\.pem" to a kernel fragment/);
  assert.deepEqual(configPreflight(keyed, cfg('CONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_KEY="/run/tarsmith/module-signing-key.pem"\n'), true, undefined), []);
});
