/**
 * `kconfig explain` and the tree knowledge behind `kconfig check --kernel`: load a kernel tree for an ARCH, build
 * the effective symbol model, evaluate a `.config` with the kernel's rules, and say where a symbol is defined, what
 * governs it and why it has (or does not have) a value.
 */
import { stat } from 'node:fs/promises';
import { ExitCode, fail } from '../core/errors.js';
import type { KconfigTree } from './ast.js';
import type { Explanation, TreeKnowledge } from './check.js';
import type { ConfigFact, DotConfig } from './dotconfig.js';
import { symbolInfo, renderInfo, type SymbolInfo } from './explain-info.js';
import { valueText, whyValue } from './explain-why.js';
import { renderLine, type ConfigLine } from './fragment.js';
import { buildModel, type KconfigModel } from './model.js';
import { Calculator } from './values.js';

/** The kernel's SRCARCH for an ARCH (as the top Makefile maps it). */
export function srcarchOf(arch: string): string {
  const map: Record<string, string> = { i386: 'x86', x86_64: 'x86', sparc64: 'sparc', parisc64: 'parisc', sh64: 'sh' };
  return map[arch] ?? arch;
}

function makefileVersion(text: string | undefined): string {
  const vars = new Map<string, string>();
  for (const line of (text ?? '').split('\n').slice(0, 12)) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return `${vars.get('VERSION') ?? '0'}.${vars.get('PATCHLEVEL') ?? '0'}.${vars.get('SUBLEVEL') ?? '0'}${vars.get('EXTRAVERSION') ?? ''}`;
}

/** Parse the tree's Kconfig for `arch` (a folder or a tarball). Compiler probes stay unknown (no toolchain). */
export async function loadTree(kernel: string, arch: string, config?: DotConfig): Promise<KconfigTree> {
  const { DirFiles, readTarballKconfig } = await import('./source-files.js');
  const { parseTree } = await import('./parse-tree.js');
  let isDir: boolean;
  try {
    isDir = (await stat(kernel)).isDirectory();
  } catch (e) {
    const { ioFailure } = await import('../core/errors.js');
    return fail({ ...ioFailure(e, 'cannot read kernel tree', kernel), hint: 'pass a kernel source folder or tarball' });
  }
  const files = isDir ? new DirFiles(kernel) : await readTarballKconfig(kernel);
  const srcarch = srcarchOf(arch);
  const env = new Map([
    ['srctree', '.'],
    ['ARCH', arch],
    ['SRCARCH', srcarch],
    ['KERNELVERSION', makefileVersion(files.read('Makefile'))],
  ]);
  // The compiler's identity is part of the build environment, not of the tree: the .config records it.
  const cc = config?.fact('CC_VERSION_TEXT');
  if (cc?.state === 'set' && cc.value.kind === 'string') env.set('CC_VERSION_TEXT', cc.value.value);
  const { tree } = parseTree({ files, arch, srcarch, env, shell: () => undefined });
  const errors = tree.diagnostics.filter((d) => d.severity === 'error');
  if (tree.symbols.size === 0 || errors.some((d) => d.code === 'kconfig.no-top-kconfig')) {
    return fail(errors.length ? errors : { code: 'kconfig.empty-tree', message: `no Kconfig symbols in ${kernel}`, exit: ExitCode.usage });
  }
  return tree;
}

function resolveArch(arch: string | undefined, config: DotConfig | undefined): string {
  const a = arch ?? config?.header?.arch;
  if (a) return a;
  return fail({
    code: 'usage.missing-arch',
    message: 'the kernel architecture is not known',
    exit: ExitCode.usage,
    hint: 'pass --arch (e.g. --arch arm64), or a .config whose header names it',
  });
}

/** Nearest defined names: shared `_`-separated words (close spellings count), then overall edit distance. */
export function nearestNames(name: string, model: KconfigModel, limit = 5): string[] {
  const words = name.split('_').filter(Boolean);
  const close = (a: string, b: string): boolean => a === b || (a.length >= 4 && b.length >= 4 && editDistance(a, b) <= Math.floor(Math.max(a.length, b.length) / 4));
  const scored: { n: string; score: number; d: number }[] = [];
  for (const cand of model.symbols.keys()) {
    if (cand === name) continue;
    const cw = cand.split('_');
    const shared = words.filter((w) => cw.some((c) => close(w, c))).length;
    if (shared === 0 || shared < Math.min(2, words.length)) continue;
    // The last word usually qualifies the option (…_LEGACY, …_COMPAT): sharing it counts a little extra.
    const score = shared + (words[words.length - 1] === cw[cw.length - 1] ? 0.5 : 0);
    scored.push({ n: cand, score, d: editDistance(name, cand) });
  }
  scored.sort((a, b) => b.score - a.score || a.d - b.d || (a.n < b.n ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

export function notDefined(name: string, model: KconfigModel): Explanation {
  const near = nearestNames(name, model);
  return {
    reason: `CONFIG_${name} is not defined in this tree (ARCH=${model.tree.arch})`,
    details: near.length ? [`nearest names: ${near.join(', ')}`] : [],
    fix: near.length ? `use the name this kernel has (${near.map((n) => `CONFIG_${n}`).join(' or ')}), or remove the line` : 'remove the line',
  };
}

/** Explain one symbol against an evaluated `.config`; `req` is a requested line (a fragment's), if any. */
export function explainWith(calc: Calculator, name: string, req?: ConfigLine): Explanation {
  const s = calc.model.symbols.get(name);
  if (!s?.type) return notDefined(name, calc.model);
  return whyValue(s, calc, req);
}

/** What `check --kernel` needs: existence and explanations, evaluated against the resolved `.config`. */
export async function loadTreeKnowledge(kernel: string, arch: string | undefined, config: DotConfig): Promise<TreeKnowledge> {
  const tree = await loadTree(kernel, resolveArch(arch, config), config);
  const calc = new Calculator(buildModel(tree), config.parsed);
  return {
    defines: (name) => calc.model.symbols.has(name),
    explain: (req: ConfigLine, _actual: ConfigFact) => explainWith(calc, req.name, req),
  };
}

export interface ExplainInput {
  symbol: string;
  kernel: string;
  arch?: string;
  config?: string;
  /** A value to ask about (`y`, `m`, `n`, a number or a quoted string): why can it not be had? */
  want?: string;
}

export interface ExplainResult {
  symbol: string;
  arch: string;
  defined: boolean;
  info?: SymbolInfo;
  nearest?: string[];
  /** With a `.config`: the symbol's line there (`<missing>` when absent) and the value the kernel computes. */
  config?: { file: string; line: string; computed: string; written: boolean };
  why?: Explanation;
}

function stripPrefix(symbol: string): string {
  return symbol.startsWith('CONFIG_') ? symbol.slice('CONFIG_'.length) : symbol;
}

export async function runExplain(input: ExplainInput): Promise<ExplainResult> {
  const { readDotConfig } = await import('./dotconfig.js');
  const { parseValue } = await import('./fragment.js');
  if (input.want !== undefined && input.config === undefined) {
    return fail({ code: 'usage.want-without-config', message: '--want needs --config', exit: ExitCode.usage, hint: 'pass the resolved .config with --config' });
  }
  const config = input.config !== undefined ? await readDotConfig(input.config) : undefined;
  const arch = resolveArch(input.arch, config);
  const model = buildModel(await loadTree(input.kernel, arch, config));
  const name = stripPrefix(input.symbol);
  const info = symbolInfo(model, name);
  const result: ExplainResult = { symbol: name, arch, defined: info !== undefined, ...(info ? { info } : {}) };
  if (!info) result.nearest = nearestNames(name, model);
  let req: ConfigLine | undefined;
  if (input.want !== undefined) {
    const v = parseValue(input.want);
    if (!v.ok) return fail({ code: 'usage.bad-value', message: `--want: ${v.message}`, value: input.want, hint: v.hint, exit: ExitCode.usage });
    req = { name, value: v.value, line: 0, text: renderLine(name, v.value) };
  }
  if (!config) {
    if (!info) result.why = notDefined(name, model);
    return result;
  }
  const calc = new Calculator(model, config.parsed);
  const fact = config.fact(name);
  const line = fact.state === 'absent' ? '<missing>' : renderLine(name, fact.state === 'set' ? fact.value : undefined);
  if (info) result.config = { file: config.parsed.file, line, computed: valueText(calc, name), written: calc.calc(name).written };
  result.why = explainWith(calc, name, req);
  return result;
}

/** Text form of an explain result. */
export function renderExplain(r: ExplainResult): string {
  const out: string[] = [];
  if (r.info) out.push(...renderInfo(r.info));
  else out.push(`CONFIG_${r.symbol}: not defined in this tree (ARCH=${r.arch})`);
  if (r.nearest?.length && !r.why) out.push(`  nearest names: ${r.nearest.join(', ')}`);
  if (r.config) {
    out.push(`in ${r.config.file}: ${r.config.line}`);
    out.push(`  computed by the kernel's rules: ${r.config.computed}${r.config.written ? '' : ' (not written to a .config)'}`);
  }
  if (r.why) {
    out.push(`why: ${r.why.reason}`);
    for (const d of r.why.details) out.push(`  ${d}`);
    if (r.why.fix) out.push(`fix: ${r.why.fix}`);
  }
  return `${out.join('\n')}\n`;
}
