/**
 * Deterministic repack. Pass 1 streams the input once: member names are checked (as for extraction), VCS
 * folders dropped, metadata kept in memory (a few hundred bytes per member) and file bodies appended to one
 * spill file beside the output. Pass 2 writes members sorted by name (byte order) from the spill file through a
 * fixed compressor into a temp file that is renamed into place. Peak memory is the metadata, not the contents.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExitCode, fail, ioFailure, isTarsmithError, TarsmithError, unreachable, type Failure } from '../core/errors.js';
import { tempSibling } from '../core/fs-atomic.js';
import { checkWritable, createCompressor } from './codec.js';
import { detectFormat } from './detect.js';
import { memberFailure } from './failures.js';
import { checkMemberPath, DEFAULT_MAX_DEPTH, splitName, type PathRules } from './paths.js';
import { readEntriesOf } from './read.js';
import { Spill, type SpillRef } from './spill.js';
import type { ArchiveEntry, NormalizeOptions, NormalizeResult } from './types.js';

/** A member as it will be written. `body.offset` identifies hardlinked copies of one file. */
type Member =
  | { kind: 'dir'; mtime: number }
  | { kind: 'file'; mtime: number; exec: boolean; body: SpillRef }
  | { kind: 'symlink'; mtime: number; target: string };

interface Collected {
  members: Map<string, Member>;
  failures: Failure[];
}

function clamp(mtime: number | undefined, epoch: number): number {
  return Math.max(0, Math.min(mtime ?? epoch, epoch));
}

async function collectMember(e: ArchiveEntry, rel: string, epoch: number, spill: Spill, into: Collected, input: string): Promise<void> {
  const mtime = clamp(e.mtime, epoch);
  switch (e.type) {
    case 'directory':
      into.members.set(rel, { kind: 'dir', mtime });
      return;
    case 'file':
      into.members.set(rel, { kind: 'file', mtime, exec: (e.mode & 0o111) !== 0, body: await spill.append(e.body) });
      return;
    case 'symlink':
      into.members.set(rel, { kind: 'symlink', mtime, target: e.linkname ?? '' });
      return;
    case 'link': {
      const target = into.members.get(splitName(e.linkname ?? '').join('/'));
      if (target?.kind !== 'file') {
        into.failures.push(memberFailure(input, 'archive.link-escape', e.path, `hardlink target "${e.linkname ?? ''}" is not a file earlier in the archive`));
        return;
      }
      into.members.set(rel, { ...target, mtime });
      return;
    }
    case 'other':
      into.failures.push(memberFailure(input, 'archive.special-file', e.path, `${e.rawType ?? 'special file'} members are not packed`));
      return;
    default:
      return unreachable(e.type, 'entry type');
  }
}

/** Pass 1: read every member, spill bodies, check names. */
async function collect(input: string, opts: NormalizeOptions, spill: Spill): Promise<Collected> {
  const format = await detectFormat(input);
  const rules: PathRules = { strip: 0, dropVcs: opts.dropVcs ?? true, maxDepth: DEFAULT_MAX_DEPTH };
  const into: Collected = { members: new Map(), failures: [] };
  for await (const e of readEntriesOf(input, format)) {
    const v = checkMemberPath(e.path, rules);
    if (v.kind === 'skip') continue;
    if (v.kind === 'refuse') {
      into.failures.push(memberFailure(input, v.code, e.path, v.why));
      continue;
    }
    await collectMember(e, v.rel, opts.sourceDateEpoch, spill, into, input);
  }
  for (const rel of [...into.members.keys()]) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!into.members.has(dir)) into.members.set(dir, { kind: 'dir', mtime: opts.sourceDateEpoch });
    }
  }
  return into;
}

/** Member names in byte order of their UTF-8 encoding. */
export function sortedNames(names: Iterable<string>): string[] {
  return [...names]
    .map((n) => Buffer.from(n, 'utf8'))
    .sort(Buffer.compare)
    .map((b) => b.toString('utf8'));
}

type TarPack = import('tar-stream').Pack;

function entryDone(pack: TarPack, header: Partial<import('tar-stream').Header> & { name: string }): { sink: NodeJS.WritableStream; done: Promise<void> } {
  let sink!: NodeJS.WritableStream;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve())) as unknown as NodeJS.WritableStream;
  });
  return { sink, done };
}

async function writeBody(sink: NodeJS.WritableStream, chunks: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of chunks) {
    if (!sink.write(chunk)) await new Promise<void>((resolve) => sink.once('drain', resolve));
  }
  sink.end();
}

/** Pass 2: write the members in order into the tar packer. */
async function packMembers(pack: TarPack, members: Map<string, Member>, spill: Spill): Promise<void> {
  const firstName = new Map<number, string>();
  for (const name of sortedNames(members.keys())) {
    const m = members.get(name) as Member;
    const base = { name, mtime: new Date(m.mtime * 1000), uid: 0, gid: 0, uname: '', gname: '' };
    switch (m.kind) {
      case 'dir':
        await entryDone(pack, { ...base, name: `${name}/`, type: 'directory', mode: 0o755 }).done;
        break;
      case 'symlink':
        await entryDone(pack, { ...base, type: 'symlink', mode: 0o777, linkname: m.target }).done;
        break;
      case 'file': {
        const mode = m.exec ? 0o755 : 0o644;
        const first = m.body.size > 0 ? firstName.get(m.body.offset) : undefined;
        if (first !== undefined) {
          await entryDone(pack, { ...base, type: 'link', mode, linkname: first }).done;
          break;
        }
        firstName.set(m.body.offset, name);
        const { sink, done } = entryDone(pack, { ...base, type: 'file', mode, size: m.body.size });
        await writeBody(sink, spill.read(m.body));
        await done;
        break;
      }
      default:
        unreachable(m, 'member');
    }
  }
  pack.finalize();
}

function checkOptions(opts: NormalizeOptions): void {
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

/** Pack, compress and write to a temp file; returns the temp file's sha256 and size. */
async function writeOutput(tmp: string, opts: NormalizeOptions, members: Map<string, Member>, spill: Spill): Promise<NormalizeResult> {
  const { default: tarStream } = await import('tar-stream');
  const stages = await createCompressor(opts.format);
  const pack = tarStream.pack();
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
  const producer = packMembers(pack, members, spill).catch((e: unknown) => {
    pack.destroy(e as Error);
    throw e;
  });
  const consumer = pipeline([Readable.from(pack as unknown as AsyncIterable<Buffer>), ...stages, tap, out]);
  await Promise.all([producer, consumer]);
  const fh = await fs.open(tmp, 'r+');
  await fh.sync().finally(() => fh.close());
  return { sha256: hash.digest('hex'), size };
}

/**
 * Repack `input` (any readable format) into `output` deterministically: members sorted by name, mtimes clamped
 * to `sourceDateEpoch`, uid/gid 0 with empty names, modes 0755 (folders, executables) / 0644 / 0777 (symlinks),
 * no per-machine pax records, VCS folders dropped, fixed compressor settings. Written atomically.
 */
export async function normalize(input: string, output: string, opts: NormalizeOptions): Promise<NormalizeResult> {
  checkOptions(opts);
  checkWritable(opts.format);
  const spillPath = tempSibling(output, 'spill');
  const tmp = tempSibling(output);
  let spill: Spill | undefined;
  try {
    spill = await Spill.create(spillPath);
    const { members, failures } = await collect(input, opts, spill);
    if (failures.length > 0) throw new TarsmithError(failures);
    await spill.seal();
    const result = await writeOutput(tmp, opts, members, spill);
    await fs.rename(tmp, output);
    return result;
  } catch (e) {
    await fs.rm(tmp, { force: true });
    if (isTarsmithError(e)) throw e;
    return fail(ioFailure(e, 'cannot normalize into', output));
  } finally {
    await spill?.close();
    await fs.rm(spillPath, { force: true });
  }
}
