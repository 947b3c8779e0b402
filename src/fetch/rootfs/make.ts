/**
 * Making the builder rootfs from packages/ alone (no network): every locked .deb checked against the lock, a flat
 * file:// repository made of exactly those files (a Packages index by dpkg-scanpackages), mmdebstrap over it with
 * SOURCE_DATE_EPOCH from the lock. The installed set is checked against the lock, the tar hashed; nothing is left
 * at the destination unless the caller renames the temp file into place.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode, TarsmithError, fail, type Failure } from '../../core/errors.js';
import { exec } from '../../core/exec.js';
import { trackTemp, untrackTemp } from '../../core/cleanup.js';
import { tempSibling } from '../../core/fs-atomic.js';
import { log } from '../../core/log.js';
import { hashFile, type FileHash } from '../../lock/hash.js';
import type { LockedBootstrap } from '../../lock/lock.js';
import { parseDpkgStatus } from './deb822.js';
import { makeArgv, sourcesList, stderrTail } from './mmdebstrap.js';
import { checkHookPath, checkTools, runMmdebstrap } from './run.js';

/** Every locked file present and the locked bytes; every problem reported together, each package by name. */
export async function checkDebs(dir: string, locked: LockedBootstrap): Promise<void> {
  const failures: Failure[] = [];
  for (const [key, p] of Object.entries(locked.packages).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = path.join(dir, ...p.file.split('/'));
    const h = await hashFile(file);
    if (!h.ok) {
      failures.push({ code: 'rootfs.missing-deb', message: `rootfs package ${key} ${p.version}: ${p.file} is missing (${h.message})`, exit: ExitCode.checkFailed, value: p.file, hint: 'restore it with `tarsmith vendor` (from the cache or the archive)' });
    } else if (h.sha256 !== p.sha256) {
      failures.push({ code: 'rootfs.deb-mismatch', message: `rootfs package ${key} ${p.version}: ${p.file} has sha256 ${h.sha256}, the lock says ${p.sha256}`, exit: ExitCode.checkFailed, value: p.file, hint: 'the file is not the locked one: restore it with `tarsmith vendor` (it takes the locked bytes from the cache or the archive)' });
    }
  }
  if (failures.length) throw new TarsmithError(failures);
}

/**
 * A repository of the locked files only, in the archive's own layout: `pool/` (hard links, copies across file
 * systems), `dists/SUITE/COMPONENT/binary-ARCH/Packages` by dpkg-scanpackages and a `Release` naming the suite
 * (mmdebstrap picks a variant's packages by `?archive(SUITE)`, which a flat repository has none of).
 */
async function makeRepo(dir: string, locked: LockedBootstrap, repo: string): Promise<string> {
  const pool = path.join(repo, 'pool');
  await fs.mkdir(pool);
  for (const p of Object.values(locked.packages)) {
    const src = path.join(dir, ...p.file.split('/'));
    const dest = path.join(pool, path.posix.basename(p.file));
    await fs.link(src, dest).catch(() => fs.copyFile(src, dest));
  }
  const r = await exec(['dpkg-scanpackages', '--multiversion', 'pool', '/dev/null'], { cwd: repo });
  if (r.code !== 0) {
    fail({ code: 'rootfs.make-failed', message: `dpkg-scanpackages could not index the locked packages: ${stderrTail(r.stderr.split('\n'), 4).join('; ')}`, exit: ExitCode.engine, hint: 'check that dpkg-dev is installed and the .deb files are readable' });
  }
  const component = locked.components[0] ?? 'main';
  const rel = `${component}/binary-${locked.architecture}/Packages`;
  const index = path.join(repo, 'dists', locked.suite, ...rel.split('/'));
  await fs.mkdir(path.dirname(index), { recursive: true });
  await fs.writeFile(index, r.stdout);
  const sha = createHash('sha256').update(r.stdout).digest('hex');
  const release = [
    'Origin: tarsmith',
    `Suite: ${locked.suite}`,
    `Codename: ${locked.suite}`,
    `Architectures: ${locked.architecture}`,
    `Components: ${component}`,
    'No-Support-for-Architecture-all: Packages',
    `Date: ${new Date(locked.sourceDateEpoch * 1000).toUTCString()}`,
    'SHA256:',
    ` ${sha} ${Buffer.byteLength(r.stdout)} ${rel}`,
    '',
  ].join('\n');
  await fs.writeFile(path.join(repo, 'dists', locked.suite, 'Release'), release);
  return component;
}

function setDifference(locked: LockedBootstrap, statusText: string): string | undefined {
  const got = new Map(parseDpkgStatus(statusText).map((p) => [`${p.name}:${p.architecture}`, p.version]));
  const want = new Map(Object.entries(locked.packages).map(([k, p]) => [k, p.version]));
  const extra = [...got.keys()].filter((k) => !want.has(k));
  const missing = [...want.keys()].filter((k) => !got.has(k));
  const other = [...want.keys()].filter((k) => got.has(k) && got.get(k) !== want.get(k));
  if (!extra.length && !missing.length && !other.length) return undefined;
  return [
    ...(missing.length ? [`not installed: ${missing.join(', ')}`] : []),
    ...(extra.length ? [`not locked: ${extra.join(', ')}`] : []),
    ...(other.length ? [`other versions: ${other.join(', ')}`] : []),
  ].join('; ');
}

export interface Made extends FileHash {
  /** The temp file beside `dest`: rename it into place, or remove it. */
  tmp: string;
  seconds: number;
}

/** Make the rootfs tar of the locked set into a temp file beside `dest`. */
export async function makeRootfs(dir: string, locked: LockedBootstrap, dest: string): Promise<Made> {
  await checkTools(true);
  await checkDebs(dir, locked);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-rootfs-'));
  const tmp = tempSibling(dest, 'partial');
  trackTemp(tmp);
  const started = Date.now();
  try {
    checkHookPath(work);
    checkHookPath(tmp);
    const repo = path.join(work, 'repo');
    await fs.mkdir(repo);
    await fs.chmod(work, 0o755);
    const component = await makeRepo(dir, locked, repo);
    const sources = path.join(work, 'sources.list');
    await fs.writeFile(sources, sourcesList(locked));
    const statusFile = path.join(work, 'status');
    const n = Object.keys(locked.packages).length;
    log.info(`making the builder rootfs from ${n} locked package(s) in packages/ (${locked.suite}, ${locked.variant}, SOURCE_DATE_EPOCH=${locked.sourceDateEpoch}; no network)`);
    const bootstrap = { suite: locked.suite, variant: locked.variant as 'essential', architecture: locked.architecture, packages: locked.request };
    const r = await runMmdebstrap(makeArgv({ bootstrap, repo, component, sourcesFile: sources, statusFile, out: tmp }), locked.sourceDateEpoch, 'rootfs');
    if (r.code !== 0) {
      fail({ code: 'rootfs.make-failed', message: `mmdebstrap could not make the rootfs from packages/ (exit ${r.code}):\n  ${stderrTail(r.lines).join('\n  ')}`, exit: ExitCode.engine, value: path.basename(dest), hint: 'read mmdebstrap\'s lines above; `tarsmith rootfs -v` shows all of them' });
    }
    const diff = setDifference(locked, await fs.readFile(statusFile, 'utf8').catch(() => ''));
    if (diff !== undefined) {
      fail({ code: 'rootfs.set-mismatch', message: `the rootfs made from packages/ does not hold exactly the locked packages: ${diff}`, exit: ExitCode.checkFailed, value: path.basename(dest), hint: 'resolve again with `tarsmith vendor --update-packages`' });
    }
    const h = await hashFile(tmp);
    if (!h.ok) fail({ code: 'rootfs.make-failed', message: `mmdebstrap wrote no readable rootfs: ${h.message}`, exit: ExitCode.engine, value: tmp, hint: 'run `tarsmith rootfs -v` to see mmdebstrap\'s output' });
    untrackTemp(tmp);
    return { tmp, sha256: h.sha256, size: h.size, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    untrackTemp(tmp);
    await fs.rm(tmp, { force: true });
    throw e;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
