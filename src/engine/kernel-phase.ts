/**
 * Wiring of the kernel stages into a build: the resolved config is predicted on the host and checked
 * (src/kernel/preflight.ts) while the engine builds the config stage, and a refusal stops that build at once; the
 * config stage's resolved `.config` is exported into a temp folder, compared with the prediction and checked on
 * the host (src/kernel/check.ts) before anything is compiled; after the full build, every exported `.ko` is checked against the kernel's vermagic
 * and the check report is written beside the config.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, renderDiagnostic, type Failure } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { loadTreeKnowledge } from '../kconfig/tree-knowledge.js';
import { dotConfigFromText } from '../kconfig/dotconfig.js';
import { readConfigFile, readConfigText } from '../kconfig/fragment.js';
import { checkKernelConfig, configFailure, configPreflight, droppedWarnings, type KernelConfigReport } from '../kernel/check.js';
import { checkModules, type VermagicCheck } from '../kernel/vermagic.js';
import { KERNEL_FILES } from '../kernel/scripts.js';
import { comparePrediction, describeProbes, hostProbesDiffer, kernelPreflight, probeTableFile, recordProbes, skippedNote, type Preflight, type PredictionRecord, type PreflightInput } from '../kernel/preflight.js';
import { canonicalJson, type Lock } from '../lock/lock.js';
import type { Manifest } from '../manifest/types.js';
import { stagingParent } from './context.js';
import type { Plan } from './plan.js';

export interface KernelOutcome {
  report: KernelConfigReport;
  /** The host's prediction against the kernel's `.config`. */
  prediction?: PredictionRecord;
  release?: string;
  vermagic?: VermagicCheck;
}

/** What the config stage's engine build is given: a stop switch, its own log, and a call once the client runs. */
export interface StageControl {
  signal: AbortSignal;
  /** The stage's log, written here first; `logShownAs` is where it ends up (out/<name>.log). */
  logFile: string;
  logShownAs?: string;
  onStarted: () => void;
}

type BuildStage = (stage: string, dest: string, control: StageControl) => Promise<unknown>;

function kernelWhere(m: Manifest): Failure['where'] {
  return { file: m.file, ...(m.positions['/kernel'] ?? {}) };
}

/** The pre-flight's outcome and where the probes of this kernel and toolchain are recorded. */
export interface KernelPreflight {
  preflight: Preflight;
  probeTable: string;
  /** What the prediction was made from (to predict again from the recorded probes). */
  input: PreflightInput;
}

function describeBase(plan: NonNullable<Plan['kernel']>): string {
  const kp = plan;
  return `${kp.spec.base.kind === 'defconfig' ? kp.spec.base.target : kp.spec.base.path}${kp.fragments.length ? ` + ${kp.fragments.map((f) => f.path).join(' + ')}` : ''}, olddefconfig`;
}

/** Where the pre-flight's lines go: the log, or a buffer while the engine's progress is on the terminal. */
type Say = (level: 'info' | 'warning', text: string) => void;

const sayToLog: Say = (level, text) => (level === 'info' ? log.info(text) : log.warning(text));

/**
 * Predict the resolved config on the host and check it: a fragment that cannot be satisfied stops the build with
 * the in-build check's failure. Skipped with a note when it cannot predict.
 */
export async function kernelPreflightPhase(m: Manifest, lock: Lock, plan: Plan, platform: string | undefined, opts: { cacheDir?: string | false; say?: Say } = {}): Promise<KernelPreflight | undefined> {
  const kp = plan.kernel;
  if (!kp) return undefined;
  const say = opts.say ?? sayToLog;
  const toolchain = lock.toolchain?.inputsHash ?? m.builder?.image ?? m.builder?.rootfs ?? '';
  const probeTable = probeTableFile({ tree: kp.treeSha256, arch: kp.spec.arch, ...(kp.spec.crossCompile ? { crossCompile: kp.spec.crossCompile } : {}), toolchain: `${toolchain} ${platform ?? ''}` });
  const started = Date.now();
  const input: PreflightInput = {
    spec: kp.spec, kernel: kp.tarball, ...(kp.baseFile !== undefined ? { baseFile: kp.baseFile } : {}),
    fragments: kp.fragments.map((f) => ({ path: f.path, file: f.file })), patches: kp.patchFiles, probeTable,
    needsModules: plan.target.modules.length > 0, where: kernelWhere(m),
    ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    onProgress: (msg) => say('info', msg),
  };
  const preflight = await kernelPreflight({ ...input, onPredict: (probes) => say('info', `kernel: predicting the resolved config on the host (${describeBase(kp)}; probes: ${describeProbes(probes)})`) });
  if (preflight.status === 'skipped') say('warning', renderDiagnostic(skippedNote(preflight.reason, kernelWhere(m))));
  else {
    const r = preflight.report;
    say('info', `kernel: predicted on the host before anything is compiled (${describeBase(kp)}; probes: ${describeProbes(preflight.probes)}; ${((Date.now() - started) / 1000).toFixed(1)} s): the fragments are satisfied (${r.checked} lines${r.dropped.length ? `, ${r.dropped.length} to be dropped as allowed` : ''})`);
  }
  return { preflight, probeTable, input };
}

/**
 * The kernel pre-flight of a command that builds a target (build, image), run at most once. It starts when the
 * engine's client for the config stage has started, so that the prediction (CPU on this host) and the engine's
 * config stage run side by side, and the build waits for both before anything is compiled; a refusal stops the
 * config stage at once. When the build stops before the config stage (the engine does not answer, the toolchain
 * image is missing), the pre-flight runs first and its refusal is what is reported.
 */
export interface PreflightRun {
  /** The `beforeEngine` hook of `prepareWithEngine`: keeps the plan, predicts nothing yet. */
  hook(p: { manifest: Manifest; lock: Lock; plan: Plan }): Promise<void>;
  /** The pre-flight (started on the first call); undefined without a kernel, or with `--no-kernel-preflight`. */
  start(say?: Say): Promise<KernelPreflight | undefined>;
  /** Run `fn`; when it fails, a refusal of the pre-flight is reported instead of its failure. */
  first<T>(fn: () => Promise<T> | T): Promise<T>;
}

export function preflightRunner(opts: { noKernelPreflight?: boolean; platform?: string }): PreflightRun {
  let planned: { manifest: Manifest; lock: Lock; plan: Plan } | undefined;
  let running: Promise<KernelPreflight | undefined> | undefined;
  const run: PreflightRun = {
    hook: async (p) => {
      planned = p;
    },
    start: (say) => {
      running ??= (async () => {
        const p = planned;
        if (!p?.plan.kernel) return undefined;
        if (opts.noKernelPreflight) {
          log.info('kernel: not predicted on the host (--no-kernel-preflight); the config is checked in the engine');
          return undefined;
        }
        return kernelPreflightPhase(p.manifest, p.lock, p.plan, opts.platform ?? p.manifest.platform, say ? { say } : {});
      })();
      return running;
    },
    first: async (fn) => {
      try {
        return await fn();
      } catch (e) {
        await run.start();
        throw e;
      }
    },
  };
  return run;
}

/** Compare the prediction with the kernel's `.config` (a difference is a tarsmith bug, warned), and record its probes. */
async function checkPrediction(pre: KernelPreflight, kernelConfig: string): Promise<PredictionRecord> {
  let { record, warning } = comparePrediction(pre.preflight, kernelConfig, 'kernel/config');
  await recordProbes(pre.probeTable, kernelConfig);
  if (record.status === 'differs' && pre.preflight.status === 'predicted' && pre.preflight.probes.kind === 'compiler') {
    // This host's probes answered: predict again from the builder's own answers, just recorded.
    const again = await kernelPreflight({ ...pre.input, onProgress: () => undefined }).catch(() => undefined);
    if (again?.status === 'predicted' && again.probes.kind === 'recorded') {
      const second = comparePrediction(again, kernelConfig, 'kernel/config');
      if (second.record.status === 'matches') ({ record, warning } = hostProbesDiffer(record, second.record, 'kernel/config'));
    }
  }
  if (warning) log.warning(renderDiagnostic(warning));
  if (record.status === 'matches') log.info(`kernel: the prediction matches the kernel's .config (${record.lines ?? 0} lines, byte for byte; probes: ${record.probes ?? ''})`);
  return record;
}

/**
 * The config stage in the engine and the pre-flight on this host, side by side: the pre-flight starts once the
 * engine's client runs; a refusal stops the engine build at once (its log is dropped: nothing is written to out/)
 * and is the failure; otherwise the build's own outcome counts. The pre-flight's lines are shown after the stage.
 */
export async function configStageWithPreflight(kp: NonNullable<Plan['kernel']>, buildStage: BuildStage, dir: string, preflight: PreflightRun | undefined, logFile: string | undefined): Promise<KernelPreflight | undefined> {
  const stageLog = path.join(dir, 'stage.log');
  const ac = new AbortController();
  const lines: [Parameters<Say>[0], string][] = [];
  const say: Say = (level, text) => lines.push([level, text]);
  const flush = (): void => {
    for (const [level, text] of lines.splice(0)) sayToLog(level, text);
  };
  let started!: () => void;
  const clientRunning = new Promise<void>((resolve) => (started = resolve));
  log.info(`kernel: resolving the config (${describeBase(kp)})`);
  const building = buildStage(kp.configStage, dir, { signal: ac.signal, logFile: stageLog, ...(logFile !== undefined ? { logShownAs: logFile } : {}), onStarted: () => started() });
  const ended = building.then(() => undefined, () => undefined);
  let pre: KernelPreflight | undefined;
  try {
    // Until the client runs (or the stage fails before it does: staging), then the prediction beside it.
    await Promise.race([clientRunning, ended]);
    pre = await preflight?.start(say);
  } catch (e) {
    ac.abort();
    await ended;
    flush();
    throw e;
  }
  try {
    await building;
  } finally {
    flush();
    if (logFile !== undefined) await keepStageLog(stageLog, logFile);
  }
  return pre;
}

/** The config stage's log becomes the start of out/<name>.log (the compile stage appends to it). */
async function keepStageLog(stageLog: string, logFile: string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(logFile), { recursive: true });
    await fs.copyFile(stageLog, logFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`the build log could not be written to ${logFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Build the config stage, export `.config`, check it. Fails (nothing compiled) unless the policy allows what did not stick. */
export async function kernelConfigPhase(
  m: Manifest, plan: Plan, buildStage: BuildStage, keep?: (dir: string, report: KernelConfigReport, prediction?: PredictionRecord) => Promise<void>,
  preflight?: PreflightRun, logFile?: string,
): Promise<KernelOutcome> {
  const kp = plan.kernel;
  if (!kp) return fail({ code: 'internal.no-kernel-plan', message: 'kernel phase without a kernel plan', exit: ExitCode.internal });
  const dir = await fs.mkdtemp(path.join(await stagingParent(m.dir), 'tarsmith-kconfig-'));
  try {
    const pre = await configStageWithPreflight(kp, buildStage, dir, preflight, logFile);
    const configFile = path.join(dir, 'config');
    const configText = await readConfigText(configFile);
    const config = dotConfigFromText(configText, configFile);
    const prediction = pre ? await checkPrediction(pre, configText) : undefined;
    // The kernel's own words (KCONFIG_WARN_UNKNOWN_SYMBOLS), also when the config stage came from the cache.
    const own = await fs.readFile(path.join(dir, 'olddefconfig.log'), 'utf8').catch(() => '');
    for (const l of own.split('\n')) if (l.includes('warning:')) log.info(`kernel (olddefconfig): ${l}`);
    const fragments = await Promise.all(kp.fragments.map(async (f) => ({ path: f.path, parsed: { ...(await readConfigFile(f.file)), file: f.path } })));
    const report = await checkKernelConfig(kp.spec, fragments, config, () => {
      log.info(`kernel: explaining from the kernel tree ${path.relative(m.dir, kp.tarball)} (ARCH=${kp.spec.arch})`);
      return loadTreeKnowledge({ kernel: kp.tarball, arch: kp.spec.arch }, config);
    });
    for (const w of droppedWarnings(report)) log.warning(renderDiagnostic(w));
    for (const w of report.warnings) log.warn(w);
    const problems = [...(report.ok ? [] : [configFailure(report, kernelWhere(m))]), ...configPreflight(kp.spec, config, plan.target.modules.length > 0, kernelWhere(m))];
    if (problems.length > 0) fail(problems);
    if (keep) {
      const { errors: _e, ...check } = report;
      await writeFileAtomic(path.join(dir, 'config-check.json'), canonicalJson({ ...check, ...(prediction ? { prediction } : {}) }));
      await keep(dir, report, prediction);
    }
    log.info(`kernel: the resolved config satisfies ${report.fragments.length ? report.fragments.join(', ') : 'the base'} (${report.checked} lines${report.dropped.length ? `, ${report.dropped.length} dropped as allowed` : ''})`);
    return { report, ...(prediction ? { prediction } : {}) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * After the export: vermagic of every `.ko` (and its signature, with a declared signing key), the release, and
 * kernel/config-check.json beside kernel/config.
 */
export async function finishKernel(tmp: string, outcome: KernelOutcome, opts: { signed?: boolean } = {}): Promise<KernelOutcome> {
  const read = (f: string) => fs.readFile(path.join(tmp, 'kernel', f), 'utf8').then((t) => t.replace(/\n$/, ''), () => undefined);
  const [release, expected] = await Promise.all([read(KERNEL_FILES.release), read(KERNEL_FILES.vermagic)]);
  const { report, failures } = await checkModules(tmp, expected || undefined, opts);
  if (failures.length > 0) fail(failures);
  const { errors: _e, ...check } = outcome.report;
  await writeFileAtomic(path.join(tmp, 'kernel', 'config-check.json'), canonicalJson({ ...check, release, vermagic: report, ...(outcome.prediction ? { prediction: outcome.prediction } : {}) }));
  if (report.modules.length > 0) log.info(`kernel: ${report.modules.length} module(s) match the kernel's vermagic "${expected}"${opts.signed ? ', each with a module signature' : ''}`);
  return { ...outcome, ...(release ? { release } : {}), vermagic: report };
}
