/** Streaming reader: file → decompressor → tar parser, one entry at a time. */
import { createReadStream } from 'node:fs';
import type { Duplex, Readable } from 'node:stream';
import { fail, ioFailure, isTarsmithError, type Failure } from '../core/errors.js';
import { createDecompressor } from './codec.js';
import { detectFormat } from './detect.js';
import { memberFailure, streamFailure } from './failures.js';
import { decodeName } from './names.js';
import { expandSparse, sparseOf } from './sparse.js';
import { parseTar, type TarMember } from './tar-parse.js';
import type { ArchiveEntry, ArchiveFormat, EntryType } from './types.js';

const TYPES: Record<string, EntryType> = { '0': 'file', '7': 'file', '5': 'directory', '2': 'symlink', '1': 'link' };
const SPECIALS: Record<string, string> = { '3': 'character-device', '4': 'block-device', '6': 'fifo' };

/** The tar byte stream of an archive, with errors recorded as failures (first one wins). */
async function openTarBytes(
  path: string,
  format: ArchiveFormat,
): Promise<{ source: Readable; decoder: Duplex; failure: () => Failure | undefined }> {
  let failure: Failure | undefined;
  const source = createReadStream(path, { highWaterMark: 64 * 1024 });
  const decoder = await createDecompressor(format);
  source.on('error', (e) => {
    failure ??= ioFailure(e, 'cannot read archive', path);
    decoder.destroy(e);
  });
  decoder.on('error', (e) => {
    failure ??= streamFailure(path, e, format === 'tar' ? 'read' : `${format} decompression`);
  });
  source.pipe(decoder);
  return { source, decoder, failure: () => failure };
}

/** Wraps an entry's stream so that a consumer stopping early does not tear down the whole parser. */
function bodyOf(
  stream: AsyncIterable<Buffer>,
  asFailure: (e: unknown) => Failure,
): { body: AsyncIterable<Buffer>; drain(): Promise<void> } {
  const inner = stream[Symbol.asyncIterator]();
  const it = {
    async next(): Promise<IteratorResult<Buffer>> {
      try {
        return await inner.next();
      } catch (e) {
        return fail(asFailure(e));
      }
    },
  };
  let done = false;
  const body: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]() {
      return {
        async next(): Promise<IteratorResult<Buffer>> {
          if (done) return { value: undefined, done: true };
          const r = await it.next();
          if (r.done) done = true;
          return r;
        },
        async return(): Promise<IteratorResult<Buffer>> {
          return { value: undefined, done: true };
        },
      };
    },
  };
  return {
    body,
    async drain() {
      while (!done) {
        const r = await it.next();
        if (r.done) done = true;
      }
    },
  };
}

/** A name read as bytes: its string (see names.ts) and, when it is not valid UTF-8, the bytes. */
function nameOf(bytes: Buffer): { text: string; bytes?: Buffer } {
  const d = decodeName(bytes);
  return d.valid ? { text: d.name } : { text: d.name, bytes: Buffer.from(bytes) };
}

/** The entry of one parsed member; sparse files (GNU pax 0.0, 0.1, 1.0 and old GNU `S`) get their real bytes. */
function entryOf(path: string, m: TarMember, asFailure: (e: unknown) => Failure): { entry: ArchiveEntry; drain(): Promise<void> } {
  const h = m.header;
  const type = h.oldSparse !== undefined ? 'file' : (TYPES[h.typeflag] ?? 'other');
  const wrapped = bodyOf(m.body, asFailure);
  const mtime = { mtime: h.mtime };
  const sparse = type === 'file' ? sparseOf(h) : undefined;
  if (sparse !== undefined && sparse !== 'unreadable') {
    const name = nameOf(sparse.name);
    const bad = (why: string): never => fail(memberFailure(path, 'archive.sparse-file', name.text, why));
    const entry: ArchiveEntry = {
      path: name.text,
      ...(name.bytes ? { pathBytes: name.bytes } : {}),
      type,
      mode: h.mode & 0o7777,
      size: sparse.realsize,
      ...mtime,
      body: expandSparse(wrapped.body, sparse, bad),
    };
    return { entry, drain: wrapped.drain };
  }
  const name = nameOf(h.name);
  const link = h.linkname.length > 0 ? nameOf(h.linkname) : undefined;
  const entry: ArchiveEntry = {
    path: name.text,
    ...(name.bytes ? { pathBytes: name.bytes } : {}),
    type,
    mode: h.mode & 0o7777,
    size: type === 'file' ? h.size : 0,
    ...(link ? { linkname: link.text } : {}),
    ...(link?.bytes ? { linknameBytes: link.bytes } : {}),
    ...mtime,
    ...(type === 'other' ? { rawType: SPECIALS[h.typeflag] ?? 'unknown' } : {}),
    ...(sparse === 'unreadable' ? { sparse: true } : {}),
    body: type === 'file' ? wrapped.body : undefined,
  };
  return { entry, drain: wrapped.drain };
}

/** Read the members of an archive whose format is known. */
export async function* readEntriesOf(path: string, format: ArchiveFormat): AsyncGenerator<ArchiveEntry> {
  const { source, decoder, failure } = await openTarBytes(path, format);
  const asFailure = (e: unknown): Failure => failure() ?? streamFailure(path, e, 'tar');
  try {
    for await (const m of parseTar(decoder as AsyncIterable<Buffer>)) {
      const { entry, drain } = entryOf(path, m, asFailure);
      yield entry;
      await drain();
    }
  } catch (e) {
    if (isTarsmithError(e)) throw e;
    fail(asFailure(e));
  } finally {
    source.destroy();
    decoder.destroy();
  }
  const f = failure();
  if (f) fail(f);
}

/**
 * Stream the members of the archive at `path` (format detected by magic bytes). Memory does not grow with the
 * archive: each file's `body` streams. Read a body before asking for the next entry; unread bodies are skipped.
 * Fails with `archive.unknown-format`, `archive.truncated` or `archive.corrupt` (exit 2).
 */
export async function* readEntries(path: string): AsyncGenerator<ArchiveEntry> {
  const format = await detectFormat(path);
  yield* readEntriesOf(path, format);
}
