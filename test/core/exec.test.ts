import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exec, which } from '../../src/core/exec.js';

test('exec streams lines and returns exit code', async () => {
  const lines: string[] = [];
  const r = await exec(['sh', '-c', 'printf "a\\nb\\n"; echo err >&2; exit 3'], { onStdoutLine: (l) => lines.push(l) });
  assert.equal(r.code, 3);
  assert.deepEqual(lines, ['a', 'b']);
  assert.equal(r.stderr, 'err\n');
});

test('exec kills the whole process group on abort', async () => {
  const ac = new AbortController();
  const p = exec(['sh', '-c', 'sleep 30 & sleep 30; wait'], { signal: ac.signal });
  setTimeout(() => ac.abort(), 200);
  const r = await p;
  assert.notEqual(r.code, 0);
});

test('which finds sh and not a missing tool', async () => {
  assert.ok(await which('sh'));
  assert.equal(await which('definitely-not-a-tool-xyz'), undefined);
});
