import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, TarsmithError, diagnosticToJson, exitOf, ioFailure, renderDiagnostic, formatLocation } from '../../src/core/errors.js';

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

test('one renderer for errors, warnings and notes: severity label, details, then the fix', () => {
  const text = renderDiagnostic({
    code: 'kconfig.recursive-source',
    severity: 'warning',
    message: 'recursive inclusion of "a/Kconfig"',
    where: { file: 'Kconfig', line: 4 },
    details: ['included from: Kconfig'],
    hint: 'break the loop',
  });
  assert.equal(text, 'Kconfig:4: warning[kconfig.recursive-source]: recursive inclusion of "a/Kconfig"\n  included from: Kconfig\n  fix: break the loop');
  assert.equal(renderDiagnostic({ code: 'audit.shell-syntax', severity: 'info', message: 'm' }), 'info[audit.shell-syntax]: m');
});

test('the JSON form always has severity and exit; a diagnostic without exit takes its catalog entry\'s', () => {
  const d = { code: 'build.step-failed', message: 'step failed', where: { file: 'tarsmith.yaml', line: 9, col: 7 } } as const;
  assert.equal(exitOf(d), ExitCode.engine);
  assert.equal(new TarsmithError(d).exit, ExitCode.engine);
  assert.equal(new TarsmithError(d).failures[0]?.exit, ExitCode.engine);
  assert.deepEqual(diagnosticToJson(d), { severity: 'error', code: 'build.step-failed', message: 'step failed', exit: 4, where: { file: 'tarsmith.yaml', line: 9, col: 7 } });
  assert.deepEqual(diagnosticToJson({ code: 'convert.unmapped-package', severity: 'warning', message: 'm', value: 'v', hint: 'h' }), {
    severity: 'warning', code: 'convert.unmapped-package', message: 'm', exit: 0, value: 'v', hint: 'h',
  });
});

test('system errors: common errno values have codes of their own, the rest are io.error', () => {
  const enoent = ioFailure(Object.assign(new Error('no such file'), { code: 'ENOENT' }), 'cannot read', 'a.txt');
  assert.deepEqual(enoent, { code: 'io.enoent', message: 'cannot read a.txt: no such file', exit: ExitCode.io, hint: 'check the path exists' });
  assert.equal(ioFailure(Object.assign(new Error('x'), { code: 'EROFS' }), 'cannot write').code, 'io.erofs');
  assert.equal(ioFailure(Object.assign(new Error('x'), { code: 'ESTRANGE' }), 'cannot write').code, 'io.error');
  assert.equal(ioFailure(Object.assign(new Error('x'), { code: 'toString' }), 'cannot write').code, 'io.error');
  assert.equal(ioFailure(new Error('x'), 'cannot write').code, 'io.eio');
});
