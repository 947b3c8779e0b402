/** What `tarsmith verify` checks when: a manifest with a lock, or (no lock) a coreutils `packages/SHA256SUMS`. */
import * as path from 'node:path';
import { ExitCode, fail } from '../core/errors.js';
import { exists } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { LOCK_FILE, PACKAGES_DIR, SUMS_FILE, readLock } from './lock.js';
import { verifyInputs, verifySums, type VerifyOptions, type VerifyReport } from './verify.js';

export interface RunVerifyOptions extends VerifyOptions {
  /** `--manifest`, as given. */
  manifestPath?: string;
  cwd?: string;
}

export async function runVerify(opts: RunVerifyOptions): Promise<VerifyReport> {
  const cwd = opts.cwd ?? process.cwd();
  const { loadManifest, MANIFEST_FILE } = await import('../manifest/load.js');
  const manifestFile = path.resolve(cwd, opts.manifestPath ?? MANIFEST_FILE);
  const haveManifest = opts.manifestPath !== undefined || (await exists(manifestFile));
  const dir = haveManifest ? path.dirname(manifestFile) : cwd;
  if (haveManifest) {
    const manifest = await loadManifest({ ...(opts.manifestPath ? { path: opts.manifestPath } : {}), cwd });
    const lock = await readLock(manifest.dir);
    if (lock) return verifyInputs(manifest, lock, opts);
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
