import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kind, MemberTable } from '../../src/archive/member-table.js';

const plain = { exec: false, body: -1, offset: 0, size: 0 };

test('member table: names sort by UTF-8 bytes, a name set twice is replaced, parents are added', () => {
  const t = new MemberTable();
  t.set('pkg/zeta', { ...plain, kind: Kind.file, mtime: 1, body: 0, offset: 0, size: 5 });
  t.set('pkg/é', { ...plain, kind: Kind.symlink, mtime: 2, target: 'zeta' });
  t.set('pkg/a.b/c', { ...plain, kind: Kind.dir, mtime: 3 });
  t.set('pkg/a-b', { ...plain, kind: Kind.dir, mtime: 4 });
  t.set('pkg/zeta', { ...plain, kind: Kind.file, mtime: 9, exec: true, body: 1, offset: 5, size: 7 });
  t.addParents(100);
  const names = [...t.sorted()].map((m) => t.name(m));
  assert.deepEqual(names, ['pkg', 'pkg/a-b', 'pkg/a.b', 'pkg/a.b/c', 'pkg/zeta', 'pkg/é']);
  assert.deepEqual(t.get(t.find('pkg/zeta')), { kind: Kind.file, mtime: 9, exec: true, body: 1, offset: 5, size: 7, target: '' });
  assert.deepEqual(t.get(t.find('pkg/é')), { kind: Kind.symlink, mtime: 2, exec: false, body: -1, offset: 0, size: 0, target: 'zeta' });
  assert.equal(t.get(t.find('pkg/a.b')).mtime, 100);
  assert.equal(t.find('pkg/missing'), -1);
  assert.equal(t.size, 6);
});

test('member table: grows past its first capacity and byte store with every member still found', () => {
  const t = new MemberTable();
  const n = 30_000;
  const long = 'x'.repeat(60);
  for (let i = n - 1; i >= 0; i--) t.set(`d/${long}${String(i).padStart(6, '0')}`, { ...plain, kind: Kind.file, mtime: i, body: i, offset: i * 10, size: 10 });
  assert.equal(t.size, n);
  const order = [...t.sorted()];
  for (let k = 0; k < n; k++) {
    const m = order[k] as number;
    assert.equal(t.get(m).mtime, k);
    assert.equal(t.find(t.name(m)), m);
  }
});
