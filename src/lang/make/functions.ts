/**
 * Make's built-in functions, as far as they can be evaluated without running anything. Text functions
 * (`subst`, `patsubst`, `notdir`, ...) are exact; `shell`, `wildcard`, `eval` and friends stay unresolved. A
 * function whose arguments are not final is not evaluated either: its text is kept as written.
 */
import { topLevelIndex } from './lines.js';
import { child, note, type ExpandState } from './state.js';

/** Expansion itself, handed in by expand.ts (which calls the functions): no import cycle. */
export interface Expander {
  expand(text: string, st: ExpandState): string;
  variable(name: string, orig: string, st: ExpandState): string;
}

export function words(s: string): string[] {
  return s.split(/[ \t\n]+/).filter((w) => w !== '');
}

/** `%` matching as in patsubst/filter: one `%` matches any stem; without `%` the word must be equal. */
function stemOf(pattern: string, word: string): string | undefined {
  const p = pattern.indexOf('%');
  if (p < 0) return pattern === word ? '' : undefined;
  const pre = pattern.slice(0, p);
  const post = pattern.slice(p + 1);
  if (word.length < pre.length + post.length || !word.startsWith(pre) || !word.endsWith(post)) return undefined;
  return word.slice(pre.length, word.length - post.length);
}

export function patsubstWord(pattern: string, repl: string, word: string): string {
  const stem = stemOf(pattern, word);
  if (stem === undefined) return word;
  if (!pattern.includes('%')) return repl;
  const r = repl.indexOf('%');
  return r < 0 ? repl : repl.slice(0, r) + stem + repl.slice(r + 1);
}

function notdir(w: string): string {
  return w.slice(w.lastIndexOf('/') + 1);
}
function dir(w: string): string {
  const i = w.lastIndexOf('/');
  return i < 0 ? './' : w.slice(0, i + 1);
}
function suffixAt(w: string): number {
  const dot = w.lastIndexOf('.');
  return dot > w.lastIndexOf('/') ? dot : -1;
}

/** Pure text functions: arguments are expanded first; `max` is how many arguments the function takes. */
const PURE: Record<string, { max: number; fn: (a: string[]) => string }> = {
  subst: { max: 3, fn: ([f, t, s]) => (f ? s!.split(f).join(t) : s!) },
  patsubst: { max: 3, fn: ([p, r, s]) => words(s!).map((w) => patsubstWord(p!.trim(), r!.trim(), w)).join(' ') },
  strip: { max: 1, fn: ([s]) => words(s!).join(' ') },
  findstring: { max: 2, fn: ([f, s]) => (s!.includes(f!) ? f! : '') },
  filter: { max: 2, fn: ([p, s]) => words(s!).filter((w) => words(p!).some((q) => stemOf(q, w) !== undefined)).join(' ') },
  'filter-out': { max: 2, fn: ([p, s]) => words(s!).filter((w) => !words(p!).some((q) => stemOf(q, w) !== undefined)).join(' ') },
  sort: { max: 1, fn: ([s]) => [...new Set(words(s!))].sort().join(' ') },
  word: { max: 2, fn: ([n, s]) => words(s!)[Number(n!.trim()) - 1] ?? '' },
  wordlist: { max: 3, fn: ([a, b, s]) => words(s!).slice(Number(a!.trim()) - 1, Number(b!.trim())).join(' ') },
  words: { max: 1, fn: ([s]) => String(words(s!).length) },
  firstword: { max: 1, fn: ([s]) => words(s!)[0] ?? '' },
  lastword: { max: 1, fn: ([s]) => words(s!).at(-1) ?? '' },
  dir: { max: 1, fn: ([s]) => words(s!).map(dir).join(' ') },
  notdir: { max: 1, fn: ([s]) => words(s!).map(notdir).join(' ') },
  suffix: { max: 1, fn: ([s]) => words(s!).map((w) => (suffixAt(w) < 0 ? '' : w.slice(suffixAt(w)))).filter(Boolean).join(' ') },
  basename: { max: 1, fn: ([s]) => words(s!).map((w) => (suffixAt(w) < 0 ? w : w.slice(0, suffixAt(w)))).join(' ') },
  addsuffix: { max: 2, fn: ([x, s]) => words(s!).map((w) => w + x).join(' ') },
  addprefix: { max: 2, fn: ([x, s]) => words(s!).map((w) => x + w).join(' ') },
  join: {
    max: 2,
    fn: ([a, b]) => {
      const wa = words(a!);
      const wb = words(b!);
      return Array.from({ length: Math.max(wa.length, wb.length) }, (_, i) => (wa[i] ?? '') + (wb[i] ?? '')).join(' ');
    },
  },
  info: { max: 1, fn: () => '' },
  warning: { max: 1, fn: () => '' },
};

/** Functions that need something make runs or reads (a shell, the file system, make's own parser). */
const UNRESOLVED = new Set(['shell', 'wildcard', 'realpath', 'abspath', 'error', 'file', 'guile', 'let']);
const CONTROL = new Set(['if', 'or', 'and', 'foreach', 'call', 'value', 'origin', 'flavor', 'eval']);

export function isFunction(name: string): boolean {
  return name in PURE || UNRESOLVED.has(name) || CONTROL.has(name);
}

/** Splits a function's argument text at top-level commas into at most `max` arguments. */
export function splitArgs(text: string, max: number): string[] {
  const args: string[] = [];
  let rest = text;
  while (args.length < max - 1) {
    const i = topLevelIndex(rest, (c) => c === ',');
    if (i < 0) break;
    args.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  args.push(rest);
  return args;
}

/** Expands each text; undefined when any is not final (its reasons noted in `st`). */
function expandAll(texts: readonly string[], st: ExpandState, ex: Expander): string[] | undefined {
  const sub = child(st);
  const out = texts.map((t) => ex.expand(t, sub));
  note(st, sub.unresolved);
  return sub.unresolved.length > 0 ? undefined : out;
}

export function callFunction(name: string, argText: string, orig: string, st: ExpandState, ex: Expander): string {
  const pure = PURE[name];
  if (pure) {
    const args = expandAll(splitArgs(argText, pure.max), st, ex);
    if (!args) return orig;
    while (args.length < pure.max) args.push('');
    return pure.fn(args);
  }
  if (UNRESOLVED.has(name)) {
    if (name === 'shell' && st.shellHook) {
      const sub = child(st);
      const command = ex.expand(argText, sub);
      if (sub.unresolved.length === 0) st.shellHook(command);
    }
    note(st, [`$(${name} ...) is not evaluated by the audit`]);
    return orig;
  }
  return control(name, argText, orig, st, ex);
}

function control(name: string, argText: string, orig: string, st: ExpandState, ex: Expander): string {
  switch (name) {
    case 'if': {
      const [cond = '', then = '', otherwise = ''] = splitArgs(argText, 3);
      const c = expandAll([cond], st, ex);
      if (!c) return orig;
      return ex.expand(c[0]!.trim() !== '' ? then : otherwise, st);
    }
    case 'or':
    case 'and': {
      let last = '';
      for (const arg of splitArgs(argText, Number.MAX_SAFE_INTEGER)) {
        const v = expandAll([arg], st, ex);
        if (!v) return orig;
        last = v[0]!.trim();
        if ((name === 'or') === (last !== '')) return name === 'or' ? last : '';
      }
      return name === 'or' ? '' : last;
    }
    case 'foreach': {
      const [v = '', list = '', body = ''] = splitArgs(argText, 3);
      const head = expandAll([v, list], st, ex);
      if (!head) return orig;
      return words(head[1]!)
        .map((w) => withLocals(st, new Map([[head[0]!.trim(), w]]), () => ex.expand(body, st)))
        .join(' ');
    }
    case 'call':
      return callUser(argText, orig, st, ex);
    case 'eval': {
      if (!st.evalHook) break;
      const text = expandAll([argText], st, ex);
      if (!text) return orig;
      st.evalHook(text[0]!);
      return '';
    }
    case 'value':
    case 'origin':
    case 'flavor': {
      const n = expandAll([argText], st, ex);
      if (!n) return orig;
      const v = st.vars.get(n[0]!.trim());
      if (name === 'value') return v ? v.value : '';
      if (name === 'origin') return v ? v.origin : 'undefined';
      return v ? v.flavor : 'undefined';
    }
    default:
      break;
  }
  note(st, [`$(${name} ...) is not evaluated by the audit`]);
  return orig;
}

function withLocals<T>(st: ExpandState, locals: Map<string, string>, fn: () => T): T {
  st.locals.push(locals);
  try {
    return fn();
  } finally {
    st.locals.pop();
  }
}

function callUser(argText: string, orig: string, st: ExpandState, ex: Expander): string {
  const parts = splitArgs(argText, Number.MAX_SAFE_INTEGER);
  const expanded = expandAll(parts, st, ex);
  if (!expanded) return orig;
  const fname = expanded[0]!.trim();
  const locals = new Map<string, string>(expanded.map((a, i) => [String(i), i === 0 ? fname : a]));
  for (let i = expanded.length; i < 10; i++) locals.set(String(i), '');
  const v = st.vars.get(fname);
  if (!v) return ex.variable(fname, orig, st);
  note(st, v.unresolved);
  if (v.flavor === 'simple') return v.value;
  return withLocals(st, locals, () => ex.expand(v.value, st));
}
