/**
 * Why two versions of a file differ, read from their bytes: an embedded build path, host or user name, a date or
 * time string, archive member order, times or owners (`ar`, tar, zip), a gzip header, ELF sections, and a text
 * diff. Pure: the two buffers and what the second build varied in, nothing else.
 */
import { gunzipSync } from 'node:zlib';
import { createTwoFilesPatch } from 'diff';
import { elfSections } from './elf.js';
import { arMembers, tarMembers, zipMembers, type Member } from './members.js';

export type Cause = 'derived' | 'build-path' | 'host-or-user' | 'date-time' | 'archive-order' | 'archive-times' | 'archive-owners' | 'gzip-header' | 'elf-sections' | 'text' | 'bytes';

export interface Hint {
  cause: Cause;
  detail: string;
}

export interface ExplainContext {
  /** Strings only the second build could have written: its source root, host name, user name, HOME. */
  secondOnly: { cause: 'build-path' | 'host-or-user'; text: string }[];
  /** The first build's working directory (where its sources were), e.g. /src/hello. */
  firstBuildPath?: string;
}

const DATE_PATTERNS: RegExp[] = [
  /\b(19|20)\d\d-[01]\d-[0-3]\d([T ][0-2]\d:[0-5]\d(:[0-5]\d)?)?/,
  /\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b.{0,3}\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/,
  /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} +(19|20)\d\d\b/,
  /\b\d{1,2}\.? (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)/i,
  /\b[0-2]\d:[0-5]\d:[0-5]\d\b/,
  /\b1[6-9]\d{8}\b/,
];

/** Byte ranges where the buffers differ (aligned from the start), at most `max`. */
export function diffWindows(a: Buffer, b: Buffer, max = 8): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && out.length < max) {
    if (a[i] === b[i]) { i++; continue; }
    const start = i;
    let same = 0;
    while (i < n && same < 8) { same = a[i] === b[i] ? same + 1 : 0; i++; }
    out.push({ start, end: i - same });
  }
  if (out.length < max && a.length !== b.length) out.push({ start: n, end: Math.max(a.length, b.length) });
  return out;
}

const printable = (buf: Buffer, from: number, to: number) => buf.subarray(Math.max(0, from), Math.min(buf.length, to)).toString('latin1').replace(/[^\x20-\x7e\u00a0-\u00ff]/g, ' ');

function dateHints(a: Buffer, b: Buffer): Hint[] {
  for (const w of diffWindows(a, b)) {
    const ta = printable(a, w.start - 32, w.end + 32);
    const tb = printable(b, w.start - 32, w.end + 32);
    for (const re of DATE_PATTERNS) {
      const ma = re.exec(ta);
      const mb = re.exec(tb);
      if (ma && mb && ma[0] !== mb[0]) return [{ cause: 'date-time', detail: `a date or time string: ${JSON.stringify(ma[0])} in the first build, ${JSON.stringify(mb[0])} in the second` }];
    }
  }
  return [];
}

function stringHints(a: Buffer, b: Buffer, ctx: ExplainContext): Hint[] {
  const out: Hint[] = [];
  for (const s of ctx.secondOnly) {
    if (b.includes(s.text) && !a.includes(s.text)) {
      out.push({ cause: s.cause, detail: s.cause === 'build-path' ? `embeds the build path: ${JSON.stringify(s.text)} in the second build${ctx.firstBuildPath && a.includes(ctx.firstBuildPath) ? `, ${JSON.stringify(ctx.firstBuildPath)} in the first` : ''}` : `embeds the host or user name: ${JSON.stringify(s.text)} in the second build` });
    }
  }
  return out.filter((h, i) => out.findIndex((x) => x.cause === h.cause) === i);
}

function memberHints(kind: string, a: Member[], b: Member[]): Hint[] {
  const out: Hint[] = [];
  const na = a.map((m) => m.name);
  const nb = b.map((m) => m.name);
  if (na.join('\0') !== nb.join('\0') && [...na].sort().join('\0') === [...nb].sort().join('\0')) {
    out.push({ cause: 'archive-order', detail: `${kind} members in another order (first: ${na.slice(0, 4).join(', ')}${na.length > 4 ? ', ...' : ''}; second: ${nb.slice(0, 4).join(', ')}${nb.length > 4 ? ', ...' : ''}): the archive follows the directory order; sort the inputs (tar --sort=name, ar from a sorted list)` });
  }
  const byName = new Map(b.map((m) => [m.name, m]));
  const times = a.filter((m) => byName.has(m.name) && byName.get(m.name)!.mtime !== m.mtime);
  if (times.length > 0) out.push({ cause: 'archive-times', detail: `${kind} member times differ (${times[0]!.name}: ${times[0]!.mtime} vs ${byName.get(times[0]!.name)!.mtime}): clamp them to SOURCE_DATE_EPOCH (tar --mtime=@$SOURCE_DATE_EPOCH --clamp-mtime, ar D)` });
  const owners = a.filter((m) => byName.has(m.name) && byName.get(m.name)!.owner !== m.owner);
  if (owners.length > 0) out.push({ cause: 'archive-owners', detail: `${kind} member owners differ (${owners[0]!.name}: ${owners[0]!.owner} vs ${byName.get(owners[0]!.name)!.owner}): write fixed owners (tar --owner=0 --group=0 --numeric-owner)` });
  return out;
}

function archiveHints(a: Buffer, b: Buffer, ctx: ExplainContext, depth: number): Hint[] {
  if (a.subarray(0, 8).toString('latin1') === '!<arch>\n' && b.subarray(0, 8).toString('latin1') === '!<arch>\n') return memberHints('ar', arMembers(a), arMembers(b));
  if (a.subarray(257, 262).toString('latin1') === 'ustar' && b.subarray(257, 262).toString('latin1') === 'ustar') return memberHints('tar', tarMembers(a), tarMembers(b));
  if (a.readUInt32LE(0) === 0x04034b50 && b.length > 4 && b.readUInt32LE(0) === 0x04034b50) return memberHints('zip', zipMembers(a), zipMembers(b));
  if (a[0] === 0x1f && a[1] === 0x8b && b[0] === 0x1f && b[1] === 0x8b && depth === 0) {
    const out: Hint[] = [];
    if (!a.subarray(4, 8).equals(b.subarray(4, 8))) out.push({ cause: 'gzip-header', detail: `gzip header time differs (${a.readUInt32LE(4)} vs ${b.readUInt32LE(4)}): compress with gzip -n (no name, no time)` });
    const nameOf = (x: Buffer) => ((x[3]! & 8) !== 0 ? x.subarray(10, x.indexOf(0, 10)).toString('latin1') : '');
    if (nameOf(a) !== nameOf(b)) out.push({ cause: 'gzip-header', detail: `gzip header file name differs (${JSON.stringify(nameOf(a))} vs ${JSON.stringify(nameOf(b))}): compress with gzip -n` });
    try {
      const ia = gunzipSync(a);
      const ib = gunzipSync(b);
      if (!ia.equals(ib)) out.push(...explainBytes(ia, ib, ctx, depth + 1).map((h) => ({ ...h, detail: `inside the gzip stream: ${h.detail}` })));
    } catch {
      /* not one complete gzip stream each: the header is all there is to say */
    }
    return out;
  }
  return [];
}

function elfHints(a: Buffer, b: Buffer): Hint[] {
  const sa = elfSections(a);
  const sb = elfSections(b);
  if (!sa || !sb) return [];
  const other = new Map(sb.map((s) => [s.name, s]));
  const differ = sa.filter((s) => { const o = other.get(s.name); return !o || !s.bytes.equals(o.bytes); }).map((s) => s.name);
  for (const s of sb) if (!sa.some((x) => x.name === s.name)) differ.push(s.name);
  if (differ.length === 0) return [{ cause: 'elf-sections', detail: 'the ELF sections are the same; the headers or the layout differ' }];
  const why: string[] = [];
  if (differ.includes('.comment')) why.push('.comment names the compiler and its version');
  if (differ.some((n) => n === '.note.gnu.build-id')) why.push('the build-id is a hash of the rest, so it follows any other difference');
  if (differ.some((n) => n.startsWith('.debug'))) why.push('debug info holds the compile directory (DW_AT_comp_dir): build with -ffile-prefix-map=$PWD=.');
  return [{ cause: 'elf-sections', detail: `ELF sections that differ: ${differ.slice(0, 12).join(', ')}${differ.length > 12 ? ', ...' : ''}${why.length > 0 ? ` (${why.join('; ')})` : ''}` }];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function isText(x: Buffer): boolean {
  if (x.includes(0)) return false;
  try { utf8.decode(x); return true; } catch { return false; }
}

function textHint(a: Buffer, b: Buffer, name: string): Hint[] {
  if (!isText(a) || !isText(b) || a.length > 1 << 20 || b.length > 1 << 20) return [];
  const patch = createTwoFilesPatch(`first/${name}`, `second/${name}`, a.toString('utf8'), b.toString('utf8'), '', '', { context: 1 });
  const lines = patch.split('\n').slice(2, 42);
  return [{ cause: 'text', detail: lines.join('\n') }];
}

/** The hints for one file that differs, most specific first; `bytes` with the first offset when nothing else fits. */
export function explainBytes(a: Buffer, b: Buffer, ctx: ExplainContext, depth = 0, name = 'file'): Hint[] {
  const hints = [...stringHints(a, b, ctx), ...archiveHints(a, b, ctx, depth), ...elfHints(a, b)];
  const archive = hints.some((h) => h.cause.startsWith('archive') || h.cause === 'gzip-header');
  if (!archive) hints.push(...dateHints(a, b));
  if (depth === 0 && !archive) hints.push(...textHint(a, b, name));
  if (hints.length === 0) {
    const w = diffWindows(a, b, 1)[0];
    hints.push({ cause: 'bytes', detail: `the bytes differ from offset ${w?.start ?? 0} (sizes ${a.length} and ${b.length}); no known cause matched` });
  }
  return hints;
}
