import { test } from 'node:test';
import assert from 'node:assert/strict';
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
