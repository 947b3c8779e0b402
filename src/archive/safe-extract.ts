/**
 * Safe extraction, all-or-nothing: members are written into a fresh folder beside `dest`, which is renamed into
 * place only when every member was clean; a hostile archive leaves nothing behind. Every refused member is
 * reported (one failure each). The staging folder is new and only this code writes to it, so an in-memory model
 * of what was created is authoritative for the "through a symlink" and "overwrite" checks; files are still opened
 * with O_EXCL | O_NOFOLLOW as a second line of defence.
 */
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, ioFailure, isTarsmithError, unreachable, TarsmithError, type Failure } from '../core/errors.js';
import { replaceDir, withTempDirBeside } from '../core/fs-atomic.js';
import { detectFormat } from './detect.js';
import { memberFailure } from './failures.js';
import { isByteName, nameBytes } from './names.js';
import { checkMemberPath } from './paths.js';
import { checkReplace, checkSymlinks, checkSymlinkTarget, policyOf, Refusal, type Policy } from './policy.js';
import { readEntriesOf } from './read.js';
import type { ArchiveEntry, ExtractOptions, ExtractReport } from './types.js';

type Node = { kind: 'dir'; mode: number; mtime?: number } | { kind: 'file' } | { kind: 'symlink'; target: string };


const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

class Stager {
  readonly model = new Map<string, Node>();
  readonly failures: Failure[] = [];
  readonly report: Omit<ExtractReport, 'dest' | 'format'> = {
    files: 0,
    directories: 0,
    symlinks: 0,
    hardlinks: 0,
    bytes: 0,
    skippedByStrip: 0,
    skippedVcs: 0,
  };

  constructor(
    private readonly root: string,
    private readonly archive: string,
    private readonly rules: Policy,
  ) {}

  /** The file system path of a member: a Buffer when its name holds bytes that are not UTF-8 (kept as they are). */
  private abs(rel: string): string | Buffer {
    return isByteName(rel) ? Buffer.concat([Buffer.from(`${this.root}/`), nameBytes(rel)]) : path.join(this.root, rel);
  }

  /** Make sure every parent of `parts` is a folder we created; refuse to go through a symlink. */
  private async ensureParents(parts: readonly string[]): Promise<void> {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      const node = this.model.get(rel);
      if (node?.kind === 'dir') continue;
      if (node?.kind === 'symlink') throw new Refusal('archive.through-symlink', `written through the symlink "${rel}" of this archive`);
      if (node?.kind === 'file') throw new Refusal('archive.type-change', `"${rel}" is a file earlier in the archive and a folder here`);
      await fs.mkdir(this.abs(rel), { mode: 0o700 });
      this.model.set(rel, { kind: 'dir', mode: 0o755 });
    }
  }

  /** Clear the way for a non-folder member at `rel`: only a member of the same kind may be replaced (never followed). */
  private async clearForLeaf(rel: string, next: 'file' | 'symlink'): Promise<void> {
    const node = this.model.get(rel);
    if (node === undefined) return;
    checkReplace(node.kind, next);
    await fs.unlink(this.abs(rel));
    this.model.delete(rel);
  }

  private async writeFile(rel: string, e: ArchiveEntry): Promise<void> {
    const fh = await fs.open(this.abs(rel), WRITE_FLAGS, 0o600);
    try {
      if (e.body) {
        for await (const chunk of e.body) {
          await fh.write(chunk);
          this.report.bytes += chunk.length;
        }
      }
      await fh.chmod(e.mode & 0o777);
      if (e.mtime !== undefined) await fh.utimes(e.mtime, e.mtime);
    } finally {
      await fh.close();
    }
    this.model.set(rel, { kind: 'file' });
    this.report.files++;
  }

  private async link(rel: string, e: ArchiveEntry): Promise<void> {
    const target = checkMemberPath(e.linkname ?? '', this.rules);
    if (target.kind !== 'ok') throw new Refusal('archive.link-escape', `hardlink target "${e.linkname ?? ''}" is outside the extracted tree`);
    for (let i = 1; i < target.parts.length; i++) {
      const parent = target.parts.slice(0, i).join('/');
      if (this.model.get(parent)?.kind === 'symlink') {
        throw new Refusal('archive.through-symlink', `hardlink target goes through symlink "${parent}"`);
      }
    }
    if (this.model.get(target.rel)?.kind !== 'file') {
      throw new Refusal('archive.link-escape', `hardlink target "${e.linkname ?? ''}" is not a file extracted before it`);
    }
    await fs.link(this.abs(target.rel), this.abs(rel));
    this.model.set(rel, { kind: 'file' });
    this.report.hardlinks++;
  }

  private async place(parts: string[], rel: string, e: ArchiveEntry): Promise<void> {
    await this.ensureParents(parts);
    switch (e.type) {
      case 'directory': {
        const node = this.model.get(rel);
        checkReplace(node?.kind, 'dir');
        if (node?.kind !== 'dir') await fs.mkdir(this.abs(rel), { mode: 0o700 });
        this.model.set(rel, { kind: 'dir', mode: e.mode & 0o777, ...(e.mtime !== undefined ? { mtime: e.mtime } : {}) });
        this.report.directories++;
        return;
      }
      case 'file':
        await this.clearForLeaf(rel, 'file');
        return this.writeFile(rel, e);
      case 'symlink': {
        const target = e.linkname ?? '';
        checkSymlinkTarget(target, this.rules);
        await this.clearForLeaf(rel, 'symlink');
        await fs.symlink(isByteName(target) ? nameBytes(target) : target, this.abs(rel));
        this.model.set(rel, { kind: 'symlink', target });
        this.report.symlinks++;
        return;
      }
      case 'link':
        await this.clearForLeaf(rel, 'file');
        return this.link(rel, e);
      case 'other':
        throw new Refusal('archive.special-file', `${e.rawType ?? 'special file'} members are not extracted`);
      default:
        return unreachable(e.type, 'entry type');
    }
  }

  async add(e: ArchiveEntry): Promise<void> {
    const verdict = checkMemberPath(e.path, this.rules);
    if (verdict.kind === 'skip') {
      if (verdict.reason === 'strip') this.report.skippedByStrip++;
      if (verdict.reason === 'vcs') this.report.skippedVcs++;
      return;
    }
    try {
      if (verdict.kind === 'refuse') throw new Refusal(verdict.code, verdict.why);
      if (e.type === 'other' && e.rawType === 'unknown') throw new Refusal('archive.unsupported-member', 'a tar member type tarsmith does not read (a volume or multi-volume header, a GNU dumpdir, a vendor type)');
      if (e.type === 'other') throw new Refusal('archive.special-file', `${e.rawType ?? 'special file'} members are not extracted`);
      if (e.sparse) throw new Refusal('archive.sparse-file', 'a GNU sparse file whose sparse records are missing or inconsistent');
      await this.place(verdict.parts, verdict.rel, e);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      this.failures.push(memberFailure(this.archive, err.code, e.path, err.why));
    }
  }

  /** Once every member is in: check each symlink against the final tree, then set folder modes and times. */
  async finish(): Promise<void> {
    const lookup = (rel: string): string | undefined => {
      const n = this.model.get(rel);
      return n?.kind === 'symlink' ? n.target : undefined;
    };
    const symlinks = [...this.model].flatMap(([rel, n]) => (n.kind === 'symlink' ? [[rel, n.target] as const] : []));
    this.failures.push(...checkSymlinks(this.archive, symlinks, lookup, this.rules));
    if (this.failures.length > 0) return;
    const dirs = [...this.model].filter(([, n]) => n.kind === 'dir').sort((a, b) => b[0].length - a[0].length);
    for (const [rel, n] of dirs) {
      if (n.kind !== 'dir') continue;
      await fs.chmod(this.abs(rel), n.mode | 0o700);
      if (n.mtime !== undefined) await fs.utimes(this.abs(rel), n.mtime, n.mtime);
    }
  }
}

async function checkDest(dest: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dest);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') names = ['(a file)'];
    else fail(ioFailure(e, 'cannot read destination', dest));
  }
  if (names.length > 0) {
    fail({
      code: 'archive.dest-not-empty',
      message: `extraction destination ${dest} already exists and is not empty`,
      exit: ExitCode.usage,
      value: dest,
      hint: 'extract into a new or empty folder',
    });
  }
}

/**
 * Extract the archive at `archive` into `dest` (which must be missing or empty), refusing hostile members.
 * All-or-nothing: on any refusal, `dest` is left as it was and a TarsmithError lists every refused member.
 */
export async function safeExtract(archive: string, dest: string, opts: ExtractOptions = {}): Promise<ExtractReport> {
  const format = await detectFormat(archive);
  const destAbs = path.resolve(dest);
  await checkDest(destAbs);
  const rules = policyOf(opts);
  try {
    return await withTempDirBeside(destAbs, async (staged) => {
      await fs.chmod(staged, 0o700);
      const stager = new Stager(staged, archive, rules);
      for await (const e of readEntriesOf(archive, format)) await stager.add(e);
      await stager.finish();
      if (stager.failures.length > 0) throw new TarsmithError(stager.failures);
      await fs.chmod(staged, 0o755);
      await replaceDir(staged, destAbs);
      return { dest: destAbs, format, ...stager.report };
    });
  } catch (e) {
    if (isTarsmithError(e)) throw e;
    fail(ioFailure(e, 'cannot extract into', destAbs));
  }
}
