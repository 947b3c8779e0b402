import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASK_FILES, writeTree } from './fixture.js';

const bin = fileURLToPath(new URL('../../../bin/tarsmith', import.meta.url));
const TAG = 'lf-6.1.55-2.2.0';
const NFCT = 'https://www.netfilter.org/projects/libnetfilter_conntrack/files/libnetfilter_conntrack-1.0.9.tar.bz2';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-audit-cli-'));
  await writeTree(path.join(dir, 'up'), {
    Makefile: ASK_FILES.Makefile!,
    'build/sources.mk': ASK_FILES['build/sources.mk']!.replace('WITH_EXTRA = y', 'WITH_EXTRA = n'),
  });
});
after(() => fs.rm(dir, { recursive: true, force: true }));

function manifest(withConntrack: boolean): string {
  return [
    'version: 1',
    'name: ask',
    'sourceDateEpoch: 1700000000',
    'sources:',
    '  - name: fmlib',
    '    git: https://github.com/nxp-qoriq/fmlib.git',
    `    ref: ${TAG}`,
    '  - name: fmc',
    '    git: http://github.com/nxp-qoriq/fmc',
    `    ref: refs/tags/${TAG}`,
    '  - name: libnfnetlink',
    '    url: https://www.netfilter.org/projects/libnfnetlink/files/libnfnetlink-1.0.2.tar.bz2',
    ...(withConntrack ? ['  - name: conntrack', '    file: vendor/ct.tar.bz2', `    provides: [${NFCT}]`] : []),
    '',
  ].join('\n');
}

function run(args: string[]) {
  return spawnSync(bin, args, { encoding: 'utf8', cwd: dir });
}

test('audit fetch --manifest exits 0 when every fetch is covered (URL variants matched) and 1 when one is not', async () => {
  await fs.writeFile(path.join(dir, 'full.yaml'), manifest(true));
  await fs.writeFile(path.join(dir, 'partial.yaml'), manifest(false));
  const ok = run(['--manifest', 'full.yaml', 'audit', 'fetch', 'up']);
  assert.equal(ok.status, 0, ok.stderr + ok.stdout);
  assert.match(ok.stdout, /Makefile:20: git clone \(recipe of sources\/fmc\)\n {2}url: https:\/\/github\.com\/nxp-qoriq\/fmc\.git\n {2}ref: lf-6\.1\.55-2\.2\.0\n.*\n {2}status: covered by source fmc/);
  const bad = run(['--manifest', 'partial.yaml', 'audit', 'fetch', 'up']);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /Makefile:27: curl .*\n {2}url: https:\/\/www\.netfilter\.org\/.*\n {2}command: .*\n {2}status: NOT COVERED by the manifest/);
  assert.match(bad.stdout, /# sources to add to the manifest:\nsources:\n {2}- name: libnetfilter_conntrack-1\.0\.9\n {4}url: https:\/\/www\.netfilter\.org\/projects\/libnetfilter_conntrack\/files\/libnetfilter_conntrack-1\.0\.9\.tar\.bz2\n$/);
});

test('audit fetch --json prints one document; a missing path exits 2', () => {
  const r = run(['audit', 'fetch', 'up', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; fetches: { file: string; line: number; tool: string; url: { text: string } }[] };
  assert.equal(doc.ok, true);
  assert.deepEqual(doc.fetches.map((f) => `${f.file}:${f.line} ${f.tool} ${f.url.text}`), [
    'Makefile:16 git clone https://github.com/nxp-qoriq/fmlib',
    'Makefile:20 git clone https://github.com/nxp-qoriq/fmc.git',
    'Makefile:24 wget https://www.netfilter.org/projects/libnfnetlink/files/libnfnetlink-1.0.2.tar.bz2',
    `Makefile:27 curl ${NFCT}`,
  ]);
  const missing = run(['audit', 'fetch', 'nope', '--json']);
  assert.equal(missing.status, 2);
  assert.equal((JSON.parse(missing.stdout) as { ok: boolean }).ok, false);
  const help = run(['audit', 'fetch', '--help']);
  assert.match(help.stdout, /Example:\n {2}\$ tarsmith audit fetch/);
});

test('audit fetch notes are diagnostics: one text form (info[code], value line) and one JSON form', async () => {
  await writeTree(path.join(dir, 'noted'), {
    Makefile: 'all:\n\tgit clone https://example.org/a.git\ninclude nowhere.mk\n',
  });
  const text = run(['audit', 'fetch', 'noted']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^Makefile:3: info\[audit\.make-include-missing\]: included file nowhere\.mk is not in the tree\n {2}value: "nowhere\.mk"$/m);
  const json = run(['audit', 'fetch', 'noted', '--json']);
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual((JSON.parse(json.stdout) as { diagnostics: unknown[] }).diagnostics, [
    {
      severity: 'info',
      code: 'audit.make-include-missing',
      message: 'included file nowhere.mk is not in the tree',
      exit: 0,
      where: { file: 'Makefile', line: 3 },
      value: 'nowhere.mk',
    },
  ]);
});

test('values only the running make or shell knows ($(CURDIR), $PWD) are marked unresolved, with why, in the output and snippet', async () => {
  const up = path.join(dir, 'curdir');
  await writeTree(up, {
    Makefile: [
      'TOPDIR := $(CURDIR)',
      'LOCAL := file://$(CURDIR)/mirror',
      'all:',
      '\tgit clone -b v1 https://github.com/nxp-qoriq/fmlib $(TOPDIR)/sources/fmlib',
      '\tgit clone $(TOPDIR)/../fmc.git fmc',
      '\twget "$(LOCAL)/libcli.tar.gz"',
      '\tcd x && git clone $$PWD/e.git',
      '',
    ].join('\n'),
  });
  const r = spawnSync(bin, ['audit', 'fetch', up], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const why = '$(CURDIR) is the folder make runs in, known only when it runs';
  assert.ok(r.stdout.includes(`  command: git clone -b v1 https://github.com/nxp-qoriq/fmlib <$(CURDIR)>/sources/fmlib\n`), r.stdout);
  assert.ok(r.stdout.includes(`  url: <$(CURDIR)>/../fmc.git  (unresolved: ${why})\n`), r.stdout);
  assert.ok(r.stdout.includes(`  url: file://<$(CURDIR)>/mirror/libcli.tar.gz  (unresolved: ${why})\n`), r.stdout);
  assert.ok(r.stdout.includes('  url: <$PWD>/e.git  (unresolved: $PWD comes from the machine the script runs on)\n'), r.stdout);
  const snippet = r.stdout.slice(r.stdout.indexOf('# sources for the manifest:'));
  assert.ok(snippet.includes(`# Makefile:5: git clone <$(CURDIR)>/../fmc.git is not resolved: ${why}\n`), snippet);
  assert.ok(snippet.includes(`# Makefile:6: wget file://<$(CURDIR)>/mirror/libcli.tar.gz is not resolved: ${why}\n`), snippet);
  // Only the resolved clone is an entry; nothing with $(CURDIR) is offered as a source.
  assert.match(snippet, /^sources:\n  - name: fmlib\n    git: https:\/\/github\.com\/nxp-qoriq\/fmlib\n    ref: v1\n$/m);
  assert.doesNotMatch(snippet.slice(snippet.indexOf('sources:')), /CURDIR|PWD/);
  const json = JSON.parse(spawnSync(bin, ['audit', 'fetch', up, '--json'], { encoding: 'utf8' }).stdout) as { fetches: { url: { text: string; spans?: number[][] } }[] };
  assert.deepEqual(json.fetches[1]!.url, { text: '$(CURDIR)/../fmc.git', unresolved: [why], spans: [[0, 9]] });
});
