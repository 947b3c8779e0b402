/**
 * The crafted-archive catalogue: one hostile archive per attack class, shared by every path that reads archives
 * (safe extraction, normalize, the build's canonical source tar). Each archive also holds a harmless `good.txt`.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { craftTar, type CraftedEntry } from './rig.js';

/**
 * One crafted archive per attack class. Layout: <tmp>/work/hostile.tar extracted to <tmp>/work/dest/x; the
 * hostile members aim at <tmp>/work, <tmp> and an absolute path. Afterwards nothing may exist but the archive.
 */
export interface Attack {
  name: string;
  code: string;
  /** How many members must be refused. */
  refused: number;
  entries: (outside: string) => CraftedEntry[];
  maxDepth?: number;
}

export const ATTACKS: Attack[] = [
  {
    name: 'absolute member name',
    code: 'archive.absolute-path',
    refused: 1,
    entries: (outside) => [{ name: `${outside}/abs-evil.txt`, body: 'pwned' }],
  },
  {
    name: '".." in a member name',
    code: 'archive.path-traversal',
    refused: 2,
    entries: () => [
      { name: '../../evil.txt', body: 'pwned' },
      { name: 'ok/../../../evil2.txt', body: 'pwned' },
    ],
  },
  {
    name: 'symlink leaving the destination (direct, absolute, and through another symlink)',
    code: 'archive.link-escape',
    refused: 3,
    entries: (outside) => [
      { name: 'up', type: 'symlink', linkname: '../..' },
      { name: 'abs', type: 'symlink', linkname: outside },
      { name: 'deep/dir/s', type: 'symlink', linkname: '../..' },
      { name: 't', type: 'symlink', linkname: 'deep/dir/s/../evil' },
    ],
  },
  {
    name: 'hardlink to a file outside the destination',
    code: 'archive.link-escape',
    refused: 2,
    entries: (outside) => [
      { name: 'h1', type: 'link', linkname: '../../../../etc/passwd' },
      { name: 'h2', type: 'link', linkname: `${outside}/secret` },
    ],
  },
  {
    name: 'member written through a symlink',
    code: 'archive.through-symlink',
    refused: 1,
    entries: () => [
      { name: 'sub/', type: 'directory' },
      { name: 'inner', type: 'symlink', linkname: 'sub' },
      { name: 'inner/evil.txt', body: 'pwned' },
    ],
  },
  {
    name: 'device nodes and fifos',
    code: 'archive.special-file',
    refused: 3,
    entries: () => [
      { name: 'null', type: 'character-device' },
      { name: 'disk', type: 'block-device' },
      { name: 'pipe', type: 'fifo' },
    ],
  },
  {
    name: 'member nested deeper than the limit',
    code: 'archive.too-deep',
    refused: 1,
    entries: () => [{ name: `${'d/'.repeat(200)}f`, body: 'deep' }],
  },
  {
    name: 'member nested deeper than a lowered limit',
    code: 'archive.too-deep',
    refused: 1,
    entries: () => [{ name: 'a/b/c/d', body: 'deep' }],
    maxDepth: 3,
  },
  {
    name: 'member overwriting a folder or a symlink',
    code: 'archive.type-change',
    refused: 2,
    entries: () => [
      { name: 'x/', type: 'directory' },
      { name: 'x', body: 'replaces a folder' },
      { name: 'y', type: 'symlink', linkname: 'x' },
      { name: 'y', body: 'written over a symlink' },
    ],
  },

  {
    name: 'file replaced by a symlink of the same name',
    code: 'archive.type-change',
    refused: 1,
    entries: () => [
      { name: 'conf', body: 'plain' },
      { name: 'conf', type: 'symlink', linkname: 'good.txt' },
    ],
  },
  {
    name: 'a name longer than NAME_MAX',
    code: 'archive.name-too-long',
    refused: 1,
    entries: () => [{ name: `d/${'n'.repeat(300)}`, body: 'long' }],
  },
];

/** Crafted (tar-stream) attacks plus GNU tar's own sparse formats that are not restored (pax 0.0, old GNU `S`). */
export interface MadeAttack extends Omit<Attack, 'entries'> {
  make(out: string, outside: string): Promise<string>;
}

async function gnuSparse(out: string, format: 'gnu' | 'pax'): Promise<string> {
  const args = format === 'pax' ? ['--format=pax', '--sparse-version=0.0'] : ['--format=gnu'];
  const dir = `${out}.d`;
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'good.txt'), 'fine');
  const fh = await fs.open(path.join(dir, 'holes.img'), 'w');
  await fh.write('data at the start');
  await fh.truncate(64 * 1024 * 1024);
  await fh.close();
  execFileSync('tar', ['--sparse', ...args, '-cf', out, '-C', dir, 'good.txt', 'holes.img']);
  await fs.rm(dir, { recursive: true });
  return out;
}

export const MADE_ATTACKS: MadeAttack[] = [
  ...ATTACKS.map((a) => ({ ...a, make: (out: string, outside: string) => craftTar(out, [{ name: 'good.txt', body: 'fine' }, ...a.entries(outside)]) })),
  { name: 'GNU sparse file (pax 0.0, not restored)', code: 'archive.sparse-file', refused: 1, make: (out) => gnuSparse(out, 'pax') },
  { name: 'GNU sparse file (old GNU "S" type)', code: 'archive.unsupported-member', refused: 1, make: (out) => gnuSparse(out, 'gnu') },
];
