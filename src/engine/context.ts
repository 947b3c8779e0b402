/**
 * Staging the build context: a temporary folder holding only the planned entries, input files hard-linked (or
 * copied with reflink when possible) from packages/, never the user's folder. Generated files are written afresh
 * each time with the current mtime: the engine's incremental context transfer compares size and mtime, so a
 * clamped mtime would let it keep a stale copy of a same-sized file (a SHA256SUMS line with a new hash). Their
 * mtimes never reach the artifacts' hashes; BuildKit's layer cache keys on content.
 */
import { constants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode, fail, ioFailure } from '../core/errors.js';
import { processAlive } from '../core/exec.js';
import { refreshAfterLinking } from '../lock/hash-memo.js';
import type { ContextEntry } from './plan.js';

export interface StagedContext {
  dir: string;
  /** Total bytes of the files in it. */
  size: number;
  files: number;
  cleanup(): Promise<void>;
}

async function linkOrCopy(src: string, dest: string): Promise<void> {
  try {
    await fs.link(src, dest);
  } catch {
    await fs.copyFile(src, dest, constants.COPYFILE_FICLONE);
  }
}

async function placeEntry(dir: string, e: ContextEntry): Promise<number> {
  const dest = path.join(dir, ...e.contextPath.split('/'));
  await fs.mkdir(path.dirname(dest), { recursive: true });
  if (e.content !== undefined) {
    await fs.writeFile(dest, e.content, { mode: e.mode ?? 0o644 });
    await fs.chmod(dest, e.mode ?? 0o644);
    return Buffer.byteLength(e.content);
  }
  if (e.src === undefined) throw new Error(`context entry ${e.contextPath} has neither content nor src`);
  try {
    await linkOrCopy(e.src, dest);
    return (await fs.stat(dest)).size;
  } catch (err) {
    return fail({
      ...ioFailure(err, 'cannot stage build input', e.src),
      code: 'build.input-missing',
      exit: ExitCode.checkFailed,
      hint: 'run `tarsmith vendor` to fetch the inputs again',
    });
  }
}

/**
 * The staging folder. With a `key` it is a stable path (`tarsmith-context-<key>`), so that the engine, which
 * keys its incremental context transfer on the folder's path, re-sends only what changed (a 450 MB rootfs is
 * not copied again); a lock file with our pid keeps two runs apart, the second falls back to a fresh folder.
 */
async function stagingDir(parent: string, key: string | undefined): Promise<{ dir: string; release(): Promise<void> }> {
  if (key !== undefined) {
    const dir = path.join(parent, `tarsmith-context-${key}`);
    const lock = `${dir}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
        await fs.rm(dir, { recursive: true, force: true });
        await fs.mkdir(dir);
        return { dir, release: async () => { await fs.rm(dir, { recursive: true, force: true }); await fs.rm(lock, { force: true }); } };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number.parseInt(await fs.readFile(lock, 'utf8').catch(() => ''), 10);
        if (Number.isFinite(pid) && processAlive(pid)) break;
        await fs.rm(lock, { force: true });
      }
    }
  }
  const dir = await fs.mkdtemp(path.join(parent, 'tarsmith-context-'));
  return { dir, release: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Write `entries` into a staging folder (under `parent`, default the OS temp dir); see stagingDir for `key`. */
export async function stageContext(
  entries: readonly ContextEntry[],
  parent = os.tmpdir(),
  key?: string,
): Promise<StagedContext> {
  const { dir, release } = await stagingDir(parent, key);
  const linked = entries.flatMap((e) => (e.content === undefined && e.src !== undefined ? [e.src] : []));
  // Links change the inputs' ctime; keep the pre-flight's remembered hashes valid for the next build.
  const cleanup = async (): Promise<void> => {
    await release();
    await refreshAfterLinking(linked);
  };
  try {
    let size = 0;
    for (const e of entries) size += await placeEntry(dir, e);
    return { dir, size, files: entries.length, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Stage next to the inputs when possible, so that hard links work (temp dirs are often another file system). */
export async function stagingParent(manifestDir: string): Promise<string> {
  const [a, b] = await Promise.all([fs.stat(manifestDir), fs.stat(os.tmpdir())]);
  if (a.dev === b.dev) return os.tmpdir();
  const p = path.join(manifestDir, '.tarsmith-tmp');
  await fs.mkdir(p, { recursive: true });
  return p;
}

export function humanSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
