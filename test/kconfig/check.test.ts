import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExitCode, checkFragment, renderCheckReport, satisfies } from '../../src/kconfig/check.js';
import { dotConfigFromText } from '../../src/kconfig/dotconfig.js';
import { parseConfigText } from '../../src/kconfig/fragment.js';

const CONFIG = dotConfigFromText(
  ['CONFIG_A=y', 'CONFIG_B=m', '# CONFIG_C is not set', 'CONFIG_N=0x10', 'CONFIG_S="x"', 'CONFIG_I=64'].join('\n'),
  '.config',
);

function check(fragment: string) {
  return checkFragment(parseConfigText(fragment, 'frag.config'), CONFIG);
}

test('the seed failure: a symbol missing from the .config, in the exact message format', () => {
  const r = check('CONFIG_A=y\nCONFIG_NETFILTER_XTABLES_LEGACY=y\n');
  assert.equal(r.ok, false);
  assert.equal(checkExitCode(r), 1);
  assert.equal(
    renderCheckReport(r),
    [
      'kconfig mismatch: CONFIG_NETFILTER_XTABLES_LEGACY',
      '  expected: CONFIG_NETFILTER_XTABLES_LEGACY=y',
      '  actual:   <missing>',
      'error: resolved kernel config does not satisfy frag.config',
      '',
    ].join('\n'),
  );
  assert.deepEqual(r.mismatches.map((m) => m.line), [2]);
});

test('"is not set" actual values, and values compared by meaning', () => {
  const r = check('CONFIG_C=y\nCONFIG_B=y\nCONFIG_N=16\nCONFIG_N2=0x10\nCONFIG_I=64\nCONFIG_S="x"\n');
  assert.deepEqual(
    r.mismatches.map((m) => [m.name, m.expected, m.actual]),
    [
      ['C', 'CONFIG_C=y', '# CONFIG_C is not set'],
      ['B', 'CONFIG_B=y', 'CONFIG_B=m'],
      ['N', 'CONFIG_N=16', 'CONFIG_N=0x10'],
      ['N2', 'CONFIG_N2=0x10', '<missing>'],
    ],
  );
});

test('"# is not set" and "=n" are met by "is not set" and by absence; absence is a no-op warning', () => {
  const r = check('# CONFIG_C is not set\nCONFIG_C2=n\n# CONFIG_GONE is not set\n# CONFIG_A is not set\n');
  assert.deepEqual(r.mismatches.map((m) => [m.name, m.actual]), [['A', 'CONFIG_A=y']]);
  assert.deepEqual(
    r.warnings.map((w) => [w.code, w.where?.line]),
    [
      ['kconfig.no-op-line', 2],
      ['kconfig.no-op-line', 3],
    ],
  );
  assert.equal(checkExitCode(r), 1);
});

test('with tree knowledge, a not-set line for a symbol the tree lacks is a no-op; one it has is fine', () => {
  const tree = { defines: (n: string) => n === 'HIDDEN', explain: () => ({ reason: 'r', details: [] }) };
  const r = checkFragment(parseConfigText('# CONFIG_HIDDEN is not set\n# CONFIG_GONE is not set\n', 'f'), CONFIG, tree);
  assert.equal(r.ok, true);
  assert.deepEqual(r.warnings.map((w) => [w.where?.line, w.message]), [[2, 'CONFIG_GONE is not defined in this kernel tree: a no-op line']]);
});

test('malformed fragment lines make the check fail with exit 2, mismatches still reported', () => {
  const r = check('CONFIG_A=yes please\nCONFIG_B=y\n');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]?.where?.line, 1);
  assert.equal(checkExitCode(r), 2);
  assert.equal(r.mismatches.length, 1);
  assert.match(renderCheckReport(r), /^frag\.config:1: error\[kconfig\.fragment-syntax\]/);
});

test('satisfies() treats =n like is-not-set', () => {
  const n = { name: 'X', line: 1, text: '', value: { kind: 'tristate' as const, value: 'n' as const } };
  assert.equal(satisfies(n, { state: 'absent' }), true);
  assert.equal(satisfies({ name: 'X', line: 1, text: '' }, { state: 'set', value: { kind: 'tristate', value: 'm' }, line: n }), false);
});
