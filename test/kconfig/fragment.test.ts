import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, renderLine } from '../../src/kconfig/fragment.js';

const TEXT = [
  '# a comment',
  '',
  'CONFIG_A=y',
  'CONFIG_B=m',
  '# CONFIG_C is not set',
  'CONFIG_D=-12',
  'CONFIG_E=0x1F',
  'CONFIG_F="say \\"hi\\" \\\\ there"',
  'CONFIG_G=ff',
  'CONFIG_H=n\r',
].join('\n');

test('parses every kind of value and "is not set" lines', () => {
  const p = parseConfigText(TEXT, 'frag');
  assert.deepEqual(p.diagnostics, []);
  assert.deepEqual(
    p.lines.map((l) => [l.name, l.line, l.value]),
    [
      ['A', 3, { kind: 'tristate', value: 'y' }],
      ['B', 4, { kind: 'tristate', value: 'm' }],
      ['C', 5, undefined],
      ['D', 6, { kind: 'number', text: '-12' }],
      ['E', 7, { kind: 'hex', text: '0x1F' }],
      ['F', 8, { kind: 'string', value: 'say "hi" \\ there' }],
      ['G', 9, { kind: 'hex', text: 'ff' }],
      ['H', 10, { kind: 'tristate', value: 'n' }],
    ],
  );
});

test('renders lines back in the kernel spelling (strings re-escaped)', () => {
  const p = parseConfigText(TEXT, 'frag');
  assert.deepEqual(
    p.lines.map((l) => renderLine(l.name, l.value)),
    TEXT.replace('\r', '').split('\n').filter((l) => l.startsWith('CONFIG_') || l.startsWith('# CONFIG_')),
  );
});

test('malformed lines are errors with their line numbers; the kernel would ignore them', () => {
  const bad = [
    'CONFIG_OK=y',
    'CONFIG_S=unquoted text',
    'CONFIG_T="open',
    'CONFIG_U=',
    '#CONFIG_V is not set',
    'FOO=y',
    '  CONFIG_W=y',
    'CONFIG_X="a" trailing',
    'CONFIG_Y=word',
    'CONFIG_=y',
  ].join('\n');
  const p = parseConfigText(bad, 'bad.config');
  const errors = p.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => d.where?.line),
    [2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.ok(errors.every((d) => d.code === 'kconfig.fragment-syntax' && d.hint && d.where?.file === 'bad.config'));
  assert.match(errors[0]?.message ?? '', /text after the value/);
  assert.match(errors[1]?.message ?? '', /unterminated string/);
  assert.match(errors[3]?.hint ?? '', /# CONFIG_V is not set/);
  assert.deepEqual([...p.byName.keys()], ['OK']);
});

test('commented-out assignments and repeated symbols are warnings; the last assignment wins', () => {
  const p = parseConfigText('# CONFIG_A=y\nCONFIG_B=y\nCONFIG_B=m\n', 'f');
  assert.deepEqual(
    p.diagnostics.map((d) => [d.severity, d.code, d.where?.line]),
    [
      ['warning', 'kconfig.fragment-commented-out', 1],
      ['warning', 'kconfig.fragment-duplicate', 3],
    ],
  );
  assert.deepEqual(p.byName.get('B')?.value, { kind: 'tristate', value: 'm' });
  assert.equal(p.lines.length, 2);
});

test('a kernel-written "is not set" line with trailing space is not a valid unset line', () => {
  const p = parseConfigText('# CONFIG_A is not set \n', 'f');
  assert.equal(p.byName.size, 0);
  assert.equal(p.diagnostics[0]?.severity, 'error');
});
