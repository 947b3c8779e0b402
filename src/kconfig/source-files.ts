/**
 * Where Kconfig files come from: an extracted kernel tree on disk, or the Kconfig files of a kernel tarball held in
 * memory (read once with the archive layer, never extracted). Both answer `read(path)` and `glob(pattern)` with
 * paths relative to the tree's top folder.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readEntries } from '../archive/index.js';
import { ExitCode, fail, isTarsmithError } from '../core/errors.js';
import { globRegExp } from '../core/glob.js';

/**
 * Bounds on what is read into memory: one file at most 16 MiB (the kernel's largest Kconfig or defconfig is a few
 * hundred KiB), all the files of a tarball at most 256 MiB (a whole 6.12 tree's are about 12 MiB). A larger
 * member is refused from its tar header, before its body is read, so a small tarball holding a huge `Kconfig`
 * costs no memory.
 */
export const MAX_KCONFIG_FILE = 16 * 1024 * 1024;
export const MAX_KCONFIG_TOTAL = 256 * 1024 * 1024;

function tooLarge(where: string, size: number, total = false): never {
  fail({
    code: 'kconfig.file-too-large',
    message: total
      ? `the Kconfig files, Makefiles and defconfigs of ${where} add up to more than ${MAX_KCONFIG_TOTAL} bytes (256 MiB)`
      : `${where} is ${size} bytes, more than the ${MAX_KCONFIG_FILE} bytes (16 MiB) a Kconfig file, Makefile or defconfig may have`,
    exit: ExitCode.usage,
    value: where,
    hint: 'this is not a kernel source tree as the kernel ships it; point --kernel at the kernel source folder or tarball',
  });
}

export interface SourceFiles {
  /** What the files were read from (a folder or a tarball path). */
  readonly origin: string;
  /** A folder holding the tree (for shell macros run inside it), when there is one on disk. */
  readonly dir?: string;
  read(rel: string): string | undefined;
  /** Paths matching a glob (`*`, `?`, `[…]` within one path component), sorted. */
  glob(pattern: string): string[];
}

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

export function normalizeRel(p: string): string {
  return path.posix.normalize(p).replace(/^\.\//, '');
}

export class DirFiles implements SourceFiles {
  constructor(readonly dir: string) {}

  get origin(): string {
    return this.dir;
  }

  read(rel: string): string | undefined {
    const file = path.join(this.dir, rel);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return undefined;
    }
    try {
      const size = fstatSync(fd).size;
      if (size > MAX_KCONFIG_FILE) tooLarge(file, size);
      return readFileSync(fd, 'utf8');
    } catch (e) {
      if (isTarsmithError(e)) throw e;
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  glob(pattern: string): string[] {
    let found = [''];
    for (const comp of normalizeRel(pattern).split('/')) {
      const next: string[] = [];
      for (const base of found) {
        if (!hasGlob(comp)) {
          const p = base ? `${base}/${comp}` : comp;
          if (this.exists(p)) next.push(p);
          continue;
        }
        const re = globRegExp(comp);
        for (const name of this.list(base)) if (re.test(name)) next.push(base ? `${base}/${name}` : name);
      }
      found = next;
    }
    return found.filter((p) => this.isFile(p)).sort();
  }

  private list(rel: string): string[] {
    try {
      return readdirSync(path.join(this.dir, rel || '.'));
    } catch {
      return [];
    }
  }

  private exists(rel: string): boolean {
    try {
      statSync(path.join(this.dir, rel));
      return true;
    } catch {
      return false;
    }
  }

  private isFile(rel: string): boolean {
    try {
      return statSync(path.join(this.dir, rel)).isFile();
    } catch {
      return false;
    }
  }
}

export class MapFiles implements SourceFiles {
  constructor(
    readonly origin: string,
    readonly files: ReadonlyMap<string, string>,
  ) {}

  read(rel: string): string | undefined {
    return this.files.get(normalizeRel(rel));
  }

  glob(pattern: string): string[] {
    const comps = normalizeRel(pattern).split('/').map(globRegExp);
    const out: string[] = [];
    for (const p of this.files.keys()) {
      const parts = p.split('/');
      if (parts.length === comps.length && parts.every((c, i) => (comps[i] as RegExp).test(c))) out.push(p);
    }
    return out.sort();
  }
}

/**
 * Files of a tarball that Kconfig parsing may need: every `Kconfig*` file (every file the kernel sources is named
 * so), the top-level Makefile (for the version), and `scripts/*.sh` (the version probes `$(shell,…)` runs).
 */
export function wantedInTarball(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  if (base.startsWith('Kconfig') || rel === 'Makefile') return true;
  if (isConfigFile(rel)) return true;
  return rel.startsWith('scripts/') && rel.indexOf('/', 8) < 0 && rel.endsWith('.sh');
}

/**
 * Files `kconfig resolve` reads besides Kconfig: each arch Makefile (KBUILD_DEFCONFIG), the files in each
 * `arch/ARCH/configs` folder and in `kernel/configs` (defconfigs and `%.config` fragments).
 */
export function isConfigFile(rel: string): boolean {
  const parts = rel.split('/');
  if (parts[0] === 'arch') return (parts.length === 3 && parts[2] === 'Makefile') || (parts.length === 4 && parts[2] === 'configs');
  return parts.length === 3 && parts[0] === 'kernel' && parts[1] === 'configs';
}

async function readBody(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Read the Kconfig files of a kernel tarball. The tree's top folder is the shallowest folder holding both
 * `Kconfig` and `Makefile` (usually `linux-x.y/`); paths are returned relative to it.
 */
export async function readTarballKconfig(tarball: string): Promise<MapFiles> {
  const raw = new Map<string, string>();
  const links: [string, string][] = [];
  let total = 0;
  for await (const e of readEntries(tarball)) {
    const p = normalizeRel(e.path);
    const tail = p.includes('/') ? p.slice(p.indexOf('/') + 1) : p;
    if (!wantedInTarball(tail) && !wantedInTarball(p)) continue;
    if (e.type === 'symlink' && e.linkname) links.push([p, path.posix.join(path.posix.dirname(p), e.linkname)]);
    else if (e.type === 'link' && e.linkname) links.push([p, normalizeRel(e.linkname)]);
    else if (e.type === 'file' && e.body) {
      if (e.size > MAX_KCONFIG_FILE) tooLarge(`${tarball}: ${p}`, e.size);
      total += e.size;
      if (total > MAX_KCONFIG_TOTAL) tooLarge(tarball, total, true);
      raw.set(p, await readBody(e.body));
    }
  }
  // Links to Kconfig files that are themselves in the archive (links pointing elsewhere are left out).
  for (const [p, target] of links) {
    const text = raw.get(target);
    if (text !== undefined) raw.set(p, text);
  }
  const tops = [...raw.keys()]
    .filter((p) => p === 'Kconfig' || p.endsWith('/Kconfig'))
    .map((p) => p.slice(0, p.length - 'Kconfig'.length))
    .filter((dir) => raw.has(`${dir}Makefile`))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  const top = tops[0] ?? '';
  const files = new Map<string, string>();
  for (const [p, text] of raw) if (p.startsWith(top)) files.set(p.slice(top.length), text);
  return new MapFiles(tarball, files);
}
