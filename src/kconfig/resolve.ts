/**
 * `kconfig resolve`: the `.config` the kernel's own tools write for `make ARCH=… TARGET [NAME.config …]`, then
 * `merge_config.sh -m .config FRAGMENT…` and `make olddefconfig` — byte for byte, computed with the engine's
 * evaluator (`Calculator`) and `.config` writer, with no make, no compiler run beyond the Kconfig probes, and no
 * files written in the tree.
 *
 * Every step is the kernel's: `conf --defconfig=FILE` reads a defconfig and writes; `conf --allnoconfig` (and
 * friends) reads `KCONFIG_ALLCONFIG` and gives every other prompted bool/tristate the mode's value; a `%.config`
 * target and the fragments are merged line by line as `merge_config.sh` does, and olddefconfig reads the result.
 */
import { ExitCode, fail, type Failure } from '../core/errors.js';
import type { KconfigTree, Tristate } from './ast.js';
import { kbuildDefconfig, linesOf, mergeFragment, mergedText, parseTarget, type AllMode, type MergedLine } from './defconfig.js';
import { writeDotConfig } from './dotconfig-write.js';
import { M, N, Y } from './eval.js';
import { ENVIRONMENT_SYMBOLS } from './explain.js';
import { parseConfigText, type ParsedConfig } from './fragment.js';
import { originOf, type Origin } from './origins.js';
import type { KconfigModel } from './model.js';
import { listKernelFolder, readKernelFile } from './tree.js';
import { Calculator } from './values.js';

/** A config file given by path, already read. */
export interface InputFile {
  file: string;
  text: string;
}

export interface ResolveRequest {
  /** The kernel tree (folder or tarball) the model was loaded from, for its defconfigs and `%.config` files. */
  kernel: string;
  tree: KconfigTree;
  model: KconfigModel;
  /** The tree was parsed with a compiler (probes answered); otherwise `probeTable` answers them. */
  toolchain: boolean;
  /** Starting point: a make config target (`defconfig`, `x86_64_defconfig`, `allnoconfig`, …) or a `.config` file. */
  base: { target: string } | { file: InputFile };
  /** `%.config` make targets run after the base (`kvm_guest.config`), in order. */
  targets?: string[];
  /** Fragments merged with `merge_config.sh -m`, then olddefconfig. */
  fragments?: InputFile[];
  /** `KCONFIG_ALLCONFIG` for `all*config` targets. */
  allconfig?: InputFile;
  /** Recorded values of probe-decided symbols (a previous build's resolved `.config`), used without a compiler. */
  probeTable?: ParsedConfig;
  /** SUBARCH for `$(SUBARCH)` in arch Makefiles (um). */
  subarch?: string;
}

export interface Resolved {
  /** The `.config` text. */
  text: string;
  /** The last evaluation (of the last input read), for explanations and value origins. */
  calc: Calculator;
  /** The last input's lines with their origins (file:line of each fragment line). */
  input: MergedLine[];
  /** The kernel commands this stands for, in order. */
  steps: string[];
  /** Symbols whose values came from the probe table (empty with a compiler). */
  probed: string[];
  /** The `.config` lines before the fragments were merged (to resolve again with other fragments). */
  before: MergedLine[];
}

interface Ctx {
  req: ResolveRequest;
  steps: string[];
  probed: Set<string>;
  last?: { calc: Calculator; input: MergedLine[] };
}

/** Read one input the way `conf` does and write the `.config`. */
function confRun(ctx: Ctx, input: MergedLine[], presets?: ReadonlyMap<string, Tristate>): MergedLine[] {
  const { req } = ctx;
  const parsed = parseConfigText(mergedText(input), '.config');
  const calc = new Calculator(req.model, parsed, req.toolchain ? [] : ENVIRONMENT_SYMBOLS, {
    ...(req.probeTable ? { probeTable: req.probeTable } : {}),
    ...(presets ? { presets } : {}),
  });
  const text = writeDotConfig(calc, req.tree);
  for (const n of calc.probed()) ctx.probed.add(n);
  ctx.last = { calc, input };
  return withSources(calc, input, linesOf(text, '.config'));
}

/** Carry each value's origin over to the line written for it, for the steps that read it again. */
function withSources(calc: Calculator, input: readonly MergedLine[], out: MergedLine[]): MergedLine[] {
  const from: OriginSource = { calc, input };
  return out.map((l) => {
    const m = /^(?:# )?CONFIG_([A-Za-z0-9_]+)[= ]/.exec(l.text);
    return m ? new WrittenLine(l.text, l.file, l.line, from, m[1] as string) : l;
  });
}

interface OriginSource {
  calc: Calculator;
  input: readonly MergedLine[];
}

/** A line a step wrote: its origin is computed when asked (for --json), since most runs never need it. */
class WrittenLine implements MergedLine {
  readonly #from: OriginSource;
  readonly #name: string;
  #origin: Origin | undefined;

  constructor(
    readonly text: string,
    readonly file: string,
    readonly line: number,
    from: OriginSource,
    name: string,
  ) {
    this.#from = from;
    this.#name = name;
  }

  get origin(): Origin {
    return (this.#origin ??= originOf(this.#from.calc, this.#name, this.#from.input));
  }
}

function configsDir(req: ResolveRequest): string {
  return `arch/${req.tree.srcarch}/configs`;
}

async function unknownTarget(req: ResolveRequest, name: string, what: string): Promise<never> {
  const names = (await listKernelFolder(req.kernel, req.tree, configsDir(req))).filter((n) => n.endsWith('_defconfig') || n === 'defconfig');
  return fail({
    code: 'kconfig.unknown-target', exit: ExitCode.usage, value: name,
    message: `${what} for ARCH=${req.tree.arch}`,
    hint: names.length ? `use defconfig, allnoconfig, … or one of ${configsDir(req)}/: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}` : 'use defconfig, allnoconfig, allyesconfig, allmodconfig, alldefconfig or tinyconfig',
  });
}

/** `conf --defconfig=arch/$SRCARCH/configs/NAME`. */
async function fileDefconfig(ctx: Ctx, name: string): Promise<MergedLine[]> {
  const rel = `${configsDir(ctx.req)}/${name}`;
  const text = await readKernelFile(ctx.req.kernel, ctx.req.tree, rel);
  if (text === undefined) return unknownTarget(ctx.req, name, `no ${rel}`);
  ctx.steps.push(`conf --defconfig=${rel}`);
  return confRun(ctx, linesOf(text, rel));
}

/** `conf --allnoconfig` (…): KCONFIG_ALLCONFIG's values, then the mode's value for every other prompted symbol. */
function allConfig(ctx: Ctx, mode: AllMode, allconfig: InputFile | undefined): MergedLine[] {
  const { model } = ctx.req;
  const seed = allconfig ? linesOf(allconfig.text, allconfig.file) : [];
  const seeded = parseConfigText(mergedText(seed), allconfig?.file ?? '');
  const val: Tristate | undefined = mode === 'allnoconfig' ? N : mode === 'allyesconfig' ? Y : mode === 'allmodconfig' ? M : undefined;
  const presets = new Map<string, Tristate>();
  if (val !== undefined) {
    for (const s of model.symbols.values()) {
      if ((s.type !== 'bool' && s.type !== 'tristate') || s.choice !== undefined || s.prompts.length === 0) continue;
      if (!seeded.byName.has(s.name)) presets.set(s.name, val);
    }
  }
  ctx.steps.push(`${allconfig ? `KCONFIG_ALLCONFIG=${allconfig.file} ` : ''}conf --${mode}`);
  return confRun(ctx, seed, presets);
}

/** `make NAME.config`: merge `kernel/configs/NAME` and `arch/$SRCARCH/configs/NAME`, then olddefconfig. */
async function fragmentTarget(ctx: Ctx, current: MergedLine[], name: string): Promise<MergedLine[]> {
  const { req } = ctx;
  let merged = current;
  let found = 0;
  for (const rel of [`kernel/configs/${name}`, `${configsDir(req)}/${name}`]) {
    const text = await readKernelFile(req.kernel, req.tree, rel);
    if (text === undefined) continue;
    found++;
    ctx.steps.push(`merge_config.sh -m .config ${rel}`);
    merged = mergeFragment(merged, linesOf(text, rel));
  }
  if (found === 0) return unknownTarget(req, name, `${name} fragment does not exist on this architecture`);
  ctx.steps.push('conf --olddefconfig');
  return confRun(ctx, merged);
}

async function runTarget(ctx: Ctx, name: string, depth = 0): Promise<MergedLine[]> {
  const { req } = ctx;
  const t = parseTarget(name);
  if (!t || t.kind === 'fragment-target') return unknownTarget(req, name, `'${name}' is not a config target that makes a .config`);
  switch (t.kind) {
    case 'file-defconfig':
      return fileDefconfig(ctx, t.name);
    case 'all':
      return allConfig(ctx, t.mode, req.allconfig);
    case 'tinyconfig': {
      const base = await readKernelFile(req.kernel, req.tree, 'kernel/configs/tiny-base.config');
      const seed = base === undefined ? undefined : { file: 'kernel/configs/tiny-base.config', text: base };
      return fragmentTarget(ctx, allConfig(ctx, 'allnoconfig', seed), 'tiny.config');
    }
    case 'defconfig': {
      const makefile = await readKernelFile(req.kernel, req.tree, `arch/${req.tree.srcarch}/Makefile`);
      const vars = { ARCH: req.tree.arch, SRCARCH: req.tree.srcarch, ...(req.subarch ? { SUBARCH: req.subarch } : {}) };
      const d = kbuildDefconfig(makefile, vars);
      if (!d.ok) return fail({ code: 'kconfig.defconfig-unknown', exit: ExitCode.usage, message: d.why, where: { file: `arch/${req.tree.srcarch}/Makefile` }, hint: 'name the defconfig: --defconfig NAME_defconfig' });
      const rel = `${configsDir(req)}/${d.name}`;
      if ((await readKernelFile(req.kernel, req.tree, rel)) !== undefined) return fileDefconfig(ctx, d.name);
      if (depth > 3 || d.name === 'defconfig') return unknownTarget(req, d.name, `KBUILD_DEFCONFIG '${d.name}' is neither a file nor a target`);
      return runTarget(ctx, d.name, depth + 1);
    }
    default:
      return t satisfies never;
  }
}

function syntaxErrors(files: readonly InputFile[]): Failure[] {
  const out: Failure[] = [];
  for (const f of files) {
    for (const d of parseConfigText(f.text, f.file).diagnostics) {
      if (d.severity !== 'error') continue;
      const { severity: _s, ...rest } = d;
      out.push(rest);
    }
  }
  return out;
}

/** Resolve a config as the kernel's make targets, merge_config.sh and olddefconfig would. */
export async function resolveConfig(req: ResolveRequest): Promise<Resolved> {
  const inputs = [...(req.fragments ?? []), ...('file' in req.base ? [req.base.file] : []), ...(req.allconfig ? [req.allconfig] : [])];
  const errors = syntaxErrors(inputs);
  if (errors.length > 0) fail(errors);
  const ctx: Ctx = { req, steps: [], probed: new Set() };
  let current: MergedLine[];
  // A copied .config is read as it is (merged before it is resolved); a target's output is already resolved.
  let pending = 'file' in req.base;
  if ('file' in req.base) {
    ctx.steps.push(`cp ${req.base.file.file} .config`);
    current = linesOf(req.base.file.text, req.base.file.file);
  } else current = await runTarget(ctx, req.base.target);
  for (const t of req.targets ?? []) {
    if (parseTarget(t)?.kind !== 'fragment-target') await unknownTarget(req, t, `'${t}' is not a NAME.config fragment target`);
    current = await fragmentTarget(ctx, current, t);
    pending = false;
  }
  const before = current;
  for (const f of req.fragments ?? []) {
    ctx.steps.push(`merge_config.sh -m .config ${f.file}`);
    current = mergeFragment(current, linesOf(f.text, f.file));
    pending = true;
  }
  if (pending) {
    ctx.steps.push('conf --olddefconfig');
    current = confRun(ctx, current);
  }
  const last = ctx.last as { calc: Calculator; input: MergedLine[] };
  return { text: mergedText(current), calc: last.calc, input: last.input, steps: ctx.steps, probed: [...ctx.probed].sort(), before };
}

/** Resolve again from `before` (a `Resolved.before`) with other fragments: merge each, then olddefconfig. */
export function resolveAgain(req: ResolveRequest, before: readonly MergedLine[], fragments: readonly InputFile[]): string {
  const ctx: Ctx = { req, steps: [], probed: new Set() };
  let current = [...before];
  for (const f of fragments) current = mergeFragment(current, linesOf(f.text, f.file));
  return mergedText(confRun(ctx, current));
}
