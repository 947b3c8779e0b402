import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

test('--version prints the package version', () => {
  const out = execFileSync(bin, ['--version'], { encoding: 'utf8' });
  assert.match(out, /^\d+\.\d+\.\d+\n$/);
});

test('an unknown command is a usage error (exit 2) without a stack trace', () => {
  const r = spawnSync(bin, ['no-such-command'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

test('a reader that is gone (tarsmith ... | true) ends tarsmith quietly, without an EPIPE stack trace', () => {
  // `true` has exited long before node has started, so the help text is written into a pipe with no reader.
  const r = spawnSync('bash', ['-c', `"$0" kconfig resolve --help | true; echo "status \${PIPESTATUS[0]}" >&2`, bin], { encoding: 'utf8' });
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at .*\.js:\d+/, r.stderr);
  assert.match(r.stderr, /status 0\n$/);
});
