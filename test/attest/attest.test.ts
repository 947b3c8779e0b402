import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { parseManifest } from '../../src/manifest/load.js';
import type { Manifest } from '../../src/manifest/types.js';
import type { Lock } from '../../src/lock/lock.js';
import { lockedInputs, versionFromFile } from '../../src/attest/inputs.js';
import { provenance, provenanceJson, type BuildFacts } from '../../src/attest/provenance.js';
import { sbomJson } from '../../src/attest/sbom.js';
import { withPackages } from '../support/locked-packages.js';

const SHA = (c: string) => c.repeat(64);

function manifest(yaml: string): Manifest {
  const { manifest: m, failures } = parseManifest(yaml, '/proj/tarsmith.yaml');
  assert.ok(m, failures.map((f) => f.message).join('\n'));
  return m;
}

const m = manifest(`version: 1
name: gw
sourceDateEpoch: 1700000000
platform: linux/arm64
sources:
  - name: libcli
    url: https://deb.example.org/pool/libcli_1.10.7.orig.tar.gz
    strip: 1
    license: LGPL-2.1-or-later
    patches: [patches/01-fix.patch, patches/02-more.patch]
  - name: fmlib
    git: https://github.com/nxp-qoriq/fmlib
    ref: lf-6.12.3-1.0.0
    license: BSD-3-Clause OR GPL-2.0-only
  - name: ask
    file: packages/ASK.tar.gz
    license: Vendor Proprietary
  - name: linux
    file: packages/linux-6.12.tar.xz
    strip: 1
kernel:
  source: linux
  arch: arm64
  fragment: kernel-extra.config
builder:
  rootfs: packages/rootfs.tar
  family: apt
  packages: [build-essential]
build:
  workdir: ask
  targets:
    userspace:
      steps: [make]
      artifacts: [bin/cmm]
`);

const base: Lock = {
  lockVersion: 1,
  sources: {
    libcli: { file: 'packages/libcli_1.10.7.orig.tar.gz', size: 1, sha256: SHA('a'), origin: 'url', url: 'https://deb.example.org/pool/libcli_1.10.7.orig.tar.gz', treeHash: SHA('1') },
    fmlib: { file: 'packages/fmlib-lf-6.12.3-1.0.0.tar.gz', size: 1, sha256: SHA('b'), origin: 'git', git: 'https://github.com/nxp-qoriq/fmlib', ref: 'lf-6.12.3-1.0.0', commit: '0123456789abcdef0123456789abcdef01234567', treeHash: SHA('2') },
    ask: { file: 'packages/ASK.tar.gz', size: 1, sha256: SHA('c'), origin: 'file', path: 'packages/ASK.tar.gz', treeHash: SHA('3') },
    linux: { file: 'packages/linux-6.12.tar.xz', size: 1, sha256: SHA('d'), origin: 'file', path: 'packages/linux-6.12.tar.xz', treeHash: SHA('4') },
  },
  patches: {
    'patches/01-fix.patch': { file: 'patches/01-fix.patch', size: 1, sha256: SHA('e') },
    'patches/02-more.patch': { file: 'patches/02-more.patch', size: 1, sha256: SHA('f') },
  },
  rootfs: { file: 'packages/rootfs.tar', size: 1, sha256: SHA('7') },
  kernelConfigs: { 'kernel-extra.config': { file: 'kernel-extra.config', size: 1, sha256: SHA('8') } },
};
const lock = withPackages(m, base, [
  { name: 'gcc-12', version: '12.2.0-14+deb12u1', architecture: 'amd64' },
  { name: 'make', version: '4.3-4.1', architecture: 'amd64' },
]);

const facts: BuildFacts = {
  name: 'gw', target: 'userspace', platform: 'linux/arm64', sourceDateEpoch: 1700000000, tarsmith: '0.1.0',
  engine: { client: '20.10.24', server: '20.10.24', mode: 'buildkit' },
  manifest: { name: 'tarsmith.yaml', sha256: SHA('9') },
  options: { noCache: false },
  dockerfileSha256: SHA('5'),
  steps: [{ label: 'build.targets.userspace.steps[0]', command: 'make' }],
  subjects: [{ name: 'bin/cmm', sha256: SHA('6') }, { name: 'SOME', sha256: SHA('0') }],
  symlinks: [{ path: 'lib/libx.so', target: 'libx.so.1' }],
  byproducts: [{ name: 'SHA256SUMS', sha256: SHA('0') }],
};

test('versions come from the file name when it holds the source name and a version', () => {
  assert.equal(versionFromFile('packages/libcli_1.10.7.orig.tar.gz', 'libcli'), '1.10.7');
  assert.equal(versionFromFile('packages/hello-1.0.tar.gz', 'hello'), '1.0');
  assert.equal(versionFromFile('packages/linux-6.12.tar.xz', 'linux'), '6.12');
  assert.equal(versionFromFile('packages/ASK.tar.gz', 'ask'), undefined);
  assert.equal(versionFromFile('packages/other-2.0.tar.gz', 'ask'), undefined, 'a version of another name is not guessed');
});

test('every locked input is listed once: sources, patches, the kernel fragment, the rootfs, the toolchain packages', () => {
  const inputs = lockedInputs(m, lock);
  assert.deepEqual(inputs.map((i) => `${i.kind}:${i.name}`), [
    'source:ask', 'source:fmlib', 'source:libcli', 'source:linux',
    'patch:patches/01-fix.patch', 'patch:patches/02-more.patch',
    'kernel-config:kernel-extra.config',
    'rootfs:packages/rootfs.tar',
    'package:gcc-12', 'package:make',
  ]);
  const libcli = inputs.find((i) => i.name === 'libcli');
  assert.equal(libcli?.kind === 'source' && libcli.purl,
    `pkg:generic/libcli@1.10.7?checksum=sha256%3A${SHA('a')}&download_url=https%3A%2F%2Fdeb.example.org%2Fpool%2Flibcli_1.10.7.orig.tar.gz`);
  const fmlib = inputs.find((i) => i.name === 'fmlib');
  assert.match(fmlib?.kind === 'source' ? fmlib.purl : '', /^pkg:generic\/fmlib@lf-6\.12\.3-1\.0\.0\?checksum=sha256%3Ab+&vcs_url=git%2Bhttps%3A%2F%2Fgithub\.com%2Fnxp-qoriq%2Ffmlib%400123456789abcdef/);
  const gcc = inputs.find((i) => i.name === 'gcc-12');
  assert.equal(gcc?.kind === 'package' && gcc.purl, 'pkg:deb/debian/gcc-12@12.2.0-14+deb12u1?arch=amd64');
});

test('provenance: an in-toto Statement with a SLSA v1 predicate; subjects, every dependency with its digest, hermetic', () => {
  const inputs = lockedInputs(m, lock);
  const st = provenance(facts, inputs) as any;
  assert.equal(st._type, 'https://in-toto.io/Statement/v1');
  assert.equal(st.predicateType, 'https://slsa.dev/provenance/v1');
  assert.deepEqual(st.subject.map((s: any) => s.name), ['SOME', 'bin/cmm'], 'sorted by name');
  assert.equal(st.subject[1].digest.sha256, SHA('6'));
  const bd = st.predicate.buildDefinition;
  assert.equal(bd.externalParameters.sourceDateEpoch, 1700000000);
  assert.equal(bd.externalParameters.platform, 'linux/arm64');
  assert.equal(bd.internalParameters.network, 'none');
  assert.equal(bd.internalParameters.hermetic, true);
  const deps = bd.resolvedDependencies as any[];
  assert.equal(deps.length, inputs.length);
  for (const d of deps) assert.match(d.digest?.sha256 ?? '', /^[0-9a-f]{64}$/, d.name);
  const fm = deps.find((d) => d.name === 'source:fmlib');
  assert.equal(fm.uri, 'git+https://github.com/nxp-qoriq/fmlib@0123456789abcdef0123456789abcdef01234567');
  assert.equal(fm.digest.gitCommit, '0123456789abcdef0123456789abcdef01234567');
  assert.equal(deps.find((d) => d.name === 'package:make:amd64').uri, 'pkg:deb/debian/make@4.3-4.1?arch=amd64');
  assert.deepEqual(deps.find((d) => d.name === 'patch:patches/02-more.patch').annotations, { source: 'libcli', order: 2 });
  assert.equal(st.predicate.runDetails.builder.version.tarsmith, '0.1.0');
  assert.equal(st.predicate.runDetails.metadata, undefined, 'no wall-clock times');
  assert.equal(provenanceJson(facts, inputs), provenanceJson(facts, lockedInputs(m, lock)), 'the same bytes for the same build');
});

test('SBOM: CycloneDX 1.6 valid against the schema, deterministic, purls, licenses, patches as pedigree', async () => {
  const inputs = lockedInputs(m, lock);
  const sf = { name: 'gw', target: 'userspace', sourceDateEpoch: 1700000000, tarsmith: '0.1.0', artifacts: facts.subjects };
  const text = sbomJson(sf, inputs);
  const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
  assert.equal(errors, null, JSON.stringify(errors));
  assert.equal(text, sbomJson(sf, lockedInputs(m, lock)), 'the same bytes for the same build');
  const bom = JSON.parse(text) as any;
  assert.equal(bom.bomFormat, 'CycloneDX');
  assert.equal(bom.specVersion, '1.6');
  assert.equal(bom.serialNumber, undefined);
  assert.equal(bom.metadata.timestamp, '2023-11-14T22:13:20.000Z', 'SOURCE_DATE_EPOCH, not the clock');
  const by = (ref: string) => bom.components.find((c: any) => c['bom-ref'] === ref);
  const libcli = by('source:libcli');
  assert.equal(libcli.version, '1.10.7');
  assert.deepEqual(libcli.hashes, [{ alg: 'SHA-256', content: SHA('a') }]);
  assert.deepEqual(libcli.licenses, [{ license: { id: 'LGPL-2.1-or-later' } }]);
  assert.deepEqual(libcli.pedigree.patches.map((p: any) => p.diff.url), ['patches/01-fix.patch', 'patches/02-more.patch']);
  assert.deepEqual(by('source:fmlib').licenses, [{ expression: 'BSD-3-Clause OR GPL-2.0-only' }]);
  assert.deepEqual(by('source:ask').licenses, [{ license: { name: 'Vendor Proprietary' } }]);
  assert.equal(by('package:gcc-12:amd64').purl, 'pkg:deb/debian/gcc-12@12.2.0-14+deb12u1?arch=amd64');
  assert.ok(by('builder-rootfs'));
  assert.ok(by('kernel-config:kernel-extra.config'));
  assert.deepEqual(bom.metadata.component.components.map((c: any) => c.name), ['SOME', 'bin/cmm']);
});

test('SBOM: the components a target built, each depending on its sources and on the components it builds over (schema-valid)', async () => {
  const inputs = lockedInputs(m, lock);
  const components = [
    { name: 'libcli', sources: ['libcli'], depends: [], kernel: false, build: 'make' },
    { name: 'gateway', sources: ['ask', 'fmlib'], depends: ['libcli'], kernel: true, build: 'steps' },
  ];
  const sf = { name: 'gw', target: 'userspace', sourceDateEpoch: 1700000000, tarsmith: '0.1.0', artifacts: facts.subjects, components };
  const text = sbomJson(sf, inputs);
  const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
  assert.equal(errors, null, JSON.stringify(errors));
  const bom = JSON.parse(text) as any;
  const by = (ref: string) => bom.components.find((c: any) => c['bom-ref'] === ref);
  assert.equal(by('component:gateway').name, 'gateway');
  assert.deepEqual(by('component:gateway').properties, [{ name: 'tarsmith:build', value: 'steps' }, { name: 'tarsmith:depends', value: 'kernel' }]);
  const deps = new Map<string, string[]>(bom.dependencies.map((d: any) => [d.ref, d.dependsOn ?? []]));
  assert.deepEqual([...(deps.get('component:gateway') ?? [])].sort(), ['component:libcli', 'source:ask', 'source:fmlib']);
  assert.deepEqual(deps.get('component:libcli'), ['source:libcli']);
  assert.ok(deps.get('build:gw:userspace')?.includes('component:gateway'), 'the build depends on the components it built');
  assert.equal(text, sbomJson(sf, lockedInputs(m, lock)), 'the same bytes for the same build');
});
