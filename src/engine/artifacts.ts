/**
 * What a build exported, read back from the export folder. File names are bytes: the folder is read with Buffer
 * names, so two names that differ only in invalid UTF-8 stay two files and a Latin-1 name hashes like any other.
 * Inside, names are kept as binary strings (one char per byte); `path` is the UTF-8 reading when the bytes are
 * valid UTF-8, and `pathBytes` (hex) is added when they are not. Symlinks are recorded with their target; one
 * whose target leaves the output folder (absolute, or climbing out) is refused.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveLink } from '../archive/paths.js';
import { ExitCode, fail, type Failure } from '../core/errors.js';
import { hashFile } from '../lock/hash.js';

export interface ArtifactHash {
  path: string;
  /** Hex of the name's bytes, when they are not valid UTF-8. */
  pathBytes?: string;
  sha256: string;
  size: number;
}

export interface ArtifactLink {
  path: string;
  pathBytes?: string;
  target: string;
}

export interface ExportedTree {
  files: ArtifactHash[];
  symlinks: ArtifactLink[];
  /** File names as binary strings, for SHA256SUMS (written as bytes). */
  rawFiles: { name: string; sha256: string }[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `path` (and `pathBytes` when not UTF-8) of a binary-string name. */
export function displayName(raw: string): { path: string; pathBytes?: string } {
  const bytes = Buffer.from(raw, 'latin1');
  try {
    return { path: utf8.decode(bytes) };
  } catch {
    return { path: raw, pathBytes: bytes.toString('hex') };
  }
}

async function walk(root: Buffer, prefix: string, out: { files: string[]; links: string[] }): Promise<void> {
  const here = prefix === '' ? root : Buffer.concat([root, Buffer.from(`/${prefix}`, 'latin1')]);
  const entries = await fs.readdir(here, { withFileTypes: true, encoding: 'buffer' });
  const names = entries.map((e) => ({ e, name: (e.name as unknown as Buffer).toString('latin1') })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { e, name } of names) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (e.isDirectory()) await walk(root, rel, out);
    else if (e.isSymbolicLink()) out.links.push(rel);
    else if (e.isFile()) out.files.push(rel);
  }
}

const bytePath = (dir: string, rel: string): Buffer => Buffer.concat([Buffer.from(dir), Buffer.from(`/${rel}`, 'latin1')]);

/** Hash every file of `dir` and read every symlink; fails on a symlink leaving `dir` (exit 1). */
export async function scanExport(dir: string): Promise<ExportedTree> {
  const found = { files: [] as string[], links: [] as string[] };
  await walk(Buffer.from(path.resolve(dir)), '', found);
  const files: ArtifactHash[] = [];
  const rawFiles: ExportedTree['rawFiles'] = [];
  for (const rel of found.files) {
    const h = await hashFile(bytePath(dir, rel) as unknown as string);
    if (!h.ok) fail({ code: 'io.hash', message: `cannot hash ${displayName(rel).path}: ${h.message}`, exit: ExitCode.io });
    files.push({ ...displayName(rel), sha256: h.sha256, size: h.size });
    rawFiles.push({ name: rel, sha256: h.sha256 });
  }
  const targets = new Map<string, string>();
  for (const rel of found.links) targets.set(rel, (await fs.readlink(bytePath(dir, rel), { encoding: 'buffer' })).toString('latin1'));
  const symlinks: ArtifactLink[] = [];
  const escapes: Failure[] = [];
  for (const [rel, target] of targets) {
    const shown = displayName(rel);
    symlinks.push({ ...shown, target: displayName(target).path });
    if (resolveLink(rel.split('/'), target, (r) => targets.get(r)) === 'inside') continue;
    escapes.push({
      code: 'build.artifact-link-escape',
      message: `the artifact ${shown.path} is a symlink to "${displayName(target).path}", outside the exported files`,
      exit: ExitCode.checkFailed,
      value: shown.path,
      hint: 'export the file it points to instead, or make the link relative and inside the artifacts (e.g. ln -s libx.so.1 libx.so)',
    });
  }
  if (escapes.length > 0) fail(escapes);
  return { files, symlinks, rawFiles };
}
