import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadHelp, loadKconfig } from '../../src/kconfig/tree.js';
import { groundTruthSymbols, kernelTree } from '../kconfig/kernel-tree.js';

/** Symbol name → "type defs" as tarsmith parsed it. */
async function ours(kernel: string, arch: string, cacheDir: string | false): Promise<Map<string, string>> {
  const tree = await loadKconfig({ kernel, arch, cacheDir });
  assert.deepEqual(tree.diagnostics.filter((d) => d.severity === 'error'), []);
  return new Map([...tree.symbols.values()].map((s) => [s.name, `${s.type ?? 'unknown'} ${s.defs.map((d) => `${d.loc.file}:${d.loc.line}`).join(',')}`]));
}

for (const arch of ['arm64', 'x86_64', 'arm', 'riscv', 'um']) {
  test(`${arch}: every symbol, type and definition equals what the kernel's own parser (conf_parse) knows`, async () => {
    const k = await kernelTree();
    const truth = await groundTruthSymbols(arch);
    const mine = await ours(k.dir, arch, false);
    const expected = new Map([...truth].map(([n, v]) => [n, `${v.type} ${v.defs.join(',')}`]));
    assert.ok(expected.size > 15000, `ground truth has ${expected.size} symbols`);
    const missing = [...expected.keys()].filter((n) => !mine.has(n));
    const extra = [...mine.keys()].filter((n) => !expected.has(n));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    const differ = [...expected].filter(([n, v]) => mine.get(n) !== v).slice(0, 10);
    assert.deepEqual(differ, []);
    assert.equal(mine.has('NETFILTER_XTABLES_LEGACY'), false);
    assert.ok(mine.has('IP_NF_IPTABLES_LEGACY'));
    assert.ok(mine.has('IP6_NF_IPTABLES_LEGACY'));
    for (const n of ['CRYPTO_SHA256', 'BLK_DEV_INTEGRITY', 'SYSTEM_TRUSTED_KEYRING']) assert.ok(mine.has(n), n);
  });
}

test('the .tar.xz read directly gives the same symbols as the extracted tree, and the second load is cached', async () => {
  const k = await kernelTree();
  const cache = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-kconfig-cache-'));
  try {
    const fromDir = await ours(k.dir, 'arm64', false);
    const fromTar = await ours(k.tarball, 'arm64', cache);
    assert.deepEqual([...fromTar].sort(), [...fromDir].sort());
    const again = await ours(k.tarball, 'arm64', cache);
    assert.deepEqual(again, fromTar);
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});

test('a tree read back from the parse cache equals the parsed one in every field (entries, symbols, locations, conditions)', async () => {
  const k = await kernelTree();
  const cache = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-kconfig-cache-'));
  try {
    const parsed = await loadKconfig({ kernel: k.dir, arch: 'x86_64', cacheDir: cache });
    const fresh = await loadKconfig({ kernel: k.dir, arch: 'x86_64', cacheDir: false });
    const cached = await loadKconfig({ kernel: k.dir, arch: 'x86_64', cacheDir: cache });
    assert.notEqual(cached, parsed);
    // A load that parses returns the tree as the cache holds it, as a warm load does: without its help texts
    // (kept beside it, read only for `kconfig explain`); with them back, both equal the parse in every field.
    const helpOf = (t: typeof fresh) => t.symbols.get('NF_SOCKET_IPV4')?.defs[0]?.help;
    assert.match(helpOf(fresh) ?? '', /IPv4 socket lookup infrastructure/);
    for (const t of [parsed, cached]) {
      assert.equal(helpOf(t), undefined, 'read from the cache without its help texts');
      await loadHelp(t);
      assert.equal(helpOf(t), helpOf(fresh));
      assert.deepStrictEqual(t, fresh);
    }
    assert.deepEqual([...cached.symbols.keys()], [...fresh.symbols.keys()], 'symbols in the order of their first definition');
    const def = cached.symbols.get('IP_NF_IPTABLES_LEGACY')?.defs[0];
    assert.equal(def?.loc.file, 'net/ipv4/netfilter/Kconfig');
    const selected = [...cached.symbols.values()].flatMap((s) => s.selectedBy);
    assert.ok(selected.length > 10000, `${selected.length} selects`);
    assert.ok(selected.every((r) => cached.symbols.get(r.from)?.defs.includes(r.entry) && r.entry.selects.includes(r.dep)), 'reverse dependencies link the cached entries themselves');
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});

test('with a toolchain (--cc gcc) the compiler probes are evaluated, not left unknown', async () => {
  const k = await kernelTree();
  const tree = await loadKconfig({ kernel: k.dir, arch: 'x86_64', cc: 'gcc', cacheDir: false });
  assert.equal(tree.unknownMacros.length, 0);
  const ccIsGcc = tree.symbols.get('CC_IS_GCC')?.defs[0]?.defaults[0]?.value;
  assert.deepEqual(ccIsGcc, { kind: 'tri', value: 2 });
  const noTool = await loadKconfig({ kernel: k.dir, arch: 'x86_64', cacheDir: false });
  assert.equal(noTool.symbols.get('CC_IS_GCC')?.defs[0]?.defaults[0]?.value.kind, 'unknown');
  assert.ok(noTool.diagnostics.some((d) => d.code === 'kconfig.shell-unknown'));
});

test('an unknown arch is a usage error naming the arches that exist', async () => {
  const k = await kernelTree();
  await assert.rejects(loadKconfig({ kernel: k.dir, arch: 'vax', cacheDir: false }), (e: Error & { failures?: { code: string; hint?: string }[] }) => {
    assert.equal(e.failures?.[0]?.code, 'kconfig.unknown-arch');
    assert.match(e.failures?.[0]?.hint ?? '', /arm64/);
    return true;
  });
});
