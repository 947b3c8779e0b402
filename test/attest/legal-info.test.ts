import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cli, makeTarball, project, writeManifest } from '../support/rig.js';
import { csvField } from '../../src/attest/legal-info.js';

test('csv fields are quoted only when they must be (RFC 4180)', () => {
  assert.equal(csvField('MIT'), 'MIT');
  assert.equal(csvField('GPL-2.0, with exception'), '"GPL-2.0, with exception"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
});

test('legal-info: manifest.csv, the sources with their patch series, the license texts, a sha256 list; the same bytes twice', async () => {
  const p = await project('legal');
  try {
    await fs.mkdir(path.join(p.dir, 'packages'));
    await fs.mkdir(path.join(p.dir, 'patches'));
    const tgz = await makeTarball(p.root, 'app-1.2', {
      'COPYING': 'GPL text\n', 'LICENSE.md': 'MIT text\n', 'sub/LICENSE': 'sub license\n', 'deep/a/LICENSE': 'too deep\n', 'src/main.c': 'int main(void){return 0;}\n',
    });
    await fs.writeFile(path.join(p.dir, 'packages', 'app-1.2.tar.gz'), tgz);
    await fs.writeFile(path.join(p.dir, 'patches', 'fix.patch'), '--- a/x\n+++ b/x\n');
    await fs.writeFile(path.join(p.dir, 'packages', 'blob.bin'), 'firmware');
    await writeManifest(p.dir, [
      { name: 'app', file: 'packages/app-1.2.tar.gz', strip: 1, license: 'GPL-2.0-only OR MIT', patches: ['patches/fix.patch'] },
      { name: 'blob', file: 'packages/blob.bin', extract: false, license: 'LicenseRef-Vendor' },
    ]);
    const v = await cli(p, ['vendor']);
    assert.equal(v.status, 0, v.stderr);
    const r = await cli(p, ['legal-info', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { out: string; packages: { name: string; licenseFiles: string[] }[] };
    const out = path.join(p.dir, 'out', 'legal-info');
    assert.equal(res.out, out);
    assert.deepEqual(res.packages.find((x) => x.name === 'app')?.licenseFiles, ['COPYING', 'LICENSE.md', 'sub/LICENSE']);
    const csv = await fs.readFile(path.join(out, 'manifest.csv'), 'utf8');
    assert.equal(csv, [
      'PACKAGE,VERSION,LICENSE,LICENSE FILES,SOURCE ARCHIVE,SOURCE SITE',
      'app,1.2,GPL-2.0-only OR MIT,COPYING LICENSE.md sub/LICENSE,app-1.2.tar.gz,local file',
      'blob,,LicenseRef-Vendor,,blob.bin,local file',
      '',
    ].join('\r\n'));
    assert.deepEqual(await fs.readFile(path.join(out, 'sources', 'app', 'app-1.2.tar.gz')), tgz);
    assert.equal(await fs.readFile(path.join(out, 'sources', 'app', 'series'), 'utf8'), '001-fix.patch\n');
    assert.equal(await fs.readFile(path.join(out, 'licenses', 'app', 'COPYING'), 'utf8'), 'GPL text\n');
    assert.equal(await fs.readFile(path.join(out, 'licenses', 'app', 'license-id'), 'utf8'), 'GPL-2.0-only OR MIT\n');
    await assert.rejects(fs.stat(path.join(out, 'licenses', 'app', 'deep')));
    const check = execFileSync('sha256sum', ['-c', 'legal-info.sha256'], { cwd: out, encoding: 'utf8' });
    assert.equal(check.trim().split('\n').length, 11, check);
    const first = await fs.readFile(path.join(out, 'legal-info.sha256'));
    const again = await cli(p, ['legal-info']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^app\t1\.2\tGPL-2\.0-only OR MIT\tCOPYING LICENSE\.md sub\/LICENSE$/m);
    assert.deepEqual(await fs.readFile(path.join(out, 'legal-info.sha256')), first, 'the same bytes for the same inputs');
  } finally {
    await p.cleanup();
  }
});

test('legal-info: a private source is listed and never copied; the module signing key is left out', async () => {
  const p = await project('legal-private');
  try {
    await fs.mkdir(path.join(p.dir, 'packages'));
    const tgz = await makeTarball(p.root, 'vendor-2.0', { 'LICENSE': 'proprietary\n', 'src/a.c': 'int a;\n' });
    await fs.writeFile(path.join(p.dir, 'packages', 'vendor-2.0.tar.gz'), tgz);
    await fs.writeFile(path.join(p.dir, 'packages', 'linux.tar.gz'), await makeTarball(p.root, 'linux', { 'COPYING': 'GPL-2.0\n', 'Makefile': 'all:\n' }));
    await fs.writeFile(path.join(p.dir, 'packages', 'signing_key.pem'), '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n');
    await writeManifest(p.dir, [
      { name: 'vendor', file: 'packages/vendor-2.0.tar.gz', strip: 1, private: true, license: 'LicenseRef-Vendor' },
      { name: 'linux', file: 'packages/linux.tar.gz', strip: 1, license: 'GPL-2.0-only' },
      { name: 'key', file: 'packages/signing_key.pem', private: true, extract: false },
    ], { kernel: { source: 'linux', arch: 'x86_64', signingKey: 'key' } });
    const v = await cli(p, ['vendor']);
    assert.equal(v.status, 0, v.stderr);
    const r = await cli(p, ['legal-info']);
    assert.equal(r.status, 0, r.stderr);
    const out = path.join(p.dir, 'out', 'legal-info');
    assert.equal(await fs.readFile(path.join(out, 'manifest.csv'), 'utf8'), [
      'PACKAGE,VERSION,LICENSE,LICENSE FILES,SOURCE ARCHIVE,SOURCE SITE',
      'linux,,GPL-2.0-only,COPYING,linux.tar.gz,local file',
      'vendor,2.0,LicenseRef-Vendor,,vendor-2.0.tar.gz,private: not copied',
      '',
    ].join('\r\n'));
    await assert.rejects(fs.stat(path.join(out, 'sources', 'vendor')), 'the private source is not copied');
    await assert.rejects(fs.stat(path.join(out, 'sources', 'key')), 'the signing key is not copied');
    const files = (await fs.readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    for (const f of files) assert.ok(!(await fs.readFile(path.join(f.parentPath, f.name), 'utf8')).includes('PRIVATE KEY'), `${f.name} holds no key`);
  } finally {
    await p.cleanup();
  }
});
