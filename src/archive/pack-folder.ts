/**
 * A folder as a deterministic plain tar under a prefix: entries in byte order of their names (never readdir's
 * order), every mtime the given SOURCE_DATE_EPOCH, uid/gid 0 with empty owner names, modes 0755 (folders and
 * files with any execute bit) or 0644, symlinks 0777 with their target as is. The prefix's own folders come
 * first. Only folders, regular files and symlinks are packed (the build's artifacts hold nothing else).
 */
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compareNames, emit, writePacked, type TarPack } from './pack-writer.js';
import type { NormalizeResult } from './types.js';

async function walk(pack: TarPack, abs: string, rel: string, mtime: number): Promise<void> {
  const entries = (await fs.readdir(abs, { withFileTypes: true })).sort((a, b) => compareNames(a.name, b.name));
  for (const e of entries) {
    const name = rel ? `${rel}/${e.name}` : e.name;
    const p = path.join(abs, e.name);
    if (e.isDirectory()) {
      await emit(pack, name, { kind: 'dir', mtime });
      await walk(pack, p, name, mtime);
    } else if (e.isSymbolicLink()) {
      await emit(pack, name, { kind: 'symlink', mtime, target: await fs.readlink(p) });
    } else if (e.isFile()) {
      const st = await fs.stat(p);
      await emit(pack, name, { kind: 'file', mtime, exec: (st.mode & 0o111) !== 0, size: st.size }, createReadStream(p) as AsyncIterable<Buffer>);
    }
  }
}

/** Pack `dir` into the new file `dest` (which must not exist) as `prefix/...`; returns the tar's sha256 and size. */
export async function packFolder(dir: string, dest: string, opts: { prefix: string; mtime: number }): Promise<NormalizeResult> {
  return writePacked(dest, 'tar', async (pack) => {
    const parts = opts.prefix.split('/').filter((p) => p !== '');
    for (let i = 1; i <= parts.length; i++) await emit(pack, parts.slice(0, i).join('/'), { kind: 'dir', mtime: opts.mtime });
    await walk(pack, dir, parts.join('/'), opts.mtime);
  });
}

/** A tar of named members: in-memory bytes or files on disk (by path), in the order given, owners and times fixed. */
export async function packMembers(dest: string, members: { name: string; bytes?: Buffer; file?: string; size?: number }[], mtime: number): Promise<NormalizeResult> {
  return writePacked(dest, 'tar', async (pack) => {
    for (const m of members) {
      if (m.bytes !== undefined) await emit(pack, m.name, { kind: 'file', mtime, exec: false, size: m.bytes.length }, [m.bytes] as unknown as AsyncIterable<Buffer>);
      else if (m.file !== undefined) await emit(pack, m.name, { kind: 'file', mtime, exec: false, size: m.size ?? (await fs.stat(m.file)).size }, createReadStream(m.file) as AsyncIterable<Buffer>);
    }
  });
}
