/** What the manifest must refuse, at the offending line, with the fix (issue: hostile and broken inputs). */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isTarsmithError, type Failure } from '../../src/core/errors.js';
import { loadManifest, parseManifest } from '../../src/manifest/load.js';

const HEAD = 'version: 1\nname: x\nsourceDateEpoch: 1700000000\n';

function failures(text: string): Failure[] {
  const r = parseManifest(text, path.join(process.cwd(), 'tarsmith.yaml'));
  assert.equal(r.manifest, undefined, 'refused');
  return r.failures;
}

const at = (f: Failure | undefined): string => `${f?.where?.line}:${f?.where?.col} ${f?.code}`;

test('a YAML alias bomb is a coded error, not a crash', () => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (const n of ['b', 'c', 'd', 'e', 'f', 'g']) levels.push(`${n}: &${n} [${Array(9).fill(`*${levels.length === 1 ? 'a' : String.fromCharCode(n.charCodeAt(0) - 1)}`).join(',')}]`);
  const f = failures(`${HEAD}${levels.join('\n')}\nsources: []\n`);
  assert.deepEqual(f.map((x) => x.code), ['manifest.alias-bomb']);
  assert.equal(f[0]?.exit, 2);
});

test('unknown YAML tags are refused where they are written', () => {
  const f = failures(`${HEAD}sources:\n  - name: a\n    file: !include other.yaml\n  - name: b\n    file: !!binary aGVsbG8=\n`);
  assert.deepEqual(f.map(at), ['6:11 manifest.unknown-tag', '8:11 manifest.unknown-tag']);
});

test('schema messages read as sentences; an unquoted all-digit sha256 is told to be quoted; sourceDateEpoch stays in 0 … 2^32', () => {
  const f = failures(`version: 1\nname: x\nsourceDateEpoch: 1e300\nsources:\n  - name: a\n    file: a.tgz\n    sha256: ${'0'.repeat(64)}\n`);
  assert.deepEqual(f.map(at), ['3:18 manifest.invalid-maximum', '7:13 manifest.invalid-type']);
  assert.equal(f[0]?.message, 'sourceDateEpoch must be at most 4294967296');
  assert.equal(f[1]?.message, 'sources.0.sha256 must be a text string');
  assert.match(f[1]?.hint ?? '', /put the value in quotes/);
  const g = failures(`version: 1\nname: x\nsourceDateEpoch: 1.5\nsources: []\n`);
  assert.equal(g[0]?.message, 'sourceDateEpoch must be a whole number');
  assert.match(g[0]?.hint ?? '', /without a fraction or exponent/);
});

test('URLs and mirrors that are not URLs, builder.packages that are options, into: over tarsmith\'s helpers, artifacts leaving the output', () => {
  const f = failures(`${HEAD}sources:
  - name: a
    url: http://[::1
  - name: b
    url: https://example.org/b.tgz
    mirrors: ["--x", "https://m.example/", "file:///srv/mirror"]
  - name: c
    file: packages/c.tgz
    into: /tarsmith/bin
builder:
  rootfs: packages/r.tar
  family: apt
  packages: [gcc, "-oAPT::Get::AllowUnauthenticated=true", "libfoo:arm64", "gcc=4:12.2.0-3"]
build:
  targets:
    t:
      artifacts:
        - path: a
          rename: ../../etc/x
        - path: b
          rename: /abs
        - ../up
`);
  assert.deepEqual(f.map(at), [
    '6:10 manifest.bad-url',
    '9:15 manifest.bad-url',
    '12:11 manifest.reserved-path',
    '16:19 manifest.bad-package-name',
    '22:19 manifest.path-escape',
    '24:19 manifest.absolute-path',
    '25:11 manifest.path-escape',
  ]);
  assert.equal(f.find((x) => x.code === 'manifest.bad-package-name')?.value, '-oAPT::Get::AllowUnauthenticated=true');
  assert.match(f.find((x) => x.where?.line === 22)?.message ?? '', /inside out\/x\//);
});

test('allow: takes only the classes the policy knows', () => {
  const f = failures(`${HEAD}sources:\n  - name: a\n    file: a.tgz\n    allow: [devices]\n`);
  assert.deepEqual(f.map(at), ['7:13 manifest.invalid-enum']);
  const ok = parseManifest(`${HEAD}sources:\n  - name: a\n    file: a.tgz\n    allow: [absolute-symlinks]\n`, '/p/tarsmith.yaml');
  assert.deepEqual(ok.manifest?.sources[0]?.allow, ['absolute-symlinks']);
});

test('a packages/ folder that is a symlink leading outside the project is refused', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-pkgs-'));
  try {
    const proj = path.join(dir, 'proj');
    await fs.mkdir(path.join(proj, 'vendor'), { recursive: true });
    await fs.mkdir(path.join(dir, 'elsewhere'));
    await fs.writeFile(path.join(proj, 'tarsmith.yaml'), `${HEAD}sources: []\n`);
    await fs.symlink('../elsewhere', path.join(proj, 'packages'));
    await assert.rejects(loadManifest({ cwd: proj }), (e) => isTarsmithError(e) && e.failures[0]?.code === 'manifest.packages-outside' && e.exit === 2);
    await fs.rm(path.join(proj, 'packages'));
    await fs.symlink('vendor', path.join(proj, 'packages'));
    assert.equal((await loadManifest({ cwd: proj })).name, 'x', 'a symlink to a folder inside the project is fine');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
