/**
 * The Kconfig lexer, following scripts/kconfig/lexer.l: keywords, words (macro-expanded when they hold `$`),
 * quoted strings (with `$(…)` expanded and `\x` escapes), operators, `#` comments, `\`-newline continuations,
 * assignment values taken verbatim, and help blocks with the kernel's indentation rules.
 *
 * `FileLexer` reads one file; `TokenStream` stacks files as `source` pushes them (a sourced file is spliced into
 * the token stream at the point of the `source` statement, exactly like the kernel's lexer), drops redundant
 * end-of-lines and switches to assignment-value mode after `WORD =`, `WORD :=`, `WORD +=` at a statement start.
 */
import type { CodeOf } from '../core/errors.js';
import { UNKNOWN, type MacroEngine } from './macros.js';

export const KEYWORDS = [
  'bool', 'choice', 'comment', 'config', 'def_bool', 'def_tristate', 'default', 'depends', 'endchoice', 'endif',
  'endmenu', 'help', 'hex', 'if', 'imply', 'int', 'mainmenu', 'menu', 'menuconfig', 'modules', 'on', 'prompt',
  'range', 'select', 'source', 'rsource', 'osource', 'orsource', 'string', 'tristate', 'visible', 'transitional',
  'optional',
] as const;
export type Keyword = (typeof KEYWORDS)[number];
const keywordSet: ReadonlySet<string> = new Set(KEYWORDS);

export const OPERATORS = ['||', '&&', '=', '!=', '<', '<=', '>', '>=', '!', '(', ')', ':=', '+='] as const;
export type Operator = (typeof OPERATORS)[number];

export type Token =
  | { t: 'kw'; kw: Keyword; file: string; line: number }
  | { t: 'op'; op: Operator; file: string; line: number }
  /** An unquoted word; `unknown` holds the text when its expansion depended on an unknown macro result. */
  | { t: 'word'; value: string; unknown?: string; file: string; line: number }
  | { t: 'quote'; value: string; file: string; line: number }
  | { t: 'assignval'; value: string; file: string; line: number }
  | { t: 'eol'; file: string; line: number }
  | { t: 'eof'; file: string; line: number };

export interface LexReporter {
  (severity: 'error' | 'warning', code: CodeOf<'kconfig'>, message: string, file: string, line: number, value?: string): void;
}

const OP_CHARS = '|&=!<>():+';

function isWordChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || (k >= 48 && k <= 57) || k === 95 || k === 45;
}

/** Tab stops every 8 columns, as the kernel counts help indentation. */
function indentWidth(ws: string): number {
  let ts = 0;
  for (const c of ws) ts = c === '\t' ? (ts & ~7) + 8 : ts + 1;
  return ts;
}

export class FileLexer {
  pos = 0;
  line = 1;
  /** Line of the current token's start. */
  private tokLine = 1;
  assignMode = false;

  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly macros: MacroEngine,
    private readonly report: LexReporter,
  ) {}

  next(): Token {
    return this.assignMode ? this.nextAssignValue() : this.nextInitial();
  }

  // Tokens are built as literals (no spreading): this is the parser's hottest allocation.
  private bare(t: 'eof' | 'eol'): Token {
    return { t, file: this.file, line: this.tokLine };
  }

  private valued(t: 'word' | 'quote' | 'assignval', value: string): Token {
    return { t, value, file: this.file, line: this.tokLine };
  }

  private nextInitial(): Token {
    const s = this.text;
    for (;;) {
      this.tokLine = this.line;
      const c = s[this.pos];
      if (c === undefined) return this.bare('eof');
      if (c === '#') {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl < 0 ? s.length : nl;
      } else if (c === ' ' || c === '\t' || c === '\r') {
        this.pos++;
      } else if (c === '\\' && s[this.pos + 1] === '\n') {
        this.pos += 2;
        this.line++;
      } else if (c === '\n') {
        this.pos++;
        this.line++;
        return this.bare('eol');
      } else if (c === '"' || c === "'") {
        this.pos++;
        return this.readString(c);
      } else if (isWordChar(c) || c === '$') {
        const w = this.readWord();
        if (w) return w;
      } else if (OP_CHARS.includes(c)) {
        const op = this.readOperator();
        if (op) return op;
      } else {
        this.report('warning', 'kconfig.ignored-character', `ignoring unsupported character '${c}'`, this.file, this.line, c);
        this.pos++;
      }
    }
  }

  private readOperator(): Token | undefined {
    const s = this.text;
    const two = s.slice(this.pos, this.pos + 2);
    if ((OPERATORS as readonly string[]).includes(two)) {
      this.pos += 2;
      return { t: 'op', op: two as Operator, file: this.file, line: this.tokLine };
    }
    const one = s[this.pos] as string;
    this.pos++;
    if ((OPERATORS as readonly string[]).includes(one)) return { t: 'op', op: one as Operator, file: this.file, line: this.tokLine };
    this.report('warning', 'kconfig.ignored-character', `ignoring unsupported character '${one}'`, this.file, this.line, one);
    return undefined;
  }

  private readWord(): Token | undefined {
    const s = this.text;
    let end = this.pos;
    let dollar = false;
    while (end < s.length && (isWordChar(s[end]) || s[end] === '$')) {
      if (s[end] === '$') dollar = true;
      end++;
    }
    if (!dollar) {
      const value = s.slice(this.pos, end);
      this.pos = end;
      if (keywordSet.has(value)) return { t: 'kw', kw: value as Keyword, file: this.file, line: this.tokLine };
      return this.valued('word', value);
    }
    const nl = s.indexOf('\n', this.pos);
    const lineEnd = nl < 0 ? s.length : nl;
    const rest = s.slice(this.pos, lineEnd);
    const r = this.macros.expandOneToken(rest, 0);
    const original = rest.slice(0, r.end);
    this.pos += r.end;
    if (r.out === '') return undefined;
    if (r.out.includes(UNKNOWN)) return { t: 'word', value: r.out.replaceAll(UNKNOWN, ''), unknown: original, file: this.file, line: this.tokLine };
    return this.valued('word', r.out);
  }

  private readString(quote: string): Token {
    const s = this.text;
    let out = '';
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) break;
      if (c === '$') {
        const nl = s.indexOf('\n', this.pos);
        const rest = s.slice(this.pos, nl < 0 ? s.length : nl);
        const r = this.macros.expandDollar(rest, 1);
        out += r.out.replaceAll(UNKNOWN, '');
        this.pos += r.end;
      } else if (c === '\\') {
        const n = s[this.pos + 1];
        if (n !== undefined && n !== '\n') {
          out += n;
          this.pos += 2;
        } else this.pos++;
      } else if (c === quote) {
        this.pos++;
        break;
      } else if (c === '\n') {
        this.report('warning', 'kconfig.multi-line-string', 'multi-line strings not supported', this.file, this.tokLine);
        break;
      } else {
        out += c;
        this.pos++;
      }
    }
    return this.valued('quote', out);
  }

  private nextAssignValue(): Token {
    const s = this.text;
    this.tokLine = this.line;
    while (s[this.pos] === ' ' || s[this.pos] === '\t') this.pos++;
    const c = s[this.pos];
    if (c === undefined) {
      this.assignMode = false;
      return this.bare('eof');
    }
    if (c === '\n') {
      this.assignMode = false;
      this.pos++;
      this.line++;
      return this.bare('eol');
    }
    const nl = s.indexOf('\n', this.pos);
    const end = nl < 0 ? s.length : nl;
    const value = s.slice(this.pos, end);
    this.pos = end;
    return this.valued('assignval', value);
  }

  /** Read a help block starting at the line after `help`; returns its text (indentation rules of lexer.l). */
  readHelp(): string {
    const s = this.text;
    let firstTs = 0;
    let lastTs = 0;
    let out = '';
    while (this.pos < s.length) {
      let j = this.pos;
      while (s[j] === ' ' || s[j] === '\t') j++;
      if (j >= s.length) {
        this.pos = j;
        break;
      }
      if (s[j] === '\n') {
        const after = s[j + 1];
        this.pos = j + 1;
        this.line++;
        if (after !== undefined && after !== ' ' && after !== '\t' && after !== '\n') break;
        out += '\n';
        continue;
      }
      if (j > this.pos) {
        const ts = indentWidth(s.slice(this.pos, j));
        lastTs = ts;
        if (firstTs) {
          if (ts < firstTs) {
            this.pos = j;
            break;
          }
          out += ' '.repeat(ts - firstTs);
        }
      }
      const nl = s.indexOf('\n', j);
      const k = nl < 0 ? s.length : nl;
      out += s.slice(j, k).replace(/[ \t]+$/, '');
      if (!firstTs) firstTs = lastTs;
      this.pos = k;
      if (k >= s.length) break;
      const after = s[k + 1];
      this.pos = k + 1;
      this.line++;
      if (after !== undefined && after !== ' ' && after !== '\t' && after !== '\n') break;
      out += '\n';
    }
    return out;
  }
}

/** The token stream over a stack of files, with the kernel lexer's second stage. */
export class TokenStream {
  private readonly stack: FileLexer[] = [];
  private prev: Token['t'] | 'help' = 'eol';
  private prevPrev: Token['t'] | 'help' = 'eol';
  private peeked: Token | undefined;

  constructor(root: FileLexer) {
    this.stack.push(root);
  }

  get current(): FileLexer {
    return this.stack[this.stack.length - 1] as FileLexer;
  }

  /** Files currently open, innermost last (for recursive-source detection). */
  openFiles(): string[] {
    return this.stack.map((l) => l.file);
  }

  push(lexer: FileLexer): void {
    this.stack.push(lexer);
  }

  peek(): Token {
    this.peeked ??= this.read();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  /** Called after `help` EOL has been consumed. */
  readHelp(): string {
    if (this.peeked) throw new Error('readHelp after peek');
    const text = this.current.readHelp();
    this.prevPrev = this.prev;
    this.prev = 'help';
    return text;
  }

  private read(): Token {
    for (;;) {
      let tok = this.current.next();
      if (tok.t === 'eof' && this.stack.length > 1) {
        this.stack.pop();
        tok = { t: 'eol', file: tok.file, line: tok.line };
      }
      if ((this.prev === 'eol' || this.prev === 'help') && tok.t === 'eol') continue;
      const isAssignOp = tok.t === 'op' && (tok.op === '=' || tok.op === ':=' || tok.op === '+=');
      if (this.prevPrev === 'eol' && this.prev === 'word' && isAssignOp) this.current.assignMode = true;
      this.prevPrev = this.prev;
      this.prev = tok.t;
      return tok;
    }
  }
}
