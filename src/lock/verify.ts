/**
 * Checking vendored inputs: the manifest against the lock, every locked file against its sha256 (streamed, two files
 * at once on worker threads), and packages/ for files nobody listed. The build calls `verifyInputs` before the
 * engine and refuses on any problem.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, type Failure, type FailureCode } from '../core/errors.js';
import { kernelConfigFiles, type Manifest } from '../manifest/types.js';
import { hashFiles, type HashOutcome } from './hash.js';
import { hashFilesMemo } from './hash-memo.js';
import { LOCK_FILE, PACKAGES_DIR, SUMS_FILE, lockedFiles, sumsFromLock, type Lock, type LockedFile } from './lock.js';
import { mismatchFailure, sourceFixLine } from './mismatch.js';
import { formatSums, parseSums } from './sha256sums.js';
import { whereOf } from './where.js';

export type CheckStatus = 'ok' | 'missing' | 'mismatch' | 'unreadable';

export interface VerifyCheck {
  label: string;
  /** Relative to the manifest folder (lock mode) or to packages/ (SHA256SUMS mode). */
  file: string;
  status: CheckStatus;
  expected: string;
  actual?: string;
  size?: number;
}

export interface VerifyReport {
  ok: boolean;
  mode: 'lock' | 'sha256sums';
  checked: VerifyCheck[];
  /** Files under packages/ that nothing lists (relative to the manifest folder; to packages/ in SHA256SUMS mode). */
  unlisted: string[];
  problems: Failure[];
  warnings: Failure[];
}

export interface VerifyOptions {
  /** Unlisted files, stale lock entries and an out-of-date SHA256SUMS are errors, not warnings. */
  strict?: boolean;
  /**
   * Hashes already under way for `checkedFiles(lock, overridden)`, in that order (see `hashLocked`): lets a caller start hashing
   * before the manifest is loaded.
   */
  prehashed?: Promise<HashOutcome[]>;
  /**
   * Sources this run reads from an override (`--source NAME=PATH`), not from their locked file: the locked file is
   * not checked (it may be absent), and the override files are not reported as unlisted. The manifest is still
   * checked against the lock for them.
   */
  overridden?: { names: ReadonlySet<string>; files: readonly string[] };
}

/** The locked files a run checks: every one, but the locked files of overridden sources. */
export function checkedFiles(lock: Lock, overridden?: ReadonlySet<string>): { label: string; entry: LockedFile }[] {
  const all = lockedFiles(lock);
  return overridden && overridden.size > 0 ? all.filter(({ label }) => !(label.startsWith('source ') && overridden.has(label.slice('source '.length)))) : all;
}

/**
 * Start hashing every locked file (two at once); the result lines up with `checkedFiles(lock, overridden)`. With `memo`, files
 * unchanged since their last hash (same inode, size, mtime and ctime) are not read again (the build's pre-flight).
 */
export function hashLocked(manifestDir: string, lock: Lock, opts: { memo?: boolean; overridden?: ReadonlySet<string> } = {}): Promise<HashOutcome[]> {
  const files = checkedFiles(lock, opts.overridden).map(({ entry }) => path.join(manifestDir, ...entry.file.split('/')));
  return opts.memo ? hashFilesMemo(files) : hashFiles(files, 2);
}

const NOT_LOCKED_HINT = `run \`tarsmith vendor\` and commit ${LOCK_FILE}`;

function problem(code: FailureCode, message: string, extra: Partial<Failure> = {}): Failure {
  return { code, message, exit: ExitCode.checkFailed, hint: NOT_LOCKED_HINT, ...extra };
}

/** Does the lock describe what the manifest asks for? (Origins, refs, pins, patches, rootfs.) */
export function manifestVsLock(m: Manifest, lock: Lock): { problems: Failure[]; stale: Failure[] } {
  const problems: Failure[] = [];
  m.sources.forEach((s, i) => {
    const e = lock.sources[s.name];
    const where = whereOf(m, `/sources/${i}`);
    const o = s.origin;
    if (!e) return problems.push(problem('verify.not-locked', `source "${s.name}" is not in ${LOCK_FILE}`, { where }));
    const differs =
      e.origin !== o.kind ||
      (o.kind === 'url' && e.url !== o.url) ||
      (o.kind === 'git' && (e.git !== o.git || e.ref !== o.ref || (o.commit !== undefined && !e.commit?.startsWith(o.commit)))) ||
      (o.kind === 'file' && e.path !== o.file);
    if (differs) problems.push(problem('verify.lock-stale', `source "${s.name}" changed in the manifest since it was locked`, { where }));
    if (s.sha256 !== undefined && s.sha256 !== e.sha256) {
      problems.push(problem('verify.pin-mismatch', `source "${s.name}": the manifest pins ${s.sha256}, the lock has ${e.sha256}`, {
        where: whereOf(m, `/sources/${i}/sha256`), value: s.sha256,
        hint: `if the locked file is right, use: ${sourceFixLine(m, s.name, e.sha256)}; otherwise run \`tarsmith vendor --update ${s.name}\``,
      }));
    }
    return undefined;
  });
  const patchNames = new Set(m.sources.flatMap((s) => s.patches));
  for (const p of patchNames) if (!lock.patches[p]) problems.push(problem('verify.not-locked', `patch ${p} is not in ${LOCK_FILE}`, { value: p }));
  const rootfs = m.builder?.rootfs;
  if (rootfs !== undefined && !lock.rootfs) problems.push(problem('verify.not-locked', `builder rootfs ${rootfs} is not in ${LOCK_FILE}`, { value: rootfs }));
  const configNames = new Set(m.kernel ? kernelConfigFiles(m.kernel, m.positions).map((f) => f.path) : []);
  for (const p of configNames) if (!lock.kernelConfigs?.[p]) problems.push(problem('verify.not-locked', `kernel config ${p} is not in ${LOCK_FILE}`, { value: p }));
  const names = new Set(m.sources.map((s) => s.name));
  const stale: Failure[] = [
    ...Object.keys(lock.kernelConfigs ?? {}).filter((p) => !configNames.has(p)).map((p) => `kernel config ${p}`),
    ...Object.keys(lock.sources).filter((n) => !names.has(n)).map((n) => `source "${n}"`),
    ...Object.keys(lock.patches).filter((p) => !patchNames.has(p)).map((p) => `patch ${p}`),
    ...(lock.rootfs && rootfs === undefined ? ['builder rootfs'] : []),
  ].map((what) => problem('verify.stale-entry', `${LOCK_FILE} still lists ${what}, which the manifest no longer names`, { hint: 'run `tarsmith vendor` to drop it' }));
  return { problems, stale };
}

/** Every regular file under `dir` (relative, `/`-separated), skipping dot entries (temp files, .rejected). */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

interface Expectation {
  label: string;
  file: string;
  abs: string;
  sha256: string;
  lockedTree?: string;
  fix: (actual: string) => string;
}

async function treeSame(file: string, locked: string): Promise<boolean | undefined> {
  const { treeHash } = await import('../archive/index.js');
  return treeHash(file).then((t) => t === locked, () => undefined);
}

async function checkFiles(
  list: readonly Expectation[],
  prehashed?: Promise<HashOutcome[]>,
): Promise<{ checked: VerifyCheck[]; problems: Failure[] }> {
  const results = await (prehashed ?? hashFiles(list.map((x) => x.abs), 2));
  const checked: VerifyCheck[] = [];
  const problems: Failure[] = [];
  for (const [i, x] of list.entries()) {
    const r = results[i]!;
    const base = { label: x.label, file: x.file, expected: x.sha256 };
    if (!r.ok) {
      const missing = r.code === 'ENOENT';
      checked.push({ ...base, status: missing ? 'missing' : 'unreadable' });
      problems.push(problem(missing ? 'verify.missing' : 'verify.unreadable', `${x.label}: ${x.file} ${missing ? 'is missing' : `cannot be read (${r.message})`}`, {
        value: x.file, exit: missing ? ExitCode.checkFailed : ExitCode.io,
        hint: missing ? 'run `tarsmith vendor` to fetch it again' : 'check the file permissions',
      }));
    } else if (r.sha256 !== x.sha256) {
      checked.push({ ...base, status: 'mismatch', actual: r.sha256, size: r.size });
      const same = x.lockedTree ? await treeSame(x.abs, x.lockedTree) : undefined;
      problems.push(mismatchFailure({
        label: x.label, file: x.file, expected: x.sha256, actual: r.sha256, origin: `${x.file} in packages/`,
        ...(same !== undefined ? { treeSame: same } : {}), fix: x.fix(r.sha256),
      }));
    } else {
      checked.push({ ...base, status: 'ok', actual: r.sha256, size: r.size });
    }
  }
  return { checked, problems };
}

function unlistedFailure(files: string[], strict: boolean): Failure[] {
  return files.map((f) => ({
    code: 'verify.unlisted',
    message: `${f} is in ${PACKAGES_DIR}/ but nothing lists it`,
    exit: strict ? ExitCode.checkFailed : ExitCode.ok,
    value: f,
    hint: 'remove it, or name it in the manifest and run `tarsmith vendor`',
  }));
}

function split(failures: Failure[], strict: boolean): { problems: Failure[]; warnings: Failure[] } {
  return strict ? { problems: failures, warnings: [] } : { problems: [], warnings: failures.map((f) => ({ ...f, severity: 'warning' as const })) };
}

/** Verify the vendored inputs of `manifest` against `lock`. Never throws for what it finds; returns a report. */
export async function verifyInputs(manifest: Manifest, lock: Lock, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const strict = Boolean(opts.strict);
  const dir = manifest.dir;
  const { problems: shape, stale } = manifestVsLock(manifest, lock);
  const list: Expectation[] = checkedFiles(lock, opts.overridden?.names).map(({ label, entry }) => {
    const name = label.startsWith('source ') ? label.slice('source '.length) : undefined;
    const tree = name !== undefined ? lock.sources[name]?.treeHash : undefined;
    return {
      label, file: entry.file, abs: path.join(dir, ...entry.file.split('/')), sha256: entry.sha256,
      ...(tree ? { lockedTree: tree } : {}),
      fix: (actual) => (name !== undefined ? sourceFixLine(manifest, name, actual) : `${LOCK_FILE}  ${label}: "sha256": "${actual}" (or run \`tarsmith vendor\` to re-lock it)`),
    };
  });
  const { checked, problems } = await checkFiles(list, opts.prehashed);
  const listed = new Set([...lockedFiles(lock).map((x) => x.entry.file), ...(opts.overridden?.files ?? [])]);
  const pkg = path.join(dir, PACKAGES_DIR);
  const unlisted = (await listFiles(pkg)).map((f) => `${PACKAGES_DIR}/${f}`).filter((f) => !listed.has(f) && f !== `${PACKAGES_DIR}/${SUMS_FILE}`);
  const sums = await sumsWarning(pkg, lock);
  const soft = split([...stale, ...sums, ...unlistedFailure(unlisted, strict)], strict);
  const all = [...shape, ...problems, ...soft.problems];
  return { ok: all.length === 0, mode: 'lock', checked, unlisted, problems: all, warnings: soft.warnings };
}

async function sumsWarning(pkg: string, lock: Lock): Promise<Failure[]> {
  const want = formatSums(sumsFromLock(lock));
  const have = await fs.readFile(path.join(pkg, SUMS_FILE), 'utf8').catch(() => undefined);
  if (have === want || (have === undefined && want === '')) return [];
  return [problem('verify.sums-out-of-date', `${PACKAGES_DIR}/${SUMS_FILE} does not match ${LOCK_FILE}`, { hint: 'run `tarsmith vendor` to rewrite it from the lock' })];
}

/** Verify `packages/` against a coreutils-style `SHA256SUMS` (used when there is no lock). */
export async function verifySums(packagesDir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const strict = Boolean(opts.strict);
  const sumsFile = path.join(packagesDir, SUMS_FILE);
  const text = await fs.readFile(sumsFile, 'utf8');
  const parsed = parseSums(text, path.relative(process.cwd(), sumsFile) || sumsFile);
  const list: Expectation[] = parsed.entries.map((e) => ({
    label: 'file', file: e.file, abs: path.resolve(packagesDir, e.file), sha256: e.sha256,
    fix: (actual) => `${SUMS_FILE}: ${actual}  ${e.file}`,
  }));
  const { checked, problems } = await checkFiles(list);
  const listed = new Set(parsed.entries.map((e) => path.posix.normalize(e.file)));
  const unlisted = (await listFiles(packagesDir)).filter((f) => !listed.has(f) && f !== SUMS_FILE);
  const soft = split(unlistedFailure(unlisted, strict), strict);
  const all = [...parsed.failures, ...problems, ...soft.problems];
  return { ok: all.length === 0, mode: 'sha256sums', checked, unlisted, problems: all, warnings: soft.warnings };
}
