/**
 * The crafted-archive catalogue: one hostile archive per attack class, shared by every path that reads archives
 * (safe extraction, normalize, the build's canonical source tar). Each archive also holds a harmless `good.txt`.
 */
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
  {
    name: 'GNU sparse file whose map does not hold together (pax 0.0 with fewer runs than it says, 0.1 past its size, 1.0 without a real size)',
    code: 'archive.sparse-file',
    refused: 3,
    entries: () => [
      { name: 'sp/a.img', body: 'data', pax: { 'GNU.sparse.size': '100', 'GNU.sparse.numblocks': '2', 'GNU.sparse.offset': '0', 'GNU.sparse.numbytes': '4' } },
      { name: 'sp/GNUSparseFile.1/b.img', body: 'data', pax: { 'GNU.sparse.size': '2', 'GNU.sparse.name': 'sp/b.img', 'GNU.sparse.map': '0,4' } },
      { name: 'sp/GNUSparseFile.1/c.img', body: 'data', pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.name': 'sp/c.img' } },
    ],
  },
];

/** The crafted attacks, each archive also holding a harmless file. */
export interface MadeAttack extends Omit<Attack, 'entries'> {
  make(out: string, outside: string): Promise<string>;
}

export const MADE_ATTACKS: MadeAttack[] = [
  ...ATTACKS.map((a) => ({ ...a, make: (out: string, outside: string) => craftTar(out, [{ name: 'good.txt', body: 'fine' }, ...a.entries(outside)]) })),
];
