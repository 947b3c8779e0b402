/**
 * `tarsmith vendor --mirror DIR`: vendoring offline from a folder the user names once, holding tarballs and bare git
 * repositories. Each source is looked up there before its origin, by what the manifest already says (the URL's file
 * name, the expected sha256, the git URL's host/path or last path part), so the `sources:` snippet `audit fetch`
 * prints vendors as pasted: no entry is edited and no git `insteadOf` configuration is needed — tarsmith fetches
 * the git source from the mirror's repository in place of its URL. The lock records the origin URL as written,
 * so a lock made from a mirror is the same as one made from the network.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExitCode, fail } from '../core/errors.js';
import { exec } from '../core/exec.js';

/** Check the `--mirror` folders and make them absolute (relative to `cwd`). */
export async function mirrorDirs(dirs: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    const abs = path.resolve(cwd, d);
    const st = await fs.stat(abs).catch(() => undefined);
    if (!st?.isDirectory()) {
      fail({
        code: 'usage.bad-mirror',
        message: `--mirror ${d} is not a folder`,
        value: d,
        exit: ExitCode.usage,
        hint: 'name a folder holding the tarballs (by file name, or as sha256/HASH) and bare git repositories (NAME.git or HOST/PATH.git)',
      });
    }
    out.push(abs);
  }
  return out;
}

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;
}

/** `file://` URLs of the mirror files that may hold a url source's file: `sha256/HASH` first, then its file name. */
export async function mirrorFiles(dirs: readonly string[], fileName: string, sha256?: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    for (const p of [...(sha256 ? [path.join(d, 'sha256', sha256)] : []), path.join(d, fileName)]) {
      if (await isFile(p)) out.push(pathToFileURL(p).href);
    }
  }
  return out;
}

/** Where a git URL's repository may sit in a mirror folder, most specific first. */
export function repoCandidates(url: string): string[] {
  let host = '';
  let p = url;
  try {
    const u = new URL(url);
    host = u.hostname;
    p = u.pathname;
  } catch {
    // scp-like `git@host:path` or a plain path
    const m = /^[^/@:]+@([^:/]+):(.*)$/.exec(url);
    if (m) {
      host = m[1]!;
      p = m[2]!;
    }
  }
  const segs = p.split('/').filter((s) => s && s !== '.' && s !== '..');
  const bare = (s: string) => s.replace(/\.git$/, '');
  const last = segs.length > 0 ? bare(segs[segs.length - 1]!) : '';
  const full = segs.map((s, i) => (i === segs.length - 1 ? bare(s) : s));
  const names = [
    ...(host && full.length ? [[host, ...full].join('/')] : []),
    ...(full.length > 1 ? [full.join('/')] : []),
    ...(last ? [last] : []),
  ];
  return [...new Set(names.flatMap((n) => [`${n}.git`, n]))];
}

async function isGitRepo(dir: string): Promise<boolean> {
  if (!(await fs.stat(dir).catch(() => undefined))?.isDirectory()) return false;
  // The repository must be the folder itself (bare) or its .git, not a repository the folder happens to be inside.
  const r = await exec(['git', '-C', dir, 'rev-parse', '--absolute-git-dir'], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
  if (r.code !== 0) return false;
  const real = await fs.realpath(dir);
  const gitDir = await fs.realpath(r.stdout.trim()).catch(() => '');
  return gitDir === real || gitDir === path.join(real, '.git');
}

/** The first repository in the mirror folders that stands for `url`, or undefined. */
export async function mirrorRepo(dirs: readonly string[], url: string): Promise<string | undefined> {
  for (const d of dirs) {
    for (const c of repoCandidates(url)) {
      const p = path.join(d, ...c.split('/'));
      if (await isGitRepo(p)) return p;
    }
  }
  return undefined;
}
