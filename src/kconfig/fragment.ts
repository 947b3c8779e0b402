/**
 * Config fragment and `.config` lines: `CONFIG_X=value`, `# CONFIG_X is not set`, comments and blank lines.
 *
 * One parser serves fragments and resolved `.config` files. It follows the kernel's reader
 * (`scripts/kconfig/confdata.c`, `conf_read_simple`) for what counts as an assignment, and is stricter where the
 * kernel silently ignores a line the author surely meant as one (`#CONFIG_X is not set`, unquoted strings, text after
 * a value): those are reported as malformed with their line numbers. It never throws on user input.
 */
import { readFile } from 'node:fs/promises';
import { ExitCode, fail, ioFailure, unreachable, type Failure } from '../core/errors.js';

export type TriLetter = 'n' | 'm' | 'y';

/** The value on the right of `CONFIG_X=`, classified by its spelling (the symbol's type is not known here). */
export type ConfigValue =
  | { kind: 'tristate'; value: TriLetter }
  /** Decimal, optionally negative: `64`, `-1`. */
  | { kind: 'number'; text: string }
  /** `0x1f`, or bare hex digits that are not a decimal number (`ff`). */
  | { kind: 'hex'; text: string }
  /** A quoted string; `value` is unescaped. */
  | { kind: 'string'; value: string };

/** One assignment line. `value` undefined means `# CONFIG_X is not set`. */
export interface ConfigLine {
  /** The symbol name without the `CONFIG_` prefix. */
  name: string;
  value?: ConfigValue;
  /** 1-based line number. */
  line: number;
  /** The line as written. */
  text: string;
}

export interface ParsedConfig {
  file: string;
  /** Every assignment in file order, duplicates included. */
  lines: ConfigLine[];
  /** The effective assignment per symbol (the last one wins, as in the kernel). */
  byName: Map<string, ConfigLine>;
  /** Malformed lines (errors) and suspicious ones (warnings). */
  diagnostics: (Failure & { severity: 'error' | 'warning' })[];
}

const PREFIX = 'CONFIG_';

function isNameChar(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '_';
}

function isName(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (!isNameChar(c)) return false;
  return true;
}

function isDecimal(s: string): boolean {
  const body = s.startsWith('-') ? s.slice(1) : s;
  return body.length > 0 && [...body].every((c) => c >= '0' && c <= '9');
}

function isHexDigits(s: string): boolean {
  return s.length > 0 && [...s].every((c) => /[0-9a-fA-F]/.test(c));
}

type ValueResult = { ok: true; value: ConfigValue } | { ok: false; message: string; hint: string };

/** Unescape a quoted string as the kernel does: a backslash keeps the next character; `"` ends it. */
function parseQuoted(raw: string): ValueResult {
  let out = '';
  for (let i = 1; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === undefined) break;
      out += next;
      i++;
    } else if (c === '"') {
      if (i !== raw.length - 1) {
        return { ok: false, message: 'text after the closing quote', hint: 'remove it or put it inside the quotes' };
      }
      return { ok: true, value: { kind: 'string', value: out } };
    } else {
      out += c;
    }
  }
  return { ok: false, message: 'unterminated string', hint: 'close the string with `"` (escape inner quotes as `\\"`)' };
}

export function parseValue(raw: string): ValueResult {
  if (raw === '') return { ok: false, message: 'empty value', hint: 'write a value, or `# CONFIG_X is not set`' };
  if (raw === 'y' || raw === 'm' || raw === 'n') return { ok: true, value: { kind: 'tristate', value: raw } };
  if (raw.startsWith('"')) return parseQuoted(raw);
  if (isDecimal(raw)) return { ok: true, value: { kind: 'number', text: raw } };
  if ((raw.startsWith('0x') || raw.startsWith('0X')) && isHexDigits(raw.slice(2))) {
    return { ok: true, value: { kind: 'hex', text: raw } };
  }
  if (isHexDigits(raw)) return { ok: true, value: { kind: 'hex', text: raw } };
  if (/\s/.test(raw)) {
    return { ok: false, message: 'text after the value', hint: 'put comments on their own line starting with `#`' };
  }
  return { ok: false, message: 'unquoted string value', hint: 'quote strings: CONFIG_X="text"' };
}

/** The line as the kernel writes it. */
export function renderLine(name: string, value: ConfigValue | undefined): string {
  if (value === undefined) return `# ${PREFIX}${name} is not set`;
  return `${PREFIX}${name}=${renderValue(value)}`;
}

export function renderValue(value: ConfigValue): string {
  switch (value.kind) {
    case 'tristate':
      return value.value;
    case 'number':
    case 'hex':
      return value.text;
    case 'string':
      return `"${value.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    default:
      return unreachable(value, 'config value');
  }
}

type LineResult =
  | { kind: 'blank' }
  | { kind: 'comment' }
  | { kind: 'assign'; name: string; value?: ConfigValue }
  | { kind: 'bad'; severity: 'error' | 'warning'; message: string; hint: string; value?: string };

const NOT_SET = ' is not set';

/** `#` lines: the exact `# CONFIG_X is not set`, a near miss the kernel would ignore, or a plain comment. */
function classifyHashLine(text: string): LineResult {
  if (text.startsWith(`# ${PREFIX}`) && text.endsWith(NOT_SET)) {
    const name = text.slice(2 + PREFIX.length, text.length - NOT_SET.length);
    if (isName(name)) return { kind: 'assign', name };
  }
  const body = text.replace(/^#\s*/, '');
  if (!body.startsWith(PREFIX)) return { kind: 'comment' };
  let end = PREFIX.length;
  while (end < body.length && isNameChar(body[end] as string)) end++;
  const name = body.slice(PREFIX.length, end);
  const rest = body.slice(end);
  if (name && /^\s*is\s+not\s+set\s*$/.test(rest)) {
    return {
      kind: 'bad',
      severity: 'error',
      message: 'not a valid "is not set" line: the kernel reads it as a comment',
      hint: `write exactly \`# ${PREFIX}${name} is not set\``,
      value: text,
    };
  }
  if (name && rest.startsWith('=')) {
    return {
      kind: 'bad',
      severity: 'warning',
      message: 'commented-out assignment has no effect',
      hint: `to disable the option write \`# ${PREFIX}${name} is not set\``,
      value: text,
    };
  }
  return { kind: 'comment' };
}

function classifyLine(text: string): LineResult {
  if (text.trim() === '') return { kind: 'blank' };
  if (text.startsWith('#')) return classifyHashLine(text);
  const hint = 'lines are `CONFIG_NAME=value`, `# CONFIG_NAME is not set`, comments starting with `#`, or blank';
  if (!text.startsWith(PREFIX)) {
    return { kind: 'bad', severity: 'error', message: 'unexpected text (the kernel ignores this line)', hint, value: text };
  }
  const eq = text.indexOf('=');
  const name = text.slice(PREFIX.length, eq < 0 ? undefined : eq);
  if (eq < 0 || !isName(name)) {
    return { kind: 'bad', severity: 'error', message: 'expected CONFIG_NAME=value', hint, value: text };
  }
  const raw = text.slice(eq + 1);
  const trimmed = raw.replace(/[ \t]+$/, '');
  const v = parseValue(trimmed);
  if (!v.ok) return { kind: 'bad', severity: 'error', message: v.message, hint: v.hint, value: text };
  return { kind: 'assign', name, value: v.value };
}

/** Parse a fragment or `.config` text. `file` is used in diagnostics. */
export function parseConfigText(text: string, file: string): ParsedConfig {
  const out: ParsedConfig = { file, lines: [], byName: new Map(), diagnostics: [] };
  const rows = text.split('\n');
  if (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  rows.forEach((row, i) => {
    const line = i + 1;
    const t = row.endsWith('\r') ? row.slice(0, -1) : row;
    const r = classifyLine(t);
    switch (r.kind) {
      case 'blank':
      case 'comment':
        return;
      case 'bad':
        out.diagnostics.push({
          code: r.severity === 'error' ? 'kconfig.fragment-syntax' : 'kconfig.fragment-commented-out',
          severity: r.severity,
          message: r.message,
          exit: r.severity === 'error' ? ExitCode.usage : ExitCode.ok,
          where: { file, line },
          ...(r.value !== undefined ? { value: r.value } : {}),
          hint: r.hint,
        });
        return;
      case 'assign': {
        const entry: ConfigLine = { name: r.name, line, text: t, ...(r.value ? { value: r.value } : {}) };
        const prev = out.byName.get(r.name);
        if (prev) {
          out.diagnostics.push({
            code: 'kconfig.fragment-duplicate',
            severity: 'warning',
            message: `${PREFIX}${r.name} is set again (line ${prev.line} is overridden)`,
            exit: ExitCode.ok,
            where: { file, line },
            value: t,
            hint: 'keep one line per symbol',
          });
        }
        out.lines.push(entry);
        out.byName.set(r.name, entry);
        return;
      }
      default:
        unreachable(r, 'line kind');
    }
  });
  return out;
}

/** A config file's text; an I/O error is thrown as a TarsmithError (exit 3) naming the file. */
export async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    return fail(ioFailure(e, 'cannot read', file));
  }
}

/** Read and parse a fragment or .config file. */
export async function readConfigFile(file: string): Promise<ParsedConfig> {
  return parseConfigText(await readConfigText(file), file);
}
