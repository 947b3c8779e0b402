import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { craftTar, sha256File, tempDir } from './rig.js';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const clean = { ...process.env };
  delete clean.SOURCE_DATE_EPOCH;
  return spawnSync(bin, args, { cwd, encoding: 'utf8', env: { ...clean, ...env } });
}

test('tarsmith normalize: --json result, epoch from flag or environment, same bytes either way', async () => {
  const { dir, cleanup } = await tempDir('normalize-cli');
  try {
    await craftTar(path.join(dir, 'in.tar'), [
      { name: 'b', body: 'b', mtime: 1_900_000_000 },
      { name: 'a', body: 'a' },
    ]);
    const r = run(['normalize', 'in.tar', 'out.tar.xz', '--format', 'tar.xz', '--source-date-epoch', '1600000000', '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(doc.ok, true);
    assert.equal(doc.format, 'tar.xz');
    assert.equal(doc.sourceDateEpoch, 1600000000);
    assert.equal(doc.epochFrom, 'flag');
    assert.equal(doc.sha256, await sha256File(path.join(dir, 'out.tar.xz')));
    const e = run(['normalize', 'in.tar', 'env.tar.xz', '--format', 'tar.xz'], dir, { SOURCE_DATE_EPOCH: '1600000000' });
    assert.equal(e.status, 0, e.stderr);
    assert.equal(e.stdout, `${String(doc.sha256)}  env.tar.xz\n`);
  } finally {
    await cleanup();
  }
});

test('tarsmith normalize: usage errors exit 2 without a stack trace and write nothing', async () => {
  const { dir, cleanup } = await tempDir('normalize-cli-bad');
  try {
    await craftTar(path.join(dir, 'in.tar'), [{ name: 'a', body: 'a' }, { name: '../up', body: 'x' }]);
    await fs.writeFile(path.join(dir, 'text.tar.gz'), 'not an archive at all, whatever the name says\n'.repeat(20));
    const cases: Array<[string[], string]> = [
      [['normalize', 'in.tar', 'o.tgz'], 'usage.missing-source-date-epoch'],
      [['normalize', 'in.tar', 'o.tgz', '--source-date-epoch', 'yesterday'], 'usage.bad-source-date-epoch'],
      [['normalize', 'in.tar', 'o.tgz', '--source-date-epoch', '1', '--format', 'zip'], 'usage.bad-format'],
      [['normalize', 'in.tar', 'o.tgz', '--source-date-epoch', '1'], 'archive.path-traversal'],
      [['normalize', 'text.tar.gz', 'o.tgz', '--source-date-epoch', '1'], 'archive.unknown-format'],
    ];
    for (const [args, code] of cases) {
      const r = run([...args, '--json'], dir);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const doc = JSON.parse(r.stdout) as { ok: boolean; errors: Array<{ code: string }> };
      assert.equal(doc.ok, false);
      assert.equal(doc.errors[0]?.code, code);
      const text = run(args, dir);
      assert.match(text.stderr, new RegExp(`error\\[${code.replace('.', '\\.')}\\]`));
      assert.doesNotMatch(text.stderr, /at .*\.js:\d+/);
    }
    assert.deepEqual((await fs.readdir(dir)).sort(), ['in.tar', 'text.tar.gz']);
  } finally {
    await cleanup();
  }
});

test('tarsmith normalize takes sourceDateEpoch from the manifest when one is found', async () => {
  const { dir, cleanup } = await tempDir('normalize-cli-manifest');
  try {
    await craftTar(path.join(dir, 'in.tar'), [{ name: 'a', body: 'a', mtime: 1_900_000_000 }]);
    await fs.writeFile(path.join(dir, 'tarsmith.yaml'), 'version: 1\nname: demo\nsourceDateEpoch: 1500000000\nsources: []\n');
    const r = run(['normalize', 'in.tar', 'o.tar', '--format', 'tar', '--json'], dir, { SOURCE_DATE_EPOCH: '1' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(doc.epochFrom, 'manifest');
    assert.equal(doc.sourceDateEpoch, 1500000000);
  } finally {
    await cleanup();
  }
});
