/**
 * The two out/<name>/ trees of `tarsmith repro`, compared: every path in either (files, folders, symlinks with
 * their targets), its kind, its execute bits, its bytes. tarsmith's own record and provenance are left out: they
 * name the generated Dockerfile, which differs between the builds by design (the variations are in it).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const NOT_COMPARED = ['tarsmith-build.json', 'provenance.json'] as const;

export interface Entry {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits. */
  mode: number;
  size: number;
  target?: string;
}

export type Difference =
  | { path: string; what: 'only-in-first' | 'only-in-second' }
  | { path: string; what: 'kind'; first: Entry['kind']; second: Entry['kind'] }
  | { path: string; what: 'symlink'; first: string; second: string }
  | { path: string; what: 'mode'; first: number; second: number }
  | { path: string; what: 'content'; firstSize: number; secondSize: number };

const byName = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export async function scanTree(root: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const walk = async (rel: string): Promise<void> => {
    const names = (await fs.readdir(path.join(root, rel))).sort(byName);
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      if (!rel && (NOT_COMPARED as readonly string[]).includes(n)) continue;
      const st = await fs.lstat(path.join(root, r));
      const kind: Entry['kind'] = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      out.set(r, { kind, mode: st.mode & 0o7777, size: st.size, ...(kind === 'symlink' ? { target: await fs.readlink(path.join(root, r)) } : {}) });
      if (kind === 'dir') await walk(r);
    }
  };
  await walk('');
  return out;
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fs.readFile(a), fs.readFile(b)]);
  return x.equals(y);
}

/** Every difference between the trees, in path order; files compared byte for byte. */
export async function compareTrees(first: string, second: string): Promise<{ paths: number; differences: Difference[] }> {
  const [a, b] = await Promise.all([scanTree(first), scanTree(second)]);
  const all = [...new Set([...a.keys(), ...b.keys()])].sort(byName);
  const differences: Difference[] = [];
  for (const p of all) {
    const x = a.get(p);
    const y = b.get(p);
    if (!x) differences.push({ path: p, what: 'only-in-second' });
    else if (!y) differences.push({ path: p, what: 'only-in-first' });
    else if (x.kind !== y.kind) differences.push({ path: p, what: 'kind', first: x.kind, second: y.kind });
    else if (x.kind === 'symlink' && x.target !== y.target) differences.push({ path: p, what: 'symlink', first: x.target ?? '', second: y.target ?? '' });
    else if (x.kind === 'file' && (x.size !== y.size || !(await sameBytes(path.join(first, p), path.join(second, p))))) {
      differences.push({ path: p, what: 'content', firstSize: x.size, secondSize: y.size });
    } else if (x.kind !== 'symlink' && x.mode !== y.mode) differences.push({ path: p, what: 'mode', first: x.mode, second: y.mode });
  }
  return { paths: all.length, differences };
}
