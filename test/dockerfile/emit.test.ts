import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTarsmithError } from '../../src/core/errors.js';
import { emit, envValue, jsonArray } from '../../src/dockerfile/emit.js';
import type { Dockerfile } from '../../src/dockerfile/model.js';

const one = (instructions: Dockerfile['stages'][number]['instructions']): Dockerfile => ({
  header: [],
  stages: [{ name: 'x', from: 'scratch', doc: [], instructions }],
});

test('ENV values are double-quoted with ", \\ and $ escaped; references stay references', () => {
  assert.equal(envValue(['a "b" \\c $d']), '"a \\"b\\" \\\\c \\$d"');
  assert.equal(envValue(['/bin:', { ref: 'PATH' }]), '"/bin:${PATH}"');
});

test('COPY/ADD JSON arrays escape $ (they expand variables); RUN exec form does not', () => {
  assert.equal(jsonArray(['a$b', 'c"d'], true), '["a\\\\$b", "c\\"d"]');
  assert.equal(jsonArray(['echo $HOME'], false), '["echo $HOME"]');
  const text = emit(one([{ kind: 'copy', sources: ['f$x'], dest: '/d/' }, { kind: 'run', argv: ['sh', '-c', 'echo "$1"\nexit 0'], mounts: [] }]));
  assert.equal(text, 'FROM scratch AS x\nCOPY ["f\\\\$x", "/d/"]\nRUN ["sh", "-c", "echo \\"$1\\"\\nexit 0"]\n');
});

test('values the grammar cannot carry are refused with a failure, never emitted wrong', () => {
  const cases: Dockerfile[] = [
    one([{ kind: 'workdir', path: '/a b' }]),
    one([{ kind: 'env', vars: [{ name: 'X', value: ['line1\nline2'] }] }]),
    one([{ kind: 'env', vars: [{ name: 'BAD-NAME', value: ['v'] }] }]),
    one([{ kind: 'copy', sources: ['a\nb'], dest: '/' }]),
    { header: [], stages: [{ name: 'Bad Stage', from: 'scratch', doc: [], instructions: [] }] },
  ];
  for (const df of cases) {
    assert.throws(() => emit(df), (e: unknown) => isTarsmithError(e) && e.failures[0]?.code === 'dockerfile.unrepresentable');
  }
});

test('secret mounts are written as flags before the exec-form array', () => {
  const text = emit(one([{ kind: 'run', argv: ['tar', '-xf', '/run/s'], mounts: [{ type: 'secret', id: 's1', target: '/run/s' }] }]));
  assert.match(text, /^RUN --mount=type=secret,id=s1,target=\/run\/s \["tar", "-xf", "\/run\/s"\]$/m);
});
