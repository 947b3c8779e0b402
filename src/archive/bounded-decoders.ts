/**
 * Decoders whose memory is bounded by what the reader takes, not by what the input expands to. fzstd and
 * unbzip2-stream decode everything they are given at once: 40 KiB of zstd (or 8 KiB of bzip2) holding 1.2 GB of
 * zeros became 1.2 GB in memory before the tar reader saw the first header. Here input is fed in small slices
 * (zstd) or one block at a time (bzip2), and feeding stops while the reader has not taken what was decoded.
 * Worst case in memory: what one slice or block decodes to (zstd: 512 bytes of input, at most 128 RLE blocks of
 * 128 KiB; bzip2: one block, at most about 46 MB), plus the stream buffers.
 */
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';

type Cb = (e?: Error | null) => void;

/** Input bytes handed to fzstd at a time. */
const ZSTD_SLICE = 512;
/** Decoded bytes collected before they are pushed as one Buffer. */
const OUT_CHUNK = 64 * 1024;

/**
 * What both decoders share: decoding runs only while the reader wants more. `_read` sets `want` and pumps; the
 * decoder pushes its output through `deliver`, which clears `want` when the reader is full; a write's callback is
 * held in `writeCb` until the decoder has used that input (or has enough buffered), so the writer waits too.
 */
abstract class PulledDecoder extends Duplex {
  protected want = false;
  protected writeCb: Cb | undefined;
  /** Keep a written chunk as input. */
  protected abstract keepInput(chunk: Buffer): void;
  /** Decode while `want` holds and input suffices; release `writeCb` when more input is needed. */
  protected abstract pump(): void;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: Cb): void {
    this.keepInput(chunk);
    this.writeCb = cb;
    this.pump();
  }
  override _read(): void {
    this.want = true;
    this.pump();
  }
  /** Hand decoded bytes to the reader; stop decoding while it has not taken them. */
  protected deliver(b: Buffer): void {
    if (!this.push(b)) this.want = false;
  }
}

/** zstd through fzstd, fed 512 bytes at a time while the reader keeps up. */
export class ZstdDecoder extends PulledDecoder {
  private readonly dec: import('fzstd').Decompress;
  private input: Buffer | undefined;
  private pos = 0;
  constructor(Decompress: typeof import('fzstd').Decompress) {
    super();
    this.dec = new Decompress((chunk) => {
      if (chunk.length > 0) this.deliver(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  protected override keepInput(chunk: Buffer): void {
    this.input = chunk;
    this.pos = 0;
  }
  override _final(cb: Cb): void {
    try {
      this.dec.push(new Uint8Array(0), true);
    } catch (e) {
      return cb(e as Error);
    }
    this.push(null);
    cb();
  }
  protected override pump(): void {
    while (this.want && this.input !== undefined) {
      const input = this.input;
      const end = Math.min(this.pos + ZSTD_SLICE, input.length);
      try {
        this.dec.push(input.subarray(this.pos, end));
      } catch (e) {
        this.release(e as Error);
        return;
      }
      this.pos = end;
      if (end >= input.length) this.release();
    }
  }
  private release(e?: Error): void {
    const cb = this.writeCb;
    this.input = undefined;
    this.writeCb = undefined;
    cb?.(e);
  }
}

interface Bzip2Lib {
  header(bits: BitReader): number;
  decompress(bits: BitReader, out: (b: number) => void, buf: Int32Array, size: number, crc: number | null): number | null;
}
type BitReader = ((n: number | null) => number) & { bytesRead: number };

/**
 * bzip2 through unbzip2-stream's block decoder (lib/bzip2.js), driven one block at a time: a block is decoded only
 * when the reader wants more and enough input is buffered for it (the largest compressed block, like
 * unbzip2-stream), and its bytes go into 64 KiB Buffers (unbzip2-stream collected them in a JavaScript array of
 * numbers, 8 bytes per decoded byte).
 */
export class Bunzip2Decoder extends PulledDecoder {
  private readonly lib: Bzip2Lib;
  private readonly makeBits: (next: () => Buffer | undefined) => BitReader;
  private readonly queue: Buffer[] = [];
  private have = 0;
  private bits: BitReader | undefined;
  private blockSize = 0;
  private crc: number | null = null;
  private block: Int32Array | undefined;
  private ended = false;
  private finished = false;
  private finalCb: Cb | undefined;
  constructor() {
    super();
    const require = createRequire(import.meta.url);
    this.lib = require('unbzip2-stream/lib/bzip2') as Bzip2Lib;
    this.makeBits = require('unbzip2-stream/lib/bit_iterator') as (next: () => Buffer | undefined) => BitReader;
  }
  protected override keepInput(chunk: Buffer): void {
    this.queue.push(chunk);
    this.have += chunk.length;
    this.bits ??= this.makeBits(() => this.queue.shift());
  }
  override _final(cb: Cb): void {
    this.ended = true;
    this.finalCb = cb;
    this.pump();
  }
  /** Bytes needed before the next step may run: the header, or the largest compressed block. */
  private need(): number {
    return this.blockSize === 0 ? 4 : 25000 + 100000 * this.blockSize;
  }
  protected override pump(): void {
    try {
      while (this.want && !this.finished && this.bits !== undefined) {
        const avail = this.have - this.bits.bytesRead;
        if (this.ended ? avail <= 0 : avail + 1 < this.need()) break;
        this.step(this.bits);
      }
    } catch (e) {
      this.finished = true;
      const err = e instanceof TypeError ? new Error(`unexpected end of bzip2 data (${e.message})`) : (e as Error);
      return this.fail(err);
    }
    this.settle();
  }
  /** Read a stream header, or decode one block and push its bytes. */
  private step(bits: BitReader): void {
    if (this.blockSize === 0) {
      this.blockSize = this.lib.header(bits);
      this.crc = 0;
      this.block = new Int32Array(100000 * this.blockSize);
      return;
    }
    let buf = Buffer.allocUnsafe(OUT_CHUNK);
    let n = 0;
    const out = (b: number): void => {
      buf[n++] = b;
      if (n === OUT_CHUNK) {
        this.deliver(buf);
        buf = Buffer.allocUnsafe(OUT_CHUNK);
        n = 0;
      }
    };
    const block = this.block as Int32Array;
    this.crc = this.lib.decompress(bits, out, block, block.length, this.crc);
    if (n > 0) this.deliver(buf.subarray(0, n));
    if (this.crc === null) this.blockSize = 0;
  }
  /** Ask for more input when a block needs it; finish when the input ended and was all decoded. */
  private settle(): void {
    if (this.finished) return;
    const avail = this.bits ? this.have - this.bits.bytesRead : 0;
    if (this.writeCb && (avail + 1 < this.need() || !this.want)) {
      // Input is compressed and small next to its output: take more while the reader is not waiting on us.
      if (avail + 1 < this.need() || avail < 2 * this.need()) {
        const cb = this.writeCb;
        this.writeCb = undefined;
        cb();
      }
    }
    if (this.ended && this.finalCb && (this.bits === undefined || this.have - this.bits.bytesRead <= 0)) {
      this.finished = true;
      const cb = this.finalCb;
      this.finalCb = undefined;
      if (this.bits !== undefined && this.crc !== null) return cb(new Error('unexpected end of bzip2 data (input stream ended prematurely)'));
      this.push(null);
      cb();
    }
  }
  private fail(e: Error): void {
    const cb = this.finalCb ?? this.writeCb;
    this.finalCb = undefined;
    this.writeCb = undefined;
    if (cb) cb(e);
    else this.destroy(e);
  }
}
