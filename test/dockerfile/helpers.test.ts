import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exec, which } from '../../src/core/exec.js';
import { normalize } from '../../src/archive/index.js';
import { COLLECT_SH, EXTRACT_SH, MARK_ARTIFACT_MISSING, MARK_CHECKSUM, MARK_STEP_FAILED, PLACE_SH, STEP_SH } from '../../src/dockerfile/helpers.js';

/** The helpers run under the builder's /bin/sh: dash (Debian) and busybox sh (Alpine). */
async function shells(): Promise<string[][]> {
  const out: string[][] = [];
  const dash = await which('dash');
  if (dash) out.push([dash]);
  const busybox = await which('busybox');
  if (busybox) out.push([busybox, 'sh']);
  assert.ok(out.length > 0, 'dash or busybox (scripts/setup-deps.sh installs both)');
  return out;
}

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-helpers-'));
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function script(dir: string, name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, text, { mode: 0o755 });
  return p;
}

async function tree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await fs.readdir(path.join(dir, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await tree(dir, rel)));
    else out.push(rel);
  }
  return out;
}

test('collect.sh: globs keep relative paths, rename a single match or into a folder, spaces survive', async () => {
  for (const sh of await shells()) {
    await withTemp(async (dir) => {
      const collect = await script(dir, 'collect.sh', COLLECT_SH);
      const wd = path.join(dir, 'tree');
      for (const f of ['bin/app', 'lib/a.so', 'lib/b.so', 'doc dir/read me.txt', 'greet.h']) {
        await fs.mkdir(path.dirname(path.join(wd, f)), { recursive: true });
        await fs.writeFile(path.join(wd, f), f);
      }
      const out = path.join(dir, 'out');
      const r = await exec([...sh, collect, out, 'bin/*', '', 'lib/*.so', 'lib', 'greet.h', 'include/greet.h', 'doc dir/*.txt', 'docs/'], { cwd: wd });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tree(out), ['bin/app', 'docs/read me.txt', 'include/greet.h', 'lib/a.so', 'lib/b.so']);
      assert.equal(await fs.readFile(path.join(out, 'include/greet.h'), 'utf8'), 'greet.h');
      const miss = await exec([...sh, collect, out, 'nothing/*.so', ''], { cwd: wd });
      assert.equal(miss.code, 3);
      assert.match(miss.stderr, new RegExp(`${MARK_ARTIFACT_MISSING} pattern=nothing/\\*\\.so`));
    });
  }
});

test('extract.sh: checks the canonical tree\'s sha256 and unpacks it as made on the host (strip and VCS applied there); a mismatch stops with its marker', async () => {
  for (const sh of await shells()) {
    await withTemp(async (dir) => {
      const extract = await script(dir, 'extract.sh', EXTRACT_SH);
      const src = path.join(dir, 'src', 'p-1.0');
      await fs.mkdir(path.join(src, '.git', 'objects'), { recursive: true });
      await fs.mkdir(path.join(src, 'sub', '.svn'), { recursive: true });
      await fs.writeFile(path.join(src, '.git', 'HEAD'), 'ref: refs/heads/main\n');
      await fs.writeFile(path.join(src, 'main.c'), 'int main(void){return 0;}\n');
      await fs.writeFile(path.join(src, 'sub', 'x.c'), '\n');
      await fs.writeFile(path.join(src, 'run'), '#!/bin/sh\n', { mode: 0o4777 });
      await fs.chmod(path.join(src, 'run'), 0o4777);
      const tgz = path.join(dir, 'p.tar.gz');
      assert.equal((await exec(['tar', '-czf', tgz, '-C', path.join(dir, 'src'), 'p-1.0'])).code, 0);
      const treeFile = path.join(dir, 'tree.tar');
      const made = await normalize(tgz, treeFile, { format: 'tar', sourceDateEpoch: 1_700_000_000, strip: 1 });
      const into = path.join(dir, 'into');
      const r = await exec([...sh, extract, treeFile, made.sha256, into]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tree(into), ['main.c', 'run', 'sub/x.c']);
      assert.equal((await fs.stat(path.join(into, 'run'))).mode & 0o7777, 0o755, 'setuid and world-writable bits are gone');
      const bad = await exec([...sh, extract, treeFile, '0'.repeat(64), path.join(dir, 'bad')]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, new RegExp(`${MARK_CHECKSUM} file=`));
    });
  }
});

test('step.sh: runs under sh -e with umask 022, names the failing step and its exit code', async () => {
  for (const sh of await shells()) {
    await withTemp(async (dir) => {
      const step = await script(dir, 'step.sh', STEP_SH);
      const ok = await exec([...sh, step, 'build.steps[0]', 'umask; touch f'], { cwd: dir });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout.trim(), '0022');
      const failing = await exec([...sh, step, 'build.targets.t.steps[1]', 'false\necho not reached'], { cwd: dir });
      assert.equal(failing.code, 1);
      assert.doesNotMatch(failing.stdout, /not reached/);
      assert.match(failing.stderr, new RegExp(`${MARK_STEP_FAILED} label=build\\.targets\\.t\\.steps\\[1\\] exit=1`));
    });
  }
});

test('place.sh: checks the sha256, creates the folders, copies the file as 0644; a mismatch stops with its marker', async () => {
  for (const sh of await shells()) {
    await withTemp(async (dir) => {
      const place = await script(dir, 'place.sh', PLACE_SH);
      const src = path.join(dir, 'extra.config');
      await fs.writeFile(src, 'CONFIG_FOO=y\n', { mode: 0o600 });
      const sum = createHash('sha256').update('CONFIG_FOO=y\n').digest('hex');
      const dest = path.join(dir, 'tree', 'arch', 'arm64', 'configs', 'extra.config');
      const ok = await exec([...sh, place, src, sum, dest]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(await fs.readFile(dest, 'utf8'), 'CONFIG_FOO=y\n');
      assert.equal((await fs.stat(dest)).mode & 0o777, 0o644);
      const bad = await exec([...sh, place, src, 'f'.repeat(64), path.join(dir, 'other', 'x')]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, new RegExp(`${MARK_CHECKSUM} file=`));
      await assert.rejects(fs.stat(path.join(dir, 'other')), 'nothing placed on a mismatch');
    });
  }
});
