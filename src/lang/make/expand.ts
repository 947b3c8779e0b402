/**
 * Make variable expansion: `$(VAR)`, `${VAR}`, `$X`, `$$`, nested names `$($(A)_B)`, substitution references
 * `$(VAR:.c=.o)`, and the functions in make-functions.ts. What cannot be known without running anything (an
 * undefined variable, `$(shell ...)`, `$(wildcard ...)`) is kept as written and its reason recorded: the caller
 * sees both the text and why it is not final. Never throws.
 */
import { topLevelIndex } from './lines.js';
import type { MakeVar } from './types.js';
import { callFunction, isFunction, patsubstWord, words, type Expander } from './functions.js';
import { child, note, type ExpandState } from './state.js';

export { child, note, type ExpandState } from './state.js';

/** Variables make defines itself, as a plain `make` with a clean environment sees them. */
export const DEFAULT_VARS: Readonly<Record<string, string>> = {
  MAKE: 'make',
  SHELL: '/bin/sh',
  CC: 'cc',
  CXX: 'g++',
  CPP: '$(CC) -E',
  AR: 'ar',
  AS: 'as',
  LD: 'ld',
  RM: 'rm -f',
  MAKEFLAGS: '',
  MAKECMDGOALS: '',
};

/** Variables make sets from the machine it runs on: never known to a reader of the makefile, said so. */
const MACHINE_VARS: Readonly<Record<string, string>> = {
  CURDIR: '$(CURDIR) is the folder make runs in, known only when it runs',
  PWD: '$(PWD) comes from the environment make runs in',
  HOME: '$(HOME) comes from the environment make runs in',
  USER: '$(USER) comes from the environment make runs in',
};

const MAX_DEPTH = 200;

export function newState(vars: Map<string, MakeVar>, undefinedIsEmpty = false): ExpandState {
  return { vars, locals: [], undefinedIsEmpty, unresolved: [], expanding: new Set() };
}

/** Index of the char closing a reference opened at `from` (make counts only the same kind of parenthesis). */
function matching(text: string, from: number, open: string, close: string): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === open) depth++;
    else if (text[i] === close && --depth === 0) return i;
  }
  return -1;
}

export function expand(text: string, st: ExpandState): string {
  if (st.expanding.size > MAX_DEPTH) {
    note(st, ['expansion too deep']);
    return text;
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const n = text[i + 1];
    if (c !== '$' || n === undefined) {
      out += c;
      i++;
    } else if (n === '$') {
      out += '$';
      i += 2;
    } else if (n === '(' || n === '{') {
      const end = matching(text, i + 2, n, n === '(' ? ')' : '}');
      if (end < 0) {
        note(st, [`unterminated variable reference ${text.slice(i)}`]);
        return out + text.slice(i);
      }
      out += markedReference(text.slice(i + 2, end), text.slice(i, end + 1), st);
      i = end + 1;
    } else {
      out += markedReference(n, `$${n}`, st);
      i += 2;
    }
  }
  return out;
}

/** What the functions expand their arguments with (passed in, so that functions.ts does not import this file). */
const EXPANDER: Expander = { expand, variable };

function markedReference(inner: string, orig: string, st: ExpandState): string {
  if (!st.mark) return reference(inner, orig, st);
  const sub = child(st);
  const r = reference(inner, orig, sub);
  note(st, sub.unresolved);
  if (sub.unresolved.length === 0) return r;
  if (r === orig) return st.mark(orig, sub.unresolved);
  // A value made before (`TOPDIR := $(CURDIR)`) holds the references it could not resolve as text: mark them too.
  return remark(r, sub.unresolved, st.mark);
}

/** Every `$(...)` / `${...}` left in an expanded value, replaced by a mark with the value's reasons. */
function remark(value: string, reasons: readonly string[], mark: NonNullable<ExpandState['mark']>): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const open = value[i + 1];
    if (value[i] === '$' && (open === '(' || open === '{')) {
      const end = matching(value, i + 2, open, open === '(' ? ')' : '}');
      if (end > 0) {
        out += mark(value.slice(i, end + 1), reasons);
        i = end;
        continue;
      }
    }
    out += value[i];
  }
  return out;
}

function reference(inner: string, orig: string, st: ExpandState): string {
  const fn = /^([a-z-]+)[ \t]/.exec(inner);
  if (fn && isFunction(fn[1]!)) return callFunction(fn[1]!, inner.slice(fn[0].length), orig, st, EXPANDER);
  const colon = topLevelIndex(inner, (ch) => ch === ':');
  const subst = colon >= 0 ? inner.slice(colon + 1) : undefined;
  const eq = subst !== undefined ? topLevelIndex(subst, (ch) => ch === '=') : -1;
  const nameSt = child(st);
  const name = expand(colon >= 0 && eq >= 0 ? inner.slice(0, colon) : inner, nameSt);
  if (nameSt.unresolved.length > 0) {
    note(st, nameSt.unresolved);
    return orig;
  }
  const valueSt = child(st);
  const value = variable(name, orig, valueSt);
  note(st, valueSt.unresolved);
  if (subst === undefined || eq < 0) return value;
  if (valueSt.unresolved.length > 0) return orig;
  const patSt = child(st);
  let from = expand(subst.slice(0, eq), patSt);
  let to = expand(subst.slice(eq + 1), patSt);
  if (patSt.unresolved.length > 0) {
    note(st, patSt.unresolved);
    return orig;
  }
  if (!from.includes('%')) {
    from = `%${from}`;
    to = `%${to}`;
  }
  return words(value)
    .map((w) => patsubstWord(from, to, w))
    .join(' ');
}

/** The value of variable `name` (locals first), expanding recursive variables. */
export function variable(name: string, orig: string, st: ExpandState): string {
  for (let k = st.locals.length - 1; k >= 0; k--) {
    const local = st.locals[k]!.get(name);
    if (local !== undefined) return local;
  }
  const auto = automaticPart(name, st);
  if (auto !== undefined) return auto;
  const v = st.vars.get(name);
  if (!v) {
    const dflt = DEFAULT_VARS[name];
    if (dflt !== undefined) return expand(dflt, st);
    if (st.undefinedIsEmpty) return '';
    note(st, [MACHINE_VARS[name] ?? `undefined variable ${name}`]);
    return orig;
  }
  note(st, v.unresolved);
  if (v.flavor === 'simple') return v.value;
  if (st.expanding.has(name)) {
    note(st, [`variable ${name} references itself`]);
    return orig;
  }
  st.expanding.add(name);
  try {
    return expand(v.value, st);
  } finally {
    st.expanding.delete(name);
  }
}

/** `$(@D)`, `$(<F)` and friends, from the automatic variables bound as locals. */
function automaticPart(name: string, st: ExpandState): string | undefined {
  if (name.length !== 2 || (name[1] !== 'D' && name[1] !== 'F')) return undefined;
  for (let k = st.locals.length - 1; k >= 0; k--) {
    const base = st.locals[k]!.get(name[0]!);
    if (base === undefined) continue;
    return words(base)
      .map((w) => {
        const slash = w.lastIndexOf('/');
        if (name[1] === 'F') return w.slice(slash + 1);
        return slash < 0 ? '.' : w.slice(0, Math.max(slash, 1));
      })
      .join(' ');
  }
  return undefined;
}
