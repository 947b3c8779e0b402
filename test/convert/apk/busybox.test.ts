import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxNeeds, busyboxNeedsDeep } from '../../../src/convert/apk/busybox.js';
import { lineCol, parseShell } from '../../../src/convert/apk/parse.js';
import { makefileNeeds, makefileRecipes } from '../../../src/convert/apk/scan.js';

async function needs(text: string): Promise<string[]> {
  const { root, errorAt } = await parseShell(text);
  assert.equal(errorAt, undefined);
  return busyboxNeeds({ root, locate: (o) => ({ file: 's.sh', ...lineCol(text, o) }) }).map((n) => `${n.package}:${n.where.line}`);
}

test('GNU-only options name the package that brings them back, with the line', async () => {
  const script = [
    'tar --sort=name --mtime=@0 -cf a.tar d', // 1 tar
    'find . -type f -printf "%P\\n"', // 2 findutils
    'printf "a\\nb" | xargs -d "\\n" echo', // 3 findutils
    'sed -z s/x/y/ f', // 4 sed
    'cp -a src dst', // 5 coreutils
    'readlink -f ../missing', // 6 coreutils
    'grep -P "\\d+" f', // 7 grep
    'diff -y a b', // 8 diffutils
    'patch -p1 < fix.patch', // 9 patch
    "awk '{ print gensub(/a/, \"b\", \"g\") }' f", // 10 gawk
  ].join('\n');
  assert.deepEqual(await needs(script), [
    'tar:1', 'findutils:2', 'findutils:3', 'sed:4', 'coreutils:5', 'coreutils:6', 'grep:7', 'diffutils:8', 'patch:9', 'gawk:10',
  ]);
});

test('bash syntax needs bash: [[ ]], arrays, here-strings, process substitution, source', async () => {
  const script = ['[[ -n "$a" ]] && echo y', 'arr=(1 2 3)', 'cat <<< "x"', 'diff <(ls a) <(ls b) || true', 'source env.sh'].join('\n');
  const got = await needs(script);
  for (const line of [1, 2, 3, 4, 5]) assert.ok(got.includes(`bash:${line}`), `line ${line}: ${got.join(' ')}`);
});

test('POSIX and BusyBox-supported forms raise nothing', async () => {
  const script = [
    'sed -i -e "s/a/b/" -e "s/c/d/" f',
    'sed -n -E "/x/p" f',
    'tar -xzf a.tar.gz -C out --strip-components=1',
    'find . -name "*.o" -exec rm -f {} +',
    'cp -r a b',
    'xargs -0 rm -f < list',
    'readlink link',
    'diff -u a b',
    '[ -f x ] && . ./env.sh',
    "awk '{ print $1 }' f",
  ].join('\n');
  assert.deepEqual(await needs(script), []);
});

test('Makefile recipes: tab lines, continuations, $$ and prefixes; SHELL := bash', async () => {
  const mk = 'SHELL := /bin/bash\nall:\n\t@echo start\n\t-for f in $$(ls); do \\\n\t  tar --owner=0 -cf $$f.tar $$f; done\n';
  assert.deepEqual(makefileRecipes(mk), [
    { line: 3, text: 'echo start' },
    { line: 4, text: 'for f in $(ls); do \\\n  tar --owner=0 -cf $f.tar $f; done' },
  ]);
  const got = (await makefileNeeds(mk, 'Makefile')).map((n) => `${n.package}:${n.where.line}`);
  assert.deepEqual(got, ['bash:1', 'tar:5']);
});

test('scripts in heredocs fed to a shell are audited too, at their own lines', async () => {
  const text = 'set -e\nsh <<EOF\necho start\nfind . -printf "%p"\nEOF\n';
  const { root } = await parseShell(text);
  const got = await busyboxNeedsDeep({ root, locate: (o) => ({ file: 's.sh', ...lineCol(text, o) }) });
  assert.deepEqual(got.map((n) => `${n.package}:${n.where.line}`), ['findutils:4']);
});
