/**
 * Resolving `builder.packages` with apk (Alpine), inside a container of the builder's base: `apk update`, then
 * `apk fetch --recursive --simulate --url`, which prints the pool URL of every package of the closure without
 * downloading it. Alpine's index carries no sha256 of the files, so tarsmith records the hash of what it
 * downloads (trust on first use, like an unpinned url source) and checks it on every later fetch.
 * (Alpine's archive is not reachable from tarsmith's CI: this module is covered by unit tests of its text.)
 */
import type { ResolvedPackage, Resolution } from './types.js';

export const APK_NATIVE_MARK = 'tarsmith-native-arch';

/** `sh -c APK_RESOLVE_SH sh PKG...`: every value is an argument. */
export const APK_RESOLVE_SH = `set -eu
printf '%s %s\\n' ${APK_NATIVE_MARK} "$(apk --print-arch)"
apk update -q >&2
apk fetch --recursive --simulate --url "$@"
`;

export function apkResolveArgv(names: readonly string[]): string[] {
  return ['/bin/sh', '-c', APK_RESOLVE_SH, 'sh', ...names];
}

/** One URL line: `.../main/x86_64/musl-dev-1.2.5-r0.apk` → name `musl-dev`, version `1.2.5-r0`, arch `x86_64`. */
export function parseApkUrl(line: string): ResolvedPackage | undefined {
  const url = line.trim();
  if (!/^(https?|ftp|file):\/\//.test(url) || !url.endsWith('.apk')) return undefined;
  const segs = url.split('/');
  const file = decodeURIComponent(segs.at(-1) ?? '');
  const architecture = segs.at(-2) ?? '';
  const m = /^(.+)-([^-]+-r\d+)\.apk$/.exec(file);
  if (!m || !architecture) return undefined;
  return { name: m[1]!, version: m[2]!, architecture, url, fileName: `${m[1]}-${m[2]}.${architecture}.apk` };
}

export function parseApkResolution(stdout: string): Resolution {
  let native = '';
  const byKey = new Map<string, ResolvedPackage>();
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${APK_NATIVE_MARK} `)) native = line.slice(APK_NATIVE_MARK.length + 1).trim();
    else {
      const p = parseApkUrl(line);
      if (p) byKey.set(`${p.name}:${p.architecture}`, p);
    }
  }
  const packages = [...byKey.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { native, foreign: [], packages };
}
