import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tarsmith-kcheck-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const CONFIG = '#\n# Linux/arm64 6.12.57 Kernel Configuration\n#\nCONFIG_NETFILTER=y\nCONFIG_IPV6=m\n# CONFIG_FOO is not set\n';

test('kconfig check reproduces the seed failure message and exits 1', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, '.config'), CONFIG);
    const frag = join(dir, 'kernel-extra.config');
    await writeFile(frag, 'CONFIG_NETFILTER=y\nCONFIG_NETFILTER_XTABLES_LEGACY=y\nCONFIG_IPV6=y\n# CONFIG_BAR is not set\n');
    const r = spawnSync(bin, ['kconfig', 'check', '--config', join(dir, '.config'), frag], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
      r.stdout,
      [
        'kconfig mismatch: CONFIG_NETFILTER_XTABLES_LEGACY',
        '  expected: CONFIG_NETFILTER_XTABLES_LEGACY=y',
        '  actual:   <missing>',
        'kconfig mismatch: CONFIG_IPV6',
        '  expected: CONFIG_IPV6=y',
        '  actual:   CONFIG_IPV6=m',
        `error: resolved kernel config does not satisfy ${frag}`,
        '',
      ].join('\n'),
    );
    assert.match(r.stderr, /kernel-extra\.config:4: warning\[kconfig\.no-op-line\]: CONFIG_BAR is absent from the \.config/);
    assert.match(r.stderr, /hint: add --kernel/);
  }));

test('kconfig check --json: one document; a satisfied fragment exits 0', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, '.config'), CONFIG);
    await writeFile(join(dir, 'ok.config'), 'CONFIG_IPV6=m\n# CONFIG_FOO is not set\n');
    const ok = spawnSync(bin, ['kconfig', 'check', '--config', join(dir, '.config'), join(dir, 'ok.config')], {
      encoding: 'utf8',
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, '');
    assert.match(ok.stderr, /satisfies .*ok\.config \(2 lines\)/);
    await writeFile(join(dir, 'bad.config'), 'CONFIG_IPV6=y\nCONFIG_X=oops oops\n');
    const r = spawnSync(bin, ['kconfig', 'check', '--json', '--config', join(dir, '.config'), join(dir, 'bad.config')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    const doc = JSON.parse(r.stdout) as { ok: boolean; mismatches: { name: string; line: number }[]; errors: { code: string; where: { line: number } }[] };
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.mismatches.map((m) => [m.name, m.line]), [['IPV6', 1]]);
    assert.deepEqual(doc.errors.map((e) => [e.code, e.where.line]), [['kconfig.fragment-syntax', 2]]);
  }));

test('kconfig check: a missing .config is an I/O error (exit 3) without a stack trace', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'f.config'), 'CONFIG_A=y\n');
    const r = spawnSync(bin, ['kconfig', 'check', '--config', join(dir, 'nope'), join(dir, 'f.config')], { encoding: 'utf8' });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /error\[io\.enoent\]/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  }));
