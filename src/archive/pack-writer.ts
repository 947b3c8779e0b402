/** Writes normalized members into a tar packer, through a fixed compressor, into a temp file (hashed on the way). */
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unreachable } from '../core/errors.js';
import { createCompressor } from './codec.js';
import { compareNameBytes, isByteName, nameBytes } from './names.js';
import type { ArchiveFormat, NormalizeResult } from './types.js';

export type TarPack = import('tar-stream').Pack;

const WRITE_BATCH = 1024 * 1024;

/** A member exactly as written: every field that reaches the output is here. */
export type OutMember =
  | { kind: 'dir'; mtime: number }
  | { kind: 'symlink'; mtime: number; target: string }
  | { kind: 'file'; mtime: number; exec: boolean; size: number }
  | { kind: 'link'; mtime: number; exec: boolean; target: string };

/** Member names compare as their bytes. */
export function compareNames(a: string, b: string): number {
  return compareNameBytes(a, b);
}

/** One pax record, `LEN key=value\n`, with LEN counting itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = rest.length + 1;
  while (String(len).length + rest.length > len) len++;
  return Buffer.concat([Buffer.from(String(len)), rest]);
}

/** A numeric header field: octal, zero-padded to `width - 1` digits, NUL-terminated. */
function octal(buf: Buffer, value: number, at: number, width: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, '0')}\0`, at, width, 'latin1');
}

/** The ustar header of a pax extended header (`x`) of `size` bytes. */
function paxHeaderBlock(size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  h.write('PaxHeader', 0, 'latin1');
  octal(h, mode, 100, 8);
  octal(h, 0, 108, 8);
  octal(h, 0, 116, 8);
  octal(h, size, 124, 12);
  octal(h, mtime, 136, 12);
  h.write('x', 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of h) sum += c;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return h;
}

/**
 * A name (or link target) that holds bytes that are not UTF-8 is written byte for byte in a pax extended header
 * of our own before the member, as GNU tar writes such names (`path` and `linkpath` with the raw bytes; no
 * `hdrcharset=BINARY`: GNU tar 1.34, the builders' tar, warns about that keyword on every member and keeps raw
 * bytes that are not UTF-8 without it, in any locale), whose ustar
 * name is then `PaxHeader` as tar-stream writes for its own pax headers. tar-stream would write such a name as
 * UTF-8 (one U+FFFD per byte), merging names, so these blocks go to the packer's output directly; that is safe
 * because members are emitted one at a time (no entry is open between two `emit` calls). Valid UTF-8 names never
 * come here: their bytes are unchanged.
 */
function byteNameHeader(pack: TarPack, name: string, target: string | undefined, mode: number, mtime: number): void {
  const records = [paxRecord('path', nameBytes(name))];
  if (target !== undefined) records.push(paxRecord('linkpath', nameBytes(target)));
  const body = Buffer.concat(records);
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  (pack as unknown as { push(b: Buffer): boolean }).push(Buffer.concat([paxHeaderBlock(body.length, mode, mtime), padded]));
}

function entry(pack: TarPack, header: Partial<import('tar-stream').Header> & { name: string }): { sink: NodeJS.WritableStream; done: Promise<void> } {
  let sink!: NodeJS.WritableStream;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve())) as unknown as NodeJS.WritableStream;
    // A body that fails half-way (a truncated input) tears the packer down; its entry must not throw unheard.
    sink.on('error', reject);
  });
  done.catch(() => undefined);
  return { sink, done };
}

async function writeBody(sink: NodeJS.WritableStream, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
  for await (const chunk of chunks) {
    if (!sink.write(chunk)) await new Promise<void>((resolve) => sink.once('drain', resolve));
  }
  sink.end();
}

/** Write one member: uid/gid 0, empty owner names, modes 0755/0644 (0777 for symlinks), no extra pax records. */
export async function emit(pack: TarPack, name: string, m: OutMember, body?: AsyncIterable<Buffer>): Promise<void> {
  const target = m.kind === 'symlink' || m.kind === 'link' ? m.target : undefined;
  if (isByteName(name) || (target !== undefined && isByteName(target))) {
    const mode = m.kind === 'dir' ? 0o755 : m.kind === 'symlink' ? 0o777 : m.exec ? 0o755 : 0o644;
    byteNameHeader(pack, m.kind === 'dir' ? `${name}/` : name, target, mode, m.mtime);
    return emitNamed(pack, 'PaxHeader', m.kind === 'symlink' || m.kind === 'link' ? { ...m, target: 'PaxHeader' } : m, body);
  }
  return emitNamed(pack, name, m, body);
}

async function emitNamed(pack: TarPack, name: string, m: OutMember, body?: AsyncIterable<Buffer>): Promise<void> {
  const base = { name, mtime: new Date(m.mtime * 1000), uid: 0, gid: 0, uname: '', gname: '' };
  switch (m.kind) {
    case 'dir':
      return entry(pack, { ...base, name: `${name}/`, type: 'directory', mode: 0o755 }).done;
    case 'symlink':
      return entry(pack, { ...base, type: 'symlink', mode: 0o777, linkname: m.target }).done;
    case 'link':
      return entry(pack, { ...base, type: 'link', mode: m.exec ? 0o755 : 0o644, linkname: m.target }).done;
    case 'file': {
      const { sink, done } = entry(pack, { ...base, type: 'file', mode: m.exec ? 0o755 : 0o644, size: m.size });
      await writeBody(sink, body ?? []);
      return done;
    }
    default:
      return unreachable(m, 'member');
  }
}

/** A Transform that passes bytes on in batches of at least WRITE_BATCH (the last one smaller). */
function batcher(): Transform {
  let parts: Buffer[] = [];
  let bytes = 0;
  const push = (t: Transform): void => {
    if (bytes === 0) return;
    const buf = Buffer.concat(parts, bytes);
    parts = [];
    bytes = 0;
    t.push(buf);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      bytes += chunk.length;
      if (bytes >= WRITE_BATCH) push(this);
      cb();
    },
    flush(cb) {
      push(this);
      cb();
    },
  });
}

/**
 * Run `produce` against a fresh packer whose bytes go through the compressor of `format` into `tmp` (created
 * exclusively, fsynced). If `produce` throws, the pipeline is torn down and the error rethrown.
 */
export async function writePacked(tmp: string, format: ArchiveFormat, produce: (pack: TarPack) => Promise<void>): Promise<NormalizeResult> {
  const { default: tarStream } = await import('tar-stream');
  const stages = await createCompressor(format);
  const pack = tarStream.pack();
  const hash = createHash('sha256');
  let size = 0;
  // Hashes what is written, in batches of about 1 MiB so that the file gets few, large writes.
  let batch: Buffer[] = [];
  let batched = 0;
  const flush = (t: Transform): void => {
    if (batched === 0) return;
    const buf = Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    hash.update(buf);
    size += buf.length;
    t.push(buf);
  };
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= WRITE_BATCH) flush(this);
      cb();
    },
    flush(cb) {
      flush(this);
      cb();
    },
  });
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
  const producer = produce(pack).then(
    () => pack.finalize(),
    (e: unknown) => {
      pack.destroy(e as Error);
      throw e;
    },
  );
  // The packer emits a chunk per header and body piece; the compressor gets them in 1 MiB batches, so that it runs
  // a few large jobs in node's worker pool instead of one small one per member (same output bytes).
  const consumer = pipeline([Readable.from(pack as unknown as AsyncIterable<Buffer>), batcher(), ...stages, tap, out]);
  const [p, c] = await Promise.allSettled([producer, consumer]);
  if (p.status === 'rejected') throw p.reason;
  if (c.status === 'rejected') throw c.reason;
  const fh = await fs.open(tmp, 'r+');
  await fh.sync().finally(() => fh.close());
  return { sha256: hash.digest('hex'), size };
}
