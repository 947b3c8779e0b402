/** Streaming reader: file → decompressor → tar parser, one entry at a time. */
import { createReadStream } from 'node:fs';
import type { Duplex, Readable } from 'node:stream';
import { fail, ioFailure, isTarsmithError, type Failure } from '../core/errors.js';
import { createDecompressor } from './codec.js';
import { detectFormat } from './detect.js';
import { memberFailure, streamFailure } from './failures.js';
import { isSparsePax } from './policy.js';
import { expandSparse, sparseInfo } from './sparse.js';
import type { ArchiveEntry, ArchiveFormat, EntryType } from './types.js';

interface TarHeader {
  name: string;
  type: string | null;
  mode?: number | null;
  size?: number | null;
  linkname?: string | null;
  mtime?: Date | null;
  pax?: Record<string, string> | null;
}
interface TarEntryStream {
  header: TarHeader;
  [Symbol.asyncIterator](): AsyncIterator<Buffer>;
}

function entryType(t: string | null): EntryType {
  switch (t) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'link';
    default:
      return 'other';
  }
}

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
  stream: TarEntryStream,
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

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A member name: its text, and its bytes when they are not valid UTF-8 (the text is then lossy). */
function decodeName(bytes: Buffer): { text: string; bytes?: Buffer } {
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    return { text: bytes.toString('utf8'), bytes };
  }
}

/** Read the members of an archive whose format is known. */
export async function* readEntriesOf(path: string, format: ArchiveFormat): AsyncGenerator<ArchiveEntry> {
  const { default: tarStream } = await import('tar-stream');
  const { source, decoder, failure } = await openTarBytes(path, format);
  // Names are read as bytes (latin1 keeps each byte) and decoded below: invalid UTF-8 must not merge two names.
  const extract = tarStream.extract({ filenameEncoding: 'latin1' } as Parameters<typeof tarStream.extract>[0]);
  const pump = (async () => {
    try {
      for await (const chunk of decoder as AsyncIterable<Buffer>) {
        if (!extract.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              extract.off('drain', done);
              extract.off('close', done);
              resolve();
            };
            extract.on('drain', done);
            extract.on('close', done);
          });
        }
        if (extract.destroyed) return;
      }
      (extract as unknown as { end(): void }).end();
    } catch (e) {
      extract.destroy(e as Error);
    }
  })();
  try {
    for await (const raw of extract as unknown as AsyncIterable<TarEntryStream>) {
      const h = raw.header;
      const type = entryType(h.type);
      const name = decodeName(h.pax?.path !== undefined ? Buffer.from(h.pax.path, 'utf8') : Buffer.from(h.name, 'latin1'));
      const link = h.linkname ? decodeName(h.pax?.linkpath !== undefined ? Buffer.from(h.pax.linkpath, 'utf8') : Buffer.from(h.linkname, 'latin1')) : undefined;
      const wrapped = bodyOf(raw, (e) => failure() ?? streamFailure(path, e, 'tar'));
      const sparse = type === 'file' && isSparsePax(h.pax ?? undefined) ? sparseInfo(h.pax as Record<string, string>) : undefined;
      if (sparse !== undefined && sparse !== 'unreadable') {
        // Restored byte for byte (formats 1.0 and 0.1): the real name and size, the holes as zeros.
        const bad = (why: string): never => fail(memberFailure(path, 'archive.sparse-file', sparse.name, why));
        yield {
          path: sparse.name,
          type,
          mode: (h.mode ?? 0) & 0o7777,
          size: sparse.realsize,
          ...(h.mtime ? { mtime: Math.floor(h.mtime.getTime() / 1000) } : {}),
          body: expandSparse(wrapped.body, sparse, bad),
        };
        await wrapped.drain();
        continue;
      }
      yield {
        path: name.text,
        ...(name.bytes ? { pathBytes: name.bytes } : {}),
        type,
        mode: (h.mode ?? 0) & 0o7777,
        size: type === 'file' ? (h.size ?? 0) : 0,
        ...(link ? { linkname: link.text } : {}),
        ...(link?.bytes ? { linknameBytes: link.bytes } : {}),
        ...(h.mtime ? { mtime: Math.floor(h.mtime.getTime() / 1000) } : {}),
        ...(type === 'other' ? { rawType: h.type ?? 'unknown' } : {}),
        ...(sparse === 'unreadable' ? { sparse: true } : {}),
        body: type === 'file' ? wrapped.body : undefined,
      };
      await wrapped.drain();
    }
  } catch (e) {
    if (isTarsmithError(e)) throw e;
    fail(failure() ?? streamFailure(path, e, 'tar'));
  } finally {
    source.destroy();
    decoder.destroy();
    extract.destroy();
    await pump;
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
