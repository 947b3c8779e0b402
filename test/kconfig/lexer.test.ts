import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileLexer, TokenStream, type Token } from '../../src/kconfig/lexer.js';
import { MacroEngine } from '../../src/kconfig/macros.js';

function lex(text: string, env: Record<string, string> = {}): { tokens: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const macros = new MacroEngine({
    env: new Map(Object.entries(env)),
    shell: () => undefined,
    report: (sev, _code, msg) => warnings.push(`${sev} ${msg}`),
    position: () => ({ file: 'K', line: 0 }),
  });
  const lexer = new FileLexer('K', text, macros, (sev, _code, msg, _f, line) => warnings.push(`${sev} ${line} ${msg}`));
  const ts = new TokenStream(lexer);
  const tokens: string[] = [];
  for (let t: Token = ts.next(); t.t !== 'eof'; t = ts.next()) tokens.push(show(t));
  return { tokens, warnings };
}

function show(t: Token): string {
  switch (t.t) {
    case 'kw':
      return `${t.line}:kw:${t.kw}`;
    case 'op':
      return `${t.line}:op:${t.op}`;
    case 'word':
      return `${t.line}:word:${t.value}${t.unknown !== undefined ? `?${t.unknown}` : ''}`;
    case 'quote':
      return `${t.line}:quote:${t.value}`;
    case 'assignval':
      return `${t.line}:val:${t.value}`;
    case 'eol':
    case 'eof':
      return `${t.line}:${t.t}`;
  }
}

test('keywords, words, operators, and redundant end-of-lines dropped', () => {
  const { tokens } = lex('\n\nconfig FOO_1-x\n\tdepends on A||B&&!(C!=D)<=E>=F<G>H\n\n');
  assert.deepEqual(tokens, [
    '3:kw:config', '3:word:FOO_1-x', '3:eol',
    '4:kw:depends', '4:kw:on', '4:word:A', '4:op:||', '4:word:B', '4:op:&&', '4:op:!', '4:op:(', '4:word:C', '4:op:!=',
    '4:word:D', '4:op:)', '4:op:<=', '4:word:E', '4:op:>=', '4:word:F', '4:op:<', '4:word:G', '4:op:>', '4:word:H', '4:eol',
  ]);
});

test('a keyword is only a keyword as a whole word; comments end at the newline', () => {
  const { tokens } = lex('boolean bool # bool here\n');
  assert.deepEqual(tokens, ['1:word:boolean', '1:kw:bool', '1:eol']);
});

test('quoted strings: both quote kinds, escapes, the other quote kept, $(…) expanded, $ alone kept', () => {
  const { tokens } = lex(`prompt "a \\"b\\" 'c' $(X) $5"\nprompt 'it"s'\n`, { X: 'ex' });
  assert.deepEqual(tokens, ['1:kw:prompt', `1:quote:a "b" 'c' ex $5`, '1:eol', '2:kw:prompt', '2:quote:it"s', '2:eol']);
});

test('an unterminated string ends at the newline with a warning', () => {
  const { tokens, warnings } = lex('prompt "open\nconfig X\n');
  assert.deepEqual(tokens, ['1:kw:prompt', '1:quote:open', '1:eol', '2:kw:config', '2:word:X', '2:eol']);
  assert.deepEqual(warnings, ['warning 1 multi-line strings not supported']);
});

test('backslash-newline joins lines; the token keeps its own line number', () => {
  const { tokens } = lex('depends on A && \\\n  B\nconfig C\n');
  assert.deepEqual(tokens, ['1:kw:depends', '1:kw:on', '1:word:A', '1:op:&&', '2:word:B', '2:eol', '3:kw:config', '3:word:C', '3:eol']);
});

test('assignments: the value is taken verbatim to the end of the line, # and $ included', () => {
  const { tokens } = lex('X := $(Y) # not a comment\nZ +=\nW = a=b\n');
  assert.deepEqual(tokens, [
    '1:word:X', '1:op::=', '1:val:$(Y) # not a comment', '1:eol',
    '2:word:Z', '2:op:+=', '2:eol',
    '3:word:W', '3:op:=', '3:val:a=b', '3:eol',
  ]);
});

test('a word holding $(…) is expanded as one token; an empty expansion disappears', () => {
  const { tokens } = lex('config $(P)_SUFFIX $(EMPTY)\n', { P: 'PRE' });
  assert.deepEqual(tokens, ['1:kw:config', '1:word:PRE_SUFFIX', '1:eol']);
});

test('unsupported characters are ignored with a warning', () => {
  const { tokens, warnings } = lex('config A @\n');
  assert.deepEqual(tokens, ['1:kw:config', '1:word:A', '1:eol']);
  assert.deepEqual(warnings, ["warning 1 ignoring unsupported character '@'"]);
});
