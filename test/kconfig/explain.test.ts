import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTree } from '../../src/kconfig/parse-tree.js';
import { MapFiles } from '../../src/kconfig/source-files.js';
import { parseConfigText, type ConfigLine } from '../../src/kconfig/fragment.js';
import { explainWith, evaluate } from '../../src/kconfig/explain.js';
import { symbolInfo, renderInfo } from '../../src/kconfig/explain-info.js';
import { buildModel } from '../../src/kconfig/model.js';
import type { Calculator } from '../../src/kconfig/values.js';

const KCONFIG = `
config MODULES
	bool "modules"
	modules
config IPV6
	tristate "ipv6"
menu "Netfilter"
	depends on NET
	visible if EXPERT
config NF
	tristate "nf"
	depends on IPV6
	help
	  Netfilter.
endmenu
config NET
	bool "net"
config EXPERT
	bool "expert"
config HELPER
	bool
	select DEEP if NET
config DEEP
	bool
config USER
	bool "user"
	select HELPER
config DFLT
	bool "dflt" if EXPERT
	default y
config SHIFT
	int "shift"
	range 12 25
	default 17
choice
	prompt "pick"
	default P2
config P1
	bool "p1"
config P2
	bool "p2"
endchoice
`;

function calc(dot: string): Calculator {
  const { tree } = parseTree({
    files: new MapFiles('mem', new Map([['Kconfig', KCONFIG]])),
    arch: 'x86',
    srcarch: 'x86',
    env: new Map(),
    shell: () => undefined,
  });
  return evaluate(tree, parseConfigText(dot, '.config'));
}

function req(text: string): ConfigLine {
  const line = parseConfigText(`${text}\n`, 'frag').lines[0];
  assert.ok(line);
  return line;
}

const BASE = 'CONFIG_MODULES=y\nCONFIG_IPV6=m\nCONFIG_NET=y\nCONFIG_EXPERT=y\n';

test('capped at m: the dependency with the values of its symbols, and the setting that lifts it', () => {
  const e = explainWith(calc(`${BASE}CONFIG_NF=m\n`), 'NF', req('CONFIG_NF=y'));
  assert.match(e.reason, /capped at m/);
  assert.match(e.details.join('\n'), /visible if NET && IPV6 && EXPERT \[NET=y, IPV6=m, EXPERT=y\]/);
  assert.deepEqual(e.set, ['CONFIG_IPV6=y']);
});

test('invisible because of a menu\'s visible if: the condition and the fix', () => {
  const e = explainWith(calc('CONFIG_MODULES=y\nCONFIG_IPV6=y\nCONFIG_NET=y\n# CONFIG_EXPERT is not set\n'), 'NF', req('CONFIG_NF=y'));
  assert.match(e.reason, /not visible/);
  assert.match(e.details.join('\n'), /EXPERT=n/);
  assert.deepEqual(e.set, ['CONFIG_EXPERT=y']);
});

test('no prompt: the user value is ignored; who selects it, with values', () => {
  const e = explainWith(calc(`${BASE}# CONFIG_USER is not set\n`), 'HELPER', req('CONFIG_HELPER=y'));
  assert.match(e.reason, /has no prompt in this tree/);
  assert.deepEqual(e.details, ['selected by CONFIG_USER=n']);
  assert.deepEqual(e.set, ['CONFIG_USER=y']);
});

test('forced by select, with the select\'s condition and values', () => {
  const e = explainWith(calc(`${BASE}CONFIG_USER=y\n`), 'USER', req('# CONFIG_USER is not set'));
  assert.match(e.reason, /value given in the \.config/);
  const deep = explainWith(calc(`${BASE}CONFIG_USER=y\n`), 'DEEP', req('# CONFIG_DEEP is not set'));
  assert.match(deep.reason, /has no prompt/);
  assert.match(deep.details.join('\n'), /selected by CONFIG_HELPER=y if NET \[NET=y\]/);
  const sel = explainWith(calc(`${BASE}CONFIG_USER=y\n`), 'MODULES', req('CONFIG_MODULES=y'));
  assert.match(sel.reason, /value given/);
});

test('range clamp and invalid values for the type', () => {
  const c = calc(`${BASE}CONFIG_SHIFT=40\n`);
  assert.match(explainWith(c, 'SHIFT', req('CONFIG_SHIFT=40')).reason, /40 is outside the range 12\.\.25 of CONFIG_SHIFT: clamped to 25/);
  assert.match(explainWith(c, 'SHIFT', req('CONFIG_SHIFT="x"')).reason, /not a valid value for int symbol/);
  assert.match(explainWith(c, 'NET', req('CONFIG_NET=m')).reason, /m is not a value of a bool symbol/);
});

test('modules off: m becomes y', () => {
  const e = explainWith(calc('# CONFIG_MODULES is not set\nCONFIG_IPV6=y\n'), 'IPV6', req('CONFIG_IPV6=m'));
  assert.match(e.reason, /modules are disabled/);
  assert.deepEqual(e.set, ['CONFIG_MODULES=y']);
});

test('choice members: which member is chosen', () => {
  const e = explainWith(calc(`${BASE}CONFIG_P2=y\n`), 'P1', req('CONFIG_P1=y'));
  assert.match(e.reason, /member of the choice "pick".*CONFIG_P2/);
  assert.match(e.details.join('\n'), /P1=n, P2=y/);
});

test('an undefined name gets the nearest defined names', () => {
  const e = explainWith(calc(BASE), 'HELPERS', req('CONFIG_HELPERS=y'));
  assert.match(e.reason, /not defined in this tree \(ARCH=x86\)/);
  assert.match(e.details.join('\n'), /HELPER/);
});

test('symbol info: definitions, menu conditions, visible if, selects, ranges, defaults, choice', () => {
  const { tree } = parseTree({ files: new MapFiles('mem', new Map([['Kconfig', KCONFIG]])), arch: 'x86', srcarch: 'x86', env: new Map(), shell: () => undefined });
  const model = buildModel(tree);
  const nf = symbolInfo(model, 'NF');
  assert.deepEqual(nf?.definitions, [
    { at: 'Kconfig:10', kind: 'config', type: 'tristate', prompt: { text: 'nf' }, dependsOn: 'IPV6', inherited: 'NET', visibleIf: 'EXPERT', help: 'Netfilter.' },
  ]);
  assert.deepEqual(symbolInfo(model, 'DEEP')?.selectedBy, [{ symbol: 'HELPER', if: 'NET', at: 'Kconfig:22' }]);
  assert.deepEqual(symbolInfo(model, 'SHIFT')?.ranges, [{ min: '12', max: '25', at: 'Kconfig:33' }]);
  assert.deepEqual(symbolInfo(model, 'P1')?.choice?.members, ['P1', 'P2']);
  assert.equal(symbolInfo(model, 'NOPE'), undefined);
  assert.match(renderInfo(nf as NonNullable<typeof nf>).join('\n'), /defined at Kconfig:10 \(config tristate\)\n {4}prompt: "nf"\n {4}depends on IPV6/);
  assert.match(renderInfo(nf as NonNullable<typeof nf>).join('\n'), /\n {4}visible if EXPERT\n {4}help: Netfilter\.$/, 'the help text, after the conditions');
});

test('invisible with a default: a requested n is ignored and the default applies', () => {
  const e = explainWith(calc('CONFIG_MODULES=y\n# CONFIG_EXPERT is not set\n'), 'DFLT', req('# CONFIG_DFLT is not set'));
  assert.match(e.reason, /not visible: .* ignored and its defaults make it y/);
  assert.match(e.details.join('\n'), /EXPERT=n/);
  assert.match(e.details.join('\n'), /default y \(applies\)/);
  assert.deepEqual(e.set, ['CONFIG_EXPERT=y']);
});
