/**
 * Shared by the generators in scripts/docs/: each builds its files in memory (a deterministic function of the
 * code), then either writes the ones that changed (atomically) or, with `--check`, writes nothing and fails when
 * any file on disk differs. A folder a generator owns is kept to exactly the files it generated.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../../src/core/fs-atomic.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface GeneratedFile {
  /** Path relative to the repository root, with `/`. */
  path: string;
  text: string;
}

export interface Generated {
  files: GeneratedFile[];
  /** Folders (relative to the root) holding only generated files: anything else in them is stale. */
  owns?: string[];
}

export interface Difference {
  path: string;
  kind: 'stale' | 'missing' | 'extra';
}

async function readOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** How the files on disk under `root` differ from what the generator makes. */
export async function compare(gen: Generated, root = ROOT): Promise<Difference[]> {
  const out: Difference[] = [];
  for (const f of gen.files) {
    const have = await readOrUndefined(path.join(root, f.path));
    if (have === undefined) out.push({ path: f.path, kind: 'missing' });
    else if (have !== f.text) out.push({ path: f.path, kind: 'stale' });
  }
  const made = new Set(gen.files.map((f) => f.path));
  for (const dir of gen.owns ?? []) {
    const names = await fs.readdir(path.join(root, dir)).catch(() => [] as string[]);
    for (const n of names.sort()) {
      const p = `${dir}/${n}`;
      if (!made.has(p)) out.push({ path: p, kind: 'extra' });
    }
  }
  return out;
}

/** Writes what changed and removes extras in owned folders; returns what it did. */
export async function write(gen: Generated, root = ROOT): Promise<Difference[]> {
  const diffs = await compare(gen, root);
  const byPath = new Map(gen.files.map((f) => [f.path, f.text]));
  for (const d of diffs) {
    const abs = path.join(root, d.path);
    if (d.kind === 'extra') await fs.rm(abs, { force: true });
    else await writeFileAtomic(abs, byPath.get(d.path)!);
  }
  return diffs;
}

/** The command line of a generator: `tsx scripts/docs/NAME.ts [--check]`. Exit 0, 1 (stale with --check), 2. */
export async function runGenerator(name: string, make: () => Promise<Generated> | Generated, argv = process.argv.slice(2)): Promise<number> {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`docs/${name}: unknown argument ${unknown[0]} (usage: tsx scripts/docs/${name}.ts [--check])\n`);
    return 2;
  }
  const gen = await make();
  if (check) {
    const diffs = await compare(gen);
    for (const d of diffs) process.stderr.write(`docs/${name}: ${d.path} is ${d.kind}: run npm run docs\n`);
    return diffs.length > 0 ? 1 : 0;
  }
  const done = await write(gen);
  for (const d of done) process.stderr.write(`docs/${name}: ${d.kind === 'extra' ? 'removed' : 'wrote'} ${d.path}\n`);
  return 0;
}

/** True when the module is the script being run (not imported by a test). */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);
}

/** A Markdown table cell: pipes escaped, newlines folded. */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

/** Inline code that survives backticks in the text. */
export function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  return fence === '``' ? `\`\` ${s} \`\`` : `\`${s}\``;
}
