/** Member-name checks shared by extraction and normalize: no absolute names, no `..`, strip, VCS, depth. */
import type { ArchiveFailureCode } from './failures.js';
import { nameLength } from './names.js';

export const VCS_DIRS: ReadonlySet<string> = new Set(['.git', '.hg', '.svn', '.bzr']);
export const DEFAULT_MAX_DEPTH = 128;
/** Linux's limits: NAME_MAX for one component, PATH_MAX (less the NUL) for the whole name. */
export const MAX_COMPONENT_BYTES = 255;
export const MAX_NAME_BYTES = 4095;

export interface PathRules {
  strip: number;
  dropVcs: boolean;
  maxDepth: number;
}

export type PathVerdict =
  | { kind: 'ok'; parts: string[]; rel: string }
  | { kind: 'skip'; reason: 'strip' | 'vcs' | 'root' }
  | { kind: 'refuse'; code: ArchiveFailureCode; why: string };

/** Components of a member name with empty and `.` components removed (no other interpretation). */
export function splitName(name: string): string[] {
  return name.split('/').filter((p) => p !== '' && p !== '.');
}

/** Decide what to do with the member name `raw` under `rules`. */
export function checkMemberPath(raw: string, rules: PathRules): PathVerdict {
  if (raw === '' || raw.includes('\0')) return { kind: 'refuse', code: 'archive.bad-path', why: 'empty or NUL in name' };
  if (raw.startsWith('/')) return { kind: 'refuse', code: 'archive.absolute-path', why: 'absolute member name' };
  // As GNU tar's --strip-components: a `.` component counts (`./pkg/x` with strip 1 is `pkg/x`); only then are
  // the remaining `.` components dropped.
  const comps = raw.split('/').filter((p) => p !== '');
  if (comps.includes('..')) return { kind: 'refuse', code: 'archive.path-traversal', why: 'member name contains ".."' };
  if (comps.every((p) => p === '.')) return { kind: 'skip', reason: 'root' };
  if (comps.length <= rules.strip) return { kind: 'skip', reason: 'strip' };
  const parts = comps.slice(rules.strip).filter((p) => p !== '.');
  if (parts.length === 0) return { kind: 'skip', reason: 'strip' };
  if (rules.dropVcs && parts.some((p) => VCS_DIRS.has(p))) return { kind: 'skip', reason: 'vcs' };
  if (nameLength(raw) > MAX_NAME_BYTES) return { kind: 'refuse', code: 'archive.name-too-long', why: `name longer than ${MAX_NAME_BYTES} bytes` };
  const long = parts.find((p) => nameLength(p) > MAX_COMPONENT_BYTES);
  if (long !== undefined) return { kind: 'refuse', code: 'archive.name-too-long', why: `a component longer than ${MAX_COMPONENT_BYTES} bytes` };
  if (parts.length > rules.maxDepth) {
    return { kind: 'refuse', code: 'archive.too-deep', why: `${parts.length} levels deep (limit ${rules.maxDepth})` };
  }
  return { kind: 'ok', parts, rel: parts.join('/') };
}

/** What a resolver needs to know about the tree: is this (relative, `/`-joined) path a symlink, and to what. */
export type SymlinkLookup = (rel: string) => string | undefined;

/** Symlink hops followed before a chain counts as a loop (Linux's own limit). */
const MAX_HOPS = 40;

/**
 * Follow `target`, written in a symlink at `linkParts`, through the tree's own symlinks. Returns
 * 'escape' when resolution climbs above the root or meets an absolute target, 'loop' on a symlink cycle,
 * 'inside' otherwise (components that do not exist are taken literally). With `rooted`, an absolute target
 * starts again at the top of the tree instead of escaping (a root filesystem's view of its own links).
 */
export function resolveLink(linkParts: readonly string[], target: string, lookup: SymlinkLookup, rooted = false): 'inside' | 'escape' | 'loop' {
  if (target.startsWith('/') && !rooted) return 'escape';
  let stack = target.startsWith('/') ? [] : linkParts.slice(0, -1);
  let queue = target.split('/');
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.shift() as string;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (stack.length === 0) return 'escape';
      stack.pop();
      continue;
    }
    stack.push(c);
    const next = lookup(stack.join('/'));
    if (next === undefined) continue;
    if (++hops > MAX_HOPS) return 'loop';
    if (next.startsWith('/')) {
      if (!rooted) return 'escape';
      stack = [];
    } else stack.pop();
    queue = [...next.split('/'), ...queue];
  }
  return 'inside';
}
