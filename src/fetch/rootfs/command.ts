/**
 * `tarsmith rootfs`: the builder rootfs made again from packages/ alone (no network), checked against the lock.
 * Without --out it (re)writes builder.rootfs; with --out it writes elsewhere (a second copy to compare, a CI
 * artefact). A result that differs from the locked sha256 is refused and removed, never left in place.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail } from '../../core/errors.js';
import { LOCK_FILE, readLock } from '../../lock/lock.js';
import type { Manifest } from '../../manifest/types.js';
import { whereOf } from '../sources.js';
import { makeRootfs } from './make.js';
import { bootstrapDrift } from './request.js';

export interface RootfsResult {
  file: string;
  sha256: string;
  size: number;
  packages: number;
  sourceDateEpoch: number;
  /** The locked sha256 of builder.rootfs (undefined when the lock holds none). */
  locked?: string;
  seconds: number;
}

export async function rootfsCommand(m: Manifest, opts: { out?: string } = {}): Promise<RootfsResult> {
  const b = m.builder?.bootstrap;
  if (!b) {
    fail({ code: 'rootfs.no-bootstrap', message: 'the manifest declares no builder.bootstrap: there is no locked package set to make the rootfs from', exit: ExitCode.usage, where: whereOf(m, '/builder'), hint: 'declare the base under builder.bootstrap (suite, variant, packages) and run `tarsmith vendor`' });
  }
  const lock = await readLock(m.dir);
  const drift = bootstrapDrift(b, m.sourceDateEpoch, lock?.rootfsBootstrap);
  if (!lock?.rootfsBootstrap || drift !== undefined) {
    fail({ code: 'rootfs.not-vendored', message: `${LOCK_FILE} does not hold builder.bootstrap as declared: ${drift ?? 'not locked yet'}`, exit: ExitCode.checkFailed, where: whereOf(m, '/builder/bootstrap'), hint: 'run `tarsmith vendor`: it resolves builder.bootstrap against the archive and locks every package' });
  }
  const locked = lock.rootfsBootstrap;
  const dest = opts.out !== undefined ? path.resolve(opts.out) : path.join(m.dir, ...m.builder!.rootfs!.split('/'));
  const lockedSha = lock.rootfs !== undefined && lock.rootfs.file === m.builder!.rootfs ? lock.rootfs.sha256 : undefined;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const made = await makeRootfs(m.dir, locked, dest);
  if (lockedSha !== undefined && made.sha256 !== lockedSha) {
    await fs.rm(made.tmp, { force: true });
    fail({
      code: 'rootfs.not-reproduced',
      message: `the rootfs made from packages/ has sha256 ${made.sha256}, ${LOCK_FILE} records ${lockedSha} for ${m.builder!.rootfs}`,
      exit: ExitCode.checkFailed,
      value: m.builder!.rootfs!,
      hint: 'the same packages gave other bytes: compare the two with diffoscope; if the lock is stale, run `tarsmith vendor --update-packages`',
    });
  }
  await fs.rename(made.tmp, dest);
  return {
    file: dest,
    sha256: made.sha256,
    size: made.size,
    packages: Object.keys(locked.packages).length,
    sourceDateEpoch: locked.sourceDateEpoch,
    ...(lockedSha !== undefined ? { locked: lockedSha } : {}),
    seconds: made.seconds,
  };
}
