/** ELF section names and bytes (32/64-bit, either byte order), for `tarsmith repro`'s hints; undefined if not ELF. */

export interface Section {
  name: string;
  bytes: Buffer;
}

const SHT_NOBITS = 8;

export function elfSections(b: Buffer): Section[] | undefined {
  if (b.length < 52 || b.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const u16 = (at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const word = (at: number) => (is64 ? Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : u32(at));
  try {
    const shoff = word(is64 ? 0x28 : 0x20);
    const shentsize = u16(is64 ? 0x3a : 0x2e);
    const shnum = u16(is64 ? 0x3c : 0x30);
    const shstrndx = u16(is64 ? 0x3e : 0x32);
    if (shoff === 0 || shnum === 0 || shoff + shnum * shentsize > b.length) return [];
    const head = (i: number) => {
      const at = shoff + i * shentsize;
      return { name: u32(at), type: u32(at + 4), offset: word(at + (is64 ? 0x18 : 0x10)), size: word(at + (is64 ? 0x20 : 0x14)) };
    };
    const strtab = head(shstrndx);
    const names = b.subarray(strtab.offset, strtab.offset + strtab.size);
    const out: Section[] = [];
    for (let i = 1; i < shnum; i++) {
      const h = head(i);
      const end = names.indexOf(0, h.name);
      const name = names.subarray(h.name, end < 0 ? undefined : end).toString('latin1');
      out.push({ name, bytes: h.type === SHT_NOBITS ? Buffer.alloc(0) : b.subarray(h.offset, h.offset + h.size) });
    }
    return out;
  } catch {
    return undefined;
  }
}
