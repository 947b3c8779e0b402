import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTarsmithError } from '../../src/core/errors.js';
import { compareTrees } from '../../src/repro/compare.js';
import { parseVariations, variantFor, VARIATIONS } from '../../src/repro/variations.js';

test('variations: all by default, names, -name to leave one out; an unknown name is a usage error', () => {
  assert.deepEqual(parseVariations(undefined), [...VARIATIONS]);
  assert.deepEqual(parseVariations('time,timezone'), ['time', 'timezone']);
  assert.deepEqual(parseVariations('all,-user,-dir-order'), VARIATIONS.filter((v) => v !== 'user' && v !== 'dir-order'));
  assert.throws(() => parseVariations('time,clock'), (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'repro.unknown-variation' && e.failures[0]?.exit === 2);
});

test('the second build: its own build id, the variables, shims first on PATH, the wrapper and the set-up step', () => {
  const v = variantFor(VARIATIONS, 'n-2', ['/tarsmith-repro/build-path-varied/src/app']);
  assert.equal(v.buildId, 'n-2');
  assert.equal(v.env?.TZ, 'REP-14');
  assert.equal(v.env?.LC_ALL, 'fr_CH.UTF-8');
  assert.equal(v.env?.TARSMITH_STEP_UMASK, '0002');
  assert.match(v.env?.MAKEFLAGS ?? '', /^-j\d+$/);
  assert.equal(v.tools?.binDir, '/tarsmith/vary/bin');
  assert.deepEqual(v.tools?.files.map((f) => f.path).filter((p) => p.startsWith('bin/')).sort(), ['bin/dnsdomainname', 'bin/hostname', 'bin/nproc', 'bin/uname']);
  assert.deepEqual(v.stepWrapper, ['/bin/sh', '/tarsmith/vary/vary.sh']);
  assert.deepEqual(v.stepSetup, [['/bin/sh', '/tarsmith/vary/vary-setup.sh', VARIATIONS.join(','), '/tarsmith-repro/build-path-varied/src/app']]);
  assert.equal(v.sourceRoot, '/tarsmith-repro/build-path-varied');
  const tz = variantFor(['timezone'], 'n-2', []);
  assert.deepEqual(tz.env, { TZ: 'REP-14' });
  assert.equal(tz.tools?.binDir, undefined, 'PATH left alone without shims or the path variation');
  assert.equal(tz.stepWrapper, undefined);
  assert.equal(tz.sourceRoot, undefined);
});

test('compareTrees: bytes, symlink targets, modes, paths in one tree only; the record and provenance left out', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-compare-'));
  try {
    const [a, b] = [path.join(root, 'a'), path.join(root, 'b')];
    for (const d of [a, b]) {
      await fs.mkdir(path.join(d, 'lib'), { recursive: true });
      await fs.writeFile(path.join(d, 'same'), 'x');
      await fs.writeFile(path.join(d, 'tarsmith-build.json'), d);
      await fs.writeFile(path.join(d, 'provenance.json'), d);
    }
    await fs.writeFile(path.join(a, 'bin'), 'one');
    await fs.writeFile(path.join(b, 'bin'), 'two');
    await fs.symlink('libx.so.1', path.join(a, 'lib', 'libx.so'));
    await fs.symlink('libx.so.2', path.join(b, 'lib', 'libx.so'));
    await fs.writeFile(path.join(a, 'tool'), 't', { mode: 0o755 });
    await fs.writeFile(path.join(b, 'tool'), 't', { mode: 0o644 });
    await fs.writeFile(path.join(b, 'extra'), 'e');
    const r = await compareTrees(a, b);
    assert.deepEqual(r.differences.map((d) => `${d.path}:${d.what}`), ['bin:content', 'extra:only-in-second', 'lib/libx.so:symlink', 'tool:mode']);
    assert.equal(r.paths, 6);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
