/**
 * The kernel pre-flight of a build: on the host, beside the engine's config stage, tarsmith's Kconfig engine predicts
 * the `.config` the kernel stage will resolve (base, fragments merged as merge_config.sh -m does, olddefconfig;
 * see src/kconfig/predict.ts) and checks the fragments against it with the same checker, policy and failure the
 * in-build check uses: a fragment that cannot be satisfied stops the build at once, with the same report.
 *
 * The Kconfig compiler probes are answered by, in this order: the probes an earlier build of the same kernel tree
 * with the same toolchain recorded (the kernel's own resolved `.config`, kept in tarsmith's cache), or the compiler
 * the kernel build uses, when this host has it (`CROSS_COMPILE`gcc, or gcc for the host's own architecture). With
 * neither, or when a patch of the kernel source changes what Kconfig reads, the pre-flight is skipped with a note
 * saying why; the in-build check still runs.
 *
 * After the config stage, the prediction is compared with the kernel's `.config`: equality is recorded, and any
 * difference is a tarsmith bug, reported as a coded warning naming every symbol with both values.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cacheRoot } from '../core/cache-dir.js';
import { ExitCode, fail, isTarsmithError, type Diagnostic, type Failure } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { dotConfigFromText } from '../kconfig/dotconfig.js';
import { readConfigFile } from '../kconfig/fragment.js';
import { compareWithKernel, predictConfig, type PredictInput } from '../kconfig/predict.js';
import { srcarchOf } from '../kconfig/tree.js';
import type { KernelSpec } from '../manifest/types.js';
import { checkKernelConfig, configFailure, configPreflight, type KernelConfigReport } from './check.js';

/** Who answered the Kconfig compiler probes of a prediction. */
export type ProbeSource =
  | { kind: 'compiler'; program: string; cc?: string; crossCompile?: string }
  | { kind: 'recorded'; file: string };

export interface PreflightInput {
  spec: KernelSpec;
  /** The locked kernel tarball (or its canonical tree), read without extraction; the parse is cached. */
  kernel: string;
  /** Host path of the locked base config file (`kernel.config`). */
  baseFile?: string;
  /** The fragments as written in the manifest, and their locked host copies. */
  fragments: readonly { path: string; file: string }[];
  /** Host paths of the kernel source's patches (applied in the engine, not in the tree read here). */
  patches: readonly string[];
  /** The recorded probe table of this kernel tree and toolchain (see `probeTableFile`). */
  probeTable: string;
  /** A target of the build compiles modules (CONFIG_MODULES must be on). */
  needsModules: boolean;
  where: Failure['where'];
  /** Node's `process.arch` of this host (default: this process's). */
  hostArch?: string;
  /** PATH to look the compiler up in (default: this process's). */
  searchPath?: string;
  /** Parse cache folder, as `predictConfig` takes it. */
  cacheDir?: string | false;
  onProgress?: (msg: string) => void;
  /** Called when the probes are known and the prediction starts. */
  onPredict?: (probes: ProbeSource) => void;
}

export type Preflight =
  | { status: 'predicted'; probes: ProbeSource; dotconfig: string; report: KernelConfigReport }
  | { status: 'skipped'; reason: string };

/** What the build record and the JSON result say about the prediction. */
export interface PredictionRecord {
  status: 'matches' | 'differs' | 'skipped';
  /** Who answered the probes: `compiler PROGRAM` or `recorded`. */
  probes?: string;
  /** Why the pre-flight was skipped. */
  reason?: string;
  /** Lines of the kernel's `.config` (when compared). */
  lines?: number;
  /** Every symbol whose line differs: the predicted line and the kernel's (`<missing>` when absent). */
  differences?: { name: string; predicted: string; actual: string }[];
  /** The first line that differs, when only the layout does. */
  firstLine?: { line: number; predicted: string; actual: string };
  /** The host's probe answers differed from the builder's (these symbols); the status is that of the prediction made again from the builder's. */
  hostProbes?: { differences: { name: string; predicted: string; actual: string }[] };
}

/** Node's `process.arch` → the kernel's SRCARCH a native compiler of this host targets. */
const HOST_SRCARCH: Readonly<Record<string, string>> = {
  x64: 'x86', ia32: 'x86', arm64: 'arm64', arm: 'arm', riscv64: 'riscv', ppc64: 'powerpc', s390x: 's390', loong64: 'loongarch', mips: 'mips', mipsel: 'mips',
};

async function onPath(program: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, program);
    try {
      await fs.access(file, fs.constants.X_OK);
      if ((await fs.stat(file)).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The compiler the kernel build uses, when this host has it; else why not. */
export async function hostCompiler(k: KernelSpec, hostArch: string, searchPath: string): Promise<{ source: ProbeSource } | { missing: string }> {
  if (k.crossCompile) {
    const program = `${k.crossCompile}gcc`;
    return (await onPath(program, searchPath)) ? { source: { kind: 'compiler', program, crossCompile: k.crossCompile } } : { missing: `${program} is not on PATH` };
  }
  const host = HOST_SRCARCH[hostArch];
  if (host !== srcarchOf(k.arch)) return { missing: `the build compiles natively for ARCH=${k.arch} and this host's gcc targets ${host ?? hostArch} (no kernel.crossCompile)` };
  return (await onPath('gcc', searchPath)) ? { source: { kind: 'compiler', program: 'gcc', cc: 'gcc' } } : { missing: 'gcc is not on PATH' };
}

/**
 * Where the probes of one kernel tree built with one toolchain are recorded: the kernel's resolved `.config`,
 * whose probe-decided values (`CC_VERSION_TEXT`, `CC_HAS_*`, `AS_HAS_*`, …) are the builder's compiler's answers.
 */
export function probeTableFile(parts: { tree: string; arch: string; crossCompile?: string; toolchain: string }, root = cacheRoot()): string {
  const key = createHash('sha256').update([`tree ${parts.tree}`, `arch ${parts.arch}`, `cross ${parts.crossCompile ?? ''}`, `toolchain ${parts.toolchain}`].join('\n')).digest('hex');
  return path.join(root, 'kernel-probes', `${key.slice(0, 32)}.config`);
}

/** Record the kernel's resolved `.config` as the probe table for the next prediction (atomic; a failure only costs the next build a prediction). */
export async function recordProbes(file: string, kernelConfig: string): Promise<void> {
  const old = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (old === kernelConfig) return;
  await fs.mkdir(path.dirname(file), { recursive: true }).then(() => writeFileAtomic(file, kernelConfig)).catch(() => undefined);
}

/** Files a patch changes (`+++ b/PATH`, or `--- a/PATH` of a deletion), without the first path component. */
export function patchedFiles(text: string): string[] {
  const out = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    const m = /^\+\+\+ (\S+)/.exec(l);
    if (!m) return;
    const prev = /^--- (\S+)/.exec(lines[i - 1] ?? '');
    const name = m[1] === '/dev/null' && prev ? (prev[1] as string) : (m[1] as string);
    if (name !== '/dev/null') out.add(name.split('/').slice(1).join('/'));
  });
  return [...out].sort();
}

/** Does the file take part in resolving a config: a Kconfig file, a Makefile Kconfig reads, a defconfig, a probe script? */
export function readByKconfig(file: string): boolean {
  const base = path.posix.basename(file);
  return base.startsWith('Kconfig') || file === 'Makefile' || /^arch\/[^/]+\/Makefile$/.test(file) || /^arch\/[^/]+\/configs\//.test(file) || file.startsWith('kernel/configs/') || file.startsWith('scripts/');
}

async function patchReadByKconfig(patches: readonly string[]): Promise<string | undefined> {
  for (const p of patches) {
    const touched = patchedFiles(await fs.readFile(p, 'latin1')).find(readByKconfig);
    if (touched) return `the kernel source's patch ${path.basename(p)} changes ${touched}, which Kconfig reads, and the pre-flight reads the unpatched tree`;
  }
  return undefined;
}

async function probeSource(input: PreflightInput): Promise<{ source: ProbeSource } | { missing: string }> {
  const recorded = await fs.stat(input.probeTable).then((s) => s.isFile(), () => false);
  if (recorded) return { source: { kind: 'recorded', file: input.probeTable } };
  const c = await hostCompiler(input.spec, input.hostArch ?? process.arch, input.searchPath ?? process.env.PATH ?? '');
  return 'source' in c ? c : { missing: `no compiler for the Kconfig probes: ${c.missing}, and no earlier build of this kernel with this toolchain recorded its probes` };
}

/** The prediction's request, from the manifest's kernel section and the probe source. */
function request(input: PreflightInput, probes: ProbeSource): PredictInput {
  const k = input.spec;
  return {
    kernel: input.kernel, arch: k.arch,
    ...(k.base.kind === 'defconfig' ? { defconfig: k.base.target } : { base: input.baseFile ?? k.base.path }),
    fragments: input.fragments.map((f) => f.file),
    ...(probes.kind === 'recorded' ? { probes: probes.file } : probes.crossCompile !== undefined ? { crossCompile: probes.crossCompile } : { cc: probes.cc ?? 'gcc' }),
    verifyFixes: false,
    ...(input.cacheDir !== undefined ? { cacheDir: input.cacheDir } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  };
}

/** Failures the kernel's own tools would meet too (a base target the tree lacks): reported now. */
const USER_FAILURES = new Set(['kconfig.unknown-target', 'kconfig.defconfig-unknown', 'kconfig.file-too-large']);

/**
 * A prediction that could not be made: a bad input the kernel's tools would refuse too is reported at once;
 * anything else (a Kconfig construct tarsmith's engine does not read, a bug) must not stop a build the kernel
 * could do, so the pre-flight is skipped, saying why.
 */
function predictionFailed(e: unknown): { skipped: string } {
  if (isTarsmithError(e)) {
    if (e.failures.some((f) => USER_FAILURES.has(f.code) || f.code.startsWith('io.'))) throw e;
    return { skipped: `tarsmith's Kconfig engine could not predict it (${e.failures.map((f) => `${f.code}: ${f.message}`).join('; ')})` };
  }
  return { skipped: `the prediction failed, a tarsmith bug (${e instanceof Error ? e.message : String(e)}); please report it` };
}

/**
 * Predict the resolved config and check it as the in-build check does; a fragment that cannot be satisfied (or
 * modules needed but off, an ephemeral signing key) fails with the same failures. Skipped, saying why, when the
 * probes cannot be answered or a patch changes what Kconfig reads.
 */
export async function kernelPreflight(input: PreflightInput): Promise<Preflight> {
  const patched = await patchReadByKconfig(input.patches);
  if (patched) return { status: 'skipped', reason: patched };
  const src = await probeSource(input);
  if ('missing' in src) return { status: 'skipped', reason: src.missing };
  input.onPredict?.(src.source);
  const prediction = await predictConfig(request(input, src.source)).catch((e: unknown) => predictionFailed(e));
  if ('skipped' in prediction) return { status: 'skipped', reason: prediction.skipped };
  const config = dotConfigFromText(prediction.dotconfig, '.config');
  const fragments = await Promise.all(input.fragments.map(async (f) => ({ path: f.path, parsed: { ...(await readConfigFile(f.file)), file: f.path } })));
  const report = await checkKernelConfig(input.spec, fragments, config, () => Promise.resolve(prediction.knowledge));
  const problems = [...(report.ok ? [] : [configFailure(report, input.where)]), ...configPreflight(input.spec, config, input.needsModules, input.where)];
  if (problems.length > 0) fail(problems);
  return { status: 'predicted', probes: src.source, dotconfig: prediction.dotconfig, report };
}

export function describeProbes(p: ProbeSource): string {
  return p.kind === 'recorded' ? 'recorded' : `compiler ${p.program}`;
}

/** The note a skipped pre-flight earns (never silently). */
export function skippedNote(reason: string, where: Failure['where']): Diagnostic {
  return {
    code: 'kernel.preflight-skipped', severity: 'info', exit: ExitCode.ok, ...(where ? { where } : {}),
    message: `the kernel config is not predicted on the host: ${reason}; it is checked in the engine, after the kernel source is unpacked`,
    hint: 'install the compiler the kernel build uses on this host, or let this build record its probes: the next build predicts from them',
  };
}

const SHOWN = 20;

/**
 * A prediction from this host's probes differed, and predicting again from the builder's own answers (the
 * kernel's `.config`, now recorded) matches: the difference came from the host's tools, not from tarsmith's
 * evaluation. Recorded as a match from the recorded probes, with the host's differences, and said as such.
 */
export function hostProbesDiffer(first: PredictionRecord, again: PredictionRecord, file: string): { record: PredictionRecord; warning: Diagnostic } {
  const differences = first.differences ?? [];
  return {
    record: { ...again, hostProbes: { differences } },
    warning: {
      code: 'kernel.host-probes-differ', severity: 'warning', exit: ExitCode.ok, where: { file },
      message: `the Kconfig probes answered on this host differ from the builder's (${differences.length} symbol${differences.length === 1 ? '' : 's'}): predicted again from the builder's own answers (recorded now), the prediction matches the kernel's .config`,
      details: differences.slice(0, SHOWN).map((d) => `CONFIG_${d.name}: this host's ${d.predicted}, the builder's ${d.actual}`),
      hint: "nothing to do: the next build predicts from the builder's recorded answers (the host's rustc, pahole, ... are not the builder's)",
    },
  };
}

/** The CC_VERSION_TEXT line of a `.config`, if any. */
function ccVersion(text: string): string | undefined {
  return /^CONFIG_CC_VERSION_TEXT=(.*)$/m.exec(text)?.[1];
}

/**
 * Compare the prediction with the kernel's own resolved `.config`: equality is recorded; a difference is a
 * tarsmith bug, a warning naming each symbol with both values (the build goes on with the kernel's `.config`).
 */
export function comparePrediction(pre: Preflight, kernelConfig: string, file: string): { record: PredictionRecord; warning?: Diagnostic } {
  if (pre.status === 'skipped') return { record: { status: 'skipped', reason: pre.reason } };
  const probes = describeProbes(pre.probes);
  const lines = kernelConfig.split('\n').length - (kernelConfig.endsWith('\n') ? 1 : 0);
  const c = compareWithKernel(pre.dotconfig, kernelConfig, file);
  if (c.identical) return { record: { status: 'matches', probes, lines } };
  const shown = c.differences.slice(0, SHOWN).map((d) => `CONFIG_${d.name}: predicted ${d.predicted}, the kernel's ${d.actual}`);
  const more = c.differences.length > SHOWN ? [`... and ${c.differences.length - SHOWN} more (all of them in the build record)`] : [];
  const layout = c.differences.length === 0 && c.firstLine ? [`line ${c.firstLine.line}: predicted ${JSON.stringify(c.firstLine.predicted)}, the kernel's ${JSON.stringify(c.firstLine.actual)}`] : [];
  const [hostCc, kernelCc] = [ccVersion(pre.dotconfig), ccVersion(kernelConfig)];
  const compiler = pre.probes.kind === 'compiler' && hostCc !== kernelCc
    ? [`the probes were answered by this host's ${pre.probes.program} (${hostCc ?? '?'}), the builder's compiler is ${kernelCc ?? '?'}: values decided by compiler probes can differ for that reason; the next build predicts from the probes this one recorded`]
    : [];
  const n = c.differences.length;
  return {
    record: { status: 'differs', probes, lines, differences: c.differences, ...(n === 0 && c.firstLine ? { firstLine: c.firstLine } : {}) },
    warning: {
      code: 'kernel.prediction-differs', severity: 'warning', exit: ExitCode.ok, where: { file, ...(c.firstLine ? { line: c.firstLine.line } : {}) },
      message: `tarsmith bug: the kernel config predicted before the build differs from the kernel's own .config (${n > 0 ? `${n} symbol${n === 1 ? '' : 's'}` : 'layout only'}; probes: ${probes}); the build went on with the kernel's`,
      details: [...shown, ...more, ...layout, ...compiler],
      hint: "please report it with the kernel's .config (out/<name>/kernel/config) and the symbols above",
    },
  };
}
