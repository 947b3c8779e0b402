/** Test rig for the archive tests: temp folders, GNU tar archives, crafted archives built with tar-stream. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import tarStream from 'tar-stream';
import type { ArchiveFormat } from '../../src/archive/index.js';

export async function tempDir(tag: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `tarsmith-${tag}-`));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

export const GNU_TAR_FLAGS: Record<Exclude<ArchiveFormat, 'tar'>, string> = {
  'tar.gz': '-z',
  'tar.bz2': '-j',
  'tar.xz': '-J',
  'tar.zst': '--zstd',
};

/** A small source tree: a text file, an executable, a nested file, a symlink, an empty folder, a .git folder. */
export async function makeTree(root: string): Promise<string> {
  const top = path.join(root, 'proj-1.0');
  await fs.mkdir(path.join(top, 'src', 'deep'), { recursive: true });
  await fs.mkdir(path.join(top, 'empty'));
  await fs.mkdir(path.join(top, '.git', 'objects'), { recursive: true });
  await fs.writeFile(path.join(top, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await fs.writeFile(path.join(top, 'README'), 'hello\n');
  await fs.writeFile(path.join(top, 'configure'), '#!/bin/sh\necho ok\n', { mode: 0o755 });
  await fs.chmod(path.join(top, 'configure'), 0o755);
  await fs.writeFile(path.join(top, 'src', 'deep', 'main.c'), 'int main(void){return 0;}\n'.repeat(500));
  await fs.symlink('../README', path.join(top, 'src', 'README.link'));
  return top;
}

/** `tar -c` of `dir`'s entry `name` with GNU tar; returns the archive path. */
export function gnuTar(dir: string, name: string, format: ArchiveFormat, out: string): string {
  const flags = format === 'tar' ? [] : [GNU_TAR_FLAGS[format]];
  execFileSync('tar', [...flags, '-cf', out, '-C', dir, name]);
  return out;
}

export interface CraftedEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  body?: string;
  linkname?: string;
  mode?: number;
  mtime?: number;
  /** Extended header records of the member. */
  pax?: Record<string, string>;
}

/** Build a tar (plain) from crafted headers with tar-stream: the hostile archives GNU tar refuses to make. */
export async function craftTar(out: string, entries: readonly CraftedEntry[]): Promise<string> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = e.body ?? '';
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: new Date((e.mtime ?? 1_700_000_000) * 1000),
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      ...(type === 'file' ? { size: Buffer.byteLength(body) } : {}),
      ...(e.pax ? { pax: e.pax } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, body, done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await ended;
  await fs.writeFile(out, Buffer.concat(chunks));
  return out;
}

export async function sha256File(p: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(p)).digest('hex');
}

/** Every path under `dir`, relative, sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const d of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      out.push(r);
      if (d.isDirectory()) await walk(r);
    }
  }
  await walk('');
  return out.sort();
}
