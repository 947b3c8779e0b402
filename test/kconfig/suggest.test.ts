import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, NameIndex, wordSimilarity } from '../../src/kconfig/suggest.js';

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('HDC', 'HCD'), 1);
  assert.equal(editDistance('', 'ABC'), 3);
  assert.equal(editDistance('SAME', 'SAME'), 0);
});

test('words alike: equal, shared stem, near spelling, unrelated', () => {
  assert.equal(wordSimilarity('LEGACY', 'LEGACY'), 1);
  assert.ok(wordSimilarity('XTABLES', 'IPTABLES') >= 0.5);
  assert.ok(wordSimilarity('ACCL', 'ACL') > 0.5);
  assert.equal(wordSimilarity('USB', 'LEGACY'), 0);
});

test('nearest names: suffix-sharing renames, the shorter parent, typos; unrelated names are not suggested', () => {
  const names = [
    'IP_NF_IPTABLES_LEGACY', 'IP6_NF_IPTABLES_LEGACY', 'NETFILTER_XTABLES', 'NETFILTER_ADVANCED', 'USB_EHCI_HCD',
    'USB_OHCI_HCD', 'EXT4_FS_POSIX_ACL', 'CRYPTO_SHA256', 'SOUND', 'NET',
  ];
  const index = new NameIndex(names);
  const legacy = index.nearest('NETFILTER_XTABLES_LEGACY', 3).map((s) => s.name);
  assert.deepEqual([...legacy].sort(), ['IP6_NF_IPTABLES_LEGACY', 'IP_NF_IPTABLES_LEGACY', 'NETFILTER_XTABLES']);
  assert.equal(index.nearest('USB_EHCI_HDC', 1)[0]?.name, 'USB_EHCI_HCD');
  assert.equal(index.nearest('EXT4_FS_POSIX_ACCL', 1)[0]?.name, 'EXT4_FS_POSIX_ACL');
  assert.deepEqual(index.nearest('TOTALLY_UNRELATED_THING'), []);
  assert.deepEqual(index.nearest('NETFILTER_XTABLES_LEGACY', 5), index.nearest('NETFILTER_XTABLES_LEGACY', 5));
});
