/**
 * GNU sparse files, restored byte for byte: a sparse member's body holds only the data segments (and, in pax
 * format 1.0, the sparse map before them); the file's bytes are those segments at their offsets with zeros
 * between them, up to the real size. Every form GNU tar writes is read:
 * - pax 1.0 (its default for `--format=pax`): the map at the start of the body, the real name in `GNU.sparse.name`;
 * - pax 0.1: the map in one `GNU.sparse.map` record, the real name in `GNU.sparse.name`;
 * - pax 0.0: the map as repeated `GNU.sparse.offset` / `GNU.sparse.numbytes` records (in archive order: the
 *   parser keeps every record), the name in the header;
 * - old GNU (`S`, what `--format=gnu` and `--format=oldgnu` write): four map entries in the header and 21 in each
 *   extension block after it, the real size in the header.
 */
import { paxValue, type PaxRecord, type TarHeader } from './tar-parse.js';

export interface SparseInfo {
  /** The file's real name, as bytes (pax 1.0/0.1: `GNU.sparse.name`, not the `…/GNUSparseFile.N/…` header name). */
  name: Buffer;
  /** The file's real size. */
  realsize: number;
  /** The map of data runs (offset, size); undefined for pax 1.0, whose map is read from the body. */
  map?: [number, number][];
}

/** The bounds of a map: a real one has one entry per data run. */
const MAX_MAP_ENTRIES = 1 << 20;
const MAX_MAP_BYTES = 32 * 1024 * 1024;
const ZEROS = Buffer.alloc(64 * 1024);

function wholeNumber(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,16}$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

function text(records: readonly PaxRecord[], key: string): string | undefined {
  return paxValue(records, key)?.toString('latin1');
}

/** Format 0.0: the `GNU.sparse.offset` / `GNU.sparse.numbytes` records, paired in archive order. */
function repeatedMap(records: readonly PaxRecord[]): [number, number][] | undefined {
  const map: [number, number][] = [];
  let offset: number | undefined;
  for (const r of records) {
    if (r.key === 'GNU.sparse.offset') {
      if (offset !== undefined) return undefined;
      offset = wholeNumber(r.value.toString('latin1'));
      if (offset === undefined) return undefined;
    } else if (r.key === 'GNU.sparse.numbytes') {
      const size = wholeNumber(r.value.toString('latin1'));
      if (offset === undefined || size === undefined || map.length >= MAX_MAP_ENTRIES) return undefined;
      map.push([offset, size]);
      offset = undefined;
    }
  }
  return offset === undefined ? map : undefined;
}

/** A map known before the body: runs in order, none past the real size. */
function checked(info: SparseInfo): SparseInfo | 'unreadable' {
  let pos = 0;
  for (const [offset, size] of info.map ?? []) {
    if (offset < pos || offset + size > info.realsize) return 'unreadable';
    pos = offset + size;
  }
  return info;
}

/**
 * How to read a member as a sparse file: undefined when it is not one, 'unreadable' when its records are missing
 * or broken (refused by name as `archive.sparse-file`).
 */
export function sparseOf(h: TarHeader): SparseInfo | 'unreadable' | undefined {
  if (h.oldSparse !== undefined) {
    if (h.oldSparse.map.length > MAX_MAP_ENTRIES) return 'unreadable';
    return checked({ name: h.name, realsize: h.oldSparse.realsize, map: h.oldSparse.map });
  }
  const records = h.pax;
  if (!records.some((r) => r.key.startsWith('GNU.sparse.'))) return undefined;
  const name = paxValue(records, 'GNU.sparse.name');
  if (text(records, 'GNU.sparse.major') === '1' && text(records, 'GNU.sparse.minor') === '0') {
    const realsize = wholeNumber(text(records, 'GNU.sparse.realsize'));
    return realsize === undefined || name === undefined || name.length === 0 ? 'unreadable' : { name, realsize };
  }
  const realsize = wholeNumber(text(records, 'GNU.sparse.size'));
  if (realsize === undefined) return 'unreadable';
  const mapText = text(records, 'GNU.sparse.map');
  if (mapText === undefined) {
    // Format 0.0: the name is the header's.
    const map = repeatedMap(records);
    const blocks = wholeNumber(text(records, 'GNU.sparse.numblocks'));
    return map === undefined || blocks !== map.length ? 'unreadable' : checked({ name: h.name, realsize, map });
  }
  if (name === undefined || name.length === 0) return 'unreadable';
  const nums = mapText === '' ? [] : mapText.split(',').map((x) => wholeNumber(x));
  if (nums.length % 2 !== 0 || nums.length > 2 * MAX_MAP_ENTRIES || nums.some((x) => x === undefined)) return 'unreadable';
  const map: [number, number][] = [];
  for (let i = 0; i < nums.length; i += 2) map.push([nums[i] as number, nums[i + 1] as number]);
  return checked({ name, realsize, map });
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
