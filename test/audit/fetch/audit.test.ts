import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { auditFetch } from '../../../src/audit/fetch/audit.js';
import type { Fetch } from '../../../src/audit/fetch/types.js';
import { exec } from '../../../src/core/exec.js';
import { ASK_FILES, writeTree } from './fixture.js';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-audit-fetch-'));
  await writeTree(path.join(dir, 'ask-1.0'), ASK_FILES);
});
after(() => fs.rm(dir, { recursive: true, force: true }));

function summary(fetches: readonly Fetch[]): unknown[] {
  return fetches.map((f) => [`${f.file}:${f.line}`, f.tool, f.url?.text, f.ref?.text, (f.url?.unresolved.length ?? 0) > 0]);
}

const NXP_TAG = 'lf-6.1.55-2.2.0';
const EXPECTED = [
  ['.gitmodules:3', '.gitmodules', 'https://github.com/nxp-qoriq/spc', NXP_TAG, false],
  ['Dockerfile:3', 'Dockerfile ADD', 'https://zlib.net/zlib-1.3.1.tar.gz', undefined, false],
  ['Makefile:16', 'git clone', 'https://github.com/nxp-qoriq/fmlib', NXP_TAG, false],
  ['Makefile:20', 'git clone', 'https://github.com/nxp-qoriq/fmc.git', NXP_TAG, false],
  ['Makefile:24', 'wget', 'https://www.netfilter.org/projects/libnfnetlink/files/libnfnetlink-1.0.2.tar.bz2', undefined, false],
  ['Makefile:27', 'curl', 'https://www.netfilter.org/projects/libnetfilter_conntrack/files/libnetfilter_conntrack-1.0.9.tar.bz2', undefined, false],
  ['Makefile:31', 'wget', '$(EXTRA_SITE)/extra-$(shell cat VERSION).tgz', undefined, true],
  ['cmake/CMakeLists.txt:4', 'cmake FetchContent', 'https://github.com/nlohmann/json.git', 'v3.11.2', false],
  ['cmake/CMakeLists.txt:7', 'cmake file(DOWNLOAD)', 'https://example.org/data/v3.11.2/table.bin', undefined, false],
  ['scripts/get-tools.sh:5', 'git clone', 'https://git.example.org/tools/dtc.git', 'v2.3', false],
  ['scripts/get-tools.sh:6', 'pip', 'pyelftools', undefined, false],
  ['subprojects/libyaml.wrap:3', 'meson wrap', 'https://pyyaml.org/download/libyaml/yaml-0.2.5.tar.gz', undefined, false],
];

test('an ASK-like folder: every fetch with file:line, tool, and URL and tag resolved across included files', async () => {
  const r = await auditFetch(path.join(dir, 'ask-1.0'));
  assert.deepEqual(summary(r.fetches), EXPECTED);
  const extra = r.fetches.find((f) => f.line === 31)!;
  assert.deepEqual(extra.url!.unresolved, ['undefined variable EXTRA_SITE', '$(shell ...) is not evaluated by the audit']);
  assert.equal(r.fetches.find((f) => f.tool === 'pip')!.kind, 'unsupported');
  assert.equal(r.uncovered, undefined);
});

test('the same tree as a tarball (read without extracting) gives the same report', async () => {
  const tarball = path.join(dir, 'ask-1.0.tar.gz');
  const t = await exec(['tar', '-czf', tarball, '-C', dir, 'ask-1.0']);
  assert.equal(t.code, 0, t.stderr);
  const fromTar = await auditFetch(tarball);
  const fromDir = await auditFetch(path.join(dir, 'ask-1.0'));
  assert.deepEqual(summary(fromTar.fetches), EXPECTED);
  assert.equal(fromTar.snippet, fromDir.snippet);
});

test('the sources: snippet is valid YAML in the manifest keys; unresolved and unsupported fetches are comments', async () => {
  const r = await auditFetch(path.join(dir, 'ask-1.0'));
  const doc = parse(r.snippet) as { sources: Record<string, string>[] };
  assert.deepEqual(doc.sources.find((s) => s.name === 'fmlib'), { name: 'fmlib', git: 'https://github.com/nxp-qoriq/fmlib', ref: NXP_TAG });
  assert.deepEqual(doc.sources.find((s) => s.name === 'libnfnetlink-1.0.2'), {
    name: 'libnfnetlink-1.0.2',
    url: 'https://www.netfilter.org/projects/libnfnetlink/files/libnfnetlink-1.0.2.tar.bz2',
  });
  assert.equal(doc.sources.length, 10);
  assert.match(r.snippet, /^# Makefile:31: wget <\$\(EXTRA_SITE\)>\/extra-<\$\(shell cat VERSION\)>\.tgz is not resolved: undefined variable EXTRA_SITE/m);
  assert.match(r.snippet, /^# scripts\/get-tools\.sh:6: pip fetch is not supported: vendor it by hand/m);
});

test('a .gitmodules submodule whose files are already in the tree needs no source', async () => {
  const top = path.join(dir, 'subs');
  await writeTree(top, {
    '.gitmodules': '[submodule "a"]\n\tpath = deps/a\n\turl = https://h/a.git\n[submodule "b"]\n\tpath = deps/b\n\turl = https://h/b.git\n',
    'deps/a/a.c': 'int a;\n',
  });
  const r = await auditFetch(top);
  assert.deepEqual(r.fetches.map((f) => [f.url?.text, f.needsSource, f.context]), [
    ['https://h/a.git', false, 'already in the tree at deps/a'],
    ['https://h/b.git', true, undefined],
  ]);
  assert.match(r.snippet, /- name: b\n {4}git: https:\/\/h\/b\.git\n {4}ref: REF\n/);
  assert.doesNotMatch(r.snippet, /name: a\n/);
});

test('coverage: URL variants and refs match like the stand-ins; a clone naming no ref of a URL vendored twice is not covered', async () => {
  const { checkCoverage } = await import('../../../src/audit/fetch/coverage.js');
  const { manifest, source } = await import('../../shims/rig.js');
  const m = manifest([
    source('a1', { kind: 'git', git: 'https://h/a.git', ref: 'v1' }),
    source('a2', { kind: 'git', git: 'https://h/a.git', ref: 'v2' }),
    source('b', { kind: 'file', file: 'b.tgz' }, ['http://h/b/']),
  ]);
  const fetch = (url: string, ref?: string): Fetch => ({
    file: 'Makefile', line: 1, tool: 'git clone', kind: 'git', command: '', needsSource: true,
    url: { text: url, unresolved: [] }, ...(ref ? { ref: { text: ref, unresolved: [] } } : {}),
  });
  const fetches = [fetch('http://h/a/', 'refs/tags/v2'), fetch('https://h/a'), fetch('https://h/b.git', 'any'), fetch('https://H/b')];
  assert.equal(checkCoverage(fetches, m), 2);
  assert.deepEqual(fetches.map((f) => f.coveredBy), ['a2', null, 'b', null]);
});

test('a path that does not exist is a usage error', async () => {
  await assert.rejects(auditFetch(path.join(dir, 'nope')), (e: unknown) => (e as { exit: number }).exit === 2);
});
