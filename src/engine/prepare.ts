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
import { plan, type Plan } from './plan.js';
import { probeEngine, type EngineCaps, type ProbeOptions } from './probe.js';
import { sourceTrees, type SourceTrees } from './trees.js';

export interface PrepareOptions {
  manifest?: string;
  cwd?: string;
  target?: string;
  allowUnpinned?: boolean;
  /** Skip hashing the inputs (`generate` only: it builds nothing). */
  skipVerify?: boolean;
}

export interface Prepared {
  manifest: Manifest;
  lock: Lock;
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
export async function verifyOrFail(m: Manifest, lock: Lock): Promise<void> {
  const report = await verifyInputs(m, lock, { prehashed: hashLocked(m.dir, lock, { memo: true }) });
  for (const w of report.warnings) log.warning(renderDiagnostic({ ...w, severity: 'warning' }));
  if (!report.ok) fail(report.problems);
}

export function planWithTools(m: Manifest, lock: Lock, trees: SourceTrees, opts: { target?: string; allowUnpinned?: boolean }): Plan {
  const shims = fetchShims(m, lock);
  const p = plan(m, lock, {
    trees,
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    allowUnpinned: Boolean(opts.allowUnpinned),
    packagesDir: SHIMS_PACKAGES,
    tools: [{ root: SHIMS_ROOT, files: shims.files, binDir: shims.binDir }],
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
  const manifest = await loadManifest({
    ...(opts.manifest !== undefined ? { path: opts.manifest } : {}),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  const lock = await readLockOrFail(manifest);
  if (!opts.skipVerify) await verifyOrFail(manifest, lock);
  const trees = await sourceTrees(manifest, lock);
  return { manifest, lock, trees, plan: planWithTools(manifest, lock, trees, opts) };
}

/**
 * `prepare` plus the engine probe, for the commands that build. The probe only asks the client and the daemon
 * for their versions, so it runs while the inputs are hashed; its result (or failure) is looked at only after
 * verification passed, so a bad input is always reported first and nothing is built from it.
 */
export async function prepareWithEngine(opts: PrepareOptions & ProbeOptions): Promise<Prepared & { caps: EngineCaps }> {
  const manifest = await loadManifest({
    ...(opts.manifest !== undefined ? { path: opts.manifest } : {}),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  const lock = await readLockOrFail(manifest);
  const probing = probeEngine(probeOptions(opts));
  probing.catch(() => undefined);
  await verifyOrFail(manifest, lock);
  const trees = await sourceTrees(manifest, lock);
  const p = planWithTools(manifest, lock, trees, opts);
  const caps = await probing;
  for (const n of caps.notes) log.info(`note: ${n}`);
  return { manifest, lock, trees, plan: p, caps };
}
