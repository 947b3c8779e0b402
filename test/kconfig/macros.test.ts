import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigEntry } from '../../src/kconfig/ast.js';
import { exprToString } from '../../src/kconfig/expr.js';
import { errorsOf, parseSnippet } from './snippet.js';

const cfg = (t: ReturnType<typeof parseSnippet>, n: string) => t.symbols.get(n)?.defs[0] as ConfigEntry;

test('recursive (=), simple (:=) and appended (+=) variables, user functions with $(1)', () => {
  const t = parseSnippet(`X = a
R = $(X)-r
S := $(X)-s
X = b
R += more
greet = hello-$(1)-$(2)
config $(R)_$(S)
	bool "$(greet,world,x) $(R)"
`.replace('config $(R)_$(S)', 'config V_$(S)'));
  assert.deepEqual(errorsOf(t), []);
  const v = cfg(t, 'V_a-s');
  assert.ok(v, [...t.symbols.keys()].join(','));
  assert.equal(v.prompts[0]?.text, 'hello-world-x b-r more');
});

test('environment: $(srctree), $(ARCH), $(SRCARCH) in source paths and words', () => {
  const t = parseSnippet({
    Kconfig: 'source "arch/$(SRCARCH)/Kconfig"\nconfig ARCH_IS\n\tstring\n\tdefault "$(ARCH)"\n',
    'arch/x86/Kconfig': 'config X86\n\tdef_bool y\n',
  });
  assert.deepEqual(errorsOf(t), []);
  assert.ok(t.symbols.has('X86'));
  assert.deepEqual(cfg(t, 'ARCH_IS').defaults[0]?.value, { kind: 'str', value: 'x86_64' });
});

test('built-in functions: if, filter-out, info, warning-if, error-if, filename, lineno', () => {
  const t = parseSnippet(`yes := $(if,x,then,else)
no := $(if,,then,else)
left := $(filter-out,b%,a bc bd e)
$(info,hello)
$(warning-if,y,careful)
$(warning-if,n,silent)
$(error-if,y,stop here)
config A
	string "$(yes) $(no) $(left) $(filename):$(lineno)"
`);
  assert.equal(cfg(t, 'A').prompts[0]?.text, 'then else a e Kconfig:9');
  const msgs = t.diagnostics.map((d) => `${d.severity} ${d.where.line} ${d.message}`);
  assert.deepEqual(msgs, ['info 4 hello', 'warning 5 careful', 'error 7 stop here']);
});

test('shell and compiler probes: unknown without a toolchain, evaluated through one when given', () => {
  const src = `cc-option = $(success,$(CC) $(1))
success = $(shell,{ $(1); } >/dev/null 2>&1 && echo y || echo n)
config HAS_FLAG
	def_bool $(cc-option,-fstack-protector)
	depends on $(success,true) = y
`;
  const unknown = parseSnippet(src, { env: { CC: 'gcc' } });
  const h = cfg(unknown, 'HAS_FLAG');
  assert.equal(h.defaults[0]?.value.kind, 'unknown');
  assert.equal(h.type, 'bool');
  assert.equal(unknown.unknownMacros.length, 2);
  const seen: string[] = [];
  const known = parseSnippet(src, {
    env: { CC: 'gcc' },
    shell: (cmd) => {
      seen.push(cmd);
      return 'y';
    },
  });
  assert.deepEqual(cfg(known, 'HAS_FLAG').defaults[0]?.value, { kind: 'tri', value: 2 });
  assert.equal(exprToString(cfg(known, 'HAS_FLAG').dependsOn[0]!.expr), 'y = y');
  assert.ok(seen.includes('{ gcc -fstack-protector; } >/dev/null 2>&1 && echo y || echo n'));
});

test('a macro that expands to nothing drops the token; $ without ( stays literal in strings', () => {
  const t = parseSnippet('empty :=\nconfig A\n\tbool "cost $5"\n\tdepends on B $(empty)\n');
  assert.deepEqual(errorsOf(t), []);
  assert.equal(cfg(t, 'A').prompts[0]?.text, 'cost $5');
  assert.equal(exprToString(cfg(t, 'A').dependsOn[0]!.expr), 'B');
});

test('recursive variable referencing itself is an error, not a hang', () => {
  const t = parseSnippet('X = $(X)\nconfig A\n\tbool "$(X)"\n');
  assert.ok(t.diagnostics.some((d) => d.code === 'kconfig.macro-recursive'));
});
