import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, TarsmithError, renderDiagnostic, formatLocation } from '../../src/core/errors.js';

test('renderDiagnostic prints location, code, quoted value and fix', () => {
  const text = renderDiagnostic({
    code: 'manifest.unknown-key',
    message: 'unknown key "sorces"',
    exit: ExitCode.usage,
    where: { file: 'tarsmith.yaml', line: 3, col: 1 },
    value: 'sorces',
    hint: 'did you mean "sources"?',
  });
  assert.equal(
    text,
    'tarsmith.yaml:3:1: error[manifest.unknown-key]: unknown key "sorces"\n  value: "sorces"\n  fix: did you mean "sources"?',
  );
});

test('TarsmithError exit code is the most severe of its failures', () => {
  const e = new TarsmithError([
    { code: 'verify.hash-mismatch', message: 'a', exit: ExitCode.checkFailed },
    { code: 'io.enoent', message: 'b', exit: ExitCode.io },
  ]);
  assert.equal(e.exit, ExitCode.io);
  assert.equal(formatLocation({ file: 'f' }), 'f');
  assert.equal(formatLocation({ file: 'f', line: 2 }), 'f:2');
});
