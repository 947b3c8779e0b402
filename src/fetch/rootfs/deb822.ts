/**
 * Reading the Debian control files the bootstrap produces: apt's Packages lists (what the archive's signed index
 * says of each package: pool path, size, SHA256) and dpkg's status file (what was installed). Never throws on
 * odd input: a stanza without the needed fields is skipped.
 */

/** Stanzas of a deb822 file as field maps (field names as written; continuation lines joined with `\n`). */
export function parseStanzas(text: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  let cur = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (cur.size) out.push(cur);
      cur = new Map();
      last = undefined;
    } else if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      cur.set(last, `${cur.get(last) ?? ''}\n${line.trim()}`);
    } else {
      const i = line.indexOf(':');
      if (i <= 0) continue;
      last = line.slice(0, i);
      cur.set(last, line.slice(i + 1).trim());
    }
  }
  if (cur.size) out.push(cur);
  return out;
}

export interface IndexEntry {
  name: string;
  version: string;
  architecture: string;
  /** Pool path relative to the mirror, e.g. `pool/main/b/bash/bash_5.2.15-2+b7_amd64.deb`. */
  filename: string;
  size: number;
  sha256: string;
}

/** `name version arch` → what the archive index says of it. */
export const indexKey = (name: string, version: string, arch: string): string => `${name} ${version} ${arch}`;

export function parsePackagesIndex(text: string): Map<string, IndexEntry> {
  const out = new Map<string, IndexEntry>();
  for (const s of parseStanzas(text)) {
    const name = s.get('Package');
    const version = s.get('Version');
    const architecture = s.get('Architecture');
    const filename = s.get('Filename');
    const sha256 = s.get('SHA256')?.toLowerCase();
    const size = Number(s.get('Size'));
    if (!name || !version || !architecture || !filename || !sha256 || !/^[0-9a-f]{64}$/.test(sha256) || !Number.isSafeInteger(size)) continue;
    out.set(indexKey(name, version, architecture), { name, version, architecture, filename, size, sha256 });
  }
  return out;
}

export interface InstalledPackage {
  name: string;
  version: string;
  architecture: string;
}

/** The packages dpkg's status file lists as installed (`Status: install ok installed`), sorted by `name:arch`. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const s of parseStanzas(text)) {
    const name = s.get('Package');
    const version = s.get('Version');
    const architecture = s.get('Architecture');
    if (!name || !version || !architecture || s.get('Status') !== 'install ok installed') continue;
    out.push({ name, version, architecture });
  }
  return out.sort((a, b) => cmp(`${a.name}:${a.architecture}`, `${b.name}:${b.architecture}`));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** apt's own file name for a package: `name_version_arch.deb`, the epoch's `:` written `%3a`. */
export function debFileName(p: InstalledPackage): string {
  return `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.architecture}.deb`;
}
