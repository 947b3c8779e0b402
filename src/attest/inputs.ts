/**
 * Every locked input of a build as one flat, sorted list: the sources (with their origin), the patches (with the
 * source they apply to and their place in its series), the kernel's base config and fragments, the builder's
 * rootfs tarball or pinned image, and the toolchain packages. Read from the manifest and the lock only (no file
 * is opened, no clock read), so the provenance and the SBOM made from it are the same bytes for the same build.
 */
import * as path from 'node:path';
import { PackageURL } from 'packageurl-js';
import type { Lock, LockedPackage, LockedSource } from '../lock/lock.js';
import { kernelConfigFiles, type Manifest, type Source } from '../manifest/types.js';

export interface PatchInput {
  /** The path as written in the manifest. */
  path: string;
  sha256: string;
  /** 1-based place in the source's patch series. */
  order: number;
}

export type Input =
  | { kind: 'source'; name: string; version?: string; file: string; sha256: string; treeHash: string; origin: LockedSource['origin']; uri: string; gitCommit?: string; license?: string; patches: PatchInput[]; purl: string }
  | { kind: 'patch'; name: string; file: string; sha256: string; source: string; order: number }
  | { kind: 'kernel-config'; name: string; file: string; sha256: string; role: 'base' | 'fragment' }
  | { kind: 'rootfs'; name: string; file: string; sha256: string }
  | { kind: 'image'; name: string; ref: string; sha256?: string }
  | { kind: 'package'; name: string; version: string; architecture: string; family: 'apt' | 'apk'; file: string; sha256: string; url: string; purl: string };

/** `1.10.7` from `libcli_1.10.7.orig.tar.gz`, `1.0` from `hello-1.0.tar.gz`; undefined when the name holds none. */
export function versionFromFile(file: string, name: string): string | undefined {
  const base = path.posix.basename(file).replace(/\.(tar\.[a-z0-9]+|tgz|tbz2?|txz|tzst|zip|tar|gz|xz|bz2|zst)$/i, '').replace(/\.orig$/, '');
  const m = /^(.*?)[-_]v?(\d[0-9A-Za-z.+~]*)$/.exec(base);
  if (!m) return undefined;
  const stem = (m[1] ?? '').toLowerCase();
  return stem === '' || stem === name.toLowerCase() || name.toLowerCase().startsWith(stem) || stem.startsWith(name.toLowerCase()) ? m[2] : undefined;
}

/** `pkg:generic/NAME@VERSION?download_url=…&checksum=sha256:…` (git: `vcs_url=git+URL@COMMIT`). */
export function sourcePurl(name: string, version: string | undefined, l: LockedSource): string {
  const q: Record<string, string> = { checksum: `sha256:${l.sha256}` };
  if (l.origin === 'url' && l.url) q.download_url = l.url;
  if (l.origin === 'git' && l.git) q.vcs_url = `git+${l.git}${l.commit ? `@${l.commit}` : ''}`;
  return new PackageURL('generic', undefined, name, version, q, undefined).toString();
}

/** The distribution namespace of a package purl, from the archive it came from (Debian unless it says otherwise). */
function distro(family: 'apt' | 'apk', url: string): string {
  if (family === 'apk') return 'alpine';
  return /ubuntu/i.test(url) ? 'ubuntu' : 'debian';
}

/** `pkg:deb/debian/NAME@VERSION?arch=ARCH` (apk: `pkg:apk/alpine/...`). */
export function packagePurl(family: 'apt' | 'apk', p: LockedPackage): string {
  return new PackageURL(family === 'apt' ? 'deb' : 'apk', distro(family, p.url), p.name, p.version, { arch: p.architecture }, undefined).toString();
}

function sourceUri(s: Source, l: LockedSource): string {
  if (l.origin === 'url' && l.url) return l.url;
  if (l.origin === 'git' && l.git) return `git+${l.git}${l.commit ? `@${l.commit}` : ''}`;
  return s.origin.kind === 'file' ? s.origin.file : l.file;
}

function sourceInputs(m: Manifest, lock: Lock): Input[] {
  const out: Input[] = [];
  for (const s of m.sources) {
    const l = lock.sources[s.name];
    if (!l) continue;
    const version = l.origin === 'git' ? (l.ref ?? l.commit) : versionFromFile(s.origin.kind === 'url' ? new URL(s.origin.url).pathname : l.file, s.name);
    const patches: PatchInput[] = [];
    s.patches.forEach((p, i) => {
      const lp = lock.patches[p];
      if (!lp) return;
      patches.push({ path: p, sha256: lp.sha256, order: i + 1 });
      out.push({ kind: 'patch', name: p, file: lp.file, sha256: lp.sha256, source: s.name, order: i + 1 });
    });
    out.push({
      kind: 'source', name: s.name, ...(version !== undefined ? { version } : {}), file: l.file, sha256: l.sha256, treeHash: l.treeHash, origin: l.origin,
      uri: sourceUri(s, l), ...(l.commit ? { gitCommit: l.commit } : {}), ...(s.license !== undefined ? { license: s.license } : {}), patches,
      purl: sourcePurl(s.name, version, l),
    });
  }
  return out;
}

function builderInputs(m: Manifest, lock: Lock): Input[] {
  const out: Input[] = [];
  const b = m.builder;
  if (b?.rootfs && lock.rootfs) out.push({ kind: 'rootfs', name: b.rootfs, file: lock.rootfs.file, sha256: lock.rootfs.sha256 });
  if (b?.image) {
    const hex = /@sha256:([0-9a-f]{64})$/.exec(b.image)?.[1];
    out.push({ kind: 'image', name: b.image, ref: b.image, ...(hex ? { sha256: hex } : {}) });
  }
  const bp = lock.builderPackages;
  if (bp) {
    for (const p of Object.values(bp.packages)) {
      out.push({ kind: 'package', name: p.name, version: p.version, architecture: p.architecture, family: bp.family, file: p.file, sha256: p.sha256, url: p.url, purl: packagePurl(bp.family, p) });
    }
  }
  return out;
}

function kernelInputs(m: Manifest, lock: Lock): Input[] {
  if (!m.kernel || !lock.kernelConfigs) return [];
  const out: Input[] = [];
  for (const f of kernelConfigFiles(m.kernel, m.positions)) {
    const l = lock.kernelConfigs[f.path];
    if (l) out.push({ kind: 'kernel-config', name: f.path, file: l.file, sha256: l.sha256, role: f.role });
  }
  return out;
}

const ORDER: Record<Input['kind'], number> = { source: 0, patch: 1, 'kernel-config': 2, rootfs: 3, image: 4, package: 5 };

/** Every locked input of the manifest's build, sorted by kind, then name (then architecture). */
export function lockedInputs(m: Manifest, lock: Lock): Input[] {
  const all = [...sourceInputs(m, lock), ...kernelInputs(m, lock), ...builderInputs(m, lock)];
  const key = (i: Input) => `${i.name}\0${i.kind === 'package' ? i.architecture : ''}`;
  return all.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
