import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import AjvImport from 'ajv';
import { parseManifest, loadManifest } from '../../src/manifest/load.js';
import { manifestJsonSchema } from '../../src/manifest/schema.js';
import { isTarsmithError, renderDiagnostic } from '../../src/core/errors.js';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

const GOOD = `version: 1
name: ask
sourceDateEpoch: 1700000000
platform: linux/arm64
sources:
  - name: ask
    file: packages/ASK.tar.gz
    strip: 1
    license: GPL-2.0-only
  - name: fmlib
    git: https://github.com/nxp-qoriq/fmlib
    ref: lf-6.12.3-1.0.0
  - name: libnfnetlink
    url: https://netfilter.org/projects/libnfnetlink/files/libnfnetlink-1.0.2.tar.bz2
    mirrors: [http://127.0.0.1:8080]
    sha256: ${'a'.repeat(64)}
    patches: [patches/nfnetlink.patch]
builder:
  rootfs: packages/rootfs.tar
  family: apt
build:
  workdir: ask
  env: { ARCH: arm64 }
  version:
    - path: version.h
      content: '#define VERSION "1.0"'
  targets:
    userspace:
      steps: [make userspace]
      artifacts:
        - bin/cmm
        - path: lib/*.so
          rename: lib
`;

test('a valid manifest is normalised with defaults', () => {
  const { manifest, failures } = parseManifest(GOOD, '/p/tarsmith.yaml');
  assert.deepEqual(failures, []);
  assert.ok(manifest);
  assert.equal(manifest.platform, 'linux/arm64');
  assert.equal(manifest.dir, '/p');
  assert.deepEqual(manifest.sources[0]?.origin, { kind: 'file', file: 'packages/ASK.tar.gz' });
  assert.equal(manifest.sources[0]?.dropVcs, true);
  assert.equal(manifest.sources[0]?.strip, 1);
  assert.deepEqual(manifest.sources[1]?.origin, { kind: 'git', git: 'https://github.com/nxp-qoriq/fmlib', ref: 'lf-6.12.3-1.0.0' });
  assert.deepEqual(manifest.sources[1]?.provides, ['https://github.com/nxp-qoriq/fmlib']);
  assert.deepEqual(manifest.sources[2]?.patches, ['patches/nfnetlink.patch']);
  assert.deepEqual(manifest.build?.targets, [
    { name: 'userspace', steps: ['make userspace'], artifacts: [{ path: 'bin/cmm' }, { path: 'lib/*.so', rename: 'lib' }], kernel: false, modules: [] },
  ]);
  assert.deepEqual(manifest.positions['/sources/1/git'], { line: 11, col: 10 });
});

function errorsOf(text: string): string[] {
  const { manifest, failures } = parseManifest(text, path.join(process.cwd(), 'tarsmith.yaml'));
  assert.equal(manifest, undefined);
  return failures.map((f) => renderDiagnostic(f));
}

test('unknown key: file:line:col, the value, and a did-you-mean fix', () => {
  const errs = errorsOf(GOOD.replace('    strip: 1', '    stirp: 1'));
  assert.equal(errs.length, 1);
  assert.equal(
    errs[0],
    'tarsmith.yaml:8:5: error[manifest.unknown-key]: unknown key "stirp" in sources.0\n  value: "stirp"\n  fix: did you mean "strip"?',
  );
});

test('wrong types and patterns point at the value', () => {
  const errs = errorsOf(GOOD.replace('sourceDateEpoch: 1700000000', 'sourceDateEpoch: yesterday').replace("sha256: " + 'a'.repeat(64), 'sha256: abc'));
  assert.equal(errs.length, 2);
  assert.match(errs[0]!, /^tarsmith\.yaml:3:18: error\[manifest\.invalid-type\]: sourceDateEpoch must be a whole number\n  value: "yesterday"\n  fix: write a whole number here/);
  assert.match(errs[1]!, /^tarsmith\.yaml:16:13: error\[manifest\.invalid-pattern\]: sources\.2\.sha256/);
  assert.match(errs[1]!, /value: "abc"/);
});

test('duplicate names, missing and multiple origins, git without ref', () => {
  const text = `version: 1
name: x
sourceDateEpoch: 0
sources:
  - name: a
    file: a.tar
  - name: a
    url: https://example.org/a.tar
  - name: b
  - name: c
    file: c.tar
    url: https://example.org/c.tar
  - name: d
    git: https://example.org/d.git
`;
  const errs = errorsOf(text);
  const codes = errs.map((e) => /error\[([^\]]+)\]/.exec(e)?.[1]);
  assert.deepEqual(codes, ['manifest.duplicate-name', 'manifest.missing-origin', 'manifest.several-origins', 'manifest.missing-ref']);
  assert.match(errs[0]!, /^tarsmith\.yaml:7:11: .*"a" is used twice/);
  assert.match(errs[1]!, /^tarsmith\.yaml:9:5: /);
});

test('paths must stay inside the project; missing required keys; YAML duplicate keys', () => {
  const escape = errorsOf(GOOD.replace('file: packages/ASK.tar.gz', 'file: ../ASK.tar.gz'));
  assert.match(escape[0]!, /error\[manifest\.path-escape\]/);
  const missing = errorsOf('version: 1\nname: x\nsources: []\n');
  assert.match(missing[0]!, /^tarsmith\.yaml:1:1: error\[manifest\.missing-key\]: the manifest is missing the required key "sourceDateEpoch"/);
  const dup = errorsOf('version: 1\nname: x\nname: y\nsourceDateEpoch: 0\nsources: []\n');
  assert.match(dup[0]!, /^tarsmith\.yaml:3:1: error\[manifest\.duplicate-key\]/);
  const notMap = errorsOf('- just a list\n');
  assert.match(notMap[0]!, /manifest\.not-a-mapping/);
});

test('the printed JSON Schema validates the example manifest and rejects a bad one', async () => {
  const out = execFileSync(bin, ['schema'], { encoding: 'utf8' });
  const schema = JSON.parse(out);
  assert.deepEqual(schema, JSON.parse(JSON.stringify(manifestJsonSchema)));
  const Ajv = ((AjvImport as unknown as { default?: unknown }).default ?? AjvImport) as new (o: object) => { compile(s: unknown): (d: unknown) => boolean };
  const validate = new Ajv({ strict: false }).compile(schema);
  const { parse } = await import('yaml');
  assert.equal(validate(parse(GOOD)), true);
  assert.equal(validate(parse(GOOD.replace('family: apt', 'family: rpm'))), false);
});

test('loadManifest finds tarsmith.yaml in the folder, and a missing one is a usage error with a fix', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tarsmith-manifest-'));
  try {
    await assert.rejects(loadManifest({ cwd: dir }), (e: unknown) => {
      assert.ok(isTarsmithError(e));
      assert.equal(e.failures[0]?.code, 'manifest.not-found');
      assert.equal(e.exit, 2);
      return true;
    });
    await writeFile(path.join(dir, 'tarsmith.yaml'), GOOD);
    const m = await loadManifest({ cwd: dir });
    assert.equal(m.name, 'ask');
    assert.equal(m.file, path.join(dir, 'tarsmith.yaml'));
    await writeFile(path.join(dir, 'other.yaml'), GOOD.replace('name: ask', 'name: other'));
    assert.equal((await loadManifest({ cwd: dir, path: 'other.yaml' })).name, 'other');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('schema --help describes the command', () => {
  const r = spawnSync(bin, ['schema', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /JSON Schema/);
});

test('a plain file (extract: false): archive options are errors at their key; into must name a file', () => {
  const text = `version: 1
name: x
sourceDateEpoch: 0
sources:
  - name: frag
    file: kernel/extra.config
    extract: false
    into: /src/linux/arch/arm64/configs/
  - name: board
    url: https://example.org/board.dts
    extract: false
    strip: 1
    patches: [p.patch]
  - name: g
    git: https://example.org/g.git
    ref: v1
    extract: false
`;
  const errs = errorsOf(text);
  const codes = errs.map((e) => /error\[([^\]]+)\]/.exec(e)?.[1]);
  assert.deepEqual(codes, ['manifest.plain-file-into', 'manifest.plain-file-option', 'manifest.plain-file-option', 'manifest.plain-file-git']);
  assert.match(errs[0]!, /^tarsmith\.yaml:8:11: .*must name the file.*\n(.*\n)*\s*fix: write the full path, e\.g\. \/src\/linux\/arch\/arm64\/configs\/extra\.config/);
  assert.match(errs[1]!, /^tarsmith\.yaml:12:12: .*"strip" applies to archives/);
  const { manifest: m } = parseManifest(text.split('  - name: board')[0]!.replace('/src/linux/arch/arm64/configs/', '/src/linux/arch/arm64/configs/ls1046a_defconfig'), '/p/tarsmith.yaml');
  assert.equal(m?.sources[0]?.extract, false);
  assert.equal(parseManifest(GOOD, '/p/tarsmith.yaml').manifest?.sources[0]?.extract, true);
});
