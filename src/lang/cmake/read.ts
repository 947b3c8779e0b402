/**
 * A reader of CMake's command syntax: command invocations with quoted, unquoted and bracket arguments, line and
 * bracket comments. Knows nothing of what the commands do.
 */

export interface Arg {
  raw: string;
  bracket: boolean;
}
export interface Call {
  /** Lower-cased (CMake command names are case-insensitive); `written` as in the file. */
  name: string;
  written: string;
  args: Arg[];
  line: number;
}

function bracketEnd(text: string, i: number): { end: number; close: string } | undefined {
  const m = /^\[(=*)\[/.exec(text.slice(i, i + 64));
  if (!m) return undefined;
  const close = `]${m[1]}]`;
  const end = text.indexOf(close, i + m[0].length);
  return { end: end < 0 ? text.length : end, close: text.slice(i + m[0].length, end < 0 ? text.length : end) };
}

/** Reads the command invocations of a CMake file. */
export function readCMake(text: string): Call[] {
  const calls: Call[] = [];
  let i = 0;
  let line = 1;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (text[k] === '\n') line++;
    i = to;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      const b = bracketEnd(text, i + 1);
      const end = b ? text.indexOf(']', b.end + 1) + 1 : text.indexOf('\n', i);
      advance(end <= 0 ? text.length : end);
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (!id) {
      advance(i + 1);
      continue;
    }
    const startLine = line;
    advance(i + id[0].length);
    while (text[i] === ' ' || text[i] === '\t') advance(i + 1);
    if (text[i] !== '(') continue;
    advance(i + 1);
    calls.push({ name: id[0].toLowerCase(), written: id[0], args: readArgs(text, () => i, advance), line: startLine });
  }
  return calls;
}

function readArgs(text: string, pos: () => number, advance: (to: number) => void): Arg[] {
  const args: Arg[] = [];
  let depth = 0;
  while (pos() < text.length) {
    const i = pos();
    const c = text[i]!;
    if (/\s/.test(c)) advance(i + 1);
    else if (c === '(') { depth++; advance(i + 1); }
    else if (c === ')') { advance(i + 1); if (depth-- === 0) return args; }
    else if (c === '#') {
      const b = bracketEnd(text, i + 1);
      advance(b ? text.indexOf(']', b.end + 1) + 1 || text.length : Math.max(text.indexOf('\n', i), i + 1));
    } else if (c === '[' && bracketEnd(text, i)) {
      const b = bracketEnd(text, i)!;
      args.push({ raw: b.close.replace(/^\n/, ''), bracket: true });
      advance(text.indexOf(']', b.end + 1) + 1 || text.length);
    } else if (c === '"') {
      let k = i + 1;
      while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      args.push({ raw: text.slice(i + 1, k).replace(/\\\n/g, '').replace(/\\(["\\])/g, '$1'), bracket: false });
      advance(Math.min(k + 1, text.length));
    } else {
      let k = i;
      while (k < text.length && !/[\s()#"]/.test(text[k]!)) k += text[k] === '\\' ? 2 : 1;
      args.push({ raw: text.slice(i, k), bracket: false });
      advance(k);
    }
  }
  return args;
}
