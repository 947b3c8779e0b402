import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../../src/core/exec.js';
import { MOUNT_POINTS, mountPointsTar } from '../../src/dockerfile/mount-points.js';
import { INSTALL_APK_SH, INSTALL_APT_SH } from '../../src/dockerfile/toolchain-helpers.js';

const golden = (n: string) => fileURLToPath(new URL(`./golden/${n}`, import.meta.url));
async function assertGolden(name: string, text: string): Promise<void> {
  if (process.env.TARSMITH_UPDATE_GOLDEN === '1') await fs.writeFile(golden(name), text);
  assert.equal(text, await fs.readFile(golden(name), 'utf8'), `golden ${name} differs (TARSMITH_UPDATE_GOLDEN=1 to rewrite)`);
}

test('the install scripts: golden; no network option, no package index update, per-run files restored, mtimes clamped', async () => {
  await assertGolden('install-apt.sh', INSTALL_APT_SH);
  await assertGolden('install-apk.sh', INSTALL_APK_SH);
  assert.doesNotMatch(INSTALL_APT_SH, /apt-get( -\S+)* update/);
  assert.match(INSTALL_APT_SH, /Dir::Etc::SourceList=\/dev\/null/);
  assert.match(INSTALL_APK_SH, /--no-network/);
  for (const s of [INSTALL_APT_SH, INSTALL_APK_SH]) assert.match(s, /-newer "\$marker" -exec touch -h -d "@\$epoch"/);
  for (const sh of ['dash', 'busybox']) {
    const r = await exec(sh === 'busybox' ? [sh, 'sh', '-n', '-c', INSTALL_APT_SH] : [sh, '-n', '-c', INSTALL_APT_SH]);
    assert.equal(r.code, 0, `${sh} -n: ${r.stderr}`);
  }
});

test('the mount-point tar is a valid ustar that GNU tar lists: /etc and the empty files at the epoch, owner 0', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-mp-'));
  try {
    const file = path.join(dir, 'mp.tar');
    const text = mountPointsTar(1700000000);
    assert.ok(/^[\x00-\x7f]*$/.test(text), 'ASCII only (the context holds it as text)');
    await fs.writeFile(file, text);
    assert.equal((await fs.stat(file)).size % 512, 0);
    const r = await exec(['tar', '--numeric-owner', '--full-time', '-tvf', file], { env: { ...process.env, TZ: 'UTC' } });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(lines.map((l) => [l[0], l[1], l[2], l[3], l[4], l[5]]), [
      ['drwxr-xr-x', '0/0', '0', '2023-11-14', '22:13:20', 'etc/'],
      ...MOUNT_POINTS.map((n) => ['-rw-r--r--', '0/0', '0', '2023-11-14', '22:13:20', n]),
    ]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
