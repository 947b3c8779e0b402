import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dotConfigFromText } from '../../src/kconfig/dotconfig.js';

const DOT = `#
# Automatically generated file; DO NOT EDIT.
# Linux/arm64 6.12.57 Kernel Configuration
#
CONFIG_CC_VERSION_TEXT="gcc (Debian 14.2.0-19) 14.2.0"
CONFIG_IPV6=m
# CONFIG_FOO is not set
CONFIG_LOG_BUF_SHIFT=17
`;

test('absent, "is not set" and set are three different facts', () => {
  const c = dotConfigFromText(DOT, '.config');
  assert.deepEqual(c.fact('MISSING'), { state: 'absent' });
  assert.equal(c.fact('FOO').state, 'unset');
  const ipv6 = c.fact('IPV6');
  assert.equal(ipv6.state, 'set');
  assert.deepEqual(ipv6.state === 'set' ? ipv6.value : undefined, { kind: 'tristate', value: 'm' });
  const cc = c.fact('CC_VERSION_TEXT');
  assert.deepEqual(cc.state === 'set' ? cc.value : undefined, { kind: 'string', value: 'gcc (Debian 14.2.0-19) 14.2.0' });
});

test('the header comment gives the architecture and version', () => {
  assert.deepEqual(dotConfigFromText(DOT, '.config').header, { arch: 'arm64', version: '6.12.57' });
  assert.equal(dotConfigFromText('CONFIG_A=y\n', 'x').header, undefined);
});
