import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { versionLines } from '../../src/kconfig/tool-version.js';

test('version lines: a tool is run once while it is unchanged; a rewrite, another PATH or a failing tool runs it again', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-toolver-'));
  try {
    const bin = path.join(dir, 'bin');
    const runs = path.join(dir, 'runs');
    const memo = path.join(dir, 'cache', 'tool-versions.json');
    await mkdir(bin);
    const tool = path.join(bin, 'xcc');
    const script = (v: string) => `#!/bin/sh\necho run >> ${runs}\necho "xcc (#1 Test) ${v}"\necho second line\n`;
    await writeFile(tool, script('1.0'));
    await chmod(tool, 0o755);
    const PATH = `${bin}:/usr/bin:/bin`;
    const count = async () => (await readFile(runs, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

    assert.deepEqual(await versionLines([['xcc', '--version']], memo, PATH), ['xcc (1 Test) 1.0'], 'first line, # removed');
    assert.deepEqual(await versionLines([['xcc', '--version']], memo, PATH), ['xcc (1 Test) 1.0']);
    assert.equal(await count(), 1, 'the second answer came from the memo');

    await writeFile(tool, script('2.0'));
    assert.deepEqual(await versionLines([['xcc', '--version']], memo, PATH), ['xcc (1 Test) 2.0'], 'a rewritten tool is run again');
    assert.equal(await count(), 2);

    assert.deepEqual(await versionLines([['xcc', '--version']], memo, `/usr/bin:${bin}:/bin`), ['xcc (1 Test) 2.0'], 'another PATH is another identity');
    assert.equal(await count(), 3);

    assert.deepEqual(await versionLines([['xcc', '--version']], undefined, PATH), ['xcc (1 Test) 2.0'], 'without a memo the tool always runs');
    assert.equal(await count(), 4);

    const bad = path.join(bin, 'badcc');
    await writeFile(bad, `#!/bin/sh\necho run >> ${runs}\nexit 3\n`);
    await chmod(bad, 0o755);
    assert.deepEqual(await versionLines([['badcc', '--version'], ['no-such-tool-xyz', '--version']], memo, PATH), ['', '']);
    assert.deepEqual(await versionLines([['badcc', '--version']], memo, PATH), ['']);
    assert.equal(await count(), 6, 'a tool that fails is never remembered');
    const stored = JSON.parse(await readFile(memo, 'utf8')) as Record<string, { line: string }>;
    assert.deepEqual(Object.values(stored).map((v) => v.line).sort(), ['xcc (1 Test) 1.0', 'xcc (1 Test) 2.0', 'xcc (1 Test) 2.0'], 'one entry per identity');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
