import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr, KconfigTree, Operand } from '../../src/kconfig/ast.js';
import { parseTree } from '../../src/kconfig/parse-tree.js';
import { MapFiles } from '../../src/kconfig/source-files.js';
import { parseConfigText } from '../../src/kconfig/fragment.js';
import { cStrtol, evalExpr, exprToString, rewriteM, type ValueSource } from '../../src/kconfig/eval.js';
import { buildModel } from '../../src/kconfig/model.js';
import { Calculator } from '../../src/kconfig/values.js';

function tree(text: string): KconfigTree {
  const { tree: t } = parseTree({
    files: new MapFiles('mem', new Map([['Kconfig', text]])),
    arch: 'x86',
    srcarch: 'x86',
    env: new Map(),
    shell: () => undefined,
  });
  assert.deepEqual(t.diagnostics.filter((d) => d.severity === 'error'), []);
  return t;
}

function calc(kconfig: string, dotconfig = ''): Calculator {
  return new Calculator(buildModel(tree(kconfig)), parseConfigText(dotconfig, '.config'));
}

/** Evaluate `depends on EXPR` of a probe symbol against fixed values. */
function value(expr: string, defs: string, dot: string): number {
  const c = calc(`${defs}\nconfig PROBE\n\tbool\n\tdefault y if ${expr}\n`, dot);
  const d = c.activeDefault(c.model.symbols.get('PROBE') as never);
  return d?.visible ?? 0;
}

const TRI = `
config MODULES
	bool "modules"
	modules
config T1
	tristate "t1"
config T2
	tristate "t2"
config B1
	bool "b1"
config S
	string "s"
config I
	int "i"
config H
	hex "h"
`;
const DOT = 'CONFIG_MODULES=y\nCONFIG_T1=m\nCONFIG_T2=y\nCONFIG_B1=y\nCONFIG_S="abc"\nCONFIG_I=10\nCONFIG_H=0x1f\n';

test('&& is min, || is max, ! is 2-x, over n/m/y', () => {
  assert.equal(value('T1 && T2', TRI, DOT), 1);
  assert.equal(value('T1 || T2', TRI, DOT), 2);
  assert.equal(value('!T1', TRI, DOT), 1);
  assert.equal(value('!T2', TRI, DOT), 0);
  assert.equal(value('!(T1 && B1) || T2 && T1', TRI, DOT), 1);
  assert.equal(value('UNDEFINED_SYMBOL || T1', TRI, DOT), 1);
});

test('a symbol absent from the .config is n', () => {
  assert.equal(value('T1', TRI, 'CONFIG_MODULES=y\n'), 0);
  assert.equal(value('!T1', TRI, 'CONFIG_MODULES=y\n'), 2);
});

test('comparisons: tristates, strings, decimal and hex numbers, undefined words as constants', () => {
  assert.equal(value('T1 = m', TRI, DOT), 2);
  assert.equal(value('T1 != y', TRI, DOT), 2);
  assert.equal(value('T1 < T2', TRI, DOT), 2);
  assert.equal(value('S = "abc"', TRI, DOT), 2);
  assert.equal(value('S != "abd"', TRI, DOT), 2);
  assert.equal(value('I = 10', TRI, DOT), 2);
  assert.equal(value('I > 9', TRI, DOT), 2);
  assert.equal(value('I >= 0x0a', TRI, DOT), 2);
  assert.equal(value('I < 2', TRI, DOT), 0);
  assert.equal(value('H = 31', TRI, DOT), 2, 'hex 0x1f read base 16 vs 31 read base 0: 31 = 31');
  assert.equal(value('H > 0x10', TRI, DOT), 2);
  assert.equal(value('H <= 0x1f', TRI, DOT), 2);
  assert.equal(value('FOO = FOO', TRI, DOT), 2);
  assert.equal(value('S < "abd"', TRI, DOT), 2);
});

test('C strtoll semantics: prefixes, signs, octal under base 0, 64-bit overflow', () => {
  assert.equal(cStrtol('0x1f', 0, false).value, 31n);
  assert.equal(cStrtol('010', 0, false).value, 8n);
  assert.equal(cStrtol('-12', 10, false).value, -12n);
  assert.equal(cStrtol('ff', 16, true).value, 255n);
  assert.equal(cStrtol('99999999999999999999', 10, false).overflow, true);
  assert.equal(cStrtol('abc', 10, false).end, 0);
});

test('m in a dependency means m && MODULES; with MODULES=n a tristate is a bool', () => {
  const k = `${TRI}\nconfig DM\n\ttristate "dm"\n\tdepends on m\n`;
  const on = calc(k, 'CONFIG_MODULES=y\nCONFIG_DM=y\n');
  assert.equal(on.calc('DM').visible, 1);
  assert.equal(on.calc('DM').value.tri, 1, 'y capped at m by `depends on m`');
  const off = calc(k, '# CONFIG_MODULES is not set\nCONFIG_DM=y\nCONFIG_T1=m\n');
  assert.equal(off.calc('DM').visible, 0);
  assert.equal(off.calc('DM').value.tri, 0);
  assert.equal(off.calc('T1').value.tri, 2, 'm becomes y when modules are off');
  assert.equal(off.user('B1'), undefined);
});

test('rewriteM leaves comparisons alone and exprToString prints Kconfig syntax', () => {
  const e: Expr = {
    kind: 'or',
    left: { kind: 'and', left: { kind: 'tri', value: 1 }, right: { kind: 'not', arg: { kind: 'sym', name: 'A' } } },
    right: { kind: 'cmp', op: '=', left: { kind: 'sym', name: 'B' } as Operand, right: { kind: 'tri', value: 1 } },
  };
  assert.equal(exprToString(rewriteM(e, 'MODULES')), 'm && MODULES && !A || B = m');
  assert.equal(exprToString({ kind: 'not', arg: e }), '!(m && !A || B = m)');
  const src: ValueSource = { lookup: () => undefined };
  assert.equal(evalExpr(e, src), 1, '!A is y for an undefined A; m && y = m; B = m compares the text "B" with "m": n');
});

const SEM = `
config MODULES
	bool "modules"
	modules
config IPV6
	tristate "ipv6"
config NF
	tristate "nf"
	depends on IPV6
config HIDDEN
	bool
	default y if IPV6
config SEL
	bool "sel"
	select FORCED
config FORCED
	tristate "forced"
	depends on IPV6
config IMPL
	tristate "impl"
	imply SOFT
config SOFT
	tristate "soft"
config SHIFT
	int "shift"
	range 12 25
	default 17
config HX
	hex "hx"
	range 0x1000 0x2000
	default 0x1000
config STR
	string "str"
	default "dflt"
choice
	prompt "pick"
	default P2
config P1
	bool "p1"
config P2
	bool "p2"
config P3
	bool "p3"
endchoice
`;

test('sym_calc_value: user values capped by visibility, selects force, no prompt ignores the user', () => {
  const c = calc(SEM, 'CONFIG_MODULES=y\nCONFIG_IPV6=m\nCONFIG_NF=y\n# CONFIG_HIDDEN is not set\nCONFIG_SEL=y\n# CONFIG_FORCED is not set\n');
  assert.equal(c.calc('NF').value.tri, 1);
  assert.equal(c.calc('HIDDEN').value.tri, 2, 'no prompt: the user n is ignored, the default applies');
  assert.equal(c.calc('FORCED').value.tri, 2, 'selected by SEL=y (even though IPV6=m caps its dependency)');
  assert.equal(c.calc('FORCED').dirDep, 1);
  assert.equal(c.calc('FORCED').revDep, 2);
  assert.equal(c.calc('STR').value.val, 'dflt');
  assert.equal(c.calc('STR').written, true);
});

test('imply sets a default the user can override; without a user value it follows the implier', () => {
  assert.equal(calc(SEM, 'CONFIG_MODULES=y\nCONFIG_IMPL=m\n').calc('SOFT').value.tri, 1);
  assert.equal(calc(SEM, 'CONFIG_MODULES=y\nCONFIG_IMPL=y\n# CONFIG_SOFT is not set\n').calc('SOFT').value.tri, 0);
});

test('ranges clamp int and hex values to the nearest bound; invalid values are refused', () => {
  const c = calc(SEM, 'CONFIG_SHIFT=40\nCONFIG_HX=0x10\n');
  assert.equal(c.calc('SHIFT').value.val, '25');
  assert.equal(c.calc('HX').value.val, '0x1000');
  const bad = calc(SEM, 'CONFIG_SHIFT=0x10\nCONFIG_NF=m\n');
  assert.equal(bad.user('SHIFT')?.ok, false);
  assert.equal(bad.calc('SHIFT').value.val, '17');
});

test('choices: the user y wins, else the default, else the first visible member', () => {
  assert.equal(calc(SEM, 'CONFIG_P3=y\n').calc('P3').value.tri, 2);
  assert.equal(calc(SEM, 'CONFIG_P3=y\n').calc('P2').value.tri, 0);
  assert.equal(calc(SEM, '').calc('P2').value.tri, 2);
  const noDefault = calc(SEM, '# CONFIG_P2 is not set\n');
  assert.equal(noDefault.calc('P1').value.tri, 2);
  assert.equal(noDefault.calc('P2').value.tri, 0);
});

test('which symbols a .config lists: visible ones, non-n defaults, selected ones', () => {
  const c = calc(SEM, 'CONFIG_MODULES=y\n# CONFIG_IPV6 is not set\n');
  assert.equal(c.calc('NF').written, false, 'invisible and n: not written');
  assert.equal(c.calc('HIDDEN').written, false, 'promptless with an n default: not written');
  assert.equal(c.calc('IPV6').written, true);
  const d = calc(SEM, 'CONFIG_MODULES=y\nCONFIG_IPV6=y\nCONFIG_SEL=y\n');
  assert.equal(d.calc('HIDDEN').written, true, 'promptless with a y default');
  assert.equal(d.calc('FORCED').written, true);
});
