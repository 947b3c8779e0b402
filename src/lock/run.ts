/** What `tarsmith verify` checks when: a manifest with a lock, or (no lock) a coreutils `packages/SHA256SUMS`. */
import * as path from 'node:path';
import { ExitCode, fail } from '../core/errors.js';
import { exists } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { LOCK_FILE, PACKAGES_DIR, SUMS_FILE, readLock } from './lock.js';
import { hashLocked, verifyInputs, verifySums, type VerifyOptions, type VerifyReport } from './verify.js';

/** The manifest's default file name (kept here so that the SHA256SUMS path does not load the manifest parser). */
const MANIFEST_FILE = 'tarsmith.yaml';

export interface RunVerifyOptions extends VerifyOptions {
  /** `--manifest`, as given. */
  manifestPath?: string;
  cwd?: string;
}

export async function runVerify(opts: RunVerifyOptions): Promise<VerifyReport> {
  const cwd = opts.cwd ?? process.cwd();
  const manifestFile = path.resolve(cwd, opts.manifestPath ?? MANIFEST_FILE);
  const haveManifest = opts.manifestPath !== undefined || (await exists(manifestFile));
  const dir = haveManifest ? path.dirname(manifestFile) : cwd;
  if (haveManifest) {
    // Hash while the manifest loads: the lock alone says which files to read.
    const lock = await readLock(dir);
    const prehashed = lock ? hashLocked(dir, lock) : undefined;
    prehashed?.catch(() => undefined);
    const { loadManifest } = await import('../manifest/load.js');
    const manifest = await loadManifest({ ...(opts.manifestPath ? { path: opts.manifestPath } : {}), cwd });
    if (lock) return verifyInputs(manifest, lock, { ...opts, ...(prehashed ? { prehashed } : {}) });
  }
  const sums = path.join(dir, PACKAGES_DIR, SUMS_FILE);
  if (await exists(sums)) {
    log.info(`no ${LOCK_FILE}: checking ${path.relative(cwd, sums) || sums}`);
    return verifySums(path.dirname(sums), opts);
  }
  return fail({
    code: 'verify.nothing-to-check',
    message: `neither ${LOCK_FILE} nor ${PACKAGES_DIR}/${SUMS_FILE} in ${dir}`,
    exit: ExitCode.usage,
    hint: `run \`tarsmith vendor\` first, or write ${PACKAGES_DIR}/${SUMS_FILE} with \`cd ${PACKAGES_DIR} && sha256sum FILE... > ${SUMS_FILE}\``,
  });
}
