/**
 * Compression codecs as node Transform streams. Every codec streams: memory does not grow with the archive size.
 * gzip: node zlib. bzip2: unbzip2-stream (read only). xz: read by a child `xz -dc` when xz is on PATH (see
 * xz-process.ts: twice as fast, on another core), else lzma-native; written by lzma-native (liblzma, prebuilt
 * inside the package).
 * Memory is bounded by what the reader takes, also for input that expands a millionfold (bounded-decoders.ts).
 * zstd: fzstd decompresses (pure JS, streaming); @bokuweb/zstd-wasm compresses fixed-size chunks into
 * independent frames (a concatenation of frames is one valid zstd stream), so memory stays bounded.
 */
import { Transform, type Duplex, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { ExitCode, fail, unreachable } from '../core/errors.js';
import type { ArchiveFormat } from './types.js';
import { Bunzip2Decoder, ZstdDecoder } from './bounded-decoders.js';
import { findXz, XzProcessDecoder } from './xz-process.js';

/** Fixed levels: output must not depend on the machine or on defaults that may change. */
export const GZIP_LEVEL = 6;
export const XZ_PRESET = 6;
export const ZSTD_LEVEL = 9;
/** Uncompressed bytes per zstd frame. */
const ZSTD_FRAME = 8 * 1024 * 1024;
/** gzip header byte 9 (OS): 3 = Unix, as `gzip -n` writes it on every Unix. */
const GZIP_OS_UNIX = 3;

class ZstdCompressTransform extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  constructor(private readonly compress: (buf: Uint8Array, level?: number) => Uint8Array) {
    super();
  }
  private emitFrames(final: boolean): void {
    if (this.pendingBytes === 0) return;
    let all = Buffer.concat(this.pending, this.pendingBytes);
    while (all.length >= ZSTD_FRAME || (final && all.length > 0)) {
      const part = all.subarray(0, Math.min(ZSTD_FRAME, all.length));
      this.push(Buffer.from(this.compress(part, ZSTD_LEVEL)));
      all = all.subarray(part.length);
    }
    this.pending = all.length > 0 ? [Buffer.from(all)] : [];
    this.pendingBytes = all.length;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    try {
      if (this.pendingBytes >= ZSTD_FRAME) this.emitFrames(false);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.emitFrames(true);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

let zstdReady: Promise<(buf: Uint8Array, level?: number) => Uint8Array> | undefined;

/** The wasm zstd compressor, initialised once per process (initialising it again corrupts its output). */
function zstdCompress(): Promise<(buf: Uint8Array, level?: number) => Uint8Array> {
  zstdReady ??= (async () => {
    const zstd = await import('@bokuweb/zstd-wasm');
    await zstd.init();
    return zstd.compress;
  })();
  return zstdReady;
}

/** A stream that turns the compressed bytes of `format` into tar bytes. */
export async function createDecompressor(format: ArchiveFormat): Promise<Duplex> {
  switch (format) {
    case 'tar':
      return new Transform({ transform: (chunk, _enc, cb) => cb(null, chunk) });
    case 'tar.gz':
      return zlib.createGunzip();
    case 'tar.bz2':
      return new Bunzip2Decoder();
    case 'tar.xz': {
      const xz = findXz();
      if (xz !== null) return new XzProcessDecoder(xz);
      const { default: lzma } = await import('lzma-native');
      return lzma.createDecompressor({ synchronous: true });
    }
    case 'tar.zst': {
      const { Decompress } = await import('fzstd');
      return new ZstdDecoder(Decompress);
    }
    default:
      return unreachable(format, 'archive format');
  }
}

/** Output formats: every read format but bzip2. Fails with `archive.unsupported-output`. */
export function checkWritable(format: ArchiveFormat): void {
  if (format !== 'tar.bz2') return;
  fail({
    code: 'archive.unsupported-output',
    message: 'bzip2 is read but not written',
    exit: ExitCode.usage,
    value: format,
    hint: 'use --format tar.gz, tar.xz, tar.zst or tar',
  });
}

/** Rewrites the gzip header's OS byte so that output does not depend on how zlib was built. */
class GzipHeaderFix extends Transform {
  private seen = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.seen <= 9 && this.seen + chunk.length > 9) {
      chunk = Buffer.from(chunk);
      chunk[9 - this.seen] = GZIP_OS_UNIX;
    }
    this.seen += chunk.length;
    cb(null, chunk);
  }
}

/**
 * Deterministic compressors: fixed level, single-threaded, gzip header with mtime 0, no name, OS byte 3.
 * Returns the stages to chain (tar bytes in, compressed bytes out).
 */
export async function createCompressor(format: ArchiveFormat): Promise<Transform[]> {
  checkWritable(format);
  switch (format) {
    case 'tar':
      return [];
    case 'tar.gz':
      // node's zlib writes no name and mtime 0 in the gzip header; only the OS byte needs fixing.
      return [zlib.createGzip({ level: GZIP_LEVEL, memLevel: 8 }), new GzipHeaderFix()];
    case 'tar.bz2':
      return [];
    case 'tar.xz': {
      const { default: lzma } = await import('lzma-native');
      return [lzma.createCompressor({ preset: XZ_PRESET, check: lzma.CHECK_CRC64, threads: 1 })];
    }
    case 'tar.zst':
      return [new ZstdCompressTransform(await zstdCompress())];
    default:
      return unreachable(format, 'archive format');
  }
}
