/**
 * Deterministic repack. Members are written sorted by name (byte order of the name, without the folder's
 * trailing slash), with every folder that a deeper member implies.
 *
 * Fast path (one pass): most tarballs (git archive, kernel.org, GNU tar --sort=name) are already in that order,
 * so the input is streamed straight through: decompress → check → pack → compress, with nothing held in memory.
 * As soon as a member arrives out of order (or twice), that attempt is dropped and the spill path runs.
 * Spill path (two passes): bodies are appended to one spill file beside the output and metadata kept in memory
 * in a compact table (typed arrays and one byte store of names: about 60 bytes plus the name per member, see
 * member-table.ts); then members are written in order, each body read back from the spill file.
 * Both paths produce the same bytes. Peak memory is the metadata, never the contents.
 */
import { promises as fs } from 'node:fs';
import { ExitCode, fail, ioFailure, isTarsmithError, TarsmithError, unreachable, type Failure } from '../core/errors.js';
import { trackTemp, untrackTemp } from '../core/cleanup.js';
import { installSignalHandlers } from '../core/exec.js';
import { tempSibling } from '../core/fs-atomic.js';
import { checkWritable } from './codec.js';
import { detectFormat } from './detect.js';
import { memberFailure, type ArchiveFailureCode } from './failures.js';
import { nameBytes } from './names.js';
import { emit, writePacked, type OutMember, type TarPack } from './pack-writer.js';
import { checkMemberPath } from './paths.js';
import { checkParents, checkReplace, checkSymlinks, checkSymlinkTarget, policyOf, Refusal, type NodeKind, type Policy } from './policy.js';
import { readEntriesOf } from './read.js';
import { Kind, MemberTable } from './member-table.js';
import { Spill } from './spill.js';
import type { ArchiveEntry, ArchiveFormat, NormalizeOptions, NormalizeResult } from './types.js';

/** An input member after the policy's checks: where it goes, and its clamped mtime. */
type Checked = { kind: 'skip' } | { kind: 'fail'; failure: Failure } | { kind: 'member'; rel: string; parts: string[]; mtime: number; link?: string };

/** The policy's per-member checks (names, kinds, symlink targets, hardlink targets after strip). */
function check(e: ArchiveEntry, policy: Policy, input: string, epoch: number): Checked {
  const v = checkMemberPath(e.path, policy);
  if (v.kind === 'skip') return { kind: 'skip' };
  const refuse = (code: ArchiveFailureCode, why: string): Checked => ({ kind: 'fail', failure: memberFailure(input, code, e.path, why) });
  if (v.kind === 'refuse') return refuse(v.code, v.why);
  if (e.type === 'other') {
    return e.rawType === 'unknown'
      ? refuse('archive.unsupported-member', 'a tar member type tarsmith does not read (a volume or multi-volume header, a GNU dumpdir, a vendor type)')
      : refuse('archive.special-file', `${e.rawType ?? 'special file'} members are not packed`);
  }
  if (e.sparse) return refuse('archive.sparse-file', 'a GNU sparse file whose sparse records are missing or inconsistent');
  const mtime = Math.max(0, Math.min(e.mtime ?? epoch, epoch));
  try {
    if (e.type === 'symlink') checkSymlinkTarget(e.linkname ?? '', policy);
  } catch (err) {
    if (err instanceof Refusal) return refuse(err.code, err.why);
    throw err;
  }
  if (e.type !== 'link') return { kind: 'member', rel: v.rel, parts: v.parts, mtime };
  const t = checkMemberPath(e.linkname ?? '', policy);
  if (t.kind !== 'ok') return refuse('archive.link-escape', `hardlink target "${e.linkname ?? ''}" is outside the tree`);
  return { kind: 'member', rel: v.rel, parts: v.parts, mtime, link: t.rel };
}

function hardlinkFailure(input: string, e: ArchiveEntry): Failure {
  return memberFailure(input, 'archive.link-escape', e.path, `hardlink target "${e.linkname ?? ''}" is not a file earlier in the archive`);
}

function rulesOf(opts: NormalizeOptions): Policy {
  return policyOf({ strip: opts.strip ?? 0, dropVcs: opts.dropVcs ?? true, ...(opts.allow ? { allow: opts.allow } : {}) });
}

/** Run a policy check that throws Refusal; a refusal becomes a failure naming the member. */
function refused(input: string, e: ArchiveEntry, fn: () => void): Failure | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof Refusal) return memberFailure(input, err.code, e.path, err.why);
    throw err;
  }
}

class Unsorted extends Error {}

/** A file as written: hardlinked copies share `first`, the smallest name, which carries the body. */
interface FileInfo {
  exec: boolean;
  size: number;
  first: string;
}

/** Fast path: writes members as they arrive; throws Unsorted on the first one that is not after the last. */
class InOrderWriter {
  readonly failures: Failure[] = [];
  private readonly dirs = new Set<string>();
  private readonly files = new Map<string, FileInfo>();
  readonly symlinks = new Map<string, string>();
  private last: Buffer | undefined;

  constructor(
    private readonly pack: TarPack,
    private readonly input: string,
    private readonly epoch: number,
  ) {}

  private async next(name: string, m: OutMember, body?: AsyncIterable<Buffer>): Promise<void> {
    const b = nameBytes(name);
    if (this.last !== undefined && Buffer.compare(b, this.last) <= 0) throw new Unsorted();
    this.last = b;
    if (this.failures.length === 0) await emit(this.pack, name, m, body);
  }

  /** Folders implied by `rel` that were not written yet. */
  async parents(rel: string): Promise<void> {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.dirs.has(dir)) continue;
      this.dirs.add(dir);
      await this.next(dir, { kind: 'dir', mtime: this.epoch });
    }
  }

  kindOf(rel: string): NodeKind | undefined {
    if (this.symlinks.has(rel)) return 'symlink';
    if (this.files.has(rel)) return 'file';
    return this.dirs.has(rel) ? 'dir' : undefined;
  }

  async member(e: ArchiveEntry, rel: string, mtime: number, link?: string): Promise<void> {
    switch (e.type) {
      case 'directory':
        this.dirs.add(rel);
        return this.next(rel, { kind: 'dir', mtime });
      case 'symlink':
        this.symlinks.set(rel, e.linkname ?? '');
        return this.next(rel, { kind: 'symlink', mtime, target: e.linkname ?? '' });
      case 'file': {
        const exec = (e.mode & 0o111) !== 0;
        this.files.set(rel, { exec, size: e.size, first: rel });
        return this.next(rel, { kind: 'file', mtime, exec, size: e.size }, e.body);
      }
      case 'link': {
        const t = this.files.get(link ?? '');
        if (!t) {
          this.failures.push(hardlinkFailure(this.input, e));
          return;
        }
        this.files.set(rel, t);
        return this.next(rel, t.size > 0 ? { kind: 'link', mtime, exec: t.exec, target: t.first } : { kind: 'file', mtime, exec: t.exec, size: 0 });
      }
      case 'other':
        return; // refused by check()
      default:
        return unreachable(e.type, 'entry type');
    }
  }
}

/** Fast path: stream members straight into `pack`; throws Unsorted when the input is not in output order. */
async function streamInOrder(input: string, format: ArchiveFormat, opts: NormalizeOptions, pack: TarPack): Promise<Failure[]> {
  const w = new InOrderWriter(pack, input, opts.sourceDateEpoch);
  const policy = rulesOf(opts);
  for await (const e of readEntriesOf(input, format)) {
    const c = check(e, policy, input, opts.sourceDateEpoch);
    if (c.kind === 'skip') continue;
    const f =
      c.kind === 'fail'
        ? c.failure
        : refused(input, e, () => {
            checkParents(c.parts, (r) => w.kindOf(r));
            if (c.link !== undefined) checkParents(c.link.split('/'), (r) => w.kindOf(r));
          });
    if (f !== undefined || c.kind === 'fail') {
      if (f) w.failures.push(f);
      continue;
    }
    await w.parents(c.rel);
    await w.member(e, c.rel, c.mtime, c.link);
  }
  w.failures.push(...checkSymlinks(input, w.symlinks, (r) => w.symlinks.get(r), policy));
  return w.failures;
}

const KIND_NAMES: Record<Kind, NodeKind> = { [Kind.dir]: 'dir', [Kind.file]: 'file', [Kind.symlink]: 'symlink' };

/** Spill path: the kind of a name so far (folders implied by deeper members included). */
function kindIn(members: MemberTable, rel: string): NodeKind | undefined {
  const m = members.find(rel);
  return m < 0 ? undefined : KIND_NAMES[members.get(m).kind];
}

/** Spill path: the policy's tree checks for one member, in archive order; adds the folders it implies. */
function checkSpilled(members: MemberTable, c: Extract<Checked, { kind: 'member' }>, next: NodeKind, epoch: number): void {
  checkParents(c.parts, (r) => kindIn(members, r));
  if (c.link !== undefined) checkParents(c.link.split('/'), (r) => kindIn(members, r));
  checkReplace(kindIn(members, c.rel), next);
  for (let i = 1; i < c.parts.length; i++) {
    const dir = c.parts.slice(0, i).join('/');
    if (members.find(dir) < 0) members.set(dir, { kind: Kind.dir, mtime: epoch, exec: false, body: -1, offset: 0, size: 0 });
  }
}

/** Spill path, pass 1: read every member, spill bodies, check names. Returns the number of spilled bodies. */
async function collect(input: string, format: ArchiveFormat, opts: NormalizeOptions, spill: Spill, members: MemberTable): Promise<{ bodies: number; failures: Failure[] }> {
  const failures: Failure[] = [];
  const policy = rulesOf(opts);
  let bodies = 0;
  const none = { exec: false, body: -1, offset: 0, size: 0 };
  for await (const e of readEntriesOf(input, format)) {
    const c = check(e, policy, input, opts.sourceDateEpoch);
    if (c.kind === 'skip') continue;
    if (c.kind === 'fail') {
      failures.push(c.failure);
      continue;
    }
    const next: NodeKind = e.type === 'directory' ? 'dir' : e.type === 'symlink' ? 'symlink' : 'file';
    const f = refused(input, e, () => checkSpilled(members, c, next, opts.sourceDateEpoch));
    if (f) {
      failures.push(f);
      continue;
    }
    if (e.type === 'directory') members.set(c.rel, { ...none, kind: Kind.dir, mtime: c.mtime });
    else if (e.type === 'symlink') members.set(c.rel, { ...none, kind: Kind.symlink, mtime: c.mtime, target: e.linkname ?? '' });
    else if (e.type === 'file') {
      const ref = await spill.append(e.body);
      members.set(c.rel, { kind: Kind.file, mtime: c.mtime, exec: (e.mode & 0o111) !== 0, body: bodies++, offset: ref.offset, size: ref.size });
    } else if (e.type === 'link') {
      const t = members.find(c.link ?? '');
      const target = t < 0 ? undefined : members.get(t);
      if (target?.kind === Kind.file) members.set(c.rel, { ...target, mtime: c.mtime });
      else failures.push(hardlinkFailure(input, e));
    }
  }
  failures.push(...checkSymlinks(input, spilledSymlinks(members), (r) => symlinkIn(members, r), policy));
  return { bodies, failures };
}

function symlinkIn(members: MemberTable, rel: string): string | undefined {
  const m = members.find(rel);
  if (m < 0) return undefined;
  const v = members.get(m);
  return v.kind === Kind.symlink ? v.target : undefined;
}

function* spilledSymlinks(members: MemberTable): Generator<[string, string]> {
  for (let m = 0; m < members.size; m++) {
    const v = members.get(m);
    if (v.kind === Kind.symlink) yield [members.name(m), v.target];
  }
}

/** Spill path, pass 2: write the members in order. Hardlinked copies point at the first name of their body. */
async function packSpilled(pack: TarPack, members: MemberTable, bodies: number, spill: Spill): Promise<void> {
  const firstOf = new Int32Array(bodies).fill(-1);
  for (const i of members.sorted()) {
    const name = members.name(i);
    const m = members.get(i);
    switch (m.kind) {
      case Kind.dir:
        await emit(pack, name, { kind: 'dir', mtime: m.mtime });
        continue;
      case Kind.symlink:
        await emit(pack, name, { kind: 'symlink', mtime: m.mtime, target: m.target });
        continue;
      case Kind.file:
        break;
      default:
        return unreachable(m.kind, 'member kind');
    }
    const first = m.size > 0 ? (firstOf[m.body] as number) : -1;
    if (first >= 0) {
      await emit(pack, name, { kind: 'link', mtime: m.mtime, exec: m.exec, target: members.name(first) });
      continue;
    }
    if (m.size > 0) firstOf[m.body] = i;
    await emit(pack, name, { kind: 'file', mtime: m.mtime, exec: m.exec, size: m.size }, spill.read({ offset: m.offset, size: m.size }));
  }
}

async function viaSpill(input: string, format: ArchiveFormat, opts: NormalizeOptions, output: string, tmp: string): Promise<NormalizeResult> {
  const spillPath = tempSibling(output, 'spill');
  trackTemp(spillPath);
  let spill: Spill | undefined;
  try {
    spill = await Spill.create(spillPath);
    const members = new MemberTable();
    const { bodies, failures } = await collect(input, format, opts, spill, members);
    if (failures.length > 0) throw new TarsmithError(failures);
    await spill.seal();
    const s = spill;
    return await writePacked(tmp, opts.format, (pack) => packSpilled(pack, members, bodies, s));
  } finally {
    await spill?.close();
    await fs.rm(spillPath, { force: true });
    untrackTemp(spillPath);
  }
}

async function viaStream(input: string, format: ArchiveFormat, opts: NormalizeOptions, tmp: string): Promise<NormalizeResult | 'unsorted'> {
  try {
    return await writePacked(tmp, opts.format, async (pack) => {
      const failures = await streamInOrder(input, format, opts, pack);
      if (failures.length > 0) throw new TarsmithError(failures);
    });
  } catch (e) {
    if (!(e instanceof Unsorted)) throw e;
    await fs.rm(tmp, { force: true });
    return 'unsorted';
  }
}

function checkOptions(opts: NormalizeOptions): void {
  checkWritable(opts.format);
  if (!Number.isSafeInteger(opts.sourceDateEpoch) || opts.sourceDateEpoch < 0) {
    fail({
      code: 'usage.bad-source-date-epoch',
      message: 'SOURCE_DATE_EPOCH must be a whole number of seconds since 1970',
      exit: ExitCode.usage,
      value: String(opts.sourceDateEpoch),
      hint: 'give e.g. --source-date-epoch 1700000000',
    });
  }
}

/**
 * Repack `input` (any readable format) into `output` deterministically: members sorted by name, mtimes clamped
 * to `sourceDateEpoch`, uid/gid 0 with empty names, modes 0755 (folders, executables) / 0644 / 0777 (symlinks),
 * no per-machine pax records, VCS folders dropped, fixed compressor settings. Written atomically. Unsafe member
 * names (absolute, `..`), special files and dangling hardlinks fail, each named (exit 2).
 */
export async function normalize(input: string, output: string, opts: NormalizeOptions): Promise<NormalizeResult> {
  checkOptions(opts);
  const format = await detectFormat(input);
  const tmp = tempSibling(output);
  installSignalHandlers();
  trackTemp(tmp);
  try {
    const streamed = await viaStream(input, format, opts, tmp);
    const result: NormalizeResult =
      streamed === 'unsorted' ? { ...(await viaSpill(input, format, opts, output, tmp)), method: 'spill' } : { ...streamed, method: 'stream' };
    await fs.rename(tmp, output);
    return result;
  } catch (e) {
    await fs.rm(tmp, { force: true });
    if (isTarsmithError(e)) throw e;
    return fail(ioFailure(e, 'cannot normalize into', output));
  } finally {
    untrackTemp(tmp);
  }
}
