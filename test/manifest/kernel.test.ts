import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseManifest } from '../../src/manifest/load.js';
import { kernelConfigFiles } from '../../src/manifest/types.js';
import { renderDiagnostic } from '../../src/core/errors.js';

const BASE = `version: 1
name: gw
sourceDateEpoch: 1700000000
sources:
  - name: app
    file: packages/app.tar.gz
  - name: linux
    file: packages/linux.tar.xz
    strip: 1
builder:
  rootfs: packages/rootfs.tar
build:
  workdir: app
  targets:
    modules:
      modules: [cdx, fci/]
      artifacts: [bin/tool]
    userspace:
      steps: [make]
      artifacts: [bin/tool]
`;

const KERNEL = `kernel:
  source: linux
  arch: arm64
  crossCompile: aarch64-linux-gnu-
  defconfig: tinyconfig
  fragment: base.config
  fragments: [extra.config, more.config]
  allowUnknown: [CONFIG_NETFILTER_XTABLES_LEGACY]
  allowMismatch: [IP6_NF_IPTABLES]
  build: full
  artifacts: [image, modules, symvers, modules]
`;

function parse(text: string) {
  return parseManifest(text, path.join(process.cwd(), 'tarsmith.yaml'));
}

test('kernel: section normalised: base, fragments in order, policy names without CONFIG_, defaults', () => {
  const { manifest, failures } = parse(BASE + KERNEL);
  assert.deepEqual(failures, []);
  const k = manifest?.kernel;
  assert.ok(k);
  assert.deepEqual(k.base, { kind: 'defconfig', target: 'tinyconfig' });
  assert.deepEqual(k.fragments, ['base.config', 'extra.config', 'more.config']);
  assert.deepEqual(k.allowUnknown, ['NETFILTER_XTABLES_LEGACY']);
  assert.deepEqual(k.allowMismatch, ['IP6_NF_IPTABLES']);
  assert.equal(k.unknownSymbols, 'error');
  assert.equal(k.build, 'full');
  assert.deepEqual(k.artifacts, ['image', 'modules', 'symvers']);
  assert.deepEqual(kernelConfigFiles(k, manifest.positions).map((f) => f.pointer), ['/kernel/fragment', '/kernel/fragments/0', '/kernel/fragments/1']);
  const [mods, user] = manifest.build?.targets ?? [];
  assert.deepEqual(mods?.modules, [{ path: 'cdx' }, { path: 'fci' }]);
  assert.equal(mods?.kernel, true, 'modules imply building against the kernel');
  assert.equal(user?.kernel, false);

  const d = parse(`${BASE}kernel:\n  source: linux\n  arch: x86_64\n  config: configs/base.config\n`).manifest?.kernel;
  assert.deepEqual(d?.base, { kind: 'file', path: 'configs/base.config' });
  assert.equal(d?.build, 'modules_prepare');
  assert.deepEqual(d?.fragments, []);
});

test('kernel: every bad value is reported at its line with a fix', () => {
  const bad = `${BASE.replace('      modules: [cdx, fci/]', '      modules: [cdx, ../x]\n      sources: [linux, nope]')}kernel:
  source: linux
  arch: x86_64
  defconfig: tinyconfig
  config: base.config
  fragments: [a.config, a.config, /etc/b.config]
  allowUnknown: [CONFIG-BAD]
  unknownSymbols: ignore
  artifacts: [image]
`;
  const { failures } = parse(bad);
  const text = failures.map((f) => renderDiagnostic(f));
  // schema errors come first (the semantic checks run on a schema-valid manifest)
  assert.ok(text.some((t) => /tarsmith.yaml:\d+:\d+: error\[manifest\.invalid-pattern\]: kernel\.allowUnknown\.0/.test(t)), text.join('\n'));
  assert.ok(text.some((t) => /error\[manifest\.invalid-enum\]: kernel\.unknownSymbols/.test(t)));

  const semantic = parse(bad.replace('  allowUnknown: [CONFIG-BAD]\n', '').replace('  unknownSymbols: ignore\n', '')).failures.map((f) => renderDiagnostic(f));
  const has = (code: string, line: number) => assert.ok(semantic.some((t) => t.startsWith(`tarsmith.yaml:${line}:`) && t.includes(`error[manifest.${code}]`)), `${code} at ${line}:\n${semantic.join('\n')}`);
  has('path-escape', 16);
  has('kernel-source-in-target', 17);
  has('unknown-source', 17);
  has('several-bases', 26);
  has('duplicate-fragment', 27);
  has('absolute-path', 27);
  has('kernel-artifact-needs-full', 28);
  assert.ok(semantic.some((t) => t.includes('fix: add `build: full` under kernel:')));
});

test('a target building against the kernel needs a kernel: section', () => {
  const text = parse(BASE).failures.map((f) => renderDiagnostic(f));
  assert.equal(text.length, 1);
  assert.match(text[0] as string, /^tarsmith.yaml:16:\d+: error\[manifest\.no-kernel\]: target modules builds against the kernel, but the manifest has no kernel: section/);
});

test('the kernel source must be an archive: a plain file (extract: false) is refused at kernel.source', () => {
  const plain = BASE.replace('    file: packages/linux.tar.xz\n    strip: 1\n', '    file: packages/linux.tar.xz\n    extract: false\n') + KERNEL.replace('  artifacts: [image, modules, symvers, modules]', '  artifacts: [image]');
  const text = parse(plain).failures.map((f) => renderDiagnostic(f));
  assert.ok(text.some((t) => /^tarsmith.yaml:\d+:\d+: error\[manifest\.kernel-source-plain\]: the kernel source "linux" is a plain file/.test(t)), text.join('\n'));
});

test('kernel.signingKey: a private plain-file source, never extracted into a target or a component', () => {
  const withKey = (source: string, extra = '') =>
    BASE.replace('builder:\n', `  - name: key\n    file: keys/signing_key.pem\n${source}builder:\n`) + KERNEL + '  signingKey: key\n' + extra;
  const ok = parse(withKey('    private: true\n    extract: false\n'));
  assert.deepEqual(ok.failures, []);
  assert.equal(ok.manifest?.kernel?.signingKey, 'key');
  const render = (text: string) => parse(text).failures.map((f) => renderDiagnostic(f));
  for (const source of ['', '    private: true\n', '    extract: false\n']) {
    const t = render(withKey(source));
    assert.ok(t.some((l) => /^tarsmith.yaml:\d+:\d+: error\[manifest\.signing-key-not-private\]: the module signing key "key" is not a private plain file/.test(l)), t.join('\n'));
  }
  const none = render(BASE + KERNEL + '  signingKey: nokey\n');
  assert.ok(none.some((l) => /error\[manifest\.unknown-source\]: kernel\.signingKey names no source: "nokey"/.test(l)), none.join('\n'));
  const inTarget = render(withKey('    private: true\n    extract: false\n').replace('      artifacts: [bin/tool]\n    userspace:', '      artifacts: [bin/tool]\n      sources: [app, key]\n    userspace:'));
  assert.ok(inTarget.some((l) => /error\[manifest\.signing-key-in-target\]: the module signing key "key" is only mounted for the steps that sign/.test(l)), inTarget.join('\n'));
  const inComponent = render(withKey('    private: true\n    extract: false\n', 'components:\n  lib:\n    sources: [app, key]\n    build: make\n    installs: [usr/lib/libx.so]\n'));
  assert.ok(inComponent.some((l) => /error\[manifest\.signing-key-in-target\]/.test(l)), inComponent.join('\n'));
});
