import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { readdir } from 'node:fs/promises';
import { loadHelp, loadKconfig, loadSymbolNames, srcarchOf } from '../../src/kconfig/tree.js';

const run = promisify(execFile);

/** A tiny kernel-shaped tree: top Kconfig sourcing arch/$(SRCARCH)/Kconfig, an optional file, a glob. */
async function makeTree(root: string): Promise<void> {
  const files: Record<string, string> = {
    Makefile: 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\nEXTRAVERSION = -rc1\n',
    Kconfig: 'mainmenu "Linux/$(ARCH) $(KERNELVERSION)"\nsource "arch/$(SRCARCH)/Kconfig"\nosource "extra/Kconfig"\nsource "drivers/*/Kconfig"\n',
    'arch/x86/Kconfig': 'config X86\n\tdef_bool y\n',
    'arch/arm64/Kconfig': 'config ARM64\n\tdef_bool y\n',
    'drivers/a/Kconfig': 'config DRV_A\n\ttristate "A"\n',
    'drivers/b/Kconfig': 'config DRV_B\n\ttristate "B"\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
}

test('SRCARCH mapping follows the kernel Makefile', () => {
  assert.equal(srcarchOf('x86_64'), 'x86');
  assert.equal(srcarchOf('i386'), 'x86');
  assert.equal(srcarchOf('sparc64'), 'sparc');
  assert.equal(srcarchOf('arm64'), 'arm64');
  assert.equal(srcarchOf('constructor'), 'constructor');
});

test('folder: arch-dependent sources, KERNELVERSION, and a cache that notices edits, new globbed and optional files', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-ktree-'));
  try {
    const tree = path.join(dir, 'linux');
    const cache = path.join(dir, 'cache');
    await makeTree(tree);
    const first = await loadKconfig({ kernel: tree, arch: 'x86_64', cacheDir: cache });
    assert.equal(first.mainmenu, 'Linux/x86_64 6.12.3-rc1');
    assert.deepEqual([...first.symbols.keys()], ['X86', 'DRV_A', 'DRV_B']);
    assert.equal(first.srcarch, 'x86');
    const arm = await loadKconfig({ kernel: tree, arch: 'arm64', cacheDir: cache });
    assert.deepEqual([...arm.symbols.keys()], ['ARM64', 'DRV_A', 'DRV_B']);
    assert.equal((await readdir(cache)).filter((f) => f.endsWith('.names.v8')).length, 2);
    const names = await loadSymbolNames({ kernel: tree, arch: 'arm64', cacheDir: cache });
    assert.deepEqual(names, { arch: 'arm64', srcarch: 'arm64', names: ['ARM64', 'DRV_A', 'DRV_B'], errors: [] });

    await writeFile(path.join(tree, 'drivers/a/Kconfig'), 'config DRV_A2\n\ttristate "A2"\n');
    await utimes(path.join(tree, 'drivers/a/Kconfig'), new Date(), new Date(Date.now() + 5000));
    assert.deepEqual([...(await loadKconfig({ kernel: tree, arch: 'x86_64', cacheDir: cache })).symbols.keys()], ['X86', 'DRV_A2', 'DRV_B']);

    await mkdir(path.join(tree, 'drivers/c'));
    await writeFile(path.join(tree, 'drivers/c/Kconfig'), 'config DRV_C\n\tbool "C"\n');
    assert.ok((await loadKconfig({ kernel: tree, arch: 'x86_64', cacheDir: cache })).symbols.has('DRV_C'));

    await mkdir(path.join(tree, 'extra'));
    await writeFile(path.join(tree, 'extra/Kconfig'), 'config EXTRA\n\tbool\n');
    assert.ok((await loadKconfig({ kernel: tree, arch: 'x86_64', cacheDir: cache })).symbols.has('EXTRA'));
    await writeFile(path.join(tree, 'extra/Kconfig'), 'config EXTRA_RENAMED\n\tbool\n');
    await utimes(path.join(tree, 'extra/Kconfig'), new Date(), new Date(Date.now() + 9000));
    assert.ok((await loadSymbolNames({ kernel: tree, arch: 'x86_64', cacheDir: cache })).names.includes('EXTRA_RENAMED'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('tarball (tar.gz, with a top folder, a symlinked Kconfig) read without extracting gives the same tree as the folder', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-ktar-'));
  try {
    await makeTree(path.join(dir, 'linux-6.12.3'));
    await mkdir(path.join(dir, 'linux-6.12.3/drivers/d'));
    await symlink('../a/Kconfig', path.join(dir, 'linux-6.12.3/drivers/d/Kconfig'));
    const tgz = path.join(dir, 'linux.tar.gz');
    await run('tar', ['-czf', tgz, '-C', dir, 'linux-6.12.3']);
    const fromTar = await loadKconfig({ kernel: tgz, arch: 'arm64', cacheDir: false });
    const fromDir = await loadKconfig({ kernel: path.join(dir, 'linux-6.12.3'), arch: 'arm64', cacheDir: false });
    assert.deepEqual([...fromTar.symbols.keys()], [...fromDir.symbols.keys()]);
    assert.deepEqual(fromTar.files, fromDir.files);
    assert.deepEqual(fromTar.symbols.get('DRV_A')?.defs.map((d) => d.loc.file), ['drivers/a/Kconfig', 'drivers/d/Kconfig']);
    assert.equal(fromTar.mainmenu, 'Linux/arm64 6.12.3-rc1');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing kernel path is an I/O failure with a hint', async () => {
  await assert.rejects(loadKconfig({ kernel: '/nonexistent/linux', arch: 'arm64', cacheDir: false }), (e: Error & { failures?: { code: string; exit: number }[] }) => {
    assert.equal(e.failures?.[0]?.code, 'io.enoent');
    assert.equal(e.failures?.[0]?.exit, 3);
    return true;
  });
});

test('tarball cache key: the tarball is hashed once (the hash memo beside the cache answers while it is unchanged); a rewrite is hashed again', async () => {
  const { readFile } = await import('node:fs/promises');
  const { cacheKey } = await import('../../src/kconfig/tree-cache.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-kmemo-'));
  try {
    await makeTree(path.join(dir, 'linux'));
    const tgz = path.join(dir, 'linux.tar.gz');
    await run('tar', ['-czf', tgz, '-C', dir, 'linux']);
    const cache = path.join(dir, 'cache');
    const first = await loadKconfig({ kernel: tgz, arch: 'arm64', cacheDir: cache });
    const memoPath = path.join(cache, 'hash-memo.json');
    const memo = JSON.parse(await readFile(memoPath, 'utf8')) as Record<string, { sha256: string }>;
    const { createHash } = await import('node:crypto');
    assert.equal(memo[tgz]?.sha256, createHash('sha256').update(await readFile(tgz)).digest('hex'));
    const env = new Map([['ARCH', 'arm64']]);
    const key = await cacheKey(tgz, false, env, { dir: cache });
    // A planted memo entry is what the key is made of: the tarball was not read again.
    memo[tgz]!.sha256 = '0'.repeat(64);
    await writeFile(memoPath, JSON.stringify(memo));
    assert.notEqual(await cacheKey(tgz, false, env, { dir: cache }), key);
    // Rewriting the tarball (same bytes, new ctime) makes the memo read it again: the real hash, the first key.
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(tgz, await readFile(tgz));
    assert.equal(await cacheKey(tgz, false, env, { dir: cache }), key);
    assert.deepEqual([...(await loadKconfig({ kernel: tgz, arch: 'arm64', cacheDir: cache })).symbols.keys()], [...first.symbols.keys()]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a cache that cannot be written: the parsed tree comes back whole (help texts and locations as parsed)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-ktree-'));
  try {
    const tree = path.join(dir, 'linux');
    await makeTree(tree);
    await writeFile(path.join(tree, 'drivers/a/Kconfig'), 'config DRV_A\n\ttristate "A"\n\thelp\n\t  The A driver.\n');
    // The cache folder's place is taken by a file: nothing can be written there.
    const blocked = path.join(dir, 'cache');
    await writeFile(blocked, 'not a folder');
    const t = await loadKconfig({ kernel: tree, arch: 'x86_64', cacheDir: blocked });
    const a = t.symbols.get('DRV_A')?.defs[0];
    assert.equal(a?.help, 'The A driver.\n');
    assert.deepEqual(a?.loc, { file: 'drivers/a/Kconfig', line: 1 });
    assert.deepEqual(a?.prompts[0]?.loc, { file: 'drivers/a/Kconfig', line: 2 });
    // With a cache, the load that parses returns the tree as the cache holds it: the help text is read on demand.
    const cache = path.join(dir, 'cache2');
    const stored = await loadKconfig({ kernel: tree, arch: 'x86_64', cacheDir: cache });
    assert.equal(stored.symbols.get('DRV_A')?.defs[0]?.help, undefined);
    await loadHelp(stored);
    assert.equal(stored.symbols.get('DRV_A')?.defs[0]?.help, 'The A driver.\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
