/**
 * The one extraction policy. Every path that turns an archive into a tree (normalize, the build's canonical
 * source tar, safe extraction) refuses the same things, each named by member and rule:
 * absolute names, `..`, links whose target leaves the tree (absolute targets included), writing through a
 * link, a name that is first one type and then another, devices, fifos, sockets, sparse files, excessive depth
 * or name length. Modes are normalised by the writers (no setuid/setgid, no world-writable bits).
 *
 * A source that really needs one refused class (an absolute symlink inside a rootfs-like tarball) names it in
 * `allow:`; exactly that class is then let through and the build record lists it.
 */
import type { Failure } from '../core/errors.js';
import { memberFailure, type ArchiveFailureCode } from './failures.js';
import { nameLength } from './names.js';
import { DEFAULT_MAX_DEPTH, resolveLink, type PathRules, type SymlinkLookup } from './paths.js';

/** Classes of member a source may allow explicitly. */
export const ALLOW_CLASSES = ['absolute-symlinks'] as const;
export type AllowClass = (typeof ALLOW_CLASSES)[number];

export interface PolicyOptions {
  strip?: number;
  dropVcs?: boolean;
  maxDepth?: number;
  allow?: readonly AllowClass[];
}

export interface Policy extends PathRules {
  allow: ReadonlySet<AllowClass>;
}

export function policyOf(opts: PolicyOptions = {}): Policy {
  return {
    strip: opts.strip ?? 0,
    dropVcs: opts.dropVcs ?? true,
    maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH,
    allow: new Set(opts.allow ?? []),
  };
}

/** A refusal of one member, before it is turned into a Failure naming the archive. */
export class Refusal extends Error {
  constructor(
    readonly code: ArchiveFailureCode,
    readonly why: string,
  ) {
    super(why);
  }
}

/** What the tree holds at a path so far, as far as a checker needs to know. */
export type NodeKind = 'dir' | 'file' | 'symlink';

/**
 * The parents of `parts` must be folders (or not exist yet): a symlink parent means writing through a link,
 * a file parent means one name would be a file and then a folder.
 */
export function checkParents(parts: readonly string[], kindOf: (rel: string) => NodeKind | undefined): void {
  for (let i = 1; i < parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    const k = kindOf(rel);
    if (k === 'symlink') throw new Refusal('archive.through-symlink', `written through the symlink "${rel}" of this archive`);
    if (k === 'file') throw new Refusal('archive.type-change', `"${rel}" is a file earlier in the archive and a folder here`);
  }
}

/** A member at a name already used: allowed only when both are of one kind (a symlink is then replaced, never followed). */
export function checkReplace(prev: NodeKind | undefined, next: NodeKind): void {
  if (prev === undefined || prev === next) return;
  throw new Refusal('archive.type-change', `first a ${prev === 'dir' ? 'folder' : prev}, then a ${next === 'dir' ? 'folder' : next} at the same name`);
}

/** A symlink target as written: absolute targets need `allow: [absolute-symlinks]`. */
export function checkSymlinkTarget(target: string, policy: Policy): void {
  if (target === '' || target.includes('\0')) throw new Refusal('archive.bad-path', 'empty symlink target or NUL in it');
  if (nameLength(target) > 4095) throw new Refusal('archive.name-too-long', 'symlink target longer than 4095 bytes');
  if (target.startsWith('/') && !policy.allow.has('absolute-symlinks')) {
    throw new Refusal('archive.link-escape', `symlink to the absolute path "${target}"`);
  }
}

/**
 * Once the whole tree is known: every symlink, followed through the tree's other symlinks, must stay inside.
 * With `absolute-symlinks` allowed, an absolute target is read as rooted at the top of the tree (as inside a
 * root filesystem).
 */
export function checkSymlinks(archive: string, symlinks: Iterable<readonly [string, string]>, lookup: SymlinkLookup, policy: Policy): Failure[] {
  const rooted = policy.allow.has('absolute-symlinks');
  const out: Failure[] = [];
  for (const [rel, target] of symlinks) {
    const verdict = resolveLink(rel.split('/'), target, lookup, rooted);
    if (verdict === 'inside') continue;
    const why = verdict === 'loop' ? `symlink loop through "${target}"` : `symlink to "${target}" leaves the tree`;
    out.push(memberFailure(archive, 'archive.link-escape', rel, why));
  }
  return out;
}
