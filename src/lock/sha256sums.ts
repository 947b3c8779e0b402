/**
 * `SHA256SUMS` in the coreutils `sha256sum` format: `<64 hex><space><space or *><name>`, one per line; a line that
 * starts with `\` has `\\` and `\n` escapes in its name. Written sorted so that `sha256sum -c` passes.
 */
import { ExitCode, type Failure } from '../core/errors.js';

export interface SumEntry {
  /** Relative to the folder holding SHA256SUMS, `/`-separated. */
  file: string;
  sha256: string;
}

function escapeName(name: string): { escaped: boolean; text: string } {
  if (!name.includes('\\') && !name.includes('\n') && !name.includes('\r')) return { escaped: false, text: name };
  let text = '';
  for (const ch of name) text += ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch;
  return { escaped: true, text };
}

function unescapeName(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = s[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else return undefined;
  }
  return out;
}

/** Sorted by name (byte order), two spaces, trailing newline. */
export function formatSums(entries: readonly SumEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return sorted
    .map((e) => {
      const { escaped, text } = escapeName(e.file);
      return `${escaped ? '\\' : ''}${e.sha256}  ${text}\n`;
    })
    .join('');
}

function isHex64(s: string): boolean {
  if (s.length !== 64) return false;
  for (const c of s) if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

/** Parse one non-empty line; returns an entry or a reason. */
function parseLine(raw: string): SumEntry | string {
  let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const escaped = line.startsWith('\\');
  if (escaped) line = line.slice(1);
  const hash = line.slice(0, 64);
  if (!isHex64(hash)) return 'expected 64 hex digits at the start of the line';
  const sep = line.slice(64, 66);
  if (sep !== '  ' && sep !== ' *') return 'expected two spaces (or " *") after the hash';
  const rawName = line.slice(66);
  const name = escaped ? unescapeName(rawName) : rawName;
  if (name === undefined) return 'bad escape in the file name';
  if (name === '') return 'empty file name';
  return { file: name, sha256: hash.toLowerCase() };
}

/** Parse the text of a SHA256SUMS file. Never throws: bad lines come back as failures with line numbers. */
export function parseSums(text: string, file: string): { entries: SumEntry[]; failures: Failure[] } {
  const entries: SumEntry[] = [];
  const failures: Failure[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const r = parseLine(line);
    if (typeof r === 'string') {
      failures.push({
        code: 'verify.bad-sums-line',
        message: `not a sha256sum line: ${r}`,
        exit: ExitCode.usage,
        where: { file, line: i + 1, col: 1 },
        value: line,
        hint: 'write it with `sha256sum FILE... > SHA256SUMS` inside packages/',
      });
    } else {
      entries.push(r);
    }
  });
  return { entries, failures };
}
