/**
 * Token storage: parallel typed arrays (kind, start, end, start-of-line, one-character punctuator), not objects.
 * A large file has hundreds of thousands of tokens, and objects that live for the whole scan make the garbage
 * collector the bottleneck. `token(i)` gives an object where one is handy (directives, `#if` expressions).
 */

export type TokKind = 'ident' | 'number' | 'string' | 'char' | 'header' | 'punct';
const KINDS: readonly TokKind[] = ['ident', 'number', 'string', 'char', 'header', 'punct'];
const K_IDENT = 0;
const K_NUMBER = 1;
const K_STRING = 2;
const K_CHAR = 3;
const K_HEADER = 4;
const K_PUNCT = 5;
/** Numeric kinds as stored in `TokenStream.kinds`, for hot loops. */
export const KIND_CODE = { ident: K_IDENT, number: K_NUMBER, string: K_STRING, char: K_CHAR, header: K_HEADER, punct: K_PUNCT } as const;

export interface Token {
  kind: TokKind;
  text: string;
  /** Offset in the spliced text (see `SourceMap.locate`). */
  pos: number;
  /** First token of a logical line (a `#` with `bol` starts a directive). */
  bol: boolean;
}

/** Read access to a run of tokens by index; out-of-range indexes give '' / undefined. */
export interface TokView {
  readonly length: number;
  text(k: number): string;
  kind(k: number): TokKind | undefined;
  /** Offset in the spliced text. */
  pos(k: number): number;
  /** Does token `k` read exactly `s`? (No string is made.) */
  is(k: number, s: string): boolean;
  /** Length of token `k` and its first character code (quick filters before `text`). */
  size(k: number): number;
  first(k: number): number;
  /** Per token: the character code of a one-character punctuator (`;`, `{`, `(`, ...), else 0. For hot loops. */
  readonly p: Uint8Array;
}

/** All tokens of a file. */
export class TokenStream implements TokView {
  length = 0;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  bols: Uint8Array;
  p: Uint8Array;
  /** Indexes of the `#` tokens that start a directive (first on their line). */
  readonly directives: number[] = [];
  constructor(readonly src: string) {
    const cap = Math.max(64, src.length >> 2);
    this.kinds = new Uint8Array(cap);
    this.starts = new Int32Array(cap);
    this.ends = new Int32Array(cap);
    this.bols = new Uint8Array(cap);
    this.p = new Uint8Array(cap);
  }
  push(kind: number, start: number, end: number, bol: boolean): void {
    if (this.length === this.kinds.length) this.grow();
    const i = this.length++;
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    this.bols[i] = bol ? 1 : 0;
    if (kind === K_PUNCT && end - start === 1) this.p[i] = this.src.charCodeAt(start);
  }
  private grow(): void {
    const cap = this.kinds.length * 2;
    const k = new Uint8Array(cap);
    k.set(this.kinds);
    const s = new Int32Array(cap);
    s.set(this.starts);
    const e = new Int32Array(cap);
    e.set(this.ends);
    const b = new Uint8Array(cap);
    b.set(this.bols);
    const p = new Uint8Array(cap);
    p.set(this.p);
    this.p = p;
    this.kinds = k;
    this.starts = s;
    this.ends = e;
    this.bols = b;
  }
  text(k: number): string {
    return k >= 0 && k < this.length ? this.src.slice(this.starts[k], this.ends[k]) : '';
  }
  kind(k: number): TokKind | undefined {
    return k >= 0 && k < this.length ? KINDS[this.kinds[k] ?? K_PUNCT] : undefined;
  }
  pos(k: number): number {
    return this.starts[k] ?? -1;
  }
  bol(k: number): boolean {
    return this.bols[k] === 1;
  }
  size(k: number): number {
    return k >= 0 && k < this.length ? (this.ends[k] ?? 0) - (this.starts[k] ?? 0) : 0;
  }
  first(k: number): number {
    return k >= 0 && k < this.length ? this.src.charCodeAt(this.starts[k] ?? 0) : -1;
  }
  is(k: number, s: string): boolean {
    if (k < 0 || k >= this.length) return false;
    const start = this.starts[k] ?? 0;
    if ((this.ends[k] ?? 0) - start !== s.length) return false;
    for (let j = 0; j < s.length; j++) if (this.src.charCodeAt(start + j) !== s.charCodeAt(j)) return false;
    return true;
  }
  token(k: number): Token {
    return { kind: this.kind(k) ?? 'punct', text: this.text(k), pos: this.pos(k), bol: this.bol(k) };
  }
}

/** A subsequence of a stream's tokens (e.g. the code left after removing directives), viewed by its own indexes. */
export class TokenSubset implements TokView {
  /** Stream index of each token of the subset (valid up to `length`). */
  idx: Int32Array;
  p: Uint8Array;
  length = 0;
  constructor(readonly stream: TokenStream, capacity = 16) {
    this.idx = new Int32Array(Math.max(16, capacity));
    this.p = new Uint8Array(this.idx.length);
  }
  add(streamIndex: number): void {
    if (this.length === this.idx.length) this.grow();
    this.p[this.length] = this.stream.p[streamIndex] ?? 0;
    this.idx[this.length++] = streamIndex;
  }
  /** Add stream tokens [from, to). */
  addRange(from: number, to: number): void {
    while (this.length + (to - from) > this.idx.length) this.grow();
    const { idx, p } = this;
    const sp = this.stream.p;
    let len = this.length;
    for (let i = from; i < to; i++) {
      idx[len] = i;
      p[len] = sp[i] ?? 0;
      len++;
    }
    this.length = len;
  }
  private grow(): void {
    const next = new Int32Array(this.idx.length * 2);
    next.set(this.idx);
    this.idx = next;
    const p = new Uint8Array(next.length);
    p.set(this.p);
    this.p = p;
  }
  /** The stream index of token `k` (-1 when out of range). */
  at(k: number): number {
    return k >= 0 && k < this.length ? (this.idx[k] ?? -1) : -1;
  }
  text(k: number): string {
    return this.stream.text(this.at(k));
  }
  kind(k: number): TokKind | undefined {
    return this.stream.kind(this.at(k));
  }
  pos(k: number): number {
    return this.stream.pos(this.at(k));
  }
  is(k: number, s: string): boolean {
    return this.stream.is(this.at(k), s);
  }
  size(k: number): number {
    return this.stream.size(this.at(k));
  }
  first(k: number): number {
    return this.stream.first(this.at(k));
  }
  token(k: number): Token {
    return this.stream.token(this.at(k));
  }
}
