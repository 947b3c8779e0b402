import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exec } from '../../src/core/exec.js';
import { SHELLS, lockEntry, makeRig, makeTarball, manifest, source, type Rig } from './rig.js';

const FMLIB = 'https://github.com/nxp-qoriq/fmlib';
const FMC = 'https://github.com/nxp-qoriq/fmc.git';
const SUB = 'https://github.com/nxp-qoriq/libsub.git';

let rig: Rig;
before(async () => {
  rig = await makeRig(async (packages) => {
    const fm = await makeTarball(packages, 'fmlib-lf-6.1.tar.gz', {
      'Makefile': 'all:\n\t@echo fmlib\n',
      'src/fm.c': 'int fm(void) { return 1; }\n',
      'tools/gen.sh': '#!/bin/sh\necho gen\n',
      '.gitignore': '*.c\n',
    });
    // a vendored git tarball holds the repository's files at its top, even when that is a single folder
    const onedir = await makeTarball(packages, 'onedir-v1.tar.gz', { 'include/one.h': '#define ONE 1\n' });
    const fmc61 = await makeTarball(packages, 'fmc-lf-6.1.tar.gz', {
      'fmc.c': 'int main(void) { return 0; }\n',
      '.gitmodules': '[submodule "sub"]\n\tpath = deps/sub\n\turl = ../libsub.git\n',
      'deps/sub/.keep-out': '',
    });
    const fmc62 = await makeTarball(packages, 'fmc-lf-6.2.tar.gz', { 'fmc.c': 'int main(void) { return 62; }\n' });
    const sub = await makeTarball(packages, 'libsub.tar.gz', { 'sub.h': '#define SUB 1\n' }, 'libsub');
    await fs.rm(path.join(packages, '..', 'never'), { force: true });
    const m = manifest([
      source('fmlib', { kind: 'git', git: FMLIB, ref: 'lf-6.1' }),
      source('fmc-61', { kind: 'git', git: FMC, ref: 'lf-6.1', commit: 'a'.repeat(40) }),
      source('fmc-62', { kind: 'git', git: FMC, ref: 'refs/tags/lf-6.2' }),
      source('onedir', { kind: 'git', git: 'https://example.org/onedir.git', ref: 'v1' }),
      source('libsub', { kind: 'url', url: 'https://example.org/libsub-1.0.tar.gz', mirrors: [] }, [SUB]),
    ]);
    return {
      manifest: m,
      lock: {
        sources: {
          fmlib: lockEntry('fmlib-lf-6.1.tar.gz', fm, 'git', { git: FMLIB, ref: 'lf-6.1' }),
          'fmc-61': lockEntry('packages/fmc-lf-6.1.tar.gz', fmc61, 'git', { git: FMC, ref: 'lf-6.1', commit: 'a'.repeat(40) }),
          'fmc-62': lockEntry('fmc-lf-6.2.tar.gz', fmc62, 'git', { git: FMC, ref: 'lf-6.2' }),
          onedir: lockEntry('onedir-v1.tar.gz', onedir, 'git', { ref: 'v1' }),
          libsub: lockEntry('libsub.tar.gz', sub, 'url'),
        },
      },
    };
  });
});
after(() => rig.cleanup());

async function git(args: string[], cwd: string): Promise<string> {
  const r = await exec(['git', ...args], { cwd, env: rig.env });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

for (const shell of SHELLS) {
  const sh = shell.join(' ');
  describe(`git stand-in under ${sh}`, () => {
    let ws: string;
    before(async () => {
      ws = await fs.mkdtemp(path.join(rig.work, `${shell[0]}-`));
    });

    test('clone -b REF --depth 1 gives the vendored tree as a repository with a reproducible commit', async () => {
      const r = await rig.run(shell, 'git', ['clone', '--depth', '1', '-q', '-b', 'lf-6.1', `${FMLIB}.git`, 'fmlib'], ws);
      assert.equal(r.code, 0, r.stderr);
      const dir = path.join(ws, 'fmlib');
      assert.equal(await fs.readFile(path.join(dir, 'src/fm.c'), 'utf8'), 'int fm(void) { return 1; }\n');
      assert.equal((await fs.stat(path.join(dir, 'tools/gen.sh'))).mode & 0o111, 0o111);
      assert.equal(await git(['describe', '--always', '--tags'], dir), 'lf-6.1');
      assert.equal(await git(['status', '--porcelain', '--ignored'], dir), '', 'ignored files are committed too');
      assert.equal(await git(['log', '-1', '--format=%an <%ae> %at %ct'], dir), 'tarsmith <tarsmith@localhost> 1700000000 1700000000');
      const head = await git(['rev-parse', 'HEAD'], dir);
      // The same clone in another folder, with other spellings of the URL and the option, has the same commit id.
      const r2 = await rig.run(shell, 'git', ['clone', '--branch=refs/tags/lf-6.1', 'http://github.com/nxp-qoriq/fmlib/', path.join(ws, 'again')]);
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal(await git(['rev-parse', 'HEAD'], path.join(ws, 'again')), head);
      await fs.rm(dir, { recursive: true });
    });

    test('git apply and git am work on the clone; other git commands reach the real git', async () => {
      const r = await rig.run(shell, 'git', ['clone', '-q', '--branch', 'lf-6.1', FMLIB, 'fmlib//'], ws);
      assert.equal(r.code, 0, r.stderr);
      const dir = path.join(ws, 'fmlib');
      const patch = [
        'diff --git a/src/fm.c b/src/fm.c', '--- a/src/fm.c', '+++ b/src/fm.c', '@@ -1 +1 @@',
        '-int fm(void) { return 1; }', '+int fm(void) { return 2; }', '',
      ].join('\n');
      await fs.writeFile(path.join(ws, 'fix.patch'), patch);
      const applied = await rig.run(shell, 'git', ['-C', dir, 'apply', path.join(ws, 'fix.patch')]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(await fs.readFile(path.join(dir, 'src/fm.c'), 'utf8'), /return 2/);
      const mbox = [
        'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
        'From: Dev <dev@example.org>', 'Date: Thu, 1 Jan 2015 00:00:00 +0000', 'Subject: [PATCH] fm returns 3', '',
        '---', 'diff --git a/src/fm.c b/src/fm.c', '--- a/src/fm.c', '+++ b/src/fm.c', '@@ -1 +1 @@',
        '-int fm(void) { return 1; }', '+int fm(void) { return 3; }', '-- ', '2.39.5', '',
      ].join('\n');
      await fs.writeFile(path.join(ws, 'am.patch'), mbox);
      assert.equal((await rig.run(shell, 'git', ['checkout', '--', 'src/fm.c'], dir)).code, 0);
      const am = await rig.run(shell, 'git', ['-c', 'user.name=B', '-c', 'user.email=b@example.org', 'am', path.join(ws, 'am.patch')], dir);
      assert.equal(am.code, 0, am.stderr);
      assert.equal(await git(['log', '-1', '--format=%s'], dir), 'fm returns 3');
      assert.equal(await git(['rev-list', '--count', 'HEAD'], dir), '2');
      const one = await rig.run(shell, 'git', ['clone', '-q', '-b', 'v1', 'https://example.org/onedir', 'onedir'], ws);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(await fs.readFile(path.join(ws, 'onedir/include/one.h'), 'utf8'), '#define ONE 1\n');
      const version = await rig.run(shell, 'git', ['--version']);
      assert.match(version.stdout, /^git version /);
    });

    test('several vendored refs: -b picks one, none given is refused with the refs listed', async () => {
      const ok = await rig.run(shell, 'git', ['clone', '-b', 'lf-6.2', FMC, 'fmc62'], ws);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(await fs.readFile(path.join(ws, 'fmc62/fmc.c'), 'utf8'), /return 62/);
      const amb = await rig.run(shell, 'git', ['clone', FMC, 'fmc-any'], ws);
      assert.equal(amb.code, 128);
      assert.match(amb.stderr, /several refs are vendored for this URL \( ?lf-6.1 lf-6.2\); name one with -b REF/);
    });

    test('clone --recursive fills submodules from the vendored sources (relative URLs resolved)', async () => {
      const r = await rig.run(shell, 'git', ['clone', '--recursive', '-b', 'lf-6.1', 'https://github.com/nxp-qoriq/fmc', 'fmc'], ws);
      assert.equal(r.code, 0, r.stderr);
      // deps/sub held a file in the tarball, so it counts as present; clear it and update again
      await fs.rm(path.join(ws, 'fmc/deps/sub'), { recursive: true });
      const u = await rig.run(shell, 'git', ['submodule', 'update', '--init', '--recursive'], path.join(ws, 'fmc'));
      assert.equal(u.code, 0, u.stderr);
      assert.equal(await fs.readFile(path.join(ws, 'fmc/deps/sub/sub.h'), 'utf8'), '#define SUB 1\n');
      assert.equal(await git(['rev-parse', '--is-inside-work-tree'], path.join(ws, 'fmc/deps/sub')), 'true');
    });

    test('fetch and ls-remote are answered; an unvendored clone fails with the sources: entry to add', async () => {
      const dir = path.join(ws, 'fmc61');
      assert.equal((await rig.run(shell, 'git', ['clone', '-q', '-b', 'lf-6.1', FMC, dir])).code, 0);
      // the upstream commit the lock records stands for the vendored commit
      const co = await rig.run(shell, 'git', ['-C', dir, 'checkout', '-q', 'a'.repeat(12)]);
      assert.equal(co.code, 0, co.stderr);
      const reset = await rig.run(shell, 'git', ['reset', '--hard', 'a'.repeat(40)], dir);
      assert.equal(reset.code, 0, reset.stderr);
      assert.notEqual((await rig.run(shell, 'git', ['checkout', 'b'.repeat(40)], dir)).code, 0, 'other commits are unknown');
      const f = await rig.run(shell, 'git', ['fetch', 'origin'], dir);
      assert.equal(f.code, 0, f.stderr);
      assert.equal(await git(['rev-parse', 'FETCH_HEAD'], dir), await git(['rev-parse', 'HEAD'], dir));
      const other = await rig.run(shell, 'git', ['fetch', 'origin', 'lf-6.2'], dir);
      assert.equal(other.code, 128);
      assert.match(other.stderr, /git clone -b lf-6.2/);
      const ls = await rig.run(shell, 'git', ['ls-remote', FMC], dir);
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, new RegExp(`^${'a'.repeat(40)}\trefs/tags/lf-6.1$`, 'm'));
      const miss = await rig.run(shell, 'git', ['clone', '-b', 'v2.0', 'https://example.com/new/thing.git', 'thing'], ws);
      assert.equal(miss.code, 128);
      assert.match(miss.stderr, /git clone -b v2.0 https:\/\/example.com\/new\/thing.git thing: .* at ref v2.0 is not vendored/);
      assert.match(miss.stderr, /\n {2}- name: thing\n {4}git: https:\/\/example.com\/new\/thing.git\n {4}ref: v2.0\n/);
      assert.equal(await fs.stat(path.join(ws, 'thing')).catch(() => undefined), undefined);
    });
  });
}
