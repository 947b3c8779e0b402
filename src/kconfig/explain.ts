/**
 * `kconfig explain` and the tree knowledge behind `kconfig check --kernel`: load a kernel tree for an ARCH, build
 * the effective symbol model, evaluate a `.config` with the kernel's rules, and say where a symbol is defined, what
 * governs it and why it has (or does not have) a value.
 */
import { ExitCode, fail } from '../core/errors.js';
import { log } from '../core/log.js';
import type { KconfigTree } from './ast.js';
import type { Explanation, TreeKnowledge } from './check.js';
import type { ConfigFact, DotConfig } from './dotconfig.js';
import { symbolInfo, renderInfo, type SymbolInfo } from './explain-info.js';
import { NameIndex } from './suggest.js';
import { valueText, whyValue } from './explain-why.js';
import { renderLine, type ConfigLine, type ParsedConfig } from './fragment.js';
import { buildModel, type KconfigModel } from './model.js';
import { loadHelp, loadKconfig } from './tree.js';
import { Calculator } from './values.js';

export interface LoadTreeOptions {
  /** Parse cache folder (default: the user's cache, see `loadKconfig`); false: no cache. */
  cacheDir?: string | false;
  /** C compiler / toolchain prefix to run compiler probes with (default: none, probes stay unknown). */
  cc?: string;
  crossCompile?: string;
  /** Extra macro environment (make variables Kconfig reads, e.g. `USERCFLAGS`). */
  env?: Readonly<Record<string, string>>;
  onProgress?: (msg: string) => void;
  /** The help texts too (a tree read from the parse cache comes without them). */
  help?: boolean;
}

export const hasToolchain = (o: LoadTreeOptions): boolean => o.cc !== undefined || o.crossCompile !== undefined;

/**
 * Parse the tree's Kconfig for `arch` (a folder or a tarball) with `loadKconfig`. No toolchain is run: compiler
 * probes stay unknown and their symbols take the `.config`'s values (see `Calculator`).
 */
export async function loadTree(kernel: string, arch: string, opts: LoadTreeOptions = {}): Promise<KconfigTree> {
  const tree = await loadKconfig({
    kernel,
    arch,
    ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    ...(opts.cc !== undefined ? { cc: opts.cc } : {}),
    ...(opts.crossCompile !== undefined ? { crossCompile: opts.crossCompile } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const errors = tree.diagnostics.filter((d) => d.severity === 'error');
  if (tree.symbols.size === 0) {
    return fail(errors.length ? errors : { code: 'kconfig.empty-tree', message: `no Kconfig symbols in ${kernel}`, exit: ExitCode.usage });
  }
  if (opts.help) await loadHelp(tree);
  return tree;
}

/**
 * Symbols whose defaults come from the build environment rather than the tree (`default "$(CC_VERSION_TEXT)"`):
 * without a toolchain their values are taken from the `.config`.
 */
export const ENVIRONMENT_SYMBOLS = ['CC_VERSION_TEXT', 'RUSTC_VERSION_TEXT'] as const;

/** Evaluate a `.config` against a loaded tree (`toolchain`: the tree was parsed with one). */
export function evaluate(tree: KconfigTree, config: ParsedConfig, toolchain = false): Calculator {
  return new Calculator(buildModel(tree), config, toolchain ? [] : ENVIRONMENT_SYMBOLS);
}

export function treeOptions(o: { cc?: string; crossCompile?: string; cache?: boolean }): LoadTreeOptions {
  return {
    ...(o.cc !== undefined ? { cc: o.cc } : {}),
    ...(o.crossCompile !== undefined ? { crossCompile: o.crossCompile } : {}),
    ...(o.cache === false ? { cacheDir: false } : {}),
    onProgress: (m) => log.info(m),
  };
}

export function resolveArch(arch: string | undefined, config: DotConfig | undefined): string {
  const a = arch ?? config?.header?.arch;
  if (a) return a;
  return fail({
    code: 'usage.missing-arch',
    message: 'the kernel architecture is not known',
    exit: ExitCode.usage,
    hint: 'pass --arch (e.g. --arch arm64), or a .config whose header names it',
  });
}

/** Nearest defined names (the project's one suggestion engine). */
export function nearestNames(name: string, model: KconfigModel, limit = 5): string[] {
  let index = nameIndexes.get(model);
  if (!index) {
    index = new NameIndex([...model.symbols.keys()]);
    nameIndexes.set(model, index);
  }
  return index.nearest(name, limit).map((s) => s.name);
}

/** One name index per model: a check asks for the nearest names of every unknown symbol. */
const nameIndexes = new WeakMap<KconfigModel, NameIndex>();

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

export interface TreeSource {
  kernel: string;
  arch?: string;
  cc?: string;
  crossCompile?: string;
  /** false: neither read nor write the parse cache. */
  cache?: boolean;
}

export interface ExplainInput extends TreeSource {
  symbol: string;
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
  /**
   * With a `.config`: the symbol's line there (`<missing>` when absent), its value by the kernel's rules, whether a
   * `.config` lists it, and whether the file's line is the one the kernel would write (false: not resolved for
   * this tree, e.g. hand-edited or from another version; run olddefconfig).
   */
  config?: { file: string; line: string; computed: string; written: boolean; resolved: boolean };
  why?: Explanation;
}

function stripPrefix(symbol: string): string {
  return symbol.startsWith('CONFIG_') ? symbol.slice('CONFIG_'.length) : symbol;
}

export async function runExplain(input: ExplainInput): Promise<ExplainResult> {
  const { readDotConfig } = await import('./dotconfig.js');
  const { parseValue } = await import('./fragment.js');
  if (input.want !== undefined && input.config === undefined) {
    return fail({
      code: 'usage.want-without-config',
      message: '--want needs --config',
      exit: ExitCode.usage,
      hint: 'pass the resolved .config with --config',
    });
  }
  const config = input.config !== undefined ? await readDotConfig(input.config) : undefined;
  const arch = resolveArch(input.arch, config);
  const opts = treeOptions(input);
  const tree = await loadTree(input.kernel, arch, { ...opts, help: true });
  const model = buildModel(tree);
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
  const calc = new Calculator(model, config.parsed, hasToolchain(opts) ? [] : ENVIRONMENT_SYMBOLS);
  const fact = config.fact(name);
  const line = fact.state === 'absent' ? '<missing>' : renderLine(name, fact.state === 'set' ? fact.value : undefined);
  if (info) {
    const expected = calc.line(name) ?? '<missing>';
    const written = calc.calc(name).written;
    result.config = { file: config.parsed.file, line, computed: valueText(calc, name), written, resolved: expected === line };
  }
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
    if (!r.config.resolved) out.push('  note: the .config does not hold what the kernel would write here: run olddefconfig on it');
  }
  if (r.why) {
    out.push(`why: ${r.why.reason}`);
    for (const d of r.why.details) out.push(`  ${d}`);
    if (r.why.fix) out.push(`fix: ${r.why.fix}`);
  }
  return `${out.join('\n')}\n`;
}
