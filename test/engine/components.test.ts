import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { parseManifest } from '../../src/manifest/load.js';
import type { Manifest } from '../../src/manifest/types.js';
import { plan as planWith, type PlanOptions } from '../../src/engine/plan.js';
import type { Lock } from '../../src/lock/lock.js';

const TREES: PlanOptions['trees'] = new Proxy({}, { get: (_t, name) => ({ file: `/cache/trees/${String(name)}.tar`, sha256: String(name).length.toString(16).repeat(64).slice(0, 64) }) });
const SHA = (c: string) => c.repeat(64);
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}.Dockerfile`, import.meta.url));

async function matchGolden(name: string, text: string): Promise<void> {
  if (process.env.TARSMITH_UPDATE_GOLDEN === '1') await fs.writeFile(golden(name), text);
  assert.equal(text, await fs.readFile(golden(name), 'utf8'), `golden ${name}.Dockerfile differs (TARSMITH_UPDATE_GOLDEN=1 to rewrite)`);
}

function manifest(yaml: string): Manifest {
  const { manifest: m, failures } = parseManifest(yaml, '/proj/tarsmith.yaml');
  assert.ok(m, failures.map((f) => f.message).join('\n'));
  return m;
}

const HEAD = `version: 1
name: chain
sourceDateEpoch: 1700000000
sources:
  - { name: libcli, file: packages/libcli_1.10.7.orig.tar.gz, strip: 1 }
  - { name: nfct, file: packages/libnetfilter-conntrack_1.1.0.orig.tar.xz, strip: 1, patches: [patches/nfct.patch] }
  - { name: mine, file: packages/mine-1.0.tar.gz, strip: 1 }
  - { name: app, file: packages/app.tar.gz, strip: 1 }
builder:
  rootfs: packages/rootfs.tar
  family: apt
`;

const CHAIN = `${HEAD}components:
  libcli:
    build: make
    args: [TESTS=0]
    installs: [usr/lib/libcli.so*, usr/include/libcli.h]
  nfct:
    build: autotools
    args: [--disable-static]
    installs: [usr/lib/libnetfilter_conntrack.so*, usr/lib/pkgconfig/libnetfilter_conntrack.pc]
  mine:
    depends: [libcli, nfct]
    build: meson
    installs: [usr/lib/libmine.so*]
build:
  workdir: app
  targets:
    libs:
      artifacts:
        - { component: mine, path: usr/lib/libmine.so* }
        - { component: libcli, path: usr/lib/libcli.so*, rename: lib/ }
    app:
      depends: [mine]
      steps: [make]
      artifacts: [app]
`;

function lockFor(names: string[]): Lock {
  return {
    lockVersion: 1,
    sources: Object.fromEntries(names.map((n, i) => [n, { file: `packages/${n}.tar`, size: 1, sha256: SHA(String(i + 1)), origin: 'file' as const, treeHash: SHA('e') }])),
    patches: { 'patches/nfct.patch': { file: 'patches/nfct.patch', size: 1, sha256: SHA('c') } },
    rootfs: { file: 'packages/rootfs.tar', size: 1, sha256: SHA('d') },
  };
}
const LOCK = lockFor(['libcli', 'nfct', 'mine', 'app']);

function stageText(dockerfile: string, name: string): string {
  const from = dockerfile.indexOf(` AS ${name}\n`);
  assert.ok(from >= 0, `no stage ${name}`);
  const next = dockerfile.indexOf('\nFROM ', from);
  return dockerfile.slice(from, next < 0 ? undefined : next);
}

test('components: one stage per component over a sysroot of its dependencies, artifacts from install trees: golden', async () => {
  const p = planWith(manifest(CHAIN), LOCK, { trees: TREES, target: 'libs' });
  await matchGolden('components-chain', p.dockerfile);
  assert.equal(DockerfileParser.parse(p.dockerfile).getInstructions().filter((i) => i.getKeyword() === 'FROM').length, 14);
  // Each component stage sees only its own sources: a change elsewhere leaves its cache valid.
  const libcli = stageText(p.dockerfile, 'component-libcli');
  assert.match(libcli, /trees\/libcli\.tar/);
  assert.doesNotMatch(libcli, /nfct|mine|app\.tar|sysroot/);
  const mine = stageText(p.dockerfile, 'component-mine');
  assert.match(mine, /COPY --from=component-libcli-install \["\/", "\/tarsmith\/sysroot\/"\]/);
  assert.match(mine, /COPY --from=component-nfct-install \["\/", "\/tarsmith\/sysroot\/"\]/);
  assert.match(mine, /PKG_CONFIG_SYSROOT_DIR="\/tarsmith\/sysroot"/);
  assert.doesNotMatch(mine, /trees\/(libcli|nfct|app)\.tar/);
  // Only the trees enter the context for components, not their tarballs under packages/ (the sources stage copies that folder whole).
  assert.deepEqual(p.context.map((c) => c.contextPath).filter((c) => c.startsWith('packages/') || c.startsWith('trees/')), ['packages/app.tar', 'trees/app.tar', 'trees/libcli.tar', 'trees/mine.tar', 'trees/nfct.tar']);
  assert.deepEqual(p.spec.sources.map((s) => s.name), ['app']);
  assert.deepEqual(p.components?.components.map((c) => c.name), ['libcli', 'nfct', 'mine']);
  assert.ok(p.steps.some((s) => s.label === 'components.nfct.configure' && s.command.startsWith('if [ ! -x ./configure ]; then autoreconf -fi; fi; ./configure --prefix=/usr --libdir=/usr/lib')));
});

test('a target with depends builds over a sysroot stage mounted on its steps; only the components it needs are planned', () => {
  const p = planWith(manifest(CHAIN), LOCK, { trees: TREES, target: 'app' });
  const build = stageText(p.dockerfile, 'build');
  assert.match(build, /--mount=type=bind,from=sysroot-app,source=\/,target=\/tarsmith\/sysroot/);
  assert.match(build, /PKG_CONFIG_PATH="\/tarsmith\/sysroot\/usr\/lib\/pkgconfig:\/tarsmith\/sysroot\/usr\/share\/pkgconfig/);
  const sysroot = stageText(p.dockerfile, 'sysroot-app');
  assert.deepEqual(sysroot.match(/--from=[a-z-]+/g), ['--from=component-libcli-install', '--from=component-nfct-install', '--from=component-mine-install']);
  const one = `${HEAD}components:
  libcli: { build: make, installs: [usr/lib] }
  nfct: { build: autotools, installs: [usr/lib] }
build:
  targets:
    t:
      artifacts: [{ component: libcli, path: usr/lib }]
`;
  const q = planWith(manifest(one), LOCK, { trees: TREES });
  assert.doesNotMatch(q.dockerfile, /component-nfct/);
});

test('cross: --host for autotools, a CMAKE_TOOLCHAIN_FILE for cmake, a cross file for meson, PKG_CONFIG_LIBDIR: golden', async () => {
  const cross = CHAIN.replace('build:\n  workdir: app\n', 'build:\n  workdir: app\n  env: { CROSS_COMPILE: aarch64-linux-gnu- }\n').replace('    build: meson\n', '    build: cmake\n').replace('  nfct:\n    build: autotools\n', '  nfct:\n    build: autotools\n    compile: [make -C src]\n');
  const p = planWith(manifest(cross), LOCK, { trees: TREES, target: 'libs' });
  await matchGolden('components-cross', p.dockerfile);
  assert.ok(p.steps.some((s) => s.label === 'components.nfct.configure' && / --host=aarch64-linux-gnu$/.test(s.command.split(' --disable-static')[0] ?? '')));
  assert.ok(p.steps.some((s) => s.label === 'components.nfct.compile[0]' && s.command === 'make -C src'));
  assert.ok(p.steps.some((s) => s.label === 'components.mine.configure' && s.command.includes('-DCMAKE_TOOLCHAIN_FILE=/tarsmith/cross/cross-toolchain.cmake')));
  assert.ok(p.steps.some((s) => s.label === 'components.libcli.compile' && s.command.includes('CC=aarch64-linux-gnu-gcc')));
  const tc = p.context.find((c) => c.contextPath === 'components/cross/cmake-aarch64-linux-gnu/cross-toolchain.cmake');
  assert.match(tc?.content ?? '', /set\(CMAKE_C_COMPILER aarch64-linux-gnu-gcc\)/);
  assert.match(stageText(p.dockerfile, 'component-mine'), /PKG_CONFIG_LIBDIR="\/tarsmith\/sysroot\/usr\/lib\/pkgconfig:\/tarsmith\/sysroot\/usr\/share\/pkgconfig:\/usr\/lib\/aarch64-linux-gnu\/pkgconfig:\/usr\/share\/pkgconfig/);
});

test('a component depending on the kernel gets the configured tree mounted and KDIR, without making the target a kernel target', () => {
  const yaml = `${HEAD.replace('sources:\n', 'sources:\n  - { name: linux, file: packages/linux.tar.xz, strip: 1 }\n')}kernel:
  source: linux
  arch: arm64
  crossCompile: aarch64-linux-gnu-
components:
  mine:
    depends: [kernel]
    steps: [make -C "$KDIR" M="$PWD" modules, mkdir -p "$DESTDIR/lib/modules" && cp *.ko "$DESTDIR/lib/modules/"]
    installs: [lib/modules/*.ko]
build:
  targets:
    mods:
      artifacts: [{ component: mine, path: lib/modules/*.ko, rename: modules/ }]
`;
  const p = planWith(manifest(yaml), lockFor(['linux', 'libcli', 'nfct', 'mine', 'app']), { trees: TREES });
  assert.ok(p.kernel, 'the kernel stages are planned');
  const mine = stageText(p.dockerfile, 'component-mine');
  assert.match(mine, /KDIR="\/src\/linux"/);
  assert.match(mine, /CROSS_COMPILE="aarch64-linux-gnu-"/);
  assert.match(mine, /RUN --mount=type=bind,from=kernel,source=\/src\/linux,target=\/src\/linux,rw \["\/bin\/sh", "\/tarsmith\/bin\/step\.sh", "components\.mine\.steps\[0\]"/);
  assert.ok(p.dockerfile.indexOf(' AS kernel\n') < p.dockerfile.indexOf(' AS component-mine\n'));
  assert.doesNotMatch(stageText(p.dockerfile, 'build'), /ENV KDIR/);
});
