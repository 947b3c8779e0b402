/**
 * The spill path's member metadata, stored compactly: names (and symlink targets) as UTF-8 in one growing byte
 * store, every other field in typed arrays indexed by member number, and a name → member hash table of int32
 * slots. Memory grows by a few dozen bytes per member plus its name, never by a JS object per member.
 * Semantics are those of a Map keyed by name: setting a name again replaces the member in place.
 */
import { decodeName, isByteName, nameBytes } from './names.js';

export const Kind = { dir: 0, file: 1, symlink: 2 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/**
 * One member's fields, as read back. Files: `body` numbers the spilled body (hardlinked copies share it), at
 * `offset`/`size` in the spill file. Symlinks: `target`.
 */
export interface MemberView {
  kind: Kind;
  mtime: number;
  exec: boolean;
  body: number;
  offset: number;
  size: number;
  target: string;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function grown<T extends Float64Array | Uint32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

export class MemberTable {
  private store = Buffer.allocUnsafe(1 << 20);
  private storeEnd = 0;
  private cap = 1024;
  private nameOff = new Float64Array(this.cap);
  private nameLen = new Uint32Array(this.cap);
  private targetOff = new Float64Array(this.cap);
  private targetLen = new Uint32Array(this.cap);
  private mtime = new Float64Array(this.cap);
  private bodyNo = new Float64Array(this.cap);
  private bodyOff = new Float64Array(this.cap);
  private bodySize = new Float64Array(this.cap);
  private kind = new Uint8Array(this.cap);
  private exec = new Uint8Array(this.cap);
  private slots = new Int32Array(2048);
  /** Number of members. */
  size = 0;

  /** Append bytes to the store; returns where they start. */
  private put(s: string): number {
    if (isByteName(s)) return this.putBytes(nameBytes(s));
    const need = Buffer.byteLength(s, 'utf8');
    if (this.storeEnd + need > this.store.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.store.length * 2, this.storeEnd + need));
      this.store.copy(bigger, 0, 0, this.storeEnd);
      this.store = bigger;
    }
    const at = this.storeEnd;
    this.storeEnd += this.store.write(s, at, 'utf8');
    return at;
  }

  private putBytes(b: Buffer): number {
    if (this.storeEnd + b.length > this.store.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.store.length * 2, this.storeEnd + b.length));
      this.store.copy(bigger, 0, 0, this.storeEnd);
      this.store = bigger;
    }
    const at = this.storeEnd;
    this.storeEnd += b.copy(this.store, at);
    return at;
  }

  private text(off: number, len: number): string {
    return decodeName(this.store.subarray(off, off + len)).name;
  }

  private hash(off: number, len: number): number {
    let h = FNV_OFFSET;
    for (let i = off; i < off + len; i++) h = Math.imul(h ^ (this.store[i] as number), FNV_PRIME);
    return h >>> 0;
  }

  /** The slot of the name at store[off, off+len): holds member+1, or 0 when the name is absent. */
  private slotOf(off: number, len: number): number {
    const mask = this.slots.length - 1;
    for (let s = this.hash(off, len) & mask; ; s = (s + 1) & mask) {
      const m = (this.slots[s] as number) - 1;
      if (m < 0) return s;
      const o = this.nameOff[m] as number;
      if (this.nameLen[m] === len && this.store.compare(this.store, off, off + len, o, o + len) === 0) return s;
    }
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let m = 0; m < this.size; m++) this.slots[this.slotOf(this.nameOff[m] as number, this.nameLen[m] as number)] = m + 1;
  }

  private grow(): void {
    this.cap *= 2;
    this.nameOff = grown(this.nameOff, this.cap);
    this.nameLen = grown(this.nameLen, this.cap);
    this.targetOff = grown(this.targetOff, this.cap);
    this.targetLen = grown(this.targetLen, this.cap);
    this.mtime = grown(this.mtime, this.cap);
    this.bodyNo = grown(this.bodyNo, this.cap);
    this.bodyOff = grown(this.bodyOff, this.cap);
    this.bodySize = grown(this.bodySize, this.cap);
    this.kind = grown(this.kind, this.cap);
    this.exec = grown(this.exec, this.cap);
  }

  /** The member called `name`, or -1. */
  find(name: string): number {
    const mark = this.storeEnd;
    const off = this.put(name);
    const m = (this.slots[this.slotOf(off, this.storeEnd - off)] as number) - 1;
    this.storeEnd = mark;
    return m;
  }

  /** Add or replace the member called `name`. */
  set(name: string, v: Omit<MemberView, 'target'> & { target?: string }): void {
    const mark = this.storeEnd;
    const off = this.put(name);
    const len = this.storeEnd - off;
    const s = this.slotOf(off, len);
    let m = (this.slots[s] as number) - 1;
    if (m >= 0) this.storeEnd = mark; // replacing: the stored name stays
    else {
      if (this.size === this.cap) this.grow();
      m = this.size++;
      this.nameOff[m] = off;
      this.nameLen[m] = len;
      this.slots[s] = m + 1;
      if (this.size * 2 > this.slots.length) this.rehash();
    }
    this.kind[m] = v.kind;
    this.mtime[m] = v.mtime;
    this.exec[m] = v.exec ? 1 : 0;
    this.bodyNo[m] = v.body;
    this.bodyOff[m] = v.offset;
    this.bodySize[m] = v.size;
    const t = v.target ?? '';
    this.targetOff[m] = t === '' ? 0 : this.put(t);
    this.targetLen[m] = t === '' ? 0 : this.storeEnd - (this.targetOff[m] as number);
  }

  name(m: number): string {
    const o = this.nameOff[m] as number;
    return this.text(o, this.nameLen[m] as number);
  }

  get(m: number): MemberView {
    const t = this.targetOff[m] as number;
    return {
      kind: this.kind[m] as Kind,
      mtime: this.mtime[m] as number,
      exec: this.exec[m] === 1,
      body: this.bodyNo[m] as number,
      offset: this.bodyOff[m] as number,
      size: this.bodySize[m] as number,
      target: this.text(t, this.targetLen[m] as number),
    };
  }

  /** Adds a folder (mtime `epoch`) for every parent of a member that has no member of its own. */
  addParents(epoch: number): void {
    const n = this.size;
    for (let m = 0; m < n; m++) {
      const name = this.name(m);
      for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
        const dir = name.slice(0, i);
        if (this.find(dir) < 0) this.set(dir, { kind: Kind.dir, mtime: epoch, exec: false, body: -1, offset: 0, size: 0 });
      }
    }
  }

  /** Member numbers in byte order of their names. */
  sorted(): Uint32Array {
    const order = new Uint32Array(this.size);
    for (let m = 0; m < this.size; m++) order[m] = m;
    const { store, nameOff, nameLen } = this;
    return order.sort((a, b) => {
      const oa = nameOff[a] as number;
      const ob = nameOff[b] as number;
      return store.compare(store, ob, ob + (nameLen[b] as number), oa, oa + (nameLen[a] as number));
    });
  }
}
