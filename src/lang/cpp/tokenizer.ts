/**
 * A C/C++ tokenizer for audits: comments, string/char literals (with L/u/U/u8 prefixes and C++ raw strings),
 * line continuations and header names. It never throws on user input: an unterminated literal or comment ends
 * at the end of its line (or of the file). Positions are offsets into the spliced text; `SourceMap` turns
 * them back into 1-based line:col of the original file.
 * Tokens are stored in a `TokenStream` (see cpp-tokens.ts).
 */
import { KIND_CODE, TokenStream } from './tokens.js';

export type { Token, TokKind, TokView } from './tokens.js';
export { KIND_CODE, TokenStream, TokenSubset } from './tokens.js';

const { ident: K_IDENT, number: K_NUMBER, string: K_STRING, char: K_CHAR, header: K_HEADER, punct: K_PUNCT } = KIND_CODE;

export interface Tokenized {
  tokens: TokenStream;
  map: SourceMap;
  /** The spliced text the token offsets point into. */
  text: string;
}

/** Maps offsets of the spliced text (backslash-newlines removed) to 1-based line:col of the original. */
export class SourceMap {
  private lineStarts: number[] | undefined;
  constructor(
    private readonly original: string,
    /** Offsets, in spliced text, where a splice was removed, and the removed length. */
    private readonly splices: ReadonlyArray<readonly [number, number]>,
  ) {}

  originalOffset(pos: number): number {
    let off = pos;
    for (const [at, len] of this.splices) {
      if (at > pos) break;
      off += len;
    }
    return off;
  }

  locate(pos: number): { line: number; col: number } {
    const off = this.originalOffset(pos);
    const starts = (this.lineStarts ??= computeLineStarts(this.original));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: off - (starts[lo] ?? 0) + 1 };
  }
}

function computeLineStarts(s: string): number[] {
  const starts = [0];
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Remove backslash-newline sequences, remembering where they were. */
export function splice(text: string): { text: string; splices: Array<[number, number]> } {
  if (text.indexOf('\\\n') < 0 && text.indexOf('\\\r\n') < 0) return { text, splices: [] };
  const splices: Array<[number, number]> = [];
  let out = '';
  let last = 0;
  let removed = 0;
  for (let i = text.indexOf('\\'); i >= 0; i = text.indexOf('\\', i + 1)) {
    const len = text.charCodeAt(i + 1) === 10 ? 2 : text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10 ? 3 : 0;
    if (len === 0) continue;
    out += text.slice(last, i);
    splices.push([i - removed, len]);
    removed += len;
    last = i + len;
    i += len - 1;
  }
  out += text.slice(last);
  return { text: out, splices };
}

const PUNCT3 = new Set(['<<=', '>>=', '...', '->*', '<=>']);
const PUNCT2 = new Set([
  '##', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=',
  '|=', '^=', '::', '.*',
]);
/** Characters that can start a punctuator of two or more characters. */
const MULTI_START = new Set([...PUNCT2].map((p) => p.charCodeAt(0)));
const MULTI_SECOND = new Set([...PUNCT2, ...PUNCT3].map((p) => p.charCodeAt(1)));

function punctLength(s: string, at: number, c: number): number {
  if (!MULTI_START.has(c)) return 1;
  const next = s.charCodeAt(at + 1);
  if (!MULTI_SECOND.has(next)) return 1;
  if (PUNCT3.has(s.slice(at, at + 3))) return 3;
  return PUNCT2.has(s.slice(at, at + 2)) ? 2 : 1;
}
const INCLUDES = new Set(['include', 'include_next', 'import']);
const STRING_PREFIXES = new Set(['L', 'u', 'U', 'u8']);
const RAW_PREFIXES = new Set(['R', 'LR', 'uR', 'UR', 'u8R']);

/** Character classes of latin1 code units: 1 starts an identifier, 2 continues one, 4 digit, 8 blank. */
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
  const digit = c >= 48 && c <= 57;
  CLASS[c] = (letter ? 3 : 0) | (digit ? 6 : 0) | (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 ? 8 : 0);
}
function cls(c: number): number {
  return c < 256 ? (CLASS[c] ?? 0) : c === c ? 3 : 0;
}
function isIdentStart(c: number): boolean {
  return (cls(c) & 1) !== 0;
}
function isIdentPart(c: number): boolean {
  return (cls(c) & 2) !== 0;
}
function isDigit(c: number): boolean {
  return (cls(c) & 4) !== 0;
}

export function tokenize(source: string): Tokenized {
  const { text, splices } = splice(source);
  const lexer = new Lexer(text);
  return { tokens: lexer.run(), map: new SourceMap(source, splices), text };
}

class Lexer {
  private i = 0;
  private bol = true;
  /** 0 outside directives; 1 after `#` at bol; 2 after `# include`; 3 in another directive. */
  private directive = 0;
  private readonly tokens: TokenStream;
  constructor(private readonly s: string) {
    this.tokens = new TokenStream(s);
  }

  run(): TokenStream {
    const s = this.s;
    const n = s.length;
    while (this.i < n) {
      const c = s.charCodeAt(this.i);
      if (c === 10) {
        this.bol = true;
        this.directive = 0;
        this.i++;
      } else if ((cls(c) & 8) !== 0) {
        this.i++;
      } else if (c === 47 && s.charCodeAt(this.i + 1) === 47) {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? n : nl;
      } else if (c === 47 && s.charCodeAt(this.i + 1) === 42) {
        const end = s.indexOf('*/', this.i + 2);
        this.i = end < 0 ? n : end + 2;
      } else {
        this.token(c);
      }
    }
    return this.tokens;
  }

  private push(kind: number, start: number, end: number): void {
    this.tokens.push(kind, start, end, this.bol);
    if (this.directive === 1) this.directive = kind === K_IDENT && INCLUDES.has(this.s.slice(start, end)) ? 2 : 3;
    else if (this.bol && kind === K_PUNCT && end - start === 1 && this.s.charCodeAt(start) === 35) {
      this.directive = 1;
      this.tokens.directives.push(this.tokens.length - 1);
    }
    this.bol = false;
    this.i = end;
  }

  private token(c: number): void {
    const start = this.i;
    const s = this.s;
    if (isIdentStart(c)) {
      let j = start + 1;
      while (j < s.length && isIdentPart(s.charCodeAt(j))) j++;
      const next = s.charCodeAt(j);
      if (next !== 34 && next !== 39) return this.push(K_IDENT, start, j);
      const word = j - start <= 3 ? s.slice(start, j) : '';
      if (next === 34 && RAW_PREFIXES.has(word)) return this.push(K_STRING, start, this.rawEnd(j));
      if (STRING_PREFIXES.has(word)) {
        return this.push(next === 34 ? K_STRING : K_CHAR, start, this.quotedEnd(j, next));
      }
      return this.push(K_IDENT, start, j);
    }
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(start + 1)))) return this.push(K_NUMBER, start, this.numberEnd(start));
    if (c === 34) return this.push(K_STRING, start, this.quotedEnd(start, 34));
    if (c === 39) return this.push(K_CHAR, start, this.quotedEnd(start, 39));
    if (c === 60 && this.directive === 2) {
      const close = s.indexOf('>', start);
      const nl = s.indexOf('\n', start);
      if (close >= 0 && (nl < 0 || close < nl)) return this.push(K_HEADER, start, close + 1);
    }
    return this.push(K_PUNCT, start, start + punctLength(s, start, c));
  }

  private numberEnd(start: number): number {
    const s = this.s;
    let j = start + 1;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      const prev = s.charCodeAt(j - 1) | 0x20;
      if (isIdentPart(c) || c === 46) j++;
      else if ((c === 43 || c === 45) && (prev === 101 || prev === 112)) j++;
      else if (c === 39 && isIdentPart(s.charCodeAt(j + 1))) j += 2;
      else break;
    }
    return j;
  }

  /** End (exclusive) of a quoted literal opened at `open`; an unterminated one ends before the newline. */
  private quotedEnd(open: number, quote: number): number {
    const s = this.s;
    let j = open + 1;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === quote) return j + 1;
      else if (c === 10) return j;
      else j++;
    }
    return s.length;
  }

  /** C++ raw string: R"delim( ... )delim". */
  private rawEnd(quote: number): number {
    const s = this.s;
    const paren = s.indexOf('(', quote);
    const nl = s.indexOf('\n', quote);
    if (paren < 0 || paren - quote > 17 || (nl >= 0 && nl < paren)) return this.quotedEnd(quote, 34);
    const closing = `)${s.slice(quote + 1, paren)}"`;
    const end = s.indexOf(closing, paren + 1);
    return end < 0 ? s.length : end + closing.length;
  }
}
