/**
 * GNU sparse files stored in pax format, restored byte for byte: the member's body holds only the data
 * segments (and, in format 1.0, the sparse map before them); the file's bytes are those segments at their
 * offsets with zeros between them, up to the real size. Formats 1.0 (map in the body, what GNU tar writes by
 * default) and 0.1 (map in one `GNU.sparse.map` record) are read; format 0.0 repeats `GNU.sparse.offset` /
 * `GNU.sparse.numbytes` records, which a pax reader keeps only the last of, so it stays refused by name
 * (`archive.sparse-file`), as does GNU's old `S` type (`archive.unsupported-member`).
 */

export interface SparseInfo {
  /** The file's real name (`GNU.sparse.name`; the header name is `…/GNUSparseFile.N/…`). */
  name: string;
  /** The file's real size. */
  realsize: number;
  /** Format 0.1: the map from the pax record; format 1.0: undefined (read from the body). */
  map?: [number, number][];
}

/** The bounds of a map read from a body: a real one has one entry per data run. */
const MAX_MAP_ENTRIES = 1 << 20;
const MAX_MAP_BYTES = 32 * 1024 * 1024;
const ZEROS = Buffer.alloc(64 * 1024);

function wholeNumber(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,16}$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** How to read a sparse member, or 'unreadable' (format 0.0, or records missing). */
export function sparseInfo(pax: Record<string, string>): SparseInfo | 'unreadable' {
  const name = pax['GNU.sparse.name'];
  if (name === undefined || name === '') return 'unreadable';
  if (pax['GNU.sparse.major'] === '1' && pax['GNU.sparse.minor'] === '0') {
    const realsize = wholeNumber(pax['GNU.sparse.realsize']);
    return realsize === undefined ? 'unreadable' : { name, realsize };
  }
  const realsize = wholeNumber(pax['GNU.sparse.size']);
  const text = pax['GNU.sparse.map'];
  if (realsize === undefined || text === undefined) return 'unreadable';
  const nums = text === '' ? [] : text.split(',').map((x) => wholeNumber(x));
  if (nums.length % 2 !== 0 || nums.some((x) => x === undefined)) return 'unreadable';
  const map: [number, number][] = [];
  for (let i = 0; i < nums.length; i += 2) map.push([nums[i] as number, nums[i + 1] as number]);
  return { name, realsize, map };
}

/** Pulls exact byte counts from a body. */
class Pull {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}
  /** Up to `max` bytes (fewer only at the end of the body; empty when it ended). */
  async take(max: number): Promise<Buffer> {
    if (this.buf.length === 0 && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else this.buf = r.value;
    }
    const out = this.buf.subarray(0, Math.min(max, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    return out;
  }
  /** The next line (without its newline), or undefined at the end. Lines are bounded by `limit` bytes. */
  async line(limit: number): Promise<{ text: string; bytes: number } | undefined> {
    const parts: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      if (this.buf.length === 0) {
        if (this.ended) return undefined;
        const r = await this.it.next();
        if (r.done) {
          this.ended = true;
          return undefined;
        }
        this.buf = r.value;
      }
      const nl = this.buf.indexOf(10);
      const end = nl < 0 ? this.buf.length : nl + 1;
      parts.push(this.buf.subarray(0, end));
      bytes += end;
      this.buf = this.buf.subarray(end);
      if (nl >= 0) return { text: Buffer.concat(parts).toString('latin1', 0, bytes - 1), bytes };
      if (bytes > limit) return undefined;
    }
  }
}

/** Format 1.0: the map at the start of the body, as decimal lines, padded to 512 bytes. */
async function mapFromBody(pull: Pull, bad: (why: string) => never): Promise<[number, number][]> {
  let used = 0;
  const num = async (): Promise<number> => {
    const l = await pull.line(32);
    const n = l ? wholeNumber(l.text) : undefined;
    if (l === undefined || n === undefined) bad('its sparse map is cut short or not numbers');
    used += l.bytes;
    return n;
  };
  const count = await num();
  if (count > MAX_MAP_ENTRIES) bad(`its sparse map has ${count} entries`);
  const map: [number, number][] = [];
  for (let i = 0; i < count; i++) map.push([await num(), await num()]);
  if (used > MAX_MAP_BYTES) bad('its sparse map is too large');
  let pad = (512 - (used % 512)) % 512;
  while (pad > 0) {
    const got = await pull.take(pad);
    if (got.length === 0) bad('its sparse map is cut short');
    pad -= got.length;
  }
  return map;
}

/** The file's bytes: data segments at their offsets, zeros between, up to the real size. */
export async function* expandSparse(body: AsyncIterable<Buffer>, info: SparseInfo, bad: (why: string) => never): AsyncGenerator<Buffer> {
  const pull = new Pull(body[Symbol.asyncIterator]());
  const map = info.map ?? (await mapFromBody(pull, bad));
  let pos = 0;
  const zeros = function* (upTo: number): Generator<Buffer> {
    while (pos < upTo) {
      const n = Math.min(ZEROS.length, upTo - pos);
      pos += n;
      yield ZEROS.subarray(0, n);
    }
  };
  for (const [offset, size] of map) {
    if (offset < pos || offset + size > info.realsize) bad(`its sparse map is out of order or past the real size (${offset}+${size})`);
    yield* zeros(offset);
    let left = size;
    while (left > 0) {
      const got = await pull.take(Math.min(left, 1 << 20));
      if (got.length === 0) bad('its data is shorter than its sparse map says');
      left -= got.length;
      pos += got.length;
      yield got;
    }
  }
  yield* zeros(info.realsize);
  if ((await pull.take(1)).length > 0) bad('its data is longer than its sparse map says');
}
