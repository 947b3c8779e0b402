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
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ExitCode, fail } from '../core/errors.js';
import { exec } from '../core/exec.js';
import type { Manifest } from '../manifest/types.js';
import { whereOf } from '../lock/where.js';

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
  return mirrorFilesAt(dirs, [...(sha256 ? [`sha256/${sha256}`] : []), fileName]);
}

/** `file://` URLs of the files at these relative (`/`-separated) paths under each folder, in order. */
export async function mirrorFilesAt(dirs: readonly string[], rels: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    for (const r of rels) {
      const p = path.join(d, ...r.split('/'));
      if (await isFile(p)) out.push(pathToFileURL(p).href);
    }
  }
  return out;
}

/** The URLs of these relative paths under each base URL (`vendor.mirrors` served over http(s)), in order. */
export function mirrorUrlsAt(bases: readonly string[], rels: readonly string[]): string[] {
  return bases.flatMap((b) => rels.map((r) => `${b.replace(/\/+$/, '')}/${r.split('/').map(encodeURIComponent).join('/')}`));
}

/**
 * Where a builder package may sit in a mirror, most specific first: `sha256/HASH`, its file name, the folder
 * tarsmith vendors it into (`debs/`, `apks/`: another project's packages/ is a mirror), then its archive path (a copy
 * of the archive: `HOST/debian/pool/...`, `debian/pool/...`, `pool/...`).
 */
export function packageMirrorPaths(p: { url: string; file: string; sha256?: string }): string[] {
  const base = path.posix.basename(p.file);
  const sub = path.posix.basename(path.posix.dirname(p.file));
  const out = [...(p.sha256 ? [`sha256/${p.sha256}`] : []), base, `${sub}/${base}`];
  try {
    const u = new URL(p.url);
    const segs = u.pathname.split('/').filter((x) => x && x !== '.' && x !== '..').map((x) => decodeURIComponent(x));
    if (segs.length > 1 && segs.every((x) => !x.includes('/'))) {
      out.push([u.hostname, ...segs].join('/'), segs.join('/'));
      const pool = segs.indexOf('pool');
      if (pool > 0) out.push(segs.slice(pool).join('/'));
    }
  } catch {
    // not a URL: the names above only
  }
  return [...new Set(out)];
}

export interface ProjectMirrors {
  /** Folders (absolute): `--mirror` ones first, then `vendor.mirrors` ones. */
  dirs: string[];
  /** Base URLs of `vendor.mirrors` served over http(s). */
  urls: string[];
}

/**
 * The mirrors of a vendor run: the `--mirror` folders (already checked), then the manifest's `vendor.mirrors` in
 * order. A folder of the manifest must exist: a mirror the project names and this machine lacks is an error at its
 * line, not a silent fall back to the network.
 */
export async function projectMirrors(m: Manifest, cliDirs: readonly string[]): Promise<ProjectMirrors> {
  const dirs = [...cliDirs];
  const urls: string[] = [];
  for (const [i, entry] of (m.vendor?.mirrors ?? []).entries()) {
    if (/^https?:\/\//i.test(entry)) {
      urls.push(entry);
      continue;
    }
    const abs = /^file:\/\//i.test(entry) ? fileURLToPath(entry) : path.resolve(m.dir, entry);
    const st = await fs.stat(abs).catch(() => undefined);
    if (!st?.isDirectory()) {
      fail({
        code: 'vendor.mirror-missing',
        message: `the mirror ${entry} of vendor.mirrors is not a folder${st ? '' : ' (it does not exist)'}: ${abs}`,
        exit: ExitCode.usage,
        where: whereOf(m, `/vendor/mirrors/${i}`),
        value: entry,
        hint: 'make the folder (tarballs by file name or sha256/HASH, bare git repositories, .deb files), fix the path (relative to tarsmith.yaml), or remove the entry',
      });
    }
    if (!dirs.includes(abs)) dirs.push(abs);
  }
  return { dirs, urls };
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
