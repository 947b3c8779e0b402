/**
 * What every engine command does first: load the manifest and the lock, verify the inputs (refusing before the
 * engine is called), read every source through the extraction policy into its canonical tree, and plan the target
 * with the fetch stand-ins as build tools.
 */
import { ExitCode, fail, renderDiagnostic } from '../core/errors.js';
import { log } from '../core/log.js';
import { loadManifest } from '../manifest/load.js';
import type { Manifest } from '../manifest/types.js';
import { fetchShims, SHIMS_ROOT, PACKAGES_DIR as SHIMS_PACKAGES } from '../shims/index.js';
import { readLock, type Lock } from '../lock/lock.js';
import { hashLocked, verifyInputs } from '../lock/verify.js';
import { effectiveLock, overrideWarnings, parseOverrides, resolveOverrides, type SourceOverride } from '../lock/override.js';
import { plan, withSourceRoot, type BuildVariant, type Plan } from './plan.js';
import { probeEngine, type EngineCaps, type ProbeOptions } from './probe.js';
import { sourceTrees, type SourceTrees } from './trees.js';

export interface PrepareOptions {
  manifest?: string;
  cwd?: string;
  target?: string;
  allowUnpinned?: boolean;
  /** Skip hashing the inputs (`generate` only: it builds nothing). */
  skipVerify?: boolean;
  /** `--source NAME=PATH`: build these sources from another file than the locked one (hashed, checked, recorded). */
  sources?: readonly string[];
  /** `--source-date-epoch N`: replaces the manifest's sourceDateEpoch for this run. */
  sourceDateEpoch?: string;
  /** A varied build of `tarsmith repro`. */
  variant?: BuildVariant;
}

/** The manifest with this run's `--source-date-epoch`, when given (checked like SOURCE_DATE_EPOCH everywhere). */
async function loadForRun(opts: PrepareOptions): Promise<Manifest> {
  const m = await loadManifest({
    ...(opts.manifest !== undefined ? { path: opts.manifest } : {}),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  if (opts.sourceDateEpoch === undefined) return m;
  const { resolveSourceDateEpoch } = await import('../archive/epoch.js');
  const { epoch } = resolveSourceDateEpoch({ flag: opts.sourceDateEpoch });
  if (epoch > 4294967296) {
    fail({ code: 'usage.bad-source-date-epoch', message: '--source-date-epoch: at most 4294967296 (as the manifest\'s sourceDateEpoch)', value: opts.sourceDateEpoch, exit: ExitCode.usage });
  }
  if (epoch !== m.sourceDateEpoch) log.info(`SOURCE_DATE_EPOCH=${epoch} for this run (--source-date-epoch; the manifest says ${m.sourceDateEpoch})`);
  return { ...m, sourceDateEpoch: epoch };
}

export interface Prepared {
  manifest: Manifest;
  /** The lock as this build sees it: overridden sources point at their override's file (the file is unchanged). */
  lock: Lock;
  /** The `--source` overrides applied, with the locked entries they stand in for. */
  overrides: SourceOverride[];
  /** The canonical tree of every source, as the build unpacks it. */
  trees: SourceTrees;
  plan: Plan;
}

export async function readLockOrFail(m: Manifest): Promise<Lock> {
  const lock = await readLock(m.dir);
  if (!lock) {
    return fail({
      code: 'verify.no-lock',
      message: `no tarsmith.lock beside ${m.file}`,
      exit: ExitCode.checkFailed,
      where: { file: m.file },
      hint: 'run `tarsmith vendor` first: it fetches the inputs into packages/ and writes the lock',
    });
  }
  return lock;
}

/** Verify every locked input against its sha256; any problem stops here, before the engine is called. */
export async function verifyOrFail(m: Manifest, lock: Lock, overrides: readonly SourceOverride[] = []): Promise<void> {
  const names = new Set(overrides.map((o) => o.name));
  const report = await verifyInputs(m, lock, {
    prehashed: hashLocked(m.dir, lock, { memo: true, overridden: names }),
    overridden: { names, files: overrides.map((o) => o.file) },
  });
  for (const w of report.warnings) log.warning(renderDiagnostic({ ...w, severity: 'warning' }));
  if (!report.ok) fail(report.problems);
}

/** Parse, hash and check the `--source` overrides; each one is announced as a warning (never silently trusted). */
async function overridesOf(m: Manifest, lock: Lock, opts: PrepareOptions): Promise<SourceOverride[]> {
  const requests = parseOverrides(opts.sources ?? []);
  if (requests.length === 0) return [];
  const overrides = await resolveOverrides(m, lock, requests, opts.cwd ?? process.cwd());
  for (const w of overrideWarnings(overrides)) log.warning(renderDiagnostic(w));
  return overrides;
}

export function planWithTools(m: Manifest, lock: Lock, trees: SourceTrees, opts: { target?: string; allowUnpinned?: boolean; variant?: BuildVariant }): Plan {
  const shims = fetchShims(m, lock);
  const v = opts.variant;
  const p = plan(m, lock, {
    trees,
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    allowUnpinned: Boolean(opts.allowUnpinned),
    packagesDir: SHIMS_PACKAGES,
    tools: [...(v?.tools ? [v.tools] : []), { root: SHIMS_ROOT, files: shims.files, binDir: shims.binDir }],
    ...(v ? { variant: v } : {}),
  });
  // Toolchain package notes that do not stop the build (kept unmapped, version pin dropped, mapping to review).
  for (const n of p.packageNotes) {
    log.warning(renderDiagnostic({ ...n, severity: 'warning', exit: ExitCode.ok }));
  }
  return p;
}

/** The probe's part of the engine options. */
export function probeOptions(opts: ProbeOptions): ProbeOptions {
  return {
    ...(opts.docker !== undefined ? { docker: opts.docker } : {}),
    ...(opts.context !== undefined ? { context: opts.context } : {}),
    ...(opts.builder !== undefined ? { builder: opts.builder } : {}),
  };
}

export async function prepare(opts: PrepareOptions): Promise<Prepared> {
  const manifest = await loadForRun(opts);
  const locked = await readLockOrFail(manifest);
  const overrides = await overridesOf(manifest, locked, opts);
  if (!opts.skipVerify) await verifyOrFail(manifest, locked, overrides);
  const lock = effectiveLock(locked, overrides);
  const trees = await sourceTrees(manifest, lock);
  return { manifest, lock, overrides, trees, plan: planWithTools(manifest, lock, trees, opts) };
}

/**
 * `prepare` plus the engine probe, for the commands that build. The probe only asks the client and the daemon
 * for their versions, so it runs while the inputs are hashed; its result (or failure) is looked at only after
 * verification passed, so a bad input is always reported first and nothing is built from it. `beforeEngine`
 * runs on the plan before the probe's answer is looked at (the kernel pre-flight): what it refuses is reported
 * whatever the engine's state.
 */
export async function prepareWithEngine(opts: PrepareOptions & ProbeOptions & { beforeEngine?: (p: Prepared) => Promise<void> }): Promise<Prepared & { caps: EngineCaps }> {
  const manifest = await loadForRun(opts);
  const locked = await readLockOrFail(manifest);
  const probing = probeEngine(probeOptions(opts));
  probing.catch(() => undefined);
  const overrides = await overridesOf(manifest, locked, opts);
  await verifyOrFail(manifest, locked, overrides);
  const lock = effectiveLock(locked, overrides);
  const trees = await sourceTrees(manifest, lock);
  const m = opts.variant?.sourceRoot !== undefined ? withSourceRoot(manifest, opts.variant.sourceRoot) : manifest;
  const p = planWithTools(m, lock, trees, opts);
  if (opts.beforeEngine) await opts.beforeEngine({ manifest: m, lock, overrides, trees, plan: p });
  const caps = await probing;
  for (const n of caps.notes) log.info(`note: ${n}`);
  return { manifest: m, lock, overrides, trees, plan: p, caps };
}
