/**
 * The ready-to-paste `sources:` snippet for fetches: one entry per distinct (URL, ref), named after the URL,
 * in the manifest's own keys (`url:` or `git:` + `ref:`). Fetches that are not fully resolved are listed as
 * comments with the reason, never guessed.
 */
import { stringify } from 'yaml';
import { cloneDirName, normalizeUrl } from '../../shims/url.js';
import { isResolved, markUnresolved, type Fetch } from './types.js';

const ARCHIVE_SUFFIXES = ['.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tar.xz', '.txz', '.tar.zst', '.tzst', '.tar', '.zip'];

/** A source name for a URL: its last path part without archive or `.git` suffixes. */
export function sourceName(url: string): string {
  let b = cloneDirName(url.split(/[?#]/)[0]!);
  for (const s of ARCHIVE_SUFFIXES) if (b.endsWith(s)) b = b.slice(0, -s.length);
  b = b.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return b || 'source';
}

interface Entry {
  name: string;
  git?: string;
  ref?: string;
  url?: string;
}

export function sourcesSnippet(fetches: readonly Fetch[]): string {
  const entries: Entry[] = [];
  const seen = new Set<string>();
  const names = new Set<string>();
  const comments: string[] = [];
  for (const f of fetches) {
    if (!f.needsSource || f.coveredBy) continue;
    const where = `${f.file}:${f.line}`;
    if (f.kind === 'unsupported') {
      comments.push(`# ${where}: ${f.tool} fetch is not supported: vendor it by hand (${f.command})`);
      continue;
    }
    if (!isResolved(f.url) || (f.ref && !isResolved(f.ref))) {
      const why = [...(f.url?.unresolved ?? []), ...(f.ref?.unresolved ?? [])];
      const url = f.url ? markUnresolved(f.url.text, f.url.unresolved, f.url.spans) : '';
      const r = f.ref;
      const ref = r && r.unresolved.length > 0 ? ` (ref ${markUnresolved(r.text, r.unresolved, r.spans)})` : '';
      comments.push(`# ${where}: ${f.tool} ${url}${ref} is not resolved: ${why.join('; ')}`);
      continue;
    }
    const key = `${f.kind}\u0000${normalizeUrl(f.url.text)}\u0000${f.ref?.text ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let name = sourceName(f.url.text);
    for (let n = 2; names.has(name); n++) name = `${sourceName(f.url.text)}-${n}`;
    names.add(name);
    entries.push(f.kind === 'git' ? { name, git: f.url.text, ref: f.ref?.text ?? 'REF' } : { name, url: f.url.text });
  }
  if (entries.length === 0 && comments.length === 0) return '';
  const body = entries.length > 0 ? stringify({ sources: entries }, { lineWidth: 0 }) : 'sources: []\n';
  const refNote = entries.some((e) => e.ref === 'REF') ? ['# ref: REF marks a clone that names no branch or tag: write the one to vendor'] : [];
  return [...refNote, ...comments, body.trimEnd()].join('\n') + '\n';
}
