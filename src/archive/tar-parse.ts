/**
 * The tar parser: ustar, GNU and old GNU headers, pax extended headers (per member and global), GNU long names,
 * base-256 numbers, and GNU's old sparse headers (`S`, with extension blocks). Pull-based over a byte stream, so
 * a member's body streams and memory holds one chunk. It is tarsmith's own (tar-stream's reader decoded names
 * and pax records as UTF-8, kept only the last of repeated pax records and did not know the `S` header) because
 * archives hold names as bytes and sparse maps in those places: every name here is a Buffer, pax records are a
 * list in archive order.
 *
 * Errors are plain `Error`s whose message says "Unexpected end of data" (input cut short) or "Invalid tar
 * header ..." (not tar); the reader maps them to `archive.truncated` / `archive.corrupt`.
 */

export interface PaxRecord {
  key: string;
  value: Buffer;
}

export interface TarHeader {
  /** The member name (GNU long name or pax `path` applied), bytes as stored. */
  name: Buffer;
  /** Link target (GNU long link or pax `linkpath` applied), bytes; empty when none. */
  linkname: Buffer;
  /** The type flag character (`0`, `5`, `S`, ...); `0` for the old NUL flag. */
  typeflag: string;
  mode: number;
  /** Bytes of body stored in the archive (pax `size` applied). */
  size: number;
  mtime: number;
  /** Extended header records that apply to this member (global first, then its own), in archive order. */
  pax: PaxRecord[];
  /** GNU old sparse (`S`): the map from the header and its extension blocks, and the real size. */
  oldSparse?: { map: [number, number][]; realsize: number };
}

export interface TarMember {
  header: TarHeader;
  /** The stored body; must be read before asking for the next member (what is left is skipped). */
  body: AsyncIterable<Buffer>;
}

const BLOCK = 512;
/** Bound on an extended header (pax, GNU long name) held in memory. */
const MAX_META = 1024 * 1024;
/** Bound on old GNU sparse extension blocks (21 map entries each). */
const MAX_SPARSE_EXT = 1 << 16;

class Input {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  /** Exactly `n` bytes; undefined when the input ended before any; an error when it ended inside them. */
  async exact(n: number): Promise<Buffer | undefined> {
    while (this.buf.length < n) {
      if (!(await this.fill())) {
        if (this.buf.length === 0) return undefined;
        throw new Error('Unexpected end of data');
      }
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Up to `max` bytes, at least one; an error when the input ended. */
  async some(max: number): Promise<Buffer> {
    if (this.buf.length === 0 && !(await this.fill())) throw new Error('Unexpected end of data');
    const out = this.buf.subarray(0, Math.min(max, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  async skip(n: number): Promise<void> {
    while (n > 0) n -= (await this.some(n)).length;
  }
}

function cstr(b: Buffer, off: number, len: number): Buffer {
  const field = b.subarray(off, off + len);
  const nul = field.indexOf(0);
  return nul < 0 ? field : field.subarray(0, nul);
}

/** An octal field (spaces and NULs around it allowed) or GNU base-256 (high bit of the first byte set). */
function num(b: Buffer, off: number, len: number): number {
  const field = b.subarray(off, off + len);
  const first = field[0] as number;
  if (first & 0x80) {
    const negative = (first & 0x40) !== 0;
    let v = 0;
    for (let i = 0; i < field.length; i++) {
      let byte = field[i] as number;
      if (i === 0) byte &= 0x7f;
      if (negative) byte = ~byte & 0xff;
      v = v * 256 + byte;
    }
    if (!Number.isSafeInteger(v)) throw new Error('Invalid tar header: number out of range');
    return negative ? -(v + 1) : v;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`Invalid tar header: "${text}" is not an octal number`);
  return parseInt(text, 8);
}

function checksumOk(b: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 32 : (b[i] as number);
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  const stored = num(b, 148, 8);
  return stored === unsigned || stored === signed;
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** `len key=value\n` records; the value is kept as bytes. */
export function parsePax(buf: Buffer): PaxRecord[] {
  const out: PaxRecord[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf[at] === 0) break; // NUL padding after the last record
    const sp = buf.indexOf(0x20, at);
    const len = sp < 0 ? NaN : Number(buf.toString('latin1', at, sp));
    if (!Number.isSafeInteger(len) || len <= sp - at || at + len > buf.length || buf[at + len - 1] !== 0x0a) {
      throw new Error('Invalid tar header: malformed pax extended header record');
    }
    const rec = buf.subarray(sp + 1, at + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new Error('Invalid tar header: pax record without "="');
    out.push({ key: rec.toString('utf8', 0, eq), value: rec.subarray(eq + 1) });
    at += len;
  }
  return out;
}

/** The last value of `key` among `records`. */
export function paxValue(records: readonly PaxRecord[], key: string): Buffer | undefined {
  for (let i = records.length - 1; i >= 0; i--) if ((records[i] as PaxRecord).key === key) return (records[i] as PaxRecord).value;
  return undefined;
}

function sparseEntries(b: Buffer, off: number, count: number, into: [number, number][]): void {
  for (let i = 0; i < count; i++) {
    const at = off + i * 24;
    if (b[at] === 0) return;
    into.push([num(b, at, 12), num(b, at + 12, 12)]);
  }
}

/** Everything a header block says before extended headers are applied. */
function decodeBlock(b: Buffer): { name: Buffer; linkname: Buffer; typeflag: string; mode: number; size: number; mtime: number; gnu: boolean } {
  if (!checksumOk(b)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?');
  const magic = b.toString('latin1', 257, 263);
  const ustar = magic === 'ustar\0';
  const gnu = magic === 'ustar ';
  if (!ustar && !gnu) throw new Error('Invalid tar header: unknown format.');
  let name = cstr(b, 0, 100);
  if (ustar && b[345] !== 0) name = Buffer.concat([cstr(b, 345, 155), Buffer.from('/'), name]);
  const flag = b[156] === 0 ? '0' : String.fromCharCode(b[156] as number);
  const typeflag = flag === '0' && name.length > 0 && name[name.length - 1] === 0x2f ? '5' : flag;
  return { name, linkname: cstr(b, 157, 100), typeflag, mode: num(b, 100, 8), size: num(b, 124, 12), mtime: num(b, 136, 12), gnu };
}

/** Parse the tar stream `source`, yielding one member at a time. */
export async function* parseTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarMember> {
  const input = new Input(source[Symbol.asyncIterator]());
  let global: PaxRecord[] = [];
  let pax: PaxRecord[] | undefined;
  let longName: Buffer | undefined;
  let longLink: Buffer | undefined;
  const meta = async (size: number): Promise<Buffer> => {
    if (size > MAX_META) throw new Error('Invalid tar header: extended header exceeds max size');
    const b = (await input.exact(size)) ?? Buffer.alloc(0);
    if (b.length < size) throw new Error('Unexpected end of data');
    const copy = Buffer.from(b);
    await input.skip((BLOCK - (size % BLOCK)) % BLOCK);
    return copy;
  };
  for (;;) {
    const block = await input.exact(BLOCK);
    if (block === undefined) {
      if (pax !== undefined || longName !== undefined || longLink !== undefined) throw new Error('Unexpected end of data');
      return;
    }
    if (isZero(block)) continue;
    const h = decodeBlock(block);
    if (h.size < 0) throw new Error('Invalid tar header: negative size');
    switch (h.typeflag) {
      case 'x':
        pax = [...(pax ?? []), ...parsePax(await meta(h.size))];
        continue;
      case 'g':
        global = [...global, ...parsePax(await meta(h.size))];
        continue;
      case 'L':
      case 'N':
        longName = cstr(await meta(h.size), 0, h.size);
        continue;
      case 'K':
        longLink = cstr(await meta(h.size), 0, h.size);
        continue;
      default:
        break;
    }
    const records = global.length > 0 ? [...global, ...(pax ?? [])] : (pax ?? []);
    const header: TarHeader = {
      name: paxValue(records, 'path') ?? longName ?? h.name,
      linkname: paxValue(records, 'linkpath') ?? longLink ?? h.linkname,
      typeflag: h.typeflag,
      mode: h.mode,
      size: h.size,
      mtime: h.mtime,
      pax: records,
    };
    const paxSize = paxValue(records, 'size');
    if (paxSize !== undefined) {
      const n = Number(paxSize.toString('latin1'));
      if (!Number.isSafeInteger(n) || n < 0) throw new Error('Invalid tar header: bad pax size');
      header.size = n;
    }
    pax = undefined;
    longName = undefined;
    longLink = undefined;
    if (h.typeflag === 'S' && h.gnu) header.oldSparse = await oldSparse(block, input);
    // Links, folders and specials carry no body whatever their size field says, except what GNU tar stores.
    const stored = ['1', '2', '3', '4', '5', '6'].includes(h.typeflag) ? 0 : header.size;
    let left = stored;
    let current = true;
    const body: AsyncIterable<Buffer> = {
      [Symbol.asyncIterator]: () => ({
        async next(): Promise<IteratorResult<Buffer>> {
          if (!current || left === 0) return { value: undefined, done: true };
          const chunk = await input.some(left);
          left -= chunk.length;
          return { value: chunk, done: false };
        },
      }),
    };
    yield { header, body };
    current = false;
    await input.skip(left + ((BLOCK - (stored % BLOCK)) % BLOCK));
  }
}

/** The old GNU sparse map: four entries in the header, then 21 per extension block while `isextended` is set. */
async function oldSparse(block: Buffer, input: Input): Promise<{ map: [number, number][]; realsize: number }> {
  const map: [number, number][] = [];
  sparseEntries(block, 386, 4, map);
  let extended = block[482] !== 0;
  for (let n = 0; extended; n++) {
    if (n >= MAX_SPARSE_EXT) throw new Error('Invalid tar header: too many sparse extension blocks');
    const ext = await input.exact(BLOCK);
    if (ext === undefined) throw new Error('Unexpected end of data');
    sparseEntries(ext, 0, 21, map);
    extended = ext[504] !== 0;
  }
  return { map, realsize: num(block, 483, 12) };
}
