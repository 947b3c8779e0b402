import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../src/manifest/load.js';
import { coveredByInstalls } from '../../src/manifest/components.js';
import { globRegExp } from '../../src/core/glob.js';
import type { Failure } from '../../src/core/errors.js';

const HEAD = `version: 1
name: chain
sourceDateEpoch: 1700000000
sources:
  - name: libcli
    file: packages/libcli.tar.gz
    strip: 1
  - name: nfct
    file: packages/nfct.tar.xz
    strip: 1
  - name: mine
    file: packages/mine.tar.gz
  - name: app
    file: packages/app.tar.gz
builder:
  rootfs: packages/rootfs.tar
`;

const GOOD = `${HEAD}components:
  libcli:
    build: make
    args: [TESTS=0]
    installs: [usr/lib/libcli.so*, usr/include/libcli.h]
  nfct:
    build: autotools
    args: [--disable-static]
    installs: [usr/lib/libnetfilter_conntrack.so*, usr/lib/pkgconfig/libnetfilter_conntrack.pc]
  top:
    sources: [mine]
    depends: [libcli, nfct]
    steps: [make, make install DESTDIR="$DESTDIR"]
    env: { V: "1" }
    installs: [usr/lib/]
build:
  targets:
    libs:
      artifacts:
        - { component: top, path: usr/lib/libtop.so* }
        - { component: libcli, path: usr/include/libcli.h, rename: include/ }
    app:
      depends: [top]
      steps: [make]
      artifacts: [app]
`;

function failures(yaml: string): Failure[] {
  const r = parseManifest(yaml, '/p/tarsmith.yaml');
  assert.equal(r.manifest, undefined, 'the manifest should be refused');
  return r.failures;
}

const brief = (f: Failure) => `${f.where?.line}:${f.where?.col} ${f.code}`;

test('components: normalised in dependency order, build systems and steps, sources defaulting to the name', () => {
  const { manifest: m, failures: f } = parseManifest(GOOD, '/p/tarsmith.yaml');
  assert.ok(m, f.map((x) => x.message).join('\n'));
  assert.deepEqual(m.components?.map((c) => c.name), ['libcli', 'nfct', 'top']);
  const [libcli, nfct, top] = m.components!;
  assert.deepEqual(libcli, { name: 'libcli', sources: ['libcli'], depends: [], kernel: false, build: { kind: 'system', system: 'make', args: ['TESTS=0'] }, env: {}, installs: ['usr/lib/libcli.so*', 'usr/include/libcli.h'] });
  assert.deepEqual(nfct?.build, { kind: 'system', system: 'autotools', args: ['--disable-static'] });
  assert.deepEqual(top?.sources, ['mine']);
  assert.deepEqual(top?.build, { kind: 'steps', steps: ['make', 'make install DESTDIR="$DESTDIR"'] });
  const libs = m.build?.targets.find((t) => t.name === 'libs');
  assert.deepEqual(libs?.artifacts, [{ component: 'top', path: 'usr/lib/libtop.so*' }, { component: 'libcli', path: 'usr/include/libcli.h', rename: 'include/' }]);
  // The components' sources are not extracted into the targets' tree: only app is.
  assert.deepEqual(libs?.sources, ['app']);
  assert.deepEqual(m.build?.targets.find((t) => t.name === 'app')?.depends, ['top']);
});

test('components: dependency order puts each after its dependencies, whatever the written order', () => {
  const yaml = `${HEAD}components:
  top: { sources: [mine], depends: [nfct, libcli], build: make, installs: [usr] }
  nfct: { depends: [libcli], build: autotools, installs: [usr] }
  libcli: { build: make, installs: [usr] }
`;
  const { manifest: m } = parseManifest(yaml, '/p/tarsmith.yaml');
  assert.deepEqual(m?.components?.map((c) => c.name), ['libcli', 'nfct', 'top']);
});

test('a cycle is an error at the dependency that closes it, naming the whole cycle', () => {
  const f = failures(`${HEAD}components:
  libcli:
    build: make
    depends: [top]
    installs: [usr]
  nfct:
    build: autotools
    installs: [usr]
  top:
    sources: [mine]
    depends: [nfct, libcli]
    build: make
    installs: [usr]
`);
  assert.deepEqual(f.map(brief), ['27:21 manifest.component-cycle']);
  assert.match(f[0]!.message, /cycle: libcli → top → libcli/);
});

test('a component depending on itself, an unknown dependency, an unknown source: errors at their line', () => {
  const f = failures(`${HEAD}components:
  libcli:
    build: make
    depends: [libcli, libmnl]
    installs: [usr]
  top:
    sources: [mine, nosuch]
    build: make
    installs: [usr]
`);
  assert.deepEqual(f.map(brief), ['20:15 manifest.component-cycle', '20:23 manifest.unknown-dependency', '23:21 manifest.unknown-source']);
  assert.equal(f[1]!.value, 'libmnl');
  assert.match(f[1]!.hint ?? '', /use one of: libcli, top, kernel/);
});

test('a missing install, no build, both build and steps, phases without a build system: errors', () => {
  const f = failures(`${HEAD}components:
  libcli:
    build: make
  nfct:
    installs: [usr/lib]
  mine:
    build: cmake
    steps: [make]
    installs: [/usr/lib]
  top:
    sources: [app]
    configure: [./configure]
    steps: [make]
    installs: [usr]
`);
  assert.deepEqual(f.map(brief), [
    '19:5 manifest.component-missing-install',
    '21:5 manifest.component-no-build',
    '24:12 manifest.component-steps-and-build',
    '25:16 manifest.path-escape',
    '28:16 manifest.stray-key',
  ]);
});

test('a component without sources needs a source of its name; kernel in depends needs a kernel section', () => {
  const f = failures(`${HEAD}components:
  libfoo:
    build: make
    depends: [kernel]
    installs: [usr]
`);
  assert.deepEqual(f.map((x) => x.code), ['manifest.component-no-source', 'manifest.no-kernel']);
});

test('two component names that make the same stage name clash', () => {
  const f = failures(`${HEAD}components:
  Lib+x: { sources: [mine], build: make, installs: [usr] }
  lib-x: { sources: [app], build: make, installs: [usr] }
`);
  assert.deepEqual(f.map((x) => x.code), ['manifest.component-name-clash']);
  assert.match(f[0]!.message, /components Lib\+x and lib-x would build in the same stage \(component-lib-x\)/);
});

test('targets: an unknown component in depends or artifacts, an artifact the component does not install', () => {
  const f = failures(`${HEAD}components:
  libcli:
    build: make
    installs: [usr/lib/libcli.so*, usr/include/libcli.h]
build:
  targets:
    t:
      depends: [libclii]
      artifacts:
        - { component: libcli, path: usr/lib/libcli.a }
        - { component: nosuch, path: x }
        - { component: libcli, path: ../etc/passwd }
`);
  assert.deepEqual(f.map(brief).sort(), ['24:17 manifest.unknown-component', '26:38 manifest.component-artifact-not-installed', '27:24 manifest.unknown-component', '28:38 manifest.component-artifact-not-installed', '28:38 manifest.path-escape']);
  assert.match(f.find((x) => x.code === 'manifest.unknown-component')!.hint ?? '', /use one of: libcli/);
});

test('globs: what an install list covers', () => {
  assert.ok(globRegExp('usr/lib/libcli.so*').test('usr/lib/libcli.so.1.10'));
  assert.ok(!globRegExp('usr/lib/*.so').test('usr/lib/x/y.so'));
  assert.ok(coveredByInstalls('usr/lib/libcli.so*', ['usr/lib/libcli.so*']));
  assert.ok(coveredByInstalls('usr/lib/pkgconfig/foo.pc', ['usr/lib']));
  assert.ok(coveredByInstalls('usr/lib/libfoo.so.1', ['usr/lib/*.so*']));
  assert.ok(coveredByInstalls('usr/include/foo/bar.h', ['usr/include/*']));
  assert.ok(!coveredByInstalls('usr/lib/libfoo.a', ['usr/lib/*.so*', 'usr/include']));
});
