/**
 * Resolving builder.bootstrap against the archive (vendor time, the network used here): mmdebstrap bootstraps the
 * declared base for real into a throw-away chroot (`--format=null`), which is the only way to get exactly the set
 * mmdebstrap itself would install (its variant rules, apt's solver, the essential ordering). Its downloaded .deb
 * files, apt's lists (the archive's signed index, checked by apt against the keyring) and dpkg's status are synced
 * out; every installed package is matched to its index entry and its file checked against the index's SHA256.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode, fail, type Failure } from '../../core/errors.js';
import { log } from '../../core/log.js';
import { hashFile } from '../../lock/hash.js';
import type { Bootstrap } from '../../manifest/types.js';
import { toCache } from '../cache.js';
import { debFileName, indexKey, parseDpkgStatus, parsePackagesIndex, type IndexEntry } from './deb822.js';
import { resolveArgv, sourcesList, stderrTail } from './mmdebstrap.js';
import { checkHookPath, checkTools, runMmdebstrap } from './run.js';

export interface ResolvedDeb {
  name: string;
  version: string;
  architecture: string;
  url: string;
  fileName: string;
  sha256: string;
  size: number;
}

/** `MIRROR/dists/SUITE/InRelease` (or Release) answers, or the suite is unknown to the mirror. */
export async function checkSuite(b: Bootstrap): Promise<void> {
  if (b.mirror.startsWith('file://')) return;
  let status = 0;
  let why = '';
  for (const f of ['InRelease', 'Release']) {
    try {
      const r = await fetch(`${b.mirror}/dists/${b.suite}/${f}`, { method: 'HEAD', signal: AbortSignal.timeout(30_000) });
      status = r.status;
      if (r.ok) return;
    } catch (e) {
      why = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    }
  }
  if (status === 404) {
    fail({ code: 'rootfs.unknown-suite', message: `the archive ${b.mirror} has no suite "${b.suite}" (no dists/${b.suite}/Release)`, exit: ExitCode.usage, value: b.suite, hint: 'use a suite the mirror has (bookworm, trixie, ...): see MIRROR/dists/' });
  }
  fail({ code: 'rootfs.mirror-unreachable', message: `cannot reach the archive ${b.mirror}: ${why || `HTTP ${status}`}`, exit: ExitCode.io, value: b.mirror, hint: 'check builder.bootstrap.mirror and the network (the archive is needed at vendor time only)' });
}

async function readIndex(listsDir: string): Promise<Map<string, IndexEntry>> {
  const out = new Map<string, IndexEntry>();
  for (const f of (await fs.readdir(listsDir).catch(() => [] as string[])).sort()) {
    if (!f.endsWith('_Packages')) continue;
    for (const [k, v] of parsePackagesIndex(await fs.readFile(path.join(listsDir, f), 'utf8'))) out.set(k, v);
  }
  return out;
}

const internal = (message: string): Failure => ({ code: 'rootfs.resolve-output', message, exit: ExitCode.internal, hint: 'report this as a bug with the output of `tarsmith vendor -v`' });

/** Match every installed package to the index and to its downloaded file (hashed, checked, put in the cache). */
async function collect(b: Bootstrap, work: string): Promise<ResolvedDeb[]> {
  const status = await fs.readFile(path.join(work, 'status'), 'utf8').catch(() => '');
  const installed = parseDpkgStatus(status);
  if (installed.length === 0) fail(internal('mmdebstrap left no installed package in dpkg\'s status'));
  const index = await readIndex(path.join(work, 'lists'));
  const out: ResolvedDeb[] = [];
  for (const p of installed) {
    const e = index.get(indexKey(p.name, p.version, p.architecture));
    if (!e) fail(internal(`${p.name}:${p.architecture} ${p.version} is installed but not in the archive's index`));
    const fileName = debFileName(p);
    const file = path.join(work, 'archives', fileName);
    const h = await hashFile(file);
    if (!h.ok) fail(internal(`${fileName} was installed but apt kept no file of it: ${h.message}`));
    if (h.sha256 !== e.sha256) {
      fail({ code: 'rootfs.deb-mismatch', message: `${fileName} downloaded by apt has sha256 ${h.sha256}, the archive's index says ${e.sha256}`, exit: ExitCode.checkFailed, value: fileName, hint: 'run `tarsmith vendor` again (a mirror in mid-sync can serve a stale file)' });
    }
    await toCache(file, h.sha256);
    out.push({ name: p.name, version: p.version, architecture: p.architecture, url: `${b.mirror}/${e.filename}`, fileName, sha256: e.sha256, size: e.size });
  }
  return out;
}

/** Bootstrap the declared base against the archive; the exact set, each file already in the cache. */
export async function resolveBootstrap(b: Bootstrap, epoch: number): Promise<ResolvedDeb[]> {
  await checkTools(false);
  await checkSuite(b);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bootstrap-'));
  try {
    checkHookPath(work);
    // sync-out copies into folders that exist.
    await fs.mkdir(path.join(work, 'archives'));
    await fs.mkdir(path.join(work, 'lists'));
    const sources = path.join(work, 'sources.list');
    await fs.writeFile(sources, sourcesList(b));
    log.info(`resolving the builder rootfs (${b.suite}, ${b.variant}, ${b.architecture}${b.packages.length ? ` + ${b.packages.join(' ')}` : ''}) against ${b.mirror} with mmdebstrap (network used here only)`);
    const r = await runMmdebstrap(resolveArgv({ bootstrap: b, work, sourcesFile: sources }), epoch, 'resolve');
    if (r.code !== 0) {
      const tail = stderrTail(r.lines);
      const unknown = tail.find((l) => /unable to locate package|has no installation candidate/i.test(l));
      fail({
        code: unknown ? 'toolchain.unknown-package' : 'rootfs.resolve-failed',
        message: `mmdebstrap could not bootstrap ${b.suite} (${b.variant}) from ${b.mirror} (exit ${r.code}):\n  ${tail.join('\n  ')}`,
        exit: unknown ? ExitCode.usage : ExitCode.io,
        value: unknown ? b.packages.join(' ') : b.suite,
        hint: unknown ? 'check builder.bootstrap.packages against the suite (`apt-cache policy NAME`)' : 'read mmdebstrap\'s lines above; `tarsmith vendor -v` shows all of them',
      });
    }
    return await collect(b, work);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
