import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PACKAGES_DIR, SHIMS_BIN, fetchShims, normalizeUrl, renderUrlMap, urlMapRows } from '../../src/shims/index.js';
import { cloneDirName, splitProvided } from '../../src/shims/url.js';
import { lockEntry, manifest, source } from './rig.js';

test('URL matching normalises http/https, trailing slash and .git, and nothing looser', () => {
  assert.equal(normalizeUrl('http://github.com/nxp-qoriq/fmlib.git/'), 'https://github.com/nxp-qoriq/fmlib');
  assert.equal(normalizeUrl('https://github.com/nxp-qoriq/fmlib'), 'https://github.com/nxp-qoriq/fmlib');
  assert.notEqual(normalizeUrl('https://GitHub.com/nxp-qoriq/fmlib'), normalizeUrl('https://github.com/nxp-qoriq/fmlib'));
  assert.notEqual(normalizeUrl('git://github.com/nxp-qoriq/fmlib'), normalizeUrl('https://github.com/nxp-qoriq/fmlib'));
  assert.notEqual(normalizeUrl('https://x.org/a.tar.gz?x=1'), normalizeUrl('https://x.org/a.tar.gz'));
  assert.deepEqual(splitProvided('https://x.org/r.git#v1.2'), { url: 'https://x.org/r.git', ref: 'v1.2' });
  assert.deepEqual(splitProvided('https://x.org/a.tar.gz'), { url: 'https://x.org/a.tar.gz' });
  assert.equal(cloneDirName('https://github.com/nxp-qoriq/fmc.git/'), 'fmc');
  assert.equal(cloneDirName('git@github.com:nxp/fmlib.git'), 'fmlib');
});

test('the URL map has one sorted row per provided URL, skips private sources, and is deterministic', () => {
  const m = manifest([
    source('b', { kind: 'url', url: 'https://x.org/b-1.tar.gz', mirrors: [] }),
    source('a', { kind: 'git', git: 'https://x.org/a.git', ref: 'refs/tags/v1', commit: 'c'.repeat(40) }, [
      'https://x.org/a.git',
      'http://mirror.x.org/a#v1-mirror',
    ]),
    { ...source('secret', { kind: 'url', url: 'https://x.org/s.tar.gz', mirrors: [] }), private: true },
    source('unlocked', { kind: 'url', url: 'https://x.org/u.tar.gz', mirrors: [] }),
  ]);
  const lock = {
    sources: {
      a: lockEntry('packages/a-v1.tar.gz', '1'.repeat(64), 'git'),
      b: lockEntry('b-1.tar.gz', '2'.repeat(64), 'url'),
      secret: lockEntry('s.tar.gz', '3'.repeat(64), 'url'),
    },
  } as const;
  const rows = urlMapRows(m, lock);
  assert.deepEqual(
    rows.map((r) => [r.key, r.ref, r.commit, r.file, r.name, r.layout]),
    [
      ['https://mirror.x.org/a', 'v1-mirror', 'c'.repeat(40), 'a-v1.tar.gz', 'a', 'tree'],
      ['https://x.org/a', 'v1', 'c'.repeat(40), 'a-v1.tar.gz', 'a', 'tree'],
      ['https://x.org/b-1.tar.gz', undefined, undefined, 'b-1.tar.gz', 'b', 'auto'],
    ],
  );
  const text = renderUrlMap(rows, 1700000000);
  assert.equal(text.split('\n')[1], '#epoch 1700000000');
  assert.equal(text.split('\n')[4], `https://x.org/b-1.tar.gz\t-\t-\tb-1.tar.gz\t${'2'.repeat(64)}\tb\tauto\thttps://x.org/b-1.tar.gz`);
  const shims = fetchShims(m, lock);
  assert.equal(shims.binDir, SHIMS_BIN);
  assert.equal(PACKAGES_DIR, '/opt/tarsmith/packages');
  assert.deepEqual(shims.files.map((f) => [f.path, f.mode]), [
    ['bin/apk', 0o755], ['bin/apt', 0o755], ['bin/apt-get', 0o755], ['bin/curl', 0o755], ['bin/git', 0o755], ['bin/wget', 0o755], ['lib/common.sh', 0o644], ['urlmap', 0o644],
  ]);
  assert.deepEqual(fetchShims(m, lock), shims);
  for (const f of shims.files.filter((x) => x.path.startsWith('bin/'))) {
    assert.ok(f.content.startsWith('#!/bin/sh\n'), f.path);
    assert.ok(!f.content.includes('$\\{'), `${f.path} has no unconverted expansions`);
  }
});

test('a source built from a --source override outside packages/ is answered from packages/_overrides/NAME/', async () => {
  const { packageFileOf } = await import('../../src/shims/index.js');
  assert.equal(packageFileOf('lib', 'packages/lib-1.tar.gz'), 'lib-1.tar.gz');
  assert.equal(packageFileOf('lib', 'lib-1.tar.gz'), 'lib-1.tar.gz');
  assert.equal(packageFileOf('lib', '/data/new/lib-2.tar.gz'), '_overrides/lib/lib-2.tar.gz');
  const m = manifest([source('lib', { kind: 'url', url: 'https://x.org/lib-1.tar.gz', mirrors: [] })]);
  const rows = urlMapRows(m, { sources: { lib: lockEntry('/data/new/lib-2.tar.gz', '4'.repeat(64), 'url') } });
  assert.deepEqual(rows.map((r) => [r.key, r.file, r.sha256]), [['https://x.org/lib-1.tar.gz', '_overrides/lib/lib-2.tar.gz', '4'.repeat(64)]]);
});
