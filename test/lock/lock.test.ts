import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { canonicalJson, readLock, writeLock, type Lock } from '../../src/lock/lock.js';
import { formatSums, parseSums } from '../../src/lock/sha256sums.js';
import { isTarsmithError } from '../../src/core/errors.js';
import { project, sha256 } from '../support/rig.js';

test('canonicalJson sorts keys at every level, indents by 2 and ends with a newline', () => {
  const s = canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } });
  assert.equal(s, '{\n  "a": {\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
});

test('writeLock keeps the toolchain entry and writes a SHA256SUMS that sha256sum -c accepts', async () => {
  const p = await project('lock');
  try {
    await fs.mkdir(path.join(p.dir, 'packages', 'patches'), { recursive: true });
    const a = Buffer.from('alpha\n');
    const b = Buffer.from('beta\n');
    await fs.writeFile(path.join(p.dir, 'packages', 'a.tar.gz'), a);
    await fs.writeFile(path.join(p.dir, 'packages', 'patches', 'fix.patch'), b);
    const toolchain = { inputsHash: 'x', layers: ['sha256:y'], tag: 'demo:tc' };
    await fs.writeFile(path.join(p.dir, 'tarsmith.lock'), canonicalJson({ lockVersion: 1, sources: {}, patches: {}, toolchain }));
    const lock: Lock = {
      lockVersion: 1,
      sources: { a: { origin: 'url', url: 'http://h/a.tar.gz', file: 'packages/a.tar.gz', size: a.length, sha256: sha256(a), treeHash: 't' } },
      patches: { 'patches/fix.patch': { file: 'packages/patches/fix.patch', size: b.length, sha256: sha256(b) } },
    };
    await writeLock(p.dir, lock);
    const back = await readLock(p.dir);
    assert.deepEqual(back?.toolchain, toolchain);
    assert.equal(back?.sources.a?.sha256, sha256(a));
    const text = await fs.readFile(path.join(p.dir, 'tarsmith.lock'), 'utf8');
    assert.equal(text, canonicalJson(back));
    const sums = await fs.readFile(path.join(p.dir, 'packages', 'SHA256SUMS'), 'utf8');
    assert.equal(sums, `${sha256(a)}  a.tar.gz\n${sha256(b)}  patches/fix.patch\n`);
    const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: path.join(p.dir, 'packages'), encoding: 'utf8' });
    assert.match(out, /a\.tar\.gz: OK/);
    assert.match(out, /patches\/fix\.patch: OK/);
  } finally {
    await p.cleanup();
  }
});

test('the toolchain entry keeps its installed-packages list; a malformed list is dropped alone', async () => {
  const p = await project('lock-installed');
  try {
    const toolchain = { inputsHash: 'x', layers: ['sha256:y'], tag: 'demo:tc', installed: { 'bc:amd64': '1.07.1-3+b1', 'make:amd64': '4.3-4.1' } };
    await fs.writeFile(path.join(p.dir, 'tarsmith.lock'), canonicalJson({ lockVersion: 1, sources: {}, patches: {}, toolchain }));
    assert.deepEqual((await readLock(p.dir))?.toolchain, toolchain);
    await fs.writeFile(path.join(p.dir, 'tarsmith.lock'), canonicalJson({ lockVersion: 1, sources: {}, patches: {}, toolchain: { ...toolchain, installed: { 'bc:amd64': 1 } } }));
    assert.deepEqual((await readLock(p.dir))?.toolchain, { inputsHash: 'x', layers: ['sha256:y'], tag: 'demo:tc' });
    await fs.writeFile(path.join(p.dir, 'tarsmith.lock'), canonicalJson({ lockVersion: 1, sources: {}, patches: {}, toolchain: { ...toolchain, installed: null } }));
    assert.deepEqual((await readLock(p.dir))?.toolchain, { inputsHash: 'x', layers: ['sha256:y'], tag: 'demo:tc' });
  } finally {
    await p.cleanup();
  }
});

test('readLock reports a broken lock as a usage failure, not a crash', async () => {
  const p = await project('badlock');
  try {
    await fs.writeFile(path.join(p.dir, 'tarsmith.lock'), '{ not json');
    await assert.rejects(readLock(p.dir), (e) => isTarsmithError(e) && e.failures[0]?.code === 'lock.bad-json' && e.exit === 2);
    await fs.writeFile(path.join(p.dir, 'tarsmith.lock'), '{"lockVersion": 2}');
    await assert.rejects(readLock(p.dir), (e) => isTarsmithError(e) && e.failures[0]?.code === 'lock.bad-shape');
    const escape = { lockVersion: 1, sources: {}, patches: { x: { file: 'packages/../../etc/passwd', size: 1, sha256: 'a'.repeat(64) } } };
    await fs.writeFile(path.join(p.dir, 'tarsmith.lock'), JSON.stringify(escape));
    await assert.rejects(readLock(p.dir), (e) => isTarsmithError(e) && /patches\.x is malformed/.test(e.message));
    assert.equal(await readLock(path.join(p.root, 'cache')), undefined);
  } finally {
    await p.cleanup();
  }
});

test('SHA256SUMS written by coreutils (binary marker, escaped names) parses; bad lines are located', async () => {
  const p = await project('sums');
  try {
    const dir = path.join(p.dir, 'packages');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'plain.tar'), 'x');
    await fs.writeFile(path.join(dir, 'back\\slash'), 'y');
    await fs.writeFile(path.join(dir, 'new\nline'), 'z');
    const text = execFileSync('sha256sum', ['plain.tar', 'back\\slash', 'new\nline'], { cwd: dir, encoding: 'utf8' });
    const bin = execFileSync('sha256sum', ['-b', 'plain.tar'], { cwd: dir, encoding: 'utf8' });
    const { entries, failures } = parseSums(text + bin, 'SHA256SUMS');
    assert.deepEqual(failures, []);
    assert.deepEqual(entries.map((e) => e.file), ['plain.tar', 'back\\slash', 'new\nline', 'plain.tar']);
    assert.equal(entries[0]?.sha256, sha256('x'));
    assert.equal(formatSums(entries.slice(0, 3)), execFileSync('sha256sum', ['back\\slash', 'new\nline', 'plain.tar'], { cwd: dir, encoding: 'utf8' }));
    const bad = parseSums(`${sha256('x')}  ok\nnot a line\n`, 'SHA256SUMS');
    assert.equal(bad.entries.length, 1);
    assert.equal(bad.failures[0]?.where?.line, 2);
    assert.equal(bad.failures[0]?.code, 'verify.bad-sums-line');
  } finally {
    await p.cleanup();
  }
});
