/**
 * examples/ask: the manifest for the real kit loads (schema, kernel section, the fragment's allowed line), and
 * the seed-shaped Makefile's variables reach tarsmith as its options (`make -n`: the commands a call runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest } from '../../src/manifest/load.js';

const DIR = fileURLToPath(new URL('../../examples/ask', import.meta.url));

function makeN(...args: string[]): string[] {
  const out = execFileSync('make', ['-n', '-s', '-C', DIR, '--no-print-directory', 'TARSMITH=tarsmith', ...args], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => l.trim().replace(/\s+/g, ' '));
}

test('examples/ask/tarsmith.yaml loads: the kit, its fetched sources, the kernel, a cross builder, userspace/modules/dist', async () => {
  const m = await loadManifest({ path: path.join(DIR, 'tarsmith.yaml') });
  assert.equal(m.name, 'ask');
  const byName = new Map(m.sources.map((s) => [s.name, s]));
  assert.deepEqual([...byName.keys()], ['ask', 'linux', 'fmlib', 'fmc', 'libnfnetlink', 'libnetfilter_conntrack', 'libcli']);
  for (const n of ['fmlib', 'fmc']) {
    const o = byName.get(n)!.origin;
    assert.ok(o.kind === 'git' && o.ref === 'lf-6.12.3-1.0.0', `${n} is a git source at the tag the kit pins`);
  }
  for (const n of ['libnfnetlink', 'libnetfilter_conntrack', 'libcli']) assert.equal(byName.get(n)!.origin.kind, 'url');
  assert.deepEqual(m.build?.targets.map((t) => t.name), ['userspace', 'modules', 'dist']);
  const t = Object.fromEntries((m.build?.targets ?? []).map((x) => [x.name, x]));
  assert.equal(t.userspace!.kernel, false);
  assert.deepEqual(t.dist!.modules.map((x) => x.path), ['cdx', 'fci', 'auto_bridge']);
  assert.deepEqual(t.dist!.steps, t.userspace!.steps, 'dist is both: the userspace steps and the modules');
  assert.equal(m.kernel?.arch, 'arm64');
  assert.equal(m.kernel?.crossCompile, 'aarch64-linux-gnu-');
  assert.ok(m.builder?.packages.includes('crossbuild-essential-arm64'));
  // The binaries are aarch64: the image is labelled linux/arm64, while every stage runs on the amd64 builder.
  assert.equal(m.platform, 'linux/arm64');
  assert.equal(m.builder?.platform, 'linux/amd64');
  assert.ok(m.builder?.packages.some((p) => p.endsWith(':arm64')), 'arm64 libraries for the userspace');
  // The seed's unknown-symbol line is kept in the fragment and allowed, with the reason beside it.
  assert.match(await fs.readFile(path.join(DIR, 'kernel/ask.config'), 'utf8'), /^CONFIG_NETFILTER_XTABLES_LEGACY=y$/m);
  assert.deepEqual(m.kernel?.allowUnknown, ['NETFILTER_XTABLES_LEGACY']);
  assert.match(await fs.readFile(path.join(DIR, 'tarsmith.yaml'), 'utf8'), /# The kit's fragment was written for an older kernel: 6\.12 has no CONFIG_NETFILTER_XTABLES_LEGACY[^\n]*\n(\s*#[^\n]*\n)*\s+allowUnknown:/);
});

test('make ASK / ASK_IMAGE: the defaults build dist with the manifest\'s files and epoch', () => {
  assert.deepEqual(makeN('ASK'), ['tarsmith vendor', 'tarsmith toolchain --progress auto', 'tarsmith build dist --out out --progress auto']);
  assert.deepEqual(makeN('ASK_IMAGE').at(-1), 'tarsmith image dist --tag ask:dist --progress auto');
  assert.deepEqual(makeN('config').at(-1), 'tarsmith build modules --kernel-config-only --out out --progress auto');
});

test('make ASK: ASK_TAR, KERNEL_TAR, BUILD_TARGET, SOURCE_DATE_EPOCH, PLATFORM, PROGRESS and MIRROR reach tarsmith', () => {
  const cmds = makeN('ASK', 'ASK_TAR=packages/ASK-2.tar.gz', 'KERNEL_TAR=/data/linux.tar.gz', 'BUILD_TARGET=userspace', 'SOURCE_DATE_EPOCH=1740000000', 'PLATFORM=linux/arm64', 'PROGRESS=plain', 'MIRROR=/srv/mirror');
  assert.deepEqual(cmds, [
    'tarsmith vendor --mirror /srv/mirror',
    'tarsmith toolchain --progress plain',
    'tarsmith build userspace --out out --progress plain --platform linux/arm64 --source-date-epoch 1740000000 --source ask=packages/ASK-2.tar.gz --source linux=/data/linux.tar.gz',
  ]);
  assert.equal(makeN('ASK_IMAGE', 'BUILD_TARGET=userspace', 'IMAGE_TAG=ask:1.0', 'ASK_TAR=packages/ASK-2.tar.gz').at(-1), 'tarsmith image userspace --tag ask:1.0 --progress auto --source ask=packages/ASK-2.tar.gz');
  // The manifest's own files are not overrides.
  assert.doesNotMatch(makeN('ASK', 'ASK_TAR=packages/ASK.tar.gz').join('\n'), /--source/);
});

test('every option the Makefile passes is one the tarsmith commands declare', () => {
  const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));
  const help = (cmd: string) => execFileSync(bin, [cmd, '--help'], { encoding: 'utf8' });
  for (const [cmd, opts] of [
    ['build', ['--out', '--progress', '--platform', '--source-date-epoch', '--source', '--kernel-config-only']],
    ['image', ['--tag', '--progress', '--platform', '--source-date-epoch', '--source']],
    ['toolchain', ['--progress']],
    ['vendor', ['--mirror']],
  ] as const) {
    const h = help(cmd);
    for (const o of opts) assert.match(h, new RegExp(`^\\s+${o}[ ,]`, 'm'), `tarsmith ${cmd} ${o}`);
  }
});
