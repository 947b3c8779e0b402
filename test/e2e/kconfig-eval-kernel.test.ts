/**
 * The evaluator against the kernel's own `conf` on the real 6.12 tree: for every symbol, the value and whether it is
 * written must equal what `conf` wrote — on a defconfig (a fixed point) and when predicting the result of
 * `conf --olddefconfig` from a merged, unresolved config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../src/core/exec.js';
import { dotConfigFromText } from '../../src/kconfig/dotconfig.js';
import { evaluate, loadTree } from '../../src/kconfig/explain.js';
import { parseConfigText, type ParsedConfig } from '../../src/kconfig/fragment.js';
import type { Calculator } from '../../src/kconfig/values.js';
import { kernelTree, type KernelTree } from '../kconfig/kernel-tree.js';

async function conf(k: KernelTree, arch: string, args: string[], config: string): Promise<string> {
  const r = await exec([k.conf, ...args, 'Kconfig'], { cwd: k.dir, env: { ...k.confEnv(arch), KCONFIG_CONFIG: config } });
  assert.equal(r.code, 0, r.stderr);
  return readFile(config, 'utf8');
}

function differences(calc: Calculator, written: ParsedConfig): string[] {
  const diffs: string[] = [];
  for (const name of calc.model.symbols.keys()) {
    const line = calc.line(name);
    const actual = written.byName.get(name)?.text;
    if (line !== actual) diffs.push(`${name}: predicted ${line ?? '(not written)'}, conf wrote ${actual ?? '(nothing)'}`);
  }
  return diffs;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tarsmith-eval-kernel-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const [arch, defconfig] of [
  ['arm64', 'defconfig'],
  ['x86_64', 'x86_64_defconfig'],
] as const) {
  test(`every symbol of the ${arch} ${defconfig} evaluates to what conf wrote`, () =>
    withDir(async (dir) => {
      const k = await kernelTree();
      const srcarch = arch === 'x86_64' ? 'x86' : arch;
      const text = await conf(k, arch, [`--defconfig=arch/${srcarch}/configs/${defconfig}`], join(dir, '.config'));
      const cfg = dotConfigFromText(text, '.config');
      const calc = evaluate(await loadTree(k.dir, arch, { cacheDir: false }), cfg.parsed);
      assert.ok(calc.model.symbols.size > 10000);
      assert.deepEqual(differences(calc, cfg.parsed), []);
    }));
}

test('the evaluator predicts conf --olddefconfig from a merged config, symbol by symbol', () =>
  withDir(async (dir) => {
    const k = await kernelTree();
    const base = await conf(k, 'arm64', ['--defconfig=arch/arm64/configs/defconfig'], join(dir, 'base.config'));
    const extra = [
      '# CONFIG_IPV6 is not set',
      'CONFIG_NF_TABLES=m',
      'CONFIG_NFT_LOG=y',
      'CONFIG_LOG_BUF_SHIFT=99',
      '# CONFIG_CRC32 is not set',
      'CONFIG_PREEMPT_NONE=y',
      '# CONFIG_MODULES is not set',
    ].join('\n');
    const merged = `${base}\n${extra}\n`;
    await writeFile(join(dir, 'merged.config'), merged);
    const resolved = await conf(k, 'arm64', ['--olddefconfig'], join(dir, 'merged.config'));
    const input = parseConfigText(merged, 'merged.config');
    const calc = evaluate(await loadTree(k.dir, 'arm64', { cacheDir: false }), input);
    assert.deepEqual(differences(calc, parseConfigText(resolved, 'resolved')), []);
    assert.match(resolved, /^# CONFIG_MODULES is not set$/m);
    assert.match(resolved, /^CONFIG_NFT_LOG=y$/m);
  }));
