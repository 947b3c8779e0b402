/** A spill file: file bodies appended once, read back by (offset, size) in any order. Bounded memory. */
import { promises as fs } from 'node:fs';
import { catalogEntry, ExitCode, fail } from '../core/errors.js';

const BUFFER = 256 * 1024;

export interface SpillRef {
  offset: number;
  size: number;
}

export class Spill {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private end = 0;

  private constructor(
    private readonly fh: fs.FileHandle,
    private readonly file: string,
  ) {}

  static async create(file: string): Promise<Spill> {
    return new Spill(await fs.open(file, 'wx+', 0o600), file);
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done);
      done += bytesWritten;
    }
  }

  /** Append a body; returns where it is. */
  async append(body: AsyncIterable<Buffer> | undefined): Promise<SpillRef> {
    const offset = this.end;
    if (body) {
      for await (const chunk of body) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        this.end += chunk.length;
        if (this.pendingBytes >= BUFFER) await this.flush();
      }
    }
    return { offset, size: this.end - offset };
  }

  /** Call once every body is appended, before reading. */
  async seal(): Promise<void> {
    await this.flush();
  }

  /** The bytes of one body, in chunks of at most 256 KiB (fresh buffers the caller may keep). */
  async *read(ref: SpillRef): AsyncGenerator<Buffer> {
    let pos = ref.offset;
    const stop = ref.offset + ref.size;
    while (pos < stop) {
      const buf = Buffer.allocUnsafe(Math.min(BUFFER, stop - pos));
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) this.short(ref, pos);
      pos += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  }

  /** The spill file was cut short under us (another process, a full or failing disk): an I/O failure, not a bug. */
  private short(ref: SpillRef, pos: number): never {
    return fail({
      code: 'archive.spill-short',
      message: `the temporary file ${this.file} ends at byte ${pos}, inside a member stored at ${ref.offset}..${ref.offset + ref.size}`,
      exit: ExitCode.io,
      where: { file: this.file },
      hint: catalogEntry('archive.spill-short').hint,
    });
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
