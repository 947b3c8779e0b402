import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cli, finalFiles, makeTarball, project, sha256, startServer, writeManifest } from '../support/rig.js';

test('tarsmith vendor: --json report, exit 1 on a wrong hash or a --frozen change, 2 on a bad --update, 3 on a 404', async () => {
  const p = await project('cli');
  const s = await startServer();
  try {
    const tgz = await makeTarball(p.root, 'lib-2', { 'x.c': 'int x;\n' });
    s.files.set('lib-2.tar.gz', tgz);
    await writeManifest(p.dir, [{ name: 'lib', url: `${s.base}/files/lib-2.tar.gz` }]);
    const ok = await cli(p, ['vendor', '--json']);
    assert.equal(ok.status, 0, ok.stderr);
    const doc = JSON.parse(ok.stdout) as { ok: boolean; lockChanged: boolean; items: { name: string; sha256: string; via: string }[] };
    assert.deepEqual(doc.items.map((i) => [i.name, i.sha256, i.via]), [['lib', sha256(tgz), 'origin']]);
    assert.equal(doc.lockChanged, true);

    const frozenOk = await cli(p, ['vendor', '--frozen']);
    assert.equal(frozenOk.status, 0, frozenOk.stderr);

    const badName = await cli(p, ['vendor', '--update', 'nosuch']);
    assert.equal(badName.status, 2);
    assert.match(badName.stderr, /--update names no source: nosuch/);
    const both = await cli(p, ['vendor', '--frozen', '--update', 'lib']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /usage\.frozen-update/);

    await writeManifest(p.dir, [{ name: 'lib', url: `${s.base}/files/lib-2.tar.gz`, sha256: '0'.repeat(64) }]);
    const frozen = await cli(p, ['vendor', '--frozen']);
    assert.equal(frozen.status, 1);
    assert.match(frozen.stderr, /lock\.frozen-change/);

    const wrong = await cli(p, ['vendor']);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /error\[verify\.hash-mismatch\]/);
    assert.match(wrong.stderr, new RegExp(`actual: +${sha256(tgz)}`));
    assert.match(wrong.stderr, /tarsmith\.yaml:\d+:\d+  sha256: /);

    await writeManifest(p.dir, [{ name: 'gone', url: `${s.base}/status/404/gone.tar.gz` }]);
    const gone = await cli(p, ['vendor']);
    assert.equal(gone.status, 3);
    assert.match(gone.stderr, /HTTP 404/);
    assert.ok(!(await finalFiles(p.dir)).includes('gone.tar.gz'));

    const help = await cli(p, ['vendor', '--help']);
    assert.match(help.stdout, /Example/);
    assert.ok(await fs.stat(path.join(p.dir, 'tarsmith.lock')));
  } finally {
    await s.close();
    await p.cleanup();
  }
});

test('a wrong sha256 pin on a file: source is reported and the user\'s file is left where it is', async () => {
  const p = await project('own-file');
  try {
    const tgz = await makeTarball(p.root, 'mine-1', { 'a.c': 'int a;\n' });
    await fs.mkdir(path.join(p.dir, 'packages'));
    await fs.writeFile(path.join(p.dir, 'packages', 'mine-1.tar.gz'), tgz);
    await writeManifest(p.dir, [{ name: 'mine', file: 'packages/mine-1.tar.gz', sha256: 'a'.repeat(64) }]);
    const r = await cli(p, ['vendor']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /error\[verify\.hash-mismatch\]/);
    assert.match(r.stderr, /your file, left where it is/);
    assert.doesNotMatch(r.stderr, /does not exist|moved aside/);
    assert.deepEqual(await fs.readdir(path.join(p.dir, 'packages')), ['mine-1.tar.gz'], 'not moved, no .rejected/');
    assert.equal(sha256(await fs.readFile(path.join(p.dir, 'packages', 'mine-1.tar.gz'))), sha256(tgz));
    // -q prints errors only: nothing at all on success.
    await writeManifest(p.dir, [{ name: 'mine', file: 'packages/mine-1.tar.gz', sha256: sha256(tgz) }]);
    const quiet = await cli(p, ['vendor', '-q']);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout + quiet.stderr, '');
  } finally {
    await p.cleanup();
  }
});

test('vendor\'s tree hash restores GNU sparse files in every form GNU tar writes (pax 1.0, 0.1, 0.0, old GNU) byte for byte', async () => {
  const p = await project('sparse');
  try {
    await fs.mkdir(path.join(p.dir, 'packages'));
    const work = path.join(p.root, 'w');
    await fs.mkdir(path.join(work, 'sp-1'), { recursive: true });
    await fs.writeFile(path.join(work, 'sp-1', 'ok.txt'), 'fine\n');
    const fh = await fs.open(path.join(work, 'sp-1', 'disk.img'), 'w');
    await fh.write('data', 0);
    await fh.write('tail', 48 * 1024 * 1024);
    await fh.close();
    const treeOf = async (args: string[]): Promise<string> => {
      const tar = path.join(p.dir, 'packages', 'sp.tar');
      execFileSync('tar', [...args, '-cf', tar, '-C', work, 'sp-1']);
      await writeManifest(p.dir, [{ name: 'sp', file: 'packages/sp.tar' }]);
      const r = await cli(p, ['vendor', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const lock = JSON.parse(await fs.readFile(path.join(p.dir, 'tarsmith.lock'), 'utf8')) as { sources: { sp: { treeHash: string } } };
      await fs.rm(path.join(p.dir, 'tarsmith.lock'));
      await fs.rm(tar);
      return lock.sources.sp.treeHash;
    };
    const plain = await treeOf([]);
    assert.equal(await treeOf(['--sparse', '--format=pax']), plain, 'pax 1.0 (GNU tar\'s default) hashes as the plain file');
    assert.equal(await treeOf(['--sparse', '--format=pax', '--sparse-version=0.1']), plain, 'pax 0.1 too');
    assert.equal(await treeOf(['--sparse', '--format=pax', '--sparse-version=0.0']), plain, 'pax 0.0 too');
    assert.equal(await treeOf(['--sparse', '--format=gnu']), plain, 'old GNU "S" too');
    assert.equal(await treeOf(['--sparse', '--format=oldgnu']), plain, 'and oldgnu');
  } finally {
    await p.cleanup();
  }
});
