/**
 * The apt-get/apt/apk stand-ins, run under dash and busybox sh with the host's real apt-get and dpkg further down
 * PATH: whatever would download fails at once (exit 100 for apt, 1 for apk) pointing at builder.packages, without
 * running the real program; `update` has nothing to fetch and succeeds at once; an install of packages already
 * there succeeds (so `apt-get update && apt-get install -y PKG` does); other uses reach the real program.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { exec } from '../../src/core/exec.js';
import { fetchShims, writeShims } from '../../src/shims/index.js';
import { SHELLS } from './rig.js';
import type { Manifest } from '../../src/manifest/types.js';

test('apt-get, apt and apk in a build step: downloads refused at once naming builder.packages; update, installed packages and other uses pass', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-pkg-shims-'));
  try {
    const m = { sources: [], sourceDateEpoch: 1700000000 } as unknown as Manifest;
    await writeShims(dir, fetchShims(m, { sources: {} }));
    const env = { ...process.env, PATH: `${path.join(dir, 'bin')}:/usr/sbin:/usr/bin:/sbin:/bin` };
    for (const shell of SHELLS) {
      const run = (tool: string, args: string[]) => exec([...shell, path.join(dir, 'bin', tool), ...args], { env, capture: true });
      for (const [tool, args, status] of [
        ['apt-get', ['install', '-y', '--no-install-recommends', 'tarsmith-no-such-package'], 100],
        ['apt-get', ['install', '-y', 'dash', 'tarsmith-no-such-package'], 100],
        ['apt-get', ['dist-upgrade', '-y'], 100],
        ['apt', ['install', 'tarsmith-no-such-package'], 100],
        ['apk', ['add', '--no-cache', 'build-base'], 1],
        ['apk', ['upgrade'], 1],
      ] as const) {
        const r = await run(tool, [...args]);
        assert.equal(r.code, status, `${shell.join(' ')}: ${tool} ${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^tarsmith: ${tool} ${args.join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the build runs with the network off`, 'm'));
        assert.match(r.stderr, /builder\.packages in tarsmith\.yaml/);
        assert.doesNotMatch(r.stdout + r.stderr, /Reading package lists|Hit:|Err:|Temporary failure/, 'the real apt-get never ran');
      }
      for (const [tool, args] of [['apt-get', ['update']], ['apt-get', ['-o', 'Acquire::Retries=3', '-qq', 'update']], ['apt', ['update']], ['apk', ['update']]] as const) {
        const r = await run(tool, [...args]);
        assert.equal(r.code, 0, `${shell.join(' ')}: ${tool} ${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /the build runs with the network off; the package lists are the toolchain's \(builder\.packages\), so there is nothing to update/);
        assert.doesNotMatch(r.stdout + r.stderr, /Reading package lists|Hit:|Err:|Temporary failure|not installed in the builder/, 'the real program never ran');
      }
      // The common upstream idiom, with the package installed already.
      const idiom = await exec([...shell, '-c', 'apt-get update && apt-get install -y dash'], { env, capture: true });
      assert.equal(idiom.code, 0, idiom.stderr);
      assert.match(idiom.stderr, /already installed \(from builder\.packages\)/);
      const installed = await run('apt-get', ['install', '-y', 'dash', 'coreutils']);
      assert.equal(installed.code, 0, installed.stderr);
      assert.match(installed.stderr, /already installed \(from builder\.packages\)/);
      const version = await run('apt-get', ['--version']);
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /^apt \d/m, 'passed on to the real apt-get');
      const noApk = await run('apk', ['info']);
      assert.equal(noApk.code, 127);
      assert.match(noApk.stderr, /apk: not installed in the builder/);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
