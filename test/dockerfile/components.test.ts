import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { COMPONENT_INSTALL_SH, defaultPhases, shWord } from '../../src/dockerfile/components.js';
import { failureFromLog } from '../../src/engine/run.js';

async function sh(script: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-ci-'));
  const file = path.join(dir, 'component-install.sh');
  await fs.writeFile(file, script);
  try {
    await promisify(execFile)('dash', [file, ...args]);
    return { code: 0, stderr: '' };
  } catch (e) {
    const x = e as { code: number; stderr: string };
    return { code: x.code, stderr: x.stderr };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

test('component-install.sh (dash): every declared glob must match; .la files removed; every mtime clamped, symlinks included', async () => {
  const dest = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-destdir-'));
  try {
    await fs.mkdir(path.join(dest, 'usr/lib/pkgconfig'), { recursive: true });
    await fs.writeFile(path.join(dest, 'usr/lib/libfoo.so.1.0'), 'elf');
    await fs.symlink('libfoo.so.1.0', path.join(dest, 'usr/lib/libfoo.so'));
    await fs.writeFile(path.join(dest, 'usr/lib/libfoo.la'), "libdir='/usr/lib'\n");
    await fs.writeFile(path.join(dest, 'usr/lib/pkgconfig/foo.pc'), 'Name: foo\n');
    const ok = await sh(COMPONENT_INSTALL_SH, ['foo', dest, '1700000000', 'usr/lib/libfoo.so*', 'usr/lib/pkgconfig/']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await fs.stat(path.join(dest, 'usr/lib/libfoo.la')).catch(() => undefined), undefined);
    for (const p of ['usr', 'usr/lib', 'usr/lib/libfoo.so.1.0', 'usr/lib/pkgconfig/foo.pc']) assert.equal((await fs.stat(path.join(dest, p))).mtimeMs, 1700000000000, p);
    assert.equal((await fs.lstat(path.join(dest, 'usr/lib/libfoo.so'))).mtimeMs, 1700000000000);
    const missing = await sh(COMPONENT_INSTALL_SH, ['foo', dest, '1700000000', 'usr/lib/libfoo.so*', 'usr/include/foo bar.h']);
    assert.equal(missing.code, 3);
    const f = failureFromLog([`#20 0.3 ${missing.stderr.trim()}`], { steps: [], what: 'build' });
    assert.equal(f.code, 'build.component-install-missing');
    assert.equal(f.message, 'component foo installed nothing matching "usr/include/foo bar.h"');
  } finally {
    await fs.rm(dest, { recursive: true, force: true });
  }
});

test('default phases: arguments quoted for sh, DESTDIR from the environment, make gets the cross tools', () => {
  assert.equal(shWord("it's"), `'it'\\''s'`);
  assert.equal(shWord('--with-x=/usr'), '--with-x=/usr');
  const a = defaultPhases({ system: 'autotools', args: ['CFLAGS=-O2 -g'] });
  assert.match(a.configure[0] ?? '', /\.\/configure --prefix=\/usr --libdir=\/usr\/lib --sysconfdir=\/etc --localstatedir=\/var 'CFLAGS=-O2 -g'$/);
  assert.deepEqual(a.install, ['make install DESTDIR="$DESTDIR"']);
  const m = defaultPhases({ system: 'make', args: [], cross: { prefix: 'aarch64-linux-gnu-', host: 'aarch64-linux-gnu' } });
  assert.deepEqual(m.configure, []);
  assert.equal(m.compile[0], 'make -j"$(nproc)" PREFIX=/usr prefix=/usr CROSS_COMPILE=aarch64-linux-gnu- CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar');
  const me = defaultPhases({ system: 'meson', args: ['-Dtests=false'], crossFile: '/tarsmith/cross/cross.ini' });
  assert.equal(me.configure[0], 'meson setup /tarsmith/obj --prefix=/usr --libdir=lib --buildtype=release --cross-file /tarsmith/cross/cross.ini -Dtests=false');
});
