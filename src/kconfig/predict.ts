/**
 * The library side of the build's kernel pre-flight, and of `kconfig resolve`:
 * - `predictConfig()` loads the tree, resolves the `.config` the kernel's make path would write (see `resolve.ts`),
 *   checks every fragment line against it (the same report `kconfig check --kernel` gives), proves the suggested
 *   fixes by resolving again with them, and lists the lines that stick and the ones that do not;
 * - `compareWithKernel()` compares a prediction with the kernel's own `.config` after the build: any difference
 *   is a tarsmith bug and is reported as one, never silently.
 */
import { ExitCode, fail, type Failure } from '../core/errors.js';
import { checkFragment, satisfies, type CheckReport, type TreeKnowledge } from './check.js';
import { linesOf, type MergedLine } from './defconfig.js';
import { dotConfigFromText, type DotConfig } from './dotconfig.js';
import { ENVIRONMENT_SYMBOLS, explainWith, loadTree } from './explain.js';
import { verifyFixes, type FixReport, type Resolver } from './fix-verify.js';
import { parseConfigText, readConfigText, type ParsedConfig } from './fragment.js';
import { buildModel, type KconfigModel } from './model.js';
import { symbolValues, type SymbolValue } from './origins.js';
import { resolveAgain, resolveConfig, type InputFile, type ResolveRequest } from './resolve.js';
import { Calculator } from './values.js';

export interface PredictInput {
  /** Kernel tree folder or tarball. */
  kernel: string;
  /** ARCH as for make (`arm64`, `x86_64`, …). */
  arch: string;
  /** A make config target to start from (`defconfig`, `NAME_defconfig`, `allnoconfig`, `tinyconfig`, …). */
  defconfig?: string;
  /** Or a `.config` to start from (copied, then merged and resolved). One of the two; default `defconfig`. */
  base?: string;
  /** `NAME.config` make targets after the base, in order. */
  targets?: string[];
  /** Fragment files, merged with `merge_config.sh -m` in order. */
  fragments?: string[];
  /** `KCONFIG_ALLCONFIG` file for `all*config` targets. */
  allconfig?: string;
  /** The compiler the kernel build uses (`gcc`), or its prefix (`aarch64-linux-gnu-`): runs the Kconfig probes. */
  cc?: string;
  crossCompile?: string;
  /** Without a compiler: a file with the probe-decided values (e.g. the resolved `.config` of a previous build). */
  probes?: string;
  /** Make variables given on the command line that Kconfig reads (`USERCFLAGS`, `CROSS_COMPILE_COMPAT`, …). */
  makeVars?: Readonly<Record<string, string>>;
  /** Parse cache folder; false: none (default: the user's cache). */
  cacheDir?: string | false;
  /** Prove each suggested fix by resolving again (default true). */
  verifyFixes?: boolean;
  onProgress?: (msg: string) => void;
}

/** A fragment line and whether the resolved `.config` holds it. */
export interface LineResult {
  file: string;
  line: number;
  text: string;
  /** The `.config` line for the symbol (`<missing>` when absent). */
  actual: string;
  why?: string;
}

export interface Prediction {
  arch: string;
  /** The `.config` text, byte for byte what the kernel writes. */
  dotconfig: string;
  /** The kernel commands this stands for. */
  steps: string[];
  /** One check report per fragment. */
  checks: CheckReport[];
  /** Proven fixes, per fragment with mismatches. */
  fixes: FixReport[];
  sticking: LineResult[];
  nonSticking: LineResult[];
  /** Symbols whose values were taken from the probe table (none with a compiler). */
  probed: string[];
  /** Every fragment line sticks and no line is malformed. */
  ok: boolean;
  /** Every symbol's value and where it came from (computed on demand: large). */
  symbols(): SymbolValue[];
  /** What the tree knows, evaluated against the predicted `.config` (as `kconfig check --kernel` gives it). */
  knowledge: TreeKnowledge;
}

async function readInput(file: string): Promise<InputFile> {
  return { file, text: await readConfigText(file) };
}

function needProbes(): never {
  return fail({
    code: 'kconfig.no-probe-answers', exit: ExitCode.usage,
    message: 'resolving needs the answers of the Kconfig compiler probes',
    hint: 'pass the compiler the kernel build uses (--cc gcc or --cross-compile aarch64-linux-gnu-), or recorded answers with --probes FILE (the resolved .config of a previous build)',
  });
}

async function request(input: PredictInput, model: KconfigModel, toolchain: boolean): Promise<ResolveRequest> {
  if (input.base !== undefined && input.defconfig !== undefined) {
    fail({ code: 'usage.conflicting-options', exit: ExitCode.usage, message: '--base and --defconfig both given', hint: 'start from one: a make target (--defconfig) or a .config file (--base)' });
  }
  const probeTable = input.probes !== undefined ? parseConfigText(await readConfigText(input.probes), input.probes) : undefined;
  return {
    kernel: input.kernel, tree: model.tree, model, toolchain,
    base: input.base !== undefined ? { file: await readInput(input.base) } : { target: input.defconfig ?? 'defconfig' },
    targets: input.targets ?? [],
    fragments: await Promise.all((input.fragments ?? []).map(readInput)),
    ...(input.allconfig !== undefined ? { allconfig: await readInput(input.allconfig) } : {}),
    ...(probeTable ? { probeTable } : {}),
  };
}

/** The evaluation `kconfig check --kernel` makes of a resolved `.config`. */
function evaluator(req: ResolveRequest): (parsed: ParsedConfig) => Calculator {
  return (parsed) => new Calculator(req.model, parsed, req.toolchain ? [] : ENVIRONMENT_SYMBOLS, req.probeTable ? { probeTable: req.probeTable } : {});
}

function knowledgeOf(req: ResolveRequest, config: DotConfig): TreeKnowledge {
  let calc: Calculator | undefined;
  return {
    defines: (n) => req.model.symbols.has(n),
    explain: (r) => explainWith((calc ??= evaluator(req)(config.parsed)), r.name, r),
  };
}

function checkAll(req: ResolveRequest, config: DotConfig, knowledge: TreeKnowledge): CheckReport[] {
  return (req.fragments ?? []).map((f) => checkFragment(parseConfigText(f.text, f.file), config, knowledge));
}

function resolver(req: ResolveRequest, before: readonly MergedLine[]): Resolver {
  const evaluate = evaluator(req);
  return async (extra) => {
    const fix = { file: '<fix>', text: extra.map((l) => `${l}\n`).join('') };
    const text = resolveAgain(req, before, [...(req.fragments ?? []), fix]);
    const config = dotConfigFromText(text, '.config');
    const calc = evaluate(config.parsed);
    return { config, fixFor: (r) => explainWith(calc, r.name, r).set };
  };
}

function lineResults(req: ResolveRequest, checks: CheckReport[], config: DotConfig): { sticking: LineResult[]; nonSticking: LineResult[] } {
  const sticking: LineResult[] = [];
  const nonSticking: LineResult[] = [];
  (req.fragments ?? []).forEach((f, i) => {
    const mismatches = new Map((checks[i]?.mismatches ?? []).map((m) => [m.name, m]));
    for (const l of parseConfigText(f.text, f.file).byName.values()) {
      const m = mismatches.get(l.name);
      const r: LineResult = { file: f.file, line: l.line, text: l.text, actual: m?.actual ?? '' };
      if (!m && satisfies(l, config.fact(l.name))) sticking.push({ ...r, actual: l.text });
      else nonSticking.push({ ...r, ...(m?.explanation ? { why: m.explanation.reason } : {}) });
    }
  });
  return { sticking, nonSticking };
}

/** Predict the kernel's resolved `.config` on the host, check the fragments against it and prove the fixes. */
export async function predictConfig(input: PredictInput): Promise<Prediction> {
  const toolchain = input.cc !== undefined || input.crossCompile !== undefined;
  if (!toolchain && input.probes === undefined) needProbes();
  const tree = await loadTree(input.kernel, input.arch, {
    ...(input.cacheDir !== undefined ? { cacheDir: input.cacheDir } : {}),
    ...(input.cc !== undefined ? { cc: input.cc } : {}),
    ...(input.crossCompile !== undefined ? { crossCompile: input.crossCompile } : {}),
    ...(input.makeVars ? { env: input.makeVars } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
  const treeErrors = tree.diagnostics.filter((d) => d.severity === 'error');
  if (treeErrors.length > 0) fail(treeErrors);
  const model = buildModel(tree);
  const req = await request(input, model, toolchain);
  const resolved = await resolveConfig(req);
  const config = dotConfigFromText(resolved.text, '.config');
  const knowledge = knowledgeOf(req, config);
  const checks = checkAll(req, config, knowledge);
  const fixes: FixReport[] = [];
  if (input.verifyFixes !== false) {
    for (const [i, c] of checks.entries()) {
      const f = req.fragments?.[i];
      if (!f || c.mismatches.length === 0) continue;
      c.fixes = await verifyFixes(c, parseConfigText(f.text, f.file), resolver(req, resolved.before));
      fixes.push(c.fixes);
    }
  }
  const lines = lineResults(req, checks, config);
  return {
    arch: input.arch, dotconfig: resolved.text, steps: resolved.steps, checks, fixes, ...lines, probed: resolved.probed,
    ok: checks.every((c) => c.ok),
    symbols: () => symbolValues(resolved.calc, resolved.input),
    knowledge,
  };
}

/**
 * `kconfig check --kernel`'s fix proof: resolve the checked `.config` again as a base (`cp`, merge the fragment
 * and the fix, olddefconfig), its own values answering the probes when no compiler was given.
 */
export async function proveFixesFrom(
  model: KconfigModel, toolchain: boolean, config: DotConfig, fragment: ParsedConfig, report: CheckReport,
): Promise<FixReport> {
  const { readConfigText: read } = await import('./fragment.js');
  const text = await read(config.parsed.file);
  const frag = { file: fragment.file, text: await read(fragment.file) };
  const req: ResolveRequest = {
    kernel: '', tree: model.tree, model, toolchain, base: { file: { file: config.parsed.file, text } },
    fragments: [frag], ...(toolchain ? {} : { probeTable: config.parsed }),
  };
  return verifyFixes(report, fragment, resolver(req, linesOf(text, config.parsed.file)));
}

export interface KernelComparison {
  identical: boolean;
  /** Symbols whose lines differ: the predicted line and the kernel's (`<missing>` when absent). */
  differences: { name: string; predicted: string; actual: string }[];
  /** The first line that differs (1-based), when the texts differ. */
  firstLine?: { line: number; predicted: string; actual: string };
  /** Set when they differ: a tarsmith bug, as a failure to report. */
  failure?: Failure;
}

/** Compare a predicted `.config` with the kernel's own; a difference is reported as a tarsmith bug. */
export function compareWithKernel(predicted: string, actual: string, actualFile = '.config'): KernelComparison {
  if (predicted === actual) return { identical: true, differences: [] };
  const p = parseConfigText(predicted, 'predicted');
  const a = parseConfigText(actual, actualFile);
  const names = new Set([...p.byName.keys(), ...a.byName.keys()]);
  const differences: KernelComparison['differences'] = [];
  for (const name of names) {
    const pl = p.byName.get(name)?.text ?? '<missing>';
    const al = a.byName.get(name)?.text ?? '<missing>';
    if (pl !== al) differences.push({ name, predicted: pl, actual: al });
  }
  differences.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const pr = predicted.split('\n');
  const ar = actual.split('\n');
  let i = 0;
  while (i < pr.length && i < ar.length && pr[i] === ar[i]) i++;
  const firstLine = { line: i + 1, predicted: pr[i] ?? '<end of file>', actual: ar[i] ?? '<end of file>' };
  const what = differences.length ? `${differences.length} symbol(s), first CONFIG_${differences[0]?.name}` : `layout only, from line ${i + 1}`;
  return {
    identical: false, differences, firstLine,
    failure: {
      code: 'kconfig.prediction-differs', exit: ExitCode.internal, where: { file: actualFile, line: i + 1 },
      message: `tarsmith bug: the predicted .config differs from the kernel's own (${what})`,
      value: `${firstLine.predicted} / ${firstLine.actual}`,
      hint: "the kernel's .config is the one that counts; please report this with both files",
    },
  };
}
