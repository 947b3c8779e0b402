/**
 * Member names are bytes. A name is carried as a string so that path logic (`/`, `.`, `..`, depth) stays simple,
 * decoded as UTF-8 where it is valid and with every byte that is not part of valid UTF-8 kept as a lone surrogate
 * U+DC80..U+DCFF (the scheme of Python's `surrogateescape`). Valid UTF-8 never decodes to a lone surrogate, so the
 * mapping is one to one: two names differ as strings exactly when their bytes differ, and `nameBytes` gives the
 * bytes back. Anything that writes a name (a tar header, a file system path) writes `nameBytes(name)`.
 */

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const SURROGATE = /[\uD800-\uDFFF]/;

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one. */
function sequenceAt(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** The name held by `bytes`; `valid` is false when some byte was kept as a lone surrogate. */
export function decodeName(bytes: Uint8Array): { name: string; valid: boolean } {
  try {
    return { name: UTF8.decode(bytes), valid: true };
  } catch {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const n = sequenceAt(bytes, i);
      if (n === 0) {
        out += String.fromCharCode(0xdc00 + (bytes[i] as number));
        i++;
      } else {
        out += UTF8.decode(bytes.subarray(i, i + n));
        i += n;
      }
    }
    return { name: out, valid: false };
  }
}

/** The bytes of a name made by `decodeName` (for any other string: its UTF-8). */
export function nameBytes(name: string): Buffer {
  if (!SURROGATE.test(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (let i = 0; i < name.length; i++) {
    const u = name.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = name.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        run += name.slice(i, i + 2);
        i++;
        continue;
      }
    }
    if (u >= 0xdc80 && u <= 0xdcff) {
      if (run !== '') parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.from([u - 0xdc00]));
      continue;
    }
    run += name[i] as string;
  }
  if (run !== '') parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** Whether a name holds bytes that are not valid UTF-8. */
export function isByteName(name: string): boolean {
  return SURROGATE.test(name) && !isWellFormed(name);
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return false;
    }
    if (u >= 0xdc00 && u <= 0xdfff) return false;
  }
  return true;
}

/** Byte length of a name as written. */
export function nameLength(name: string): number {
  return SURROGATE.test(name) ? nameBytes(name).length : Buffer.byteLength(name, 'utf8');
}

/** Byte order of two names. */
export function compareNameBytes(a: string, b: string): number {
  return Buffer.compare(nameBytes(a), nameBytes(b));
}
