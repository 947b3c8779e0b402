import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanShell } from '../../../src/audit/fetch/shell.js';
import { readCMake } from '../../../src/lang/cmake/read.js';
import { scanCMake } from '../../../src/audit/fetch/cmake.js';
import type { AuditTree } from '../../../src/audit/fetch/tree.js';

function scan(text: string) {
  const r = scanShell({ text, file: 'x.sh', lineBase: 0 });
  return r.fetches.map((f) => [f.line, f.tool, f.url?.text, f.ref?.text, f.url?.unresolved ?? [], f.needsSource]);
}

test('variables, quotes, defaults and prefix/suffix removal resolve; arguments and substitutions do not', () => {
  assert.deepEqual(
    scan(
      [
        'B="https://example.org/pub"',
        "V='1.2'",
        'T=${TAG:-v$V}',
        'F=$B/pkg-$V.tar.gz',
        'wget "${F%.tar.gz}.tar.xz" ${B}/"sig file"',
        'curl -fsSLO "$B/${F##*/}"',
        'git clone --branch "$T" $1 dir',
        'curl -o out "$B/$(date +%F).tgz"',
      ].join('\n'),
    ),
    [
      [5, 'wget', 'https://example.org/pub/pkg-1.2.tar.xz', undefined, [], true],
      [5, 'wget', 'https://example.org/pub/sig file', undefined, [], true],
      [6, 'curl', 'https://example.org/pub/pkg-1.2.tar.gz', undefined, [], true],
      [7, 'git clone', '$1', 'v1.2', ['$1 is a script argument or special parameter'], true],
      [8, 'curl', 'https://example.org/pub/$(date +%F).tgz', undefined, ['command substitution $(date +%F) is not run by the audit'], true],
    ],
  );
});

test('assignments under if/case/loops/|| make a variable unresolved; a literal for loop is unrolled', () => {
  const rows = scan(
    [
      'if [ "$ARCH" = arm64 ]; then V=1; else V=2; fi',
      'wget https://x.org/a-$V.tgz',
      'for r in fmlib fmc; do git clone https://github.com/nxp-qoriq/$r; done',
      'test -n "$W" || W=3',
      'wget https://x.org/w-$W.tgz',
    ].join('\n'),
  );
  assert.deepEqual(rows[0], [2, 'wget', 'https://x.org/a-$V.tgz', undefined, ['V is set conditionally (x.sh:1)'], true]);
  assert.deepEqual(rows.slice(1, 3).map((r) => r[2]), ['https://github.com/nxp-qoriq/fmlib', 'https://github.com/nxp-qoriq/fmc']);
  assert.deepEqual(rows[3]![4], ['W is set conditionally (x.sh:4)']);
});

test('git sub-commands, wrappers, sh -c, curl value options, and unsupported package managers', () => {
  assert.deepEqual(
    scan(
      [
        'sudo -E git -C /src -c http.sslVerify=false clone -q --depth=1 -b v1 https://h/r.git',
        'env A=1 wget -O - -U agent https://h/f.tgz',
        'curl -sSLo out.tgz -H "X-A: b" --retry 3 https://h/g.tgz',
        'sh -c "git clone https://h/nested.git"',
        'git fetch origin v2',
        'git fetch https://h/r.git refs/tags/v3:refs/tags/v3',
        'git submodule update --init --recursive',
        'git ls-remote https://h/r.git',
        'npm ci',
        'go mod download',
        'cargo fetch',
        'python3 -m pip install -r requirements.txt',
      ].join('\n'),
    ),
    [
      [1, 'git clone', 'https://h/r.git', 'v1', [], true],
      [2, 'wget', 'https://h/f.tgz', undefined, [], true],
      [3, 'curl', 'https://h/g.tgz', undefined, [], true],
      [4, 'git clone', 'https://h/nested.git', undefined, [], true],
      [5, 'git fetch', undefined, undefined, [], false],
      [6, 'git fetch', 'https://h/r.git', 'v3', [], true],
      [7, 'git submodule', undefined, undefined, [], false],
      [8, 'git ls-remote', 'https://h/r.git', undefined, [], true],
      [9, 'npm', undefined, undefined, [], true],
      [10, 'go', undefined, undefined, [], true],
      [11, 'cargo', undefined, undefined, [], true],
      [12, 'pip', 'requirements.txt', undefined, [], true],
    ],
  );
});

test('a git checkout after a clone without -b gives the clone its ref, across the lines of a Make rule', async () => {
  assert.deepEqual(scan('git clone https://h/a.git a && cd a && git checkout -q v1.2 && git reset --hard v9')[0]!.slice(2, 4), ['https://h/a.git', 'v1.2']);
  const { scanMakefiles } = await import('../../../src/audit/fetch/make.js');
  const files: Record<string, string> = {
    Makefile: 'TAG = v3\nlib:\n\tgit clone https://h/lib.git\n\tgit -C lib checkout $(TAG)\nother:\n\tgit -C x checkout v4\n',
  };
  const r = scanMakefiles({ files: ['Makefile'], read: (p) => files[p] });
  assert.deepEqual(r.fetches.map((f) => [f.line, f.url?.text, f.ref?.text]), [[3, 'https://h/lib.git', 'v3']]);
});

test('nested loops are unrolled within a budget, then read once with the loop variable unresolved', () => {
  const ten = '0 1 2 3 4 5 6 7 8 9';
  const rows = scan(`for a in ${ten}; do for b in ${ten}; do for c in ${ten}; do wget https://h/$a$b$c; done; done; done`);
  assert.ok(rows.length > 1 && rows.length <= 64, String(rows.length));
  assert.equal(rows[0]![2], 'https://h/000');
  assert.ok(rows.some((r) => (r[4] as string[]).some((why) => /is a loop variable/.test(why))));
  assert.deepEqual(scan('echo no fetching words here; for x in a b; do ls $x; done'), []);
});

test('$(shell ...) commands make runs are scanned too, where they run', async () => {
  const { scanMakefiles } = await import('../../../src/audit/fetch/make.js');
  const files: Record<string, string> = {
    Makefile: 'SITE = https://x.org\nLATEST := $(shell curl -fsSL $(SITE)/latest.txt)\nall:\n\techo $(shell wget -qO- $(SITE)/v)\n',
  };
  const r = scanMakefiles({ files: ['Makefile'], read: (p) => files[p] });
  assert.deepEqual(r.fetches.map((f) => [f.line, f.tool, f.url?.text, f.context]), [
    [2, 'curl', 'https://x.org/latest.txt', '$(shell ...) run by make'],
    [4, 'wget', 'https://x.org/v', '$(shell ...) run by make'],
  ]);
});

test('unparsable shell text is a note, not a crash', () => {
  const r = scanShell({ text: 'if then ( git clone x', file: 'bad.sh', lineBase: 10 });
  assert.deepEqual(r.fetches, []);
  assert.equal(r.diagnostics[0]!.code, 'audit.shell-syntax');
  assert.equal(r.diagnostics[0]!.where.line, 11);
});

test('CMake: quoted, bracket and unquoted arguments, comments; set() inside a block is unresolved', () => {
  const calls = readCMake('# c\nset(A "x y" [=[lit ${A}]=] z) #[[ block\ncomment ]]\nmessage(STATUS ok)\n');
  assert.deepEqual(calls.map((c) => [c.name, c.line, c.args.map((a) => a.raw)]), [
    ['set', 2, ['A', 'x y', 'lit ${A}', 'z']],
    ['message', 4, ['STATUS', 'ok']],
  ]);
  const files: Record<string, string> = {
    'CMakeLists.txt': [
      'set(BASE https://github.com/acme)',
      'if(WIN32)',
      '  set(TAG win)',
      'endif()',
      'include(cmake/deps.cmake)',
      'ExternalProject_Add(lib GIT_REPOSITORY ${BASE}/lib.git GIT_TAG ${TAG})',
    ].join('\n'),
    'cmake/deps.cmake': 'FetchContent_Declare(dep URL $ENV{MIRROR}/dep.tgz URL_HASH SHA256=00)\nFetchContent_Declare(dep2 URL ${BASE}/dep2.tgz)\n',
  };
  const tree: AuditTree = { files: Object.keys(files).sort(), read: (p) => files[p] };
  const found = scanCMake(tree).map((f) => [f.file, f.line, f.tool, f.url?.text, f.ref?.text, [...(f.url?.unresolved ?? []), ...(f.ref?.unresolved ?? [])]]);
  assert.deepEqual(found, [
    ['cmake/deps.cmake', 1, 'cmake FetchContent', '$ENV{MIRROR}/dep.tgz', undefined, ['$ENV{MIRROR} comes from the environment']],
    ['cmake/deps.cmake', 2, 'cmake FetchContent', 'https://github.com/acme/dep2.tgz', undefined, []],
    ['CMakeLists.txt', 6, 'cmake ExternalProject', 'https://github.com/acme/lib.git', '${TAG}', ['TAG is set inside a block (CMakeLists.txt:3)']],
    ['cmake/deps.cmake', 1, 'cmake FetchContent', '$ENV{MIRROR}/dep.tgz', undefined, ['$ENV{MIRROR} comes from the environment']],
    ['cmake/deps.cmake', 2, 'cmake FetchContent', '${BASE}/dep2.tgz', undefined, ['CMake variable BASE is not set by a plain set()']],
  ]);
});
