import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { KconfigTree } from '../../src/kconfig/ast.js';
import { loadKconfig } from '../../src/kconfig/tree.js';

const run = promisify(execFile);

/** The probes of scripts/Kconfig.include in miniature, with a chain (ver → name) that needs two rounds. */
const KCONFIG = `if-success = $(shell,{ $(1); } >/dev/null 2>&1 && echo "$(2)" || echo "$(3)")
success = $(if-success,$(1),y,n)
cc-option = $(success,$(CC) -Werror $(1) -c -x c /dev/null -o /dev/null)
ver := $(shell,$(srctree)/scripts/probe.sh $(CC))
name := $(shell,set -- $(ver) && echo $1)
source "arch/$(SRCARCH)/Kconfig"
config HAS_WALL
	def_bool $(cc-option,-Wall)
config HAS_BOGUS
	def_bool $(cc-option,-fno-such-flag-at-all)
config PROBE_NAME
	string
	default "$(name)"
`;

async function makeTree(root: string): Promise<void> {
  const files: Record<string, string> = {
    Makefile: 'VERSION = 6\nPATCHLEVEL = 12\n',
    Kconfig: KCONFIG,
    'arch/x86/Kconfig': 'config X86\n\tdef_bool y\n',
    'scripts/probe.sh': '#!/bin/sh\necho "PROBE $1"\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  await chmod(path.join(root, 'scripts/probe.sh'), 0o755);
}

function defaultOf(tree: KconfigTree, name: string): unknown {
  return tree.symbols.get(name)?.defs[0]?.defaults[0]?.value;
}

test('compiler probes run through --cross-compile, also for a tarball (its scripts/*.sh are used)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-ktool-'));
  try {
    const triplet = (await run('gcc', ['-dumpmachine'])).stdout.trim();
    const root = path.join(dir, 'linux');
    await makeTree(root);
    const tgz = path.join(dir, 'linux.tar.gz');
    await run('tar', ['-czf', tgz, '-C', dir, 'linux']);
    for (const kernel of [root, tgz]) {
      const tree = await loadKconfig({ kernel, arch: 'x86_64', crossCompile: `${triplet}-`, cacheDir: false });
      assert.deepEqual(tree.diagnostics.filter((d) => d.severity !== 'info'), [], kernel);
      assert.deepEqual(defaultOf(tree, 'HAS_WALL'), { kind: 'tri', value: 2 });
      assert.deepEqual(defaultOf(tree, 'HAS_BOGUS'), { kind: 'tri', value: 0 });
      assert.deepEqual(defaultOf(tree, 'PROBE_NAME'), { kind: 'str', value: 'PROBE' });
      assert.equal(tree.unknownMacros.length, 0);
    }
    const none = await loadKconfig({ kernel: root, arch: 'x86_64', cacheDir: false });
    assert.equal((defaultOf(none, 'HAS_WALL') as { kind: string }).kind, 'unknown');
    assert.deepEqual(defaultOf(none, 'PROBE_NAME'), { kind: 'str', value: '' });
    assert.ok(none.diagnostics.some((d) => d.code === 'kconfig.shell-unknown'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a compiler that does not run is a usage error naming it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-ktool-'));
  try {
    await makeTree(path.join(dir, 'linux'));
    await assert.rejects(
      loadKconfig({ kernel: path.join(dir, 'linux'), arch: 'x86_64', cc: 'no-such-cc-xyz', cacheDir: false }),
      (e: Error & { failures?: { code: string; value?: string }[] }) => {
        assert.equal(e.failures?.[0]?.code, 'kconfig.no-compiler');
        assert.equal(e.failures?.[0]?.value, 'no-such-cc-xyz');
        return true;
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
