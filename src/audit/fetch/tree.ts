/**
 * The audited tree: a folder, or a tarball read with the archive layer (never extracted). Paths are relative to
 * the project's top, `/`-separated; a tarball's single top folder (`ask-1.0/`) is the top. For a tarball only the
 * files the audit may read are kept in memory: build files, includable make fragments and scripts.
 */
import { readFileSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, ioFailure, isTarsmithError } from '../../core/errors.js';
import type { TextTree } from '../../lang/make/eval.js';

export interface AuditTree extends TextTree {
  /** Every regular file, sorted. */
  files: string[];
}

const MAX_TEXT = 2 * 1024 * 1024;
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules']);

/** Could the audit want to read this file? (Make fragments may have any name; these are the usual ones.) */
export function mayRead(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  if (/^(GNUmakefile|[Mm]akefile.*|Kbuild|CMakeLists\.txt|Dockerfile.*|Containerfile|\.gitmodules)$/.test(base)) return true;
  if (/\.(mk|mak|make|inc|include|defs|rules|cmake|sh|bash|wrap|dockerfile)$/i.test(base)) return true;
  return !base.includes('.');
}

function isText(buf: Buffer): boolean {
  return !buf.subarray(0, 8192).includes(0);
}

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await visit(r);
      } else if (e.isFile()) {
        out.push(r);
      }
    }
  };
  await visit('');
  return out.sort();
}

async function folderTree(root: string): Promise<AuditTree> {
  const files = await walk(root);
  const known = new Set(files);
  return {
    files,
    read(rel: string): string | undefined {
      if (!known.has(rel)) return undefined;
      try {
        const buf = readFileSync(path.join(root, rel));
        return buf.length <= MAX_TEXT && isText(buf) ? buf.toString('utf8') : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** The common single top folder of all paths, if there is one. */
function commonTop(paths: readonly string[]): string | undefined {
  let top: string | undefined;
  for (const p of paths) {
    const i = p.indexOf('/');
    if (i < 0) return undefined;
    const t = p.slice(0, i);
    if (top === undefined) top = t;
    else if (t !== top) return undefined;
  }
  return top;
}

async function tarballTree(file: string): Promise<AuditTree> {
  const { readEntries } = await import('../../archive/index.js');
  const all: string[] = [];
  const texts = new Map<string, string>();
  for await (const e of readEntries(file)) {
    const rel = e.path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (e.type !== 'file' || rel === '' || rel.split('/').some((s) => s === '..' || SKIP_DIRS.has(s))) continue;
    all.push(rel);
    if (!e.body || e.size > MAX_TEXT || !mayRead(rel)) continue;
    const chunks: Buffer[] = [];
    for await (const c of e.body) chunks.push(c);
    const buf = Buffer.concat(chunks);
    if (isText(buf)) texts.set(rel, buf.toString('utf8'));
  }
  const top = commonTop(all);
  const strip = (p: string) => (top ? p.slice(top.length + 1) : p);
  const files = all.map(strip).sort();
  const byRel = new Map([...texts].map(([k, v]) => [strip(k), v]));
  return { files, read: (rel) => byRel.get(rel) };
}

/** Opens a folder or a tarball for auditing. */
export async function openTree(p: string): Promise<AuditTree> {
  let st;
  try {
    st = await fs.stat(p);
  } catch (e) {
    fail({ ...ioFailure(e, 'cannot open', p), exit: ExitCode.usage, hint: 'give a folder or a tarball (.tar, .tar.gz, .tar.bz2, .tar.xz, .tar.zst)' });
  }
  if (st.isDirectory()) return folderTree(p);
  try {
    return await tarballTree(p);
  } catch (e) {
    if (isTarsmithError(e)) throw e;
    fail(ioFailure(e, 'cannot read', p));
  }
}
