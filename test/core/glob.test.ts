import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globRegExp } from '../../src/core/glob.js';

const matches = (glob: string, name: string): boolean => globRegExp(glob).test(name);

test('globRegExp: *, ? and classes stay within one path component', () => {
  assert.ok(matches('*.config', 'arm64.config'));
  assert.ok(!matches('*.config', 'arch/arm64.config'));
  assert.ok(matches('arch/*/Kconfig', 'arch/x86/Kconfig'));
  assert.ok(!matches('arch/*/Kconfig', 'arch/x86/um/Kconfig'));
  assert.ok(matches('lib?.so', 'libc.so'));
  assert.ok(!matches('a?b', 'a/b'));
  assert.ok(matches('Kconfig.[0-9]', 'Kconfig.7'));
  assert.ok(!matches('Kconfig.[0-9]', 'Kconfig.x'));
  assert.ok(matches('x[!0-9]', 'xa'));
  assert.ok(!matches('x[!0-9]', 'x5'));
  assert.ok(!matches('x[!0-9]', 'x/'), 'a negated class does not match a /');
});

test('globRegExp: a ] first in a class is a member; a [ never closed is literal; regex characters are literal', () => {
  assert.ok(matches('[]a]', ']'));
  assert.ok(matches('[]a]', 'a'));
  assert.ok(matches('[!]a]', 'b'));
  assert.ok(!matches('[!]a]', ']'));
  assert.ok(matches('a[b', 'a[b'));
  assert.ok(matches('lib.so.(1)+', 'lib.so.(1)+'));
  assert.ok(!matches('lib.so', 'libxso'));
  assert.ok(matches('[\\^]x', '^x'));
  assert.ok(matches('a]b', 'a]b'));
});
