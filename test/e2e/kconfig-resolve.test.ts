/**
 * `tarsmith kconfig resolve` end to end on small trees: output file and exit codes, the JSON document (values and
 * their origins, lines that did not stick), a probe table standing in for the compiler, and clear errors for bad
 * input. Byte-identity with the kernel's tools on the real tree is in test/kconfig/resolve-kernel.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

function tarsmith(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [bin, ...args], { env: { ...process.env, TARSMITH_LOG: 'info' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const KCONFIG = `mainmenu "Linux/$(ARCH) $(KERNELVERSION) Kernel Configuration"
config MODULES
\tbool "modules"
\tmodules
config NET
\tbool "net"
\tdefault y
config IPV6
\ttristate "ipv6"
\tdepends on NET
config BRIDGE
\ttristate "bridge"
\tdepends on NET && (IPV6 || IPV6=n)
config BRIDGE_NF
\ttristate "bridge netfilter"
\tdepends on BRIDGE
config HAS_FLAG
\tdef_bool $(shell,echo n)
config LOG_SHIFT
\tint "log"
\trange 12 25
\tdefault 17
menu "Drivers"
config FOO
\tbool "foo"
\tselect BAR
config BAR
\tbool
endmenu
`;

async function setup(dir: string): Promise<string> {
  const root = path.join(dir, 'linux');
  const files: Record<string, string> = {
    Makefile: 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\n',
    Kconfig: KCONFIG,
    'arch/riscv/Kconfig': 'config RISCV\n\tdef_bool y\n',
    'arch/riscv/configs/defconfig': 'CONFIG_MODULES=y\nCONFIG_IPV6=m\nCONFIG_BRIDGE=m\n',
    'kernel/configs/fun.config': 'CONFIG_FOO=y\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  await writeFile(path.join(dir, 'frag.config'), 'CONFIG_BRIDGE=y\nCONFIG_BRIDGE_NF=y\nCONFIG_LOG_SHIFT=40\nCONFIG_GONE=y\n');
  return root;
}

async function withTree(fn: (dir: string, root: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-kresolve-'));
  try {
    await fn(dir, await setup(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('kconfig resolve: writes the .config, reports the lines that do not stick with a proven fix, exit 1', () =>
  withTree(async (dir, root) => {
    const out = path.join(dir, '.config');
    const r = await tarsmith(['kconfig', 'resolve', '--kernel', root, '--arch', 'riscv', '--cc', 'gcc', '--no-cache', '--target', 'fun.config', path.join(dir, 'frag.config'), '-o', out]);
    assert.equal(r.code, 1, r.stderr);
    const text = await readFile(out, 'utf8');
    assert.match(text, /^#\n# Automatically generated file; DO NOT EDIT.\n# Linux\/riscv 6.12.3 Kernel Configuration\n#\n/);
    assert.match(text, /CONFIG_IPV6=m\nCONFIG_BRIDGE=m\nCONFIG_BRIDGE_NF=m\n/);
    assert.match(text, /\n#\n# Drivers\n#\nCONFIG_FOO=y\nCONFIG_BAR=y\n# end of Drivers\n$/);
    assert.match(r.stdout, /kconfig mismatch: CONFIG_BRIDGE\n/);
    assert.match(r.stdout, /^checked: CONFIG_BRIDGE_NF: adding CONFIG_IPV6=y makes it stick \(the suggested CONFIG_BRIDGE=y cannot hold while CONFIG_IPV6=m\)/m);
    assert.match(r.stdout, /^fix: add CONFIG_IPV6=y: every requested line then sticks except CONFIG_LOG_SHIFT=40, CONFIG_GONE=y/m);
    assert.match(r.stdout, /^checked: CONFIG_GONE: no fix: CONFIG_GONE is not defined in this tree/m);
  }));

test('kconfig resolve --json: every symbol with its value and origin, and the fragment lines that did not stick', () =>
  withTree(async (dir, root) => {
    const r = await tarsmith(['kconfig', 'resolve', '--kernel', root, '--arch', 'riscv', '--cc', 'gcc', '--no-cache', '--no-prove-fixes', '--json', path.join(dir, 'frag.config')]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean; dotconfig: string; steps: string[]; checks: { fixes?: unknown }[];
      symbols: { name: string; line: string | null; origin: { from: string; at?: { file: string; line: number }; by?: string[] } }[];
      nonSticking: { text: string; actual: string }[];
    };
    assert.equal(doc.ok, false);
    assert.equal(doc.checks[0]?.fixes, undefined);
    assert.deepEqual(doc.steps, ['conf --defconfig=arch/riscv/configs/defconfig', `merge_config.sh -m .config ${path.join(dir, 'frag.config')}`, 'conf --olddefconfig']);
    const sym = new Map(doc.symbols.map((s) => [s.name, s]));
    assert.deepEqual(sym.get('IPV6')?.origin, { from: 'user', at: { file: 'arch/riscv/configs/defconfig', line: 2 }, text: 'CONFIG_IPV6=m' });
    assert.deepEqual(sym.get('NET')?.origin, { from: 'default', at: { file: 'Kconfig', line: 7 } });
    assert.equal(sym.get('LOG_SHIFT')?.origin.from, 'range-clamp');
    assert.equal(sym.get('LOG_SHIFT')?.line, 'CONFIG_LOG_SHIFT=25');
    assert.deepEqual(doc.nonSticking.map((l) => [l.text, l.actual]), [
      ['CONFIG_BRIDGE=y', 'CONFIG_BRIDGE=m'], ['CONFIG_BRIDGE_NF=y', 'CONFIG_BRIDGE_NF=m'],
      ['CONFIG_LOG_SHIFT=40', 'CONFIG_LOG_SHIFT=25'], ['CONFIG_GONE=y', '<missing>'],
    ]);
  }));

test('kconfig resolve without a compiler: probe answers come from --probes, and the output says which', () =>
  withTree(async (dir, root) => {
    const probes = path.join(dir, 'old.config');
    await writeFile(probes, 'CONFIG_HAS_FLAG=y\n');
    const r = await tarsmith(['kconfig', 'resolve', '--kernel', root, '--arch', 'riscv', '--no-cache', '--probes', probes, '--defconfig', 'allnoconfig']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^CONFIG_HAS_FLAG=y$/m);
    assert.match(r.stderr, /value\(s\) taken from the probe table .*old\.config: .*CONFIG_HAS_FLAG/);
    const none = await tarsmith(['kconfig', 'resolve', '--kernel', root, '--arch', 'riscv', '--no-cache']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /error\[kconfig\.no-probe-answers\]/);
  }));

test('kconfig resolve: unknown targets, malformed fragments and --help', () =>
  withTree(async (dir, root) => {
    const base = ['kconfig', 'resolve', '--kernel', root, '--arch', 'riscv', '--cc', 'gcc', '--no-cache'];
    const bad = await tarsmith([...base, '--defconfig', 'nope_defconfig']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error\[kconfig\.unknown-target\]: no arch\/riscv\/configs\/nope_defconfig/);
    assert.match(bad.stderr, /defconfig/);
    await writeFile(path.join(dir, 'broken.config'), 'CONFIG_FOO=y trailing\n');
    const broken = await tarsmith([...base, path.join(dir, 'broken.config')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.config:1.*error\[kconfig\.fragment-syntax\]/);
    const missing = await tarsmith([...base, path.join(dir, 'absent.config')]);
    assert.equal(missing.code, 3);
    const help = await tarsmith(['kconfig', 'resolve', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Example:\n\s+tarsmith kconfig resolve --kernel/);
    assert.match(help.stdout, /Exit codes: 0 resolved/);
  }));
