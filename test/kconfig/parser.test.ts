import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigEntry, Entry } from '../../src/kconfig/ast.js';
import { exprToString } from '../../src/kconfig/expr.js';
import { errorsOf, parseSnippet } from './snippet.js';

function config(entries: Entry[], name: string): ConfigEntry {
  for (const e of entries) {
    if (e.kind === 'config' && e.name === name) return e;
    if ('children' in e) {
      const found = (() => {
        try {
          return config(e.children, name);
        } catch {
          return undefined;
        }
      })();
      if (found) return found;
    }
  }
  throw new Error(`no config ${name}`);
}

test('config options: type with prompt and if, default, def_bool, select/imply with if, range, modules, help', () => {
  const t = parseSnippet(`mainmenu "Test"
config MODULES
	bool "Modules"
	modules
config A
	tristate "A thing" if B
	default m if C
	select S if D
	imply I
	depends on B
	help
	  Line one.

	    Indented.
config N
	int
	range 1 10 if B
	default 5
config B
	def_bool y
config C
	def_tristate m
config S
	bool
config I
	bool
config D
	bool
`);
  assert.deepEqual(errorsOf(t), []);
  assert.equal(t.mainmenu, 'Test');
  const a = config(t.entries, 'A');
  assert.equal(a.type, 'tristate');
  assert.deepEqual(a.prompts.map((p) => [p.text, p.cond && exprToString(p.cond), p.loc.line]), [['A thing', 'B', 6]]);
  assert.deepEqual(a.defaults.map((d) => [exprToString(d.value), d.cond && exprToString(d.cond)]), [['m', 'C']]);
  assert.deepEqual(a.defaults[0]?.value, { kind: 'tri', value: 1 });
  assert.deepEqual(a.selects.map((s) => [s.target, s.cond && exprToString(s.cond)]), [['S', 'D']]);
  assert.deepEqual(a.implies.map((s) => s.target), ['I']);
  assert.deepEqual(a.dependsOn.map((d) => exprToString(d.expr)), ['B']);
  assert.equal(a.help, 'Line one.\n\n  Indented.');
  assert.equal(config(t.entries, 'MODULES').modules, true);
  const n = config(t.entries, 'N');
  assert.equal(n.type, 'int');
  assert.deepEqual(n.ranges.map((r) => [r.min, r.max, r.cond && exprToString(r.cond)]), [
    [{ kind: 'sym', name: '1' }, { kind: 'sym', name: '10' }, 'B'],
  ]);
  assert.equal(t.symbols.get('B')?.type, 'bool');
  assert.equal(t.symbols.get('C')?.type, 'tristate');
  assert.deepEqual(t.symbols.get('S')?.selectedBy.map((s) => s.from), ['A']);
  assert.deepEqual(t.symbols.get('I')?.impliedBy.map((s) => s.from), ['A']);
});

test('expression precedence: || loosest, then &&, then comparisons, then !', () => {
  const t = parseSnippet(`config X
	bool
	depends on A || B && !C = D
	depends on !(A || B) && E < 5 && F != "s"
	depends on (A || B) && C
`);
  assert.deepEqual(errorsOf(t), []);
  const d = config(t.entries, 'X').dependsOn;
  assert.deepEqual(d[0]?.expr, {
    kind: 'or',
    left: { kind: 'sym', name: 'A' },
    right: {
      kind: 'and',
      left: { kind: 'sym', name: 'B' },
      right: { kind: 'not', arg: { kind: 'cmp', op: '=', left: { kind: 'sym', name: 'C' }, right: { kind: 'sym', name: 'D' } } },
    },
  });
  assert.equal(exprToString(d[1]!.expr), '!(A || B) && E < 5 && F != "s"');
  assert.equal(exprToString(d[2]!.expr), '(A || B) && C');
});

test('tristate constants are three values, never booleans', () => {
  const t = parseSnippet('config X\n\ttristate\n\tdefault n if m\n\tdefault y\n');
  const x = config(t.entries, 'X');
  assert.deepEqual(x.defaults.map((d) => d.value), [{ kind: 'tri', value: 0 }, { kind: 'tri', value: 2 }]);
  assert.deepEqual(x.defaults[0]?.cond, { kind: 'tri', value: 1 });
});

test('if / menu / choice conditions are inherited; visible if; choice membership', () => {
  const t = parseSnippet(`if ARCH_X
menu "Drivers"
	depends on PCI
	visible if EXPERT
config DRV
	bool "drv"
choice
	prompt "Pick"
	depends on DRV
	default P1
config P1
	bool "one"
if FAST
config P2
	bool "two"
endif
endchoice
comment "note"
	depends on DRV
endmenu
endif
config TOP
	bool
`);
  assert.deepEqual(errorsOf(t), []);
  const drv = config(t.entries, 'DRV');
  assert.equal(exprToString(drv.inherited!), 'ARCH_X && PCI');
  assert.equal(exprToString(drv.visibleIf!), 'EXPERT');
  const p1 = config(t.entries, 'P1');
  const p2 = config(t.entries, 'P2');
  assert.equal(exprToString(p1.inherited!), 'ARCH_X && PCI && DRV');
  assert.equal(exprToString(p2.inherited!), 'ARCH_X && PCI && DRV && FAST');
  assert.equal(p1.choice, 0);
  assert.equal(p2.choice, 0);
  assert.equal(t.choices[0]?.children.length, 2);
  assert.deepEqual(t.choices[0]?.defaults.map((d) => exprToString(d.value)), ['P1']);
  assert.equal(config(t.entries, 'TOP').inherited, undefined);
  assert.equal(config(t.entries, 'DRV').choice, undefined);
});

test('several definitions of one symbol keep every file:line; first type wins with a warning on conflict', () => {
  const t = parseSnippet({
    Kconfig: 'config X\n\tbool "x"\nsource "sub/Kconfig"\n',
    'sub/Kconfig': '\nconfig X\n\ttristate\n\tdefault y\n',
  });
  const x = t.symbols.get('X')!;
  assert.deepEqual(x.defs.map((d) => `${d.loc.file}:${d.loc.line}`), ['Kconfig:1', 'sub/Kconfig:2']);
  assert.equal(x.type, 'bool');
  assert.ok(t.diagnostics.some((d) => d.code === 'kconfig.type-redefined' && d.where.file === 'sub/Kconfig'));
});

test('source, rsource, osource, orsource, globs, and a missing source reported with file:line', () => {
  const t = parseSnippet({
    Kconfig: `source "a/Kconfig"
osource "nope/Kconfig"
source "g/*/Kconfig"
source "missing/Kconfig"
config AFTER
	bool
`,
    'a/Kconfig': 'rsource "Kconfig.sub"\norsource "Kconfig.none"\n',
    'a/Kconfig.sub': 'config SUB\n\tbool\n',
    'g/one/Kconfig': 'config G1\n\tbool\n',
    'g/two/Kconfig': 'config G2\n\tbool\n',
  });
  assert.deepEqual([...t.symbols.keys()], ['SUB', 'G1', 'G2', 'AFTER']);
  assert.deepEqual(t.files, ['Kconfig', 'a/Kconfig', 'a/Kconfig.sub', 'g/one/Kconfig', 'g/two/Kconfig']);
  assert.deepEqual(errorsOf(t), ['Kconfig:4 can\'t open file "missing/Kconfig"']);
});

test('syntax errors are reported as file:line and parsing goes on', () => {
  const t = parseSnippet(`config A
	bool "a"
	default (
config B
	bool
bogus statement here
endmenu
menu "unclosed"
config C
	bool
`);
  assert.deepEqual(errorsOf(t), [
    "Kconfig:3 syntax error: unexpected 'end of line' in expression",
    'Kconfig:6 unknown statement "bogus"',
    "Kconfig:7 unexpected 'endmenu' statement",
    'Kconfig:8 missing end statement for this entry',
  ]);
  assert.deepEqual([...t.symbols.keys()], ['A', 'B', 'C']);
});

test('help blocks: tab stops, blank lines, end at a less indented line, end at an unindented line', () => {
  const t = parseSnippet(
    'config A\n\tbool\n\thelp\n\t  First\n\t\t  deeper\n\n\t  last\n\tdefault y\nconfig B\n\tbool\n\thelp\n  two spaces\nconfig C\n\tbool\n',
  );
  assert.deepEqual(errorsOf(t), []);
  const a = config(t.entries, 'A');
  assert.equal(a.help, 'First\n        deeper\n\nlast\n');
  assert.deepEqual(a.defaults.map((d) => exprToString(d.value)), ['y']);
  assert.equal(config(t.entries, 'B').help, 'two spaces');
  assert.ok(t.symbols.has('C'));
});

test('line continuations, comments and quoted strings with escapes', () => {
  const t = parseSnippet('config A # trailing comment\n\tbool "say \\"hi\\" it\'s"\n\tdepends on B && \\\n\t\tC\nconfig B\n\tbool\n');
  assert.deepEqual(errorsOf(t), []);
  const a = config(t.entries, 'A');
  assert.equal(a.prompts[0]?.text, 'say "hi" it\'s');
  assert.equal(exprToString(a.dependsOn[0]!.expr), 'B && C');
  assert.equal(t.symbols.get('B')?.defs[0]?.loc.line, 5);
});

test('depends on A if B and transitional (newer kernels) are understood', () => {
  const t = parseSnippet('config A\n\tbool\n\ttransitional\n\tdepends on X if Y\n');
  const a = config(t.entries, 'A');
  assert.equal(a.transitional, true);
  assert.equal(exprToString(a.dependsOn[0]!.expr), 'X');
  assert.equal(exprToString(a.dependsOn[0]!.cond!), 'Y');
});
