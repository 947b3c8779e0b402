/**
 * `tarsmith kconfig explain` on the real 6.12 tree (definitions checked against the kernel's own parser via
 * kconfig-dump, values against a defconfig written by the kernel's conf), and on a small tree packed as a tarball.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../../src/core/exec.js';
import { groundTruthSymbols, kernelTree } from '../kconfig/kernel-tree.js';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

interface ExplainJson {
  defined: boolean;
  nearest?: string[];
  info?: {
    type: string;
    definitions: { at: string; prompt?: { text: string }; dependsOn?: string; help?: string }[];
    selectedBy: { symbol: string }[];
    selects: { symbol: string }[];
    ranges: { min: string; max: string }[];
    defaults: { value: string; if?: string }[];
    choice?: { members: string[] };
  };
  config?: { line: string; computed: string; written: boolean; resolved: boolean };
  why?: { reason: string; details: string[]; fix?: string; set?: string[] };
}

/** Parse caches go to a folder of the test's own (removed with it). */
let cacheHome = tmpdir();

function explain(args: string[]): { status: number | null; doc: ExplainJson; stdout: string; stderr: string } {
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
  const r = spawnSync(bin, ['kconfig', 'explain', '--json', ...args], { encoding: 'utf8', env });
  const doc = r.stdout ? (JSON.parse(r.stdout) as ExplainJson) : ({} as ExplainJson);
  return { status: r.status, doc, stdout: r.stdout, stderr: r.stderr };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tarsmith-kexplain-'));
  cacheHome = join(dir, 'cache');
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('explain without a .config: definitions match the kernel parser; conditions, selects, ranges, defaults', () =>
  withDir(async () => {
    const k = await kernelTree();
    const truth = await groundTruthSymbols('arm64');
    const docs = new Map<string, ExplainJson>();
    for (const name of ['IP6_NF_IPTABLES', 'LOG_BUF_SHIFT', 'PREEMPT_NONE', 'CRC32']) {
      const { status, doc } = explain([`CONFIG_${name}`, '--kernel', k.dir, '--arch', 'arm64']);
      assert.equal(status, 0);
      assert.deepEqual(doc.info?.definitions.map((d) => d.at), truth.get(name)?.defs, name);
      assert.equal(doc.info?.type, truth.get(name)?.type, name);
      docs.set(name, doc);
    }
    const ip6 = docs.get('IP6_NF_IPTABLES');
    assert.equal(ip6?.info?.definitions[0]?.prompt?.text, 'IP6 tables support (required for filtering)');
    assert.match(ip6?.info?.definitions[0]?.dependsOn ?? '', /IPV6/);
    assert.ok(ip6?.info?.selects.some((s) => s.symbol === 'NETFILTER_XTABLES'));
    assert.deepEqual(docs.get('LOG_BUF_SHIFT')?.info?.ranges.map((r) => [r.min, r.max]), [['12', '25']]);
    // The help text, also when the tree comes from the parse cache (every call after the first): kept beside it.
    assert.match(docs.get('LOG_BUF_SHIFT')?.info?.definitions[0]?.help ?? '', /^Select the minimal kernel log buffer size as a power of 2\.\n[^]*Examples:/);
    const text = spawnSync(bin, ['kconfig', 'explain', 'LOG_BUF_SHIFT', '--kernel', k.dir, '--arch', 'arm64'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\n {4}help: Select the minimal kernel log buffer size as a power of 2\.\n {10}The final size is affected by LOG_CPU_MAX_BUF_SHIFT config\n/);
    assert.ok(docs.get('PREEMPT_NONE')?.info?.choice?.members.includes('PREEMPT_VOLUNTARY'));
    const crc = docs.get('CRC32');
    assert.ok((crc?.info?.selectedBy.length ?? 0) > 10);
  }));

test('explain with a defconfig: the capping dependency with values, --want, and an undefined name', () =>
  withDir(async (dir) => {
    const k = await kernelTree();
    const config = join(dir, '.config');
    const r = await exec([k.conf, '--defconfig=arch/arm64/configs/defconfig', 'Kconfig'], {
      cwd: k.dir,
      env: { ...k.confEnv('arm64'), KCONFIG_CONFIG: config },
    });
    assert.equal(r.code, 0, r.stderr);
    const capped = explain(['IP6_NF_IPTABLES', '--kernel', k.dir, '--config', config, '--want', 'y']);
    assert.equal(capped.status, 0, capped.stderr);
    assert.equal(capped.doc.config?.line, 'CONFIG_IP6_NF_IPTABLES=m');
    assert.equal(capped.doc.config?.resolved, true);
    assert.match(capped.doc.why?.reason ?? '', /capped at m/);
    assert.match(capped.doc.why?.details.join('\n') ?? '', /IPV6=m/);
    assert.deepEqual(capped.doc.why?.set, ['CONFIG_IPV6=y']);

    const hidden = explain(['NFT_LOG', '--kernel', k.dir, '--config', config]);
    assert.equal(hidden.doc.config?.line, '<missing>');
    assert.equal(hidden.doc.config?.written, false);
    assert.match(hidden.doc.why?.reason ?? '', /not visible/);

    const text = spawnSync(bin, ['kconfig', 'explain', 'NETFILTER_XTABLES_LEGACY', '--kernel', k.dir, '--config', config], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    });
    assert.equal(text.status, 1);
    assert.match(text.stdout, /not defined in this tree \(ARCH=arm64\)/);
    assert.match(text.stdout, /IP_NF_IPTABLES_LEGACY/);
    assert.match(text.stdout, /IP6_NF_IPTABLES_LEGACY/);

    const noArch = explain(['IPV6', '--kernel', k.dir]);
    assert.equal(noArch.status, 2);
    assert.match(noArch.stdout, /"code": "usage\.missing-arch"/);
  }));

test('explain reads a kernel tarball, and explains no-prompt, select, range and invalid values', () =>
  withDir(async (dir) => {
    const top = join(dir, 'linux-9.9');
    await mkdir(join(top, 'arch/x86'), { recursive: true });
    await writeFile(join(top, 'arch/x86/Kconfig'), 'config X86\n\tdef_bool y\n');
    await writeFile(join(top, 'Makefile'), 'VERSION = 9\nPATCHLEVEL = 9\nSUBLEVEL = 0\nEXTRAVERSION =\n');
    await writeFile(
      join(top, 'Kconfig'),
      [
        'mainmenu "Test $(KERNELVERSION)"',
        'source "arch/$(SRCARCH)/Kconfig"',
        'config MODULES',
        '\tbool "modules"',
        '\tmodules',
        'config HELPER',
        '\tbool',
        'config USER',
        '\ttristate "user"',
        '\tselect HELPER',
        'config PROBE',
        '\tdef_bool $(shell,echo y)',
        'config SHIFT',
        '\tint "shift"',
        '\trange 4 8',
        '\tdefault 5',
        '',
      ].join('\n'),
    );
    const tarball = join(dir, 'linux-9.9.tar.gz');
    assert.equal((await exec(['tar', '-czf', tarball, '-C', dir, 'linux-9.9'])).code, 0);
    const config = join(dir, '.config');
    await writeFile(config, 'CONFIG_MODULES=y\nCONFIG_USER=m\nCONFIG_SHIFT=12\n');
    const helper = explain(['HELPER', '--kernel', tarball, '--arch', 'x86', '--config', config, '--want', 'n']);
    assert.equal(helper.status, 0, helper.stderr);
    assert.match(helper.doc.why?.reason ?? '', /has no prompt/);
    assert.match(helper.doc.why?.details.join('\n') ?? '', /selected by CONFIG_USER=m/);
    const shift = explain(['SHIFT', '--kernel', tarball, '--arch', 'x86', '--config', config]);
    assert.match(shift.doc.why?.reason ?? '', /12 is outside the range 4\.\.8 of CONFIG_SHIFT: clamped to 8/);
    assert.equal(shift.doc.config?.computed, '8');
    assert.equal(shift.doc.config?.resolved, false, 'the .config says 12; the kernel would write 8');
    const bad = explain(['USER', '--kernel', tarball, '--arch', 'x86', '--config', config, '--want', '"text"']);
    assert.match(bad.doc.why?.reason ?? '', /not a tristate value/);
    const unknown = explain(['PROBE', '--kernel', tarball, '--arch', 'x86', '--config', config, '--no-cache']);
    assert.match(unknown.doc.why?.reason ?? '', /decided by a toolchain probe/);
    assert.equal(unknown.doc.config?.computed, 'n', 'taken from the .config, which lacks it');
    const probed = explain(['PROBE', '--kernel', tarball, '--arch', 'x86', '--config', config, '--cc', 'gcc', '--no-cache']);
    assert.equal(probed.status, 0, probed.stderr);
    assert.equal(probed.doc.config?.computed, 'y', 'the probe ran: $(shell,echo y)');
    assert.match(probed.doc.why?.reason ?? '', /has no prompt/);
    assert.match(probed.doc.why?.details.join('\n') ?? '', /default y \(applies\)/);
  }));
