/**
 * Hostile and broken source archives through the real build: refused on the host before the engine runs (each
 * member named with its rule and the source's place in tarsmith.yaml), or unpacked as a safe tree; and what a
 * build exports (symlinks, byte names) is recorded, with a symlink leaving the output refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { craftTar } from '../archive/rig.js';
import { exampleCopy, tarsmith } from './build-rig.js';

const withSource = (manifest: string, entry: string): string => manifest.replace('builder:\n', `${entry}builder:\n`);

test('a hostile source is refused before the engine: every member named with its rule; nothing built, nothing outside', async () => {
  const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-outside-'));
  await fs.rm(outside, { recursive: true });
  const ex = await exampleCopy(async (dir, m) => {
    await craftTar(path.join(dir, 'packages', 'evil.tar'), [
      { name: 'evil/ok.c', body: 'int x;\n' },
      { name: `${outside}/abs.txt`, body: 'absolute name' },
      { name: 'evil/../../up.txt', body: 'dot-dot' },
      { name: 'evil/shadow', type: 'symlink', linkname: '/etc/shadow' },
      { name: 'evil/up', type: 'symlink', linkname: '../../..' },
      { name: 'evil/dev', type: 'character-device' },
      { name: 'evil/fifo', type: 'fifo' },
      { name: 'evil/conf', body: 'plain' },
      { name: 'evil/conf', type: 'symlink', linkname: 'ok.c' },
      { name: 'evil/dir', type: 'symlink', linkname: 'sub' },
      { name: 'evil/dir/through.txt', body: 'through a link' },
    ]);
    return withSource(m, '  - name: evil\n    file: packages/evil.tar\n    strip: 1\n');
  });
  try {
    const r = await tarsmith(['build'], ex.dir, { ...process.env, TARSMITH_DOCKER: path.join(ex.dir, 'no-docker-here') });
    assert.equal(r.code, 2, r.stderr);
    const codes = [...r.stderr.matchAll(/error\[(archive\.[a-z-]+)\]/g)].map((x) => x[1]).sort();
    assert.deepEqual(codes, [
      'archive.absolute-path',
      'archive.link-escape',
      'archive.link-escape',
      'archive.path-traversal',
      'archive.special-file',
      'archive.special-file',
      'archive.through-symlink',
      'archive.type-change',
    ]);
    assert.match(r.stderr, /in source "evil" \(tarsmith\.yaml:\d+:\d+\)/);
    assert.match(r.stderr, /evil\/shadow/);
    assert.doesNotMatch(r.stderr, /engine\./, 'the engine is never reached');
    assert.equal(await fs.stat(path.join(ex.dir, 'out')).catch(() => undefined), undefined, 'nothing built');
    assert.equal(await fs.stat(outside).catch(() => undefined), undefined, 'nothing written outside');
  } finally {
    await ex.cleanup();
  }
});

test('a .tar.zst source builds without zstd in the builder, as a safe tree (its allowed absolute symlink recorded); source files with Latin-1 names reach the build and are exported byte for byte; exported symlinks are recorded', async () => {
  const ex = await exampleCopy(async (dir, m) => {
    const src = path.join(dir, 'zsrc', 'extra-1');
    await fs.mkdir(path.join(src, 'wdir'), { recursive: true });
    await fs.writeFile(path.join(src, 'run'), '#!/bin/sh\necho run\n');
    await fs.chmod(path.join(src, 'run'), 0o6777);
    await fs.chmod(path.join(src, 'wdir'), 0o1777);
    await fs.symlink('run', path.join(src, 'run-link'));
    await fs.symlink('/etc/os-release', path.join(src, 'abs-link'));
    // Two source files whose names differ only in a Latin-1 byte: the canonical tree and the builder's tar keep both.
    await fs.writeFile(Buffer.from(`${src}/caf\xe9`, 'latin1'), 'one\n');
    await fs.writeFile(Buffer.from(`${src}/caf\xe8`, 'latin1'), 'two\n');
    execFileSync('tar', ['--zstd', '-cf', path.join(dir, 'packages', 'extra.tar.zst'), '-C', path.join(dir, 'zsrc'), 'extra-1']);
    await fs.rm(path.join(dir, 'zsrc'), { recursive: true });
    const steps = [
      'stat -c "%a %n" /src/extra/run /src/extra/wdir > modes.txt',
      'readlink /src/extra/run-link /src/extra/abs-link >> modes.txt',
      'ln -sf modes.txt modes.link',
      'ln -sf /etc/shadow shadow.link',
      'cp /src/extra/caf* .',
    ];
    const yamlSteps = steps.map((s) => `        - ${JSON.stringify(s)}\n`).join('');
    return withSource(m, '  - name: extra\n    file: packages/extra.tar.zst\n    strip: 1\n    allow: [absolute-symlinks]\n')
      .replace('        - make -j2\n', `        - make -j2\n${yamlSteps}`)
      .replace('      artifacts:\n', '      artifacts:\n        - modes.txt\n        - modes.link\n        - caf*\n        - shadow.link\n');
  });
  try {
    const bad = await tarsmith(['build'], ex.dir);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /error\[build\.artifact-link-escape\].*shadow\.link/);
    assert.deepEqual((await fs.readdir(path.join(ex.dir, 'out'))).filter((n) => n !== 'hello.log'), [], 'no output and no temp folder');

    const manifest = await fs.readFile(path.join(ex.dir, 'tarsmith.yaml'), 'utf8');
    await fs.writeFile(path.join(ex.dir, 'tarsmith.yaml'), manifest.replace('        - shadow.link\n', ''));
    const r = await tarsmith(['build', '--json'], ex.dir);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { artifacts: { path: string; pathBytes?: string }[]; symlinks: { path: string; target: string }[] };
    const out = path.join(ex.dir, 'out', 'hello');
    assert.equal(await fs.readFile(path.join(out, 'modes.txt'), 'utf8'), '755 /src/extra/run\n755 /src/extra/wdir\nrun\n/etc/os-release\n');
    assert.deepEqual(res.symlinks, [{ path: 'modes.link', target: 'modes.txt' }]);
    const latin = res.artifacts.filter((a) => a.pathBytes !== undefined).map((a) => a.pathBytes);
    assert.deepEqual(latin, ['636166e8', '636166e9'], 'two Latin-1 names stay two files');
    assert.equal(await fs.readFile(Buffer.from(`${out}/caf\xe9`, 'latin1'), 'utf8'), 'one\n', 'the source file, through the canonical tree and the builder\'s tar');
    assert.equal(await fs.readFile(Buffer.from(`${out}/caf\xe8`, 'latin1'), 'utf8'), 'two\n');
    const record = JSON.parse(await fs.readFile(path.join(out, 'tarsmith-build.json'), 'utf8')) as { symlinks: unknown; inputs: { sources: Record<string, { tree: { sha256: string; allowed: string[] } }> } };
    assert.deepEqual(record.symlinks, res.symlinks);
    assert.match(record.inputs.sources.extra?.tree.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(record.inputs.sources.extra?.tree.allowed, ['absolute-symlinks'], 'the record says which refused class was allowed');
    const sums = await fs.readFile(path.join(out, 'SHA256SUMS'));
    assert.ok(sums.includes(Buffer.from('  caf\xe9\n', 'latin1')) && sums.includes(Buffer.from('  caf\xe8\n', 'latin1')), 'SHA256SUMS holds the bytes');
    execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out });
  } finally {
    await ex.cleanup();
  }
});
