/** Member lists of `ar`, tar and zip archives, read from bytes for `tarsmith repro`'s hints; never throws. */

export interface Member {
  name: string;
  mtime: number;
  /** `uid/gid` (zip: empty). */
  owner: string;
}

const field = (b: Buffer, at: number, len: number) => b.subarray(at, at + len).toString('latin1').replace(/\0.*$/s, '').trim();
const octal = (b: Buffer, at: number, len: number) => parseInt(field(b, at, len) || '0', 8) || 0;

/** `ar` (System V / GNU): 8-byte magic, then 60-byte headers; the `/` and `//` tables are skipped. */
export function arMembers(b: Buffer): Member[] {
  const out: Member[] = [];
  let at = 8;
  while (at + 60 <= b.length && out.length < 100000) {
    const name = field(b, at, 16);
    const size = parseInt(field(b, at + 48, 10), 10);
    if (!Number.isFinite(size) || size < 0) break;
    if (name !== '/' && name !== '//' && name !== '/SYM64/') {
      out.push({ name: name.replace(/\/$/, ''), mtime: parseInt(field(b, at + 16, 12), 10) || 0, owner: `${field(b, at + 28, 6)}/${field(b, at + 34, 6)}` });
    }
    at += 60 + size + (size % 2);
  }
  return out;
}

/** tar (ustar, GNU, pax): 512-byte headers; pax and GNU long-name records name the next member. */
export function tarMembers(b: Buffer): Member[] {
  const out: Member[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + 512 <= b.length && out.length < 100000) {
    const h = b.subarray(at, at + 512);
    if (h.every((x) => x === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] ?? 48);
    const body = b.subarray(at + 512, at + 512 + size);
    if (type === 'L') longName = body.toString('latin1').replace(/\0.*$/s, '');
    else if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (m) longName = m[1];
    } else if (type !== 'g') {
      const prefix = field(h, 345, 155);
      const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
      out.push({ name, mtime: octal(h, 136, 12), owner: `${octal(h, 108, 8)}/${octal(h, 116, 8)}` });
      longName = undefined;
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** zip: the central directory (found through the end record), DOS times as one number. */
export function zipMembers(b: Buffer): Member[] {
  const out: Member[] = [];
  const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > b.length) return out;
  const count = b.readUInt16LE(eocd + 10);
  let at = b.readUInt32LE(eocd + 16);
  for (let i = 0; i < count && at + 46 <= b.length; i++) {
    if (b.readUInt32LE(at) !== 0x02014b50) break;
    const n = b.readUInt16LE(at + 28);
    const extra = b.readUInt16LE(at + 30);
    const comment = b.readUInt16LE(at + 32);
    out.push({ name: b.subarray(at + 46, at + 46 + n).toString('utf8'), mtime: b.readUInt32LE(at + 12), owner: '' });
    at += 46 + n + extra + comment;
  }
  return out;
}
