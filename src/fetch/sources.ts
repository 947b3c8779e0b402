/** Vendoring one input of each kind (url, git, local file) into packages/, returning its lock entry. */
import * as path from 'node:path';
import { ExitCode, fail, ioFailure, type Failure, type SourceLocation } from '../core/errors.js';
import type { Manifest, Source } from '../manifest/types.js';
import { copyHashed, fromCache } from './cache.js';
import { abs, checkPresent, placeFromCandidates, placeKnown, placeTmp, treeHashOf, type Candidate, type Placed, type Target } from './download.js';
import { archiveCommit, fetchMirror, hasCommit, resolveRef } from './git.js';
import { hashFile } from '../lock/hash.js';
import { log } from '../core/log.js';
import { mirrorFiles, mirrorRepo, mirrorUrlsAt, repoCandidates } from './local-mirror.js';
import { LOCK_FILE, PACKAGES_DIR, type Lock, type LockedFile, type LockedSource } from '../lock/lock.js';
import { sourceFixLine } from '../lock/mismatch.js';
import { whereOf } from '../lock/where.js';

export { whereOf };

export interface VendorContext {
  manifest: Manifest;
  old: Lock;
  frozen: boolean;
  update: ReadonlySet<string>;
  /** Mirror folders (absolute: `--mirror`, then `vendor.mirrors`), looked in before any origin (see local-mirror.ts). */
  mirrors: readonly string[];
  /** `vendor.mirrors` base URLs (http(s)): files (tarballs, builder packages) looked for after the folders. */
  mirrorUrls: readonly string[];
}

export interface Vendored<E> {
  entry: E;
  placed: Placed;
}

export function frozenFailure(label: string, reason: string, where?: SourceLocation): Failure {
  return {
    code: 'lock.frozen-change',
    message: `--frozen: ${label} would change ${LOCK_FILE}: ${reason}`,
    exit: ExitCode.checkFailed,
    ...(where ? { where } : {}),
    hint: `run \`tarsmith vendor\` without --frozen and commit ${LOCK_FILE}`,
  };
}

/** `packages/<last path segment of the URL>`, or `packages/<name>` when the URL has none. */
export function fileNameFromUrl(url: string, fallback: string): string {
  let base = '';
  try {
    base = decodeURIComponent(path.posix.basename(new URL(url).pathname));
  } catch {
    base = '';
  }
  const safe = base.replace(/[/\\\0]/g, '_');
  return safe && safe !== '.' && safe !== '..' && !safe.startsWith('.') ? safe : fallback;
}

function joinUrl(base: string, ...segs: string[]): string {
  return `${base.replace(/\/+$/, '')}/${segs.map(encodeURIComponent).join('/')}`;
}

const srcIndex = (m: Manifest, s: Source) => m.sources.indexOf(s);

export async function vendorUrl(ctx: VendorContext, s: Source): Promise<Vendored<LockedSource>> {
  if (s.origin.kind !== 'url') throw new Error('vendorUrl: not a url source');
  const { url, mirrors } = s.origin;
  const m = ctx.manifest;
  const locked = ctx.old.sources[s.name];
  const name = fileNameFromUrl(url, s.name);
  const usable =
    locked !== undefined && !ctx.update.has(s.name) && locked.origin === 'url' && locked.url === url &&
    (s.sha256 === undefined || s.sha256 === locked.sha256);
  const where = whereOf(m, `/sources/${srcIndex(m, s)}/url`);
  if (!usable && ctx.frozen) fail(frozenFailure(`source "${s.name}"`, locked ? 'its origin or hash changed' : 'it is not locked yet', where));
  const expected = usable ? locked.sha256 : s.sha256;
  const t: Target = {
    dir: m.dir,
    rel: usable ? locked.file : `${PACKAGES_DIR}/${name}`,
    label: `source "${s.name}"`,
    ...(expected ? { expected } : {}),
    ...(locked?.treeHash ? { lockedTree: locked.treeHash } : {}),
    needTree: !usable && s.extract,
    fix: (actual) => sourceFixLine(m, s.name, actual),
  };
  const byName: Candidate[] = mirrors.map((b) => ({ via: 'mirror', url: joinUrl(b, name) }));
  const origin: Candidate = { via: 'origin', url };
  // The project's mirrors come first (--mirror folders, then vendor.mirrors): named to vendor without the network.
  const local: Candidate[] = [
    ...(await mirrorFiles(ctx.mirrors, name, expected)),
    ...mirrorUrlsAt(ctx.mirrorUrls, [...(expected ? [`sha256/${expected}`] : []), name]),
  ].map((u) => ({ via: 'mirror', url: u }));
  if (ctx.mirrors.length > 0 && ctx.mirrorUrls.length === 0 && local.length === 0) log.info(`source ${s.name}: ${name} is not in the mirror folder(s); trying its origin`);
  const placed = expected
    ? await placeKnown(t, [...local, ...mirrors.map((b): Candidate => ({ via: 'mirror', url: joinUrl(b, 'sha256', expected) })), ...byName, origin])
    : await placeFromCandidates(t, [...local, origin, ...byName]);
  // A plain file (extract: false) has no tree besides itself: its tree hash is its sha256.
  const treeHash = !s.extract ? placed.sha256 : placed.treeHash ?? (usable ? locked.treeHash : await treeHashOf(abs(t)));
  return { placed, entry: { origin: 'url', url, file: t.rel, size: placed.size, sha256: placed.sha256, treeHash } };
}

async function resolveGit(ctx: VendorContext, s: Source, from: string | undefined): Promise<{ dir: string; commit: string }> {
  if (s.origin.kind !== 'git') throw new Error('resolveGit: not a git source');
  const { git, ref, commit: pinned } = s.origin;
  const i = srcIndex(ctx.manifest, s);
  const dir = await fetchMirror(git, whereOf(ctx.manifest, `/sources/${i}/git`), from);
  const commit = await resolveRef(dir, ref);
  if (!commit) {
    fail({
      code: 'vendor.git-unknown-ref',
      message: `source "${s.name}": ref "${ref}" is neither a tag nor a branch of ${git}`,
      exit: ExitCode.usage,
      where: whereOf(ctx.manifest, `/sources/${i}/ref`),
      value: ref,
      hint: 'use an existing tag or branch name (see `git ls-remote URL`)',
    });
  }
  if (pinned !== undefined && !commit.startsWith(pinned.toLowerCase())) {
    fail({
      code: 'vendor.git-commit-mismatch',
      message: `source "${s.name}": ref "${ref}" resolves to ${commit}, not the pinned commit`,
      exit: ExitCode.checkFailed,
      where: whereOf(ctx.manifest, `/sources/${i}/commit`),
      value: pinned,
      hint: `if the move is intended, write \`commit: ${commit}\`; otherwise point \`ref:\` at the pinned commit's tag`,
    });
  }
  return { dir, commit };
}

export async function vendorGit(ctx: VendorContext, s: Source): Promise<Vendored<LockedSource>> {
  if (s.origin.kind !== 'git') throw new Error('vendorGit: not a git source');
  const { git, ref, commit: pinned } = s.origin;
  const m = ctx.manifest;
  const locked = ctx.old.sources[s.name];
  const usable =
    locked?.commit !== undefined && !ctx.update.has(s.name) && locked.origin === 'git' && locked.git === git &&
    locked.ref === ref && (pinned === undefined || locked.commit.startsWith(pinned.toLowerCase())) &&
    (s.sha256 === undefined || s.sha256 === locked.sha256);
  if (!usable && ctx.frozen) {
    fail(frozenFailure(`source "${s.name}"`, locked ? 'its git URL, ref or commit changed' : 'it is not locked yet', whereOf(m, `/sources/${srcIndex(m, s)}/git`)));
  }
  let from: string | undefined | null = null;
  const mirrorOf = async () => (from === null ? (from = await localRepo(ctx, s.name, git)) : from);
  const resolved = usable ? undefined : await resolveGit(ctx, s, await mirrorOf());
  const commit = usable ? locked.commit! : resolved!.commit;
  const expected = usable ? locked.sha256 : s.sha256;
  const t: Target = {
    dir: m.dir,
    rel: usable ? locked.file : `${PACKAGES_DIR}/${s.name}-${commit.slice(0, 12)}.tar.gz`,
    label: `source "${s.name}"`,
    ...(expected ? { expected } : {}),
    ...(locked?.treeHash ? { lockedTree: locked.treeHash } : {}),
    needTree: !usable,
    fix: (actual) => sourceFixLine(m, s.name, actual),
  };
  let placed = expected ? await checkPresent(t) : undefined;
  if (!placed && expected) {
    const cached = await fromCache(expected, abs(t));
    if (cached) placed = await placeTmp(t, cached.tmp, cached, 'cache', 'cache');
  }
  if (!placed) {
    let dir = resolved?.dir;
    const repo = await mirrorOf();
    if (!dir) {
      dir = await fetchMirrorIfNeeded(git, commit, repo);
    }
    const made = await archiveCommit(dir, commit, abs(t), s.dropVcs, s.allow);
    placed = await placeTmp(t, made.tmp, made, repo ? 'mirror' : 'git', `${repo ?? git} @ ${commit}`);
  }
  const treeHash = placed.treeHash ?? (usable ? locked.treeHash : await treeHashOf(abs(t)));
  return { placed, entry: { origin: 'git', git, ref, commit, file: t.rel, size: placed.size, sha256: placed.sha256, treeHash } };
}

/** The --mirror repository standing for `git`, if any (logged either way when --mirror was given). */
async function localRepo(ctx: VendorContext, name: string, git: string): Promise<string | undefined> {
  if (ctx.mirrors.length === 0) return undefined;
  const found = await mirrorRepo(ctx.mirrors, git);
  if (!found) log.info(`source ${name}: no repository for ${git} in the mirror folder(s) (looked for ${repoCandidates(git).join(', ')}); trying its origin`);
  return found;
}

async function fetchMirrorIfNeeded(git: string, commit: string, from?: string): Promise<string> {
  const { mirrorDir } = await import('./git.js');
  const dir = mirrorDir(git);
  if (await hasCommit(dir, commit).catch(() => false)) return dir;
  const fetched = await fetchMirror(git, undefined, from);
  if (!(await hasCommit(fetched, commit))) {
    fail({
      code: 'vendor.git-commit-gone',
      message: `the locked commit ${commit} is no longer in ${git}`,
      exit: ExitCode.io,
      value: commit,
      hint: 'restore the file from a cache or mirror, or re-resolve with `tarsmith vendor --update NAME`',
    });
  }
  return fetched;
}

export interface LocalSpec {
  /** Path as written in the manifest (relative to it). */
  path: string;
  label: string;
  pinned?: string;
  locked?: LockedFile;
  where: SourceLocation;
  fix: (actual: string) => string;
  /** Compute a tree hash (sources); patches and the rootfs have none. */
  tree: boolean;
  lockedTree?: string;
}

/** Where a local input lives under packages/: in place when it is already there, else `packages/<path>`. */
export function localTarget(p: string): string {
  return p.startsWith(`${PACKAGES_DIR}/`) ? p : `${PACKAGES_DIR}/${p}`;
}

function missingFailure(spec: LocalSpec): Failure {
  return {
    code: 'vendor.missing-file',
    message: `${spec.label}: ${spec.path} does not exist`,
    exit: ExitCode.usage,
    where: spec.where,
    value: spec.path,
    hint: 'put the file there (it is supplied by you, not downloaded), or fix the path in the manifest',
  };
}

/** A user-supplied file (file: source, patch, builder rootfs): hashed in place, or copied under packages/. */
export async function vendorLocal(ctx: VendorContext, spec: LocalSpec): Promise<Placed & { rel: string }> {
  const dir = ctx.manifest.dir;
  const rel = localTarget(spec.path);
  const t: Target = {
    dir,
    rel,
    label: spec.label,
    ...(spec.pinned ? { expected: spec.pinned } : {}),
    ...(spec.lockedTree ? { lockedTree: spec.lockedTree } : {}),
    needTree: false,
    fix: spec.fix,
  };
  const want = spec.pinned ?? spec.locked?.sha256;
  let placed: Placed | undefined;
  if (rel === spec.path) {
    placed = await checkPresent({ ...t, userOwned: true });
    if (placed) placed = { ...placed, via: 'local' };
  } else {
    const src = path.join(dir, ...spec.path.split('/'));
    const copied = await copyHashed(src, abs(t)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      return fail({ ...ioFailure(e, 'cannot copy', spec.path), where: spec.where });
    });
    const frozenWant = ctx.frozen ? spec.pinned ?? spec.locked?.sha256 : spec.pinned;
    if (copied) placed = await placeTmp({ ...t, ...(frozenWant ? { expected: frozenWant } : {}) }, copied.tmp, copied, 'local', spec.path);
    else if (want) placed = await checkPresent({ ...t, expected: want });
  }
  if (!placed && want) {
    const cached = await fromCache(want, abs(t));
    if (cached) placed = await placeTmp({ ...t, expected: want }, cached.tmp, cached, 'cache', 'cache');
  }
  if (!placed) fail(missingFailure(spec));
  if (ctx.frozen && spec.locked && (spec.locked.sha256 !== placed.sha256 || spec.locked.file !== rel)) {
    fail(frozenFailure(spec.label, `${rel} now has sha256 ${placed.sha256}, the lock says ${spec.locked.sha256}`, spec.where));
  }
  if (ctx.frozen && !spec.locked) fail(frozenFailure(spec.label, 'it is not locked yet', spec.where));
  const treeHash = spec.tree && placed.treeHash === undefined
    ? placed.sha256 === spec.locked?.sha256 && spec.lockedTree ? spec.lockedTree : await treeHashOf(abs(t))
    : placed.treeHash;
  return { ...placed, rel, ...(treeHash !== undefined ? { treeHash } : {}) };
}
