import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelTree } from '../kconfig/kernel-tree.js';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

function tarsmith(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [bin, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const FRAGMENT = `# netfilter for the container host
CONFIG_NETFILTER_XTABLES_LEGACY=y
CONFIG_IP_NF_IPTABLES_LEGACY=m

# crypto and block live outside drivers/
CONFIG_CRYPTO_SHA256=y
# CONFIG_BLK_DEV_INTEGRITY is not set
CONFIG_SYSTEM_TRUSTED_KEYRING=y
CONFIG_NOT_A_REAL_SYMBOL_AT_ALL=y
`;

test('kconfig filter / symbols end to end on the real tree', async () => {
  const k = await kernelTree();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-kfilter-'));
  const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
  try {
    const frag = path.join(dir, 'extra.config');
    await writeFile(frag, FRAGMENT);
    const out = path.join(dir, 'filtered.config');
    const r = await tarsmith(['kconfig', 'filter', '--kernel', k.dir, '--arch', 'arm64', frag, '-o', out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      await readFile(out, 'utf8'),
      FRAGMENT.replace('CONFIG_NETFILTER_XTABLES_LEGACY=y\n', '').replace('CONFIG_NOT_A_REAL_SYMBOL_AT_ALL=y\n', ''),
    );
    const lines = r.stderr.split('\n');
    const legacy = lines.find((l) => l.startsWith(`${frag}:2: removed CONFIG_NETFILTER_XTABLES_LEGACY`)) ?? '';
    for (const near of ['IP_NF_IPTABLES_LEGACY', 'IP6_NF_IPTABLES_LEGACY', 'NETFILTER_XTABLES']) assert.match(legacy, new RegExp(`\\b${near}\\b`));
    assert.ok(lines.some((l) => l.startsWith(`${frag}:9: removed CONFIG_NOT_A_REAL_SYMBOL_AT_ALL`)));

    const check = await tarsmith(['kconfig', 'filter', '--kernel', k.dir, '--arch', 'arm64', '--check', out], env);
    assert.equal(check.code, 0, check.stderr);
    const bad = await tarsmith(['kconfig', 'filter', '--kernel', k.dir, '--arch', 'arm64', '--check', '--json', frag], env);
    assert.equal(bad.code, 1);
    const doc = JSON.parse(bad.stdout) as { removed: { line: number; name: string }[]; kept: number };
    assert.deepEqual(doc.removed.map((x) => [x.line, x.name]), [[2, 'NETFILTER_XTABLES_LEGACY'], [9, 'NOT_A_REAL_SYMBOL_AT_ALL']]);
    assert.equal(doc.kept, 4);

    const syms = await tarsmith(['kconfig', 'symbols', '--kernel', k.dir, '--arch', 'arm64', '--json'], env);
    assert.equal(syms.code, 0, syms.stderr);
    const list = JSON.parse(syms.stdout) as { symbols: { name: string; type?: string; defs: { file: string; line: number }[]; prompts: string[] }[] };
    const ipt = list.symbols.find((s) => s.name === 'IP_NF_IPTABLES_LEGACY');
    assert.deepEqual(ipt?.defs, [{ file: 'net/ipv4/netfilter/Kconfig', line: 14 }]);
    assert.equal(ipt?.type, 'tristate');
    const modules = list.symbols.find((s) => s.name === 'MODULES');
    assert.deepEqual(modules?.prompts, ['Enable loadable module support']);

    const usage = await tarsmith(['kconfig', 'symbols', '--kernel', k.dir, '--arch', 'vax'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /kconfig\.unknown-arch/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
