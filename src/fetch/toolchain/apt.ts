/**
 * Resolving `builder.packages` with apt, inside a container of the builder's base (the only place that sees its
 * dpkg status, architecture and apt configuration): the fixed script below adds the foreign architectures, runs
 * `apt-get update` and `apt-get install --print-uris`, which prints the closure that the base lacks with each
 * package's pool URL, size and SHA256 from the archive's signed index. Nothing is installed there; tarsmith
 * downloads the files itself (cache, retries, hash check) into packages/debs/.
 */
import { splitDebianSpec } from '../../packages/map.js';
import type { ResolvedPackage, Resolution } from './types.js';

/** Marks the line that carries the base's own architecture in the resolver's output. */
export const NATIVE_MARK = 'tarsmith-native-arch';

/**
 * `sh -c APT_RESOLVE_SH sh ARCH... -- PKG...`: every value is an argument, nothing is spliced into shell text.
 * apt's progress goes to stderr; stdout holds the native-architecture line and the `--print-uris` lines.
 */
export const APT_RESOLVE_SH = `set -eu
export DEBIAN_FRONTEND=noninteractive
native=$(dpkg --print-architecture)
while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
  if [ "$1" != "$native" ]; then dpkg --add-architecture "$1"; fi
  shift
done
shift
printf '%s %s\\n' ${NATIVE_MARK} "$native"
apt-get -q update >&2
apt-get -qq -o Acquire::ForceHash=SHA256 -o APT::Install-Recommends=false -o APT::Install-Suggests=false install --print-uris -y "$@"
`;

/** The architectures named by `:ARCH` qualifiers (sorted, unique; `all`/`any`/`native` are not architectures). */
export function qualifiedArchitectures(specs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of specs) {
    const a = splitDebianSpec(s).arch;
    if (a !== undefined && !['all', 'any', 'native'].includes(a)) out.add(a);
  }
  return [...out].sort();
}

/** The argv after the image: `/bin/sh -c SCRIPT sh ARCH... -- PKG...`. */
export function aptResolveArgv(specs: readonly string[]): string[] {
  return ['/bin/sh', '-c', APT_RESOLVE_SH, 'sh', ...qualifiedArchitectures(specs), '--', ...specs];
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith("'") && s.endsWith("'") ? s.slice(1, -1) : s;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** One `--print-uris` line: `'URL' name_version_arch.deb SIZE SHA256:HEX`, or undefined for anything else. */
export function parsePrintUri(line: string): ResolvedPackage | undefined {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 3 || !parts[0]!.startsWith("'")) return undefined;
  const url = unquote(parts[0]!);
  const fileName = parts[1]!;
  const m = /^([^_]+)_([^_]+)_([^_]+)\.deb$/.exec(fileName);
  if (!m) return undefined;
  const size = Number(parts[2]);
  const hash = parts[3] ?? '';
  const sha = hash.toLowerCase().startsWith('sha256:') ? hash.slice(7).toLowerCase() : undefined;
  return {
    name: m[1]!,
    version: decode(m[2]!),
    architecture: m[3]!,
    url,
    fileName,
    ...(Number.isSafeInteger(size) && size >= 0 ? { size } : {}),
    ...(sha !== undefined && /^[0-9a-f]{64}$/.test(sha) ? { sha256: sha } : {}),
  };
}

/** The resolver's stdout → the resolution (packages sorted by name, then architecture). */
export function parseAptResolution(stdout: string, specs: readonly string[]): Resolution {
  let native = '';
  const packages: ResolvedPackage[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${NATIVE_MARK} `)) native = line.slice(NATIVE_MARK.length + 1).trim();
    else {
      const p = parsePrintUri(line);
      if (p) packages.push(p);
    }
  }
  packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.architecture < b.architecture ? -1 : a.architecture > b.architecture ? 1 : 0));
  return { native, foreign: qualifiedArchitectures(specs).filter((a) => a !== native), packages };
}

/** apt's own error lines (`E: ...`) from the resolver's stderr, for the failure message. */
export function aptErrors(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('E: ')).map((l) => l.slice(3).trim());
}
