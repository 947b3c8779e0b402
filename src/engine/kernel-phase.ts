/**
 * Wiring of the kernel stages into a build: the config stage is built and its resolved `.config` exported into a
 * temp folder, checked on the host (src/kernel/check.ts) before anything is compiled; after the full build, every
 * exported `.ko` is checked against the kernel's vermagic and the check report is written beside the config.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, type Failure } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { loadTreeKnowledge } from '../kconfig/tree-knowledge.js';
import { readDotConfig } from '../kconfig/dotconfig.js';
import { readConfigFile } from '../kconfig/fragment.js';
import { checkKernelConfig, configFailure, configPreflight, droppedLines, type KernelConfigReport } from '../kernel/check.js';
import { checkModules, type VermagicCheck } from '../kernel/vermagic.js';
import { KERNEL_FILES } from '../kernel/scripts.js';
import { canonicalJson } from '../lock/lock.js';
import type { Manifest } from '../manifest/types.js';
import { stagingParent } from './context.js';
import type { Plan } from './plan.js';

export interface KernelOutcome {
  report: KernelConfigReport;
  release?: string;
  vermagic?: VermagicCheck;
}

type BuildStage = (stage: string, dest: string) => Promise<unknown>;

function kernelWhere(m: Manifest): Failure['where'] {
  return { file: m.file, ...(m.positions['/kernel'] ?? {}) };
}

/** Build the config stage, export `.config`, check it. Fails (nothing compiled) unless the policy allows what did not stick. */
export async function kernelConfigPhase(m: Manifest, plan: Plan, buildStage: BuildStage, keep?: (dir: string, report: KernelConfigReport) => Promise<void>): Promise<KernelOutcome> {
  const kp = plan.kernel;
  if (!kp) return fail({ code: 'internal.no-kernel-plan', message: 'kernel phase without a kernel plan', exit: ExitCode.internal });
  const dir = await fs.mkdtemp(path.join(await stagingParent(m.dir), 'tarsmith-kconfig-'));
  try {
    log.info(`kernel: resolving the config (${kp.spec.base.kind === 'defconfig' ? kp.spec.base.target : kp.spec.base.path}${kp.fragments.length ? ` + ${kp.fragments.map((f) => f.path).join(' + ')}` : ''}, olddefconfig)`);
    await buildStage(kp.configStage, dir);
    const config = await readDotConfig(path.join(dir, 'config'));
    // The kernel's own words (KCONFIG_WARN_UNKNOWN_SYMBOLS), also when the config stage came from the cache.
    const own = await fs.readFile(path.join(dir, 'olddefconfig.log'), 'utf8').catch(() => '');
    for (const l of own.split('\n')) if (l.includes('warning:')) log.info(`kernel (olddefconfig): ${l}`);
    const fragments = await Promise.all(kp.fragments.map(async (f) => ({ path: f.path, parsed: { ...(await readConfigFile(f.file)), file: f.path } })));
    const report = await checkKernelConfig(kp.spec, fragments, config, () => {
      log.info(`kernel: explaining from the kernel tree ${path.relative(m.dir, kp.tarball)} (ARCH=${kp.spec.arch})`);
      return loadTreeKnowledge({ kernel: kp.tarball, arch: kp.spec.arch }, config);
    });
    for (const l of droppedLines(report)) log.warn(l);
    for (const w of report.warnings) log.warn(w);
    const problems = [...(report.ok ? [] : [configFailure(report, kernelWhere(m))]), ...configPreflight(kp.spec, config, plan.target.modules.length > 0, kernelWhere(m))];
    if (problems.length > 0) fail(problems);
    if (keep) {
      const { errors: _e, ...check } = report;
      await writeFileAtomic(path.join(dir, 'config-check.json'), canonicalJson(check));
      await keep(dir, report);
    }
    log.info(`kernel: the resolved config satisfies ${report.fragments.length ? report.fragments.join(', ') : 'the base'} (${report.checked} lines${report.dropped.length ? `, ${report.dropped.length} dropped as allowed` : ''})`);
    return { report };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** After the export: vermagic of every `.ko`, the release, and kernel/config-check.json beside kernel/config. */
export async function finishKernel(tmp: string, outcome: KernelOutcome): Promise<KernelOutcome> {
  const read = (f: string) => fs.readFile(path.join(tmp, 'kernel', f), 'utf8').then((t) => t.replace(/\n$/, ''), () => undefined);
  const [release, expected] = await Promise.all([read(KERNEL_FILES.release), read(KERNEL_FILES.vermagic)]);
  const { report, failures } = await checkModules(tmp, expected || undefined);
  if (failures.length > 0) fail(failures);
  const { errors: _e, ...check } = outcome.report;
  await writeFileAtomic(path.join(tmp, 'kernel', 'config-check.json'), canonicalJson({ ...check, release, vermagic: report }));
  if (report.modules.length > 0) log.info(`kernel: ${report.modules.length} module(s) match the kernel's vermagic "${expected}"`);
  return { ...outcome, ...(release ? { release } : {}), vermagic: report };
}
