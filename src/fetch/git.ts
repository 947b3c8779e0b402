/**
 * `git:` sources, made with real git: a bare mirror in the cache (`$XDG_CACHE_HOME/tarsmith/git/<url-hash>.git`),
 * the ref resolved to a commit, `git archive --format=tar <commit>`, then the archive layer's `normalize` with
 * SOURCE_DATE_EPOCH = the commit time (sorted entries, uid/gid 0, no VCS folders, fixed gzip header). The same
 * commit always gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, type Failure, type FailureCode, type SourceLocation } from '../core/errors.js';
import { exec } from '../core/exec.js';
import { tempSibling } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { cacheRoot } from './cache.js';
import type { AllowClass } from '../archive/policy.js';

export interface GitTarball {
  tmp: string;
  sha256: string;
  size: number;
  commit: string;
}

const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', LC_ALL: 'C' };

export function isFullCommit(s: string): boolean {
  if (s.length !== 40) return false;
  for (const c of s) if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

export function mirrorDir(url: string): string {
  const key = createHash('sha256').update(url).digest('hex').slice(0, 24);
  return path.join(cacheRoot(), 'git', `${key}.git`);
}

async function git(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(['git', ...args], { env: GIT_ENV, ...(cwd ? { cwd } : {}) });
}

async function ensureMirror(url: string): Promise<string> {
  const dir = mirrorDir(url);
  const ok = await git(['-C', dir, 'rev-parse', '--is-bare-repository']).catch(() => undefined);
  if (ok?.code === 0 && ok.stdout.trim() === 'true') return dir;
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const init = await git(['init', '--bare', '--quiet', dir]);
  if (init.code !== 0) fail(gitFailure('vendor.git-init', `cannot create the git cache ${dir}`, url, init.stderr));
  return dir;
}

function gitFailure(code: FailureCode, message: string, url: string, stderr: string, where?: SourceLocation): Failure {
  const last = stderr.trim().split('\n').filter(Boolean).slice(-3);
  return {
    code,
    message,
    exit: ExitCode.io,
    value: url,
    ...(where ? { where } : {}),
    ...(last.length ? { details: last.map((l) => `git: ${l}`) } : {}),
    hint: 'check the git URL and that the repository is reachable from this machine',
  };
}

/**
 * Fetch every branch and tag of `url` into its cache mirror; returns the mirror path. With `from` (a repository of
 * a `--mirror` folder standing for `url`), the refs are fetched from there instead: the cache stays keyed by `url`.
 */
export async function fetchMirror(url: string, where?: SourceLocation, from?: string): Promise<string> {
  if (url.startsWith('-')) fail(gitFailure('vendor.git-bad-url', `not a git URL: ${url}`, url, '', where));
  const dir = await ensureMirror(url);
  const remote = from ?? url;
  log.info(from ? `fetching ${url} from the mirror ${from}` : `fetching ${url}`);
  const r = await git([
    '-C', dir, 'fetch', '--quiet', '--prune', '--force', '--no-write-fetch-head', '--end-of-options', remote,
    '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*',
  ]);
  if (r.code !== 0) fail(gitFailure('vendor.git-fetch', `git fetch failed for ${remote}`, url, r.stderr, where));
  return dir;
}

async function revParse(dir: string, rev: string): Promise<string | undefined> {
  const r = await git(['-C', dir, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  const out = r.stdout.trim();
  return r.code === 0 && isFullCommit(out) ? out : undefined;
}

/** Resolve a tag, branch, full ref name or full commit id to a commit in the mirror. */
export async function resolveRef(dir: string, ref: string): Promise<string | undefined> {
  const candidates = ref.startsWith('refs/')
    ? [ref]
    : isFullCommit(ref)
      ? [ref]
      : [`refs/tags/${ref}`, `refs/heads/${ref}`];
  for (const c of candidates) {
    const got = await revParse(dir, c);
    if (got) return got;
  }
  return undefined;
}

export async function hasCommit(dir: string, commit: string): Promise<boolean> {
  return (await revParse(dir, commit)) === commit;
}

async function commitTime(dir: string, commit: string): Promise<number> {
  const r = await git(['-C', dir, 'show', '-s', '--format=%ct', commit]);
  const t = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isInteger(t)) fail(gitFailure('vendor.git-show', `cannot read the time of ${commit}`, dir, r.stderr));
  return t;
}

/**
 * Make the deterministic tarball of `commit` (already in mirror `dir`) as a temp file beside `target`:
 * `git archive` then normalize (tar.gz, mtimes clamped to the commit time, no VCS folders).
 */
export async function archiveCommit(dir: string, commit: string, target: string, dropVcs: boolean, allow: readonly AllowClass[] = []): Promise<GitTarball> {
  const { normalize } = await import('../archive/index.js');
  await fs.mkdir(path.dirname(target), { recursive: true });
  const rawTar = tempSibling(target, 'git-tar');
  const tmp = tempSibling(target, 'git');
  try {
    const r = await git(['-C', dir, 'archive', '--format=tar', `--output=${rawTar}`, commit]);
    if (r.code !== 0) fail(gitFailure('vendor.git-archive', `git archive failed for ${commit}`, dir, r.stderr));
    const epoch = await commitTime(dir, commit);
    const out = await normalize(rawTar, tmp, { format: 'tar.gz', sourceDateEpoch: epoch, dropVcs, allow });
    return { tmp, sha256: out.sha256, size: out.size, commit };
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  } finally {
    await fs.rm(rawTar, { force: true });
  }
}
