/**
 * Tree hash: a sha256 over an archive's contents, independent of compression, member order, mtimes, owners and
 * permission bits other than "executable". Records are sorted by path (byte order); each holds the kind, the
 * executable bit and the contents' sha256 (files), the target (symlinks) or the tar type (specials). Hardlinks
 * count as the file they point to; folders implied by deeper members count as folders.
 */
import { createHash } from 'node:crypto';
import { fail, unreachable, type Failure } from '../core/errors.js';
import { detectFormat } from './detect.js';
import { memberFailure } from './failures.js';
import { nameBytes } from './names.js';
import { splitName } from './paths.js';
import { readEntriesOf } from './read.js';
import type { ArchiveEntry } from './types.js';

type TreeRecord = { kind: 'd' } | { kind: 'f'; exec: boolean; sha: string } | { kind: 's' | 'o'; detail: string };

const TREE_HASH_VERSION = 'tarsmith-tree-v1';

async function contentHash(body: AsyncIterable<Buffer> | undefined): Promise<string> {
  const h = createHash('sha256');
  if (body) for await (const c of body) h.update(c);
  return h.digest('hex');
}

/**
 * Names as byte strings (latin1: one char per byte), so two names that differ only in invalid UTF-8 stay two
 * records. For valid UTF-8 these are the same bytes the hash always covered, so v1 hashes do not change.
 */
function pathBytes(e: ArchiveEntry): string {
  return nameBytes(e.path).toString('latin1');
}
function linkBytes(e: ArchiveEntry): string {
  return nameBytes(e.linkname ?? '').toString('latin1');
}

async function recordOf(e: ArchiveEntry, records: Map<string, TreeRecord>): Promise<TreeRecord> {
  switch (e.type) {
    case 'directory':
      return { kind: 'd' };
    case 'file':
      return { kind: 'f', exec: (e.mode & 0o111) !== 0, sha: await contentHash(e.body) };
    case 'symlink':
      return { kind: 's', detail: linkBytes(e) };
    case 'link': {
      const target = records.get(splitName(linkBytes(e)).join('/'));
      return target?.kind === 'f' ? target : { kind: 'o', detail: `link:${linkBytes(e)}` };
    }
    case 'other':
      return { kind: 'o', detail: e.rawType ?? 'other' };
    default:
      return unreachable(e.type, 'entry type');
  }
}

function serialize(rel: string, r: TreeRecord): string {
  switch (r.kind) {
    case 'd':
      return `d\0\0${rel}\0`;
    case 'f':
      return `f\0${r.exec ? 'x' : '-'}${r.sha}\0${rel}\0`;
    case 's':
    case 'o':
      return `${r.kind}\0${r.detail}\0${rel}\0`;
    default:
      return unreachable(r, 'tree record');
  }
}

/** Hash the records of a tree (path bytes as latin1 → record) into the tree hash. */
function digestRecords(records: Map<string, TreeRecord>): string {
  for (const rel of [...records.keys()]) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!records.has(dir)) records.set(dir, { kind: 'd' });
    }
  }
  const keys = [...records.keys()].map((k) => Buffer.from(k, 'latin1')).sort(Buffer.compare);
  const h = createHash('sha256').update(`${TREE_HASH_VERSION}\0`);
  for (const k of keys) {
    const rel = k.toString('latin1');
    h.update(serialize(rel, records.get(rel) as TreeRecord), 'latin1');
  }
  return h.digest('hex');
}

/**
 * Members whose bytes the reader cannot give: a GNU sparse file whose sparse records are broken (its stored body
 * is map and data runs, not the file) or a member type tarsmith does not read. Hashing their stored bytes would
 * cover the wrong contents, so they are refused by name, as `normalize` refuses them.
 */
function unreadable(path: string, e: ArchiveEntry): Failure | undefined {
  if (e.sparse) return memberFailure(path, 'archive.sparse-file', e.path, 'a GNU sparse file whose sparse records are missing or inconsistent');
  if (e.type === 'other' && e.rawType === 'unknown') {
    return memberFailure(path, 'archive.unsupported-member', e.path, 'a tar member type tarsmith does not read (a volume or multi-volume header, a GNU dumpdir, a vendor type)');
  }
  return undefined;
}

/**
 * Hex sha256 of the contents of the archive at `path` (see the module comment). Later duplicates win. Fails with
 * one failure per member it cannot read byte-exactly (`archive.sparse-file`, `archive.unsupported-member`).
 */
export async function treeHash(path: string): Promise<string> {
  const format = await detectFormat(path);
  const records = new Map<string, TreeRecord>();
  const refused: Failure[] = [];
  for await (const e of readEntriesOf(path, format)) {
    const rel = splitName(pathBytes(e)).join('/');
    if (rel === '') continue;
    const bad = unreadable(path, e);
    if (bad) refused.push(bad);
    else records.set(rel, await recordOf(e, records));
  }
  if (refused.length > 0) fail(refused);
  return digestRecords(records);
}
