/**
 * The first line a tool prints for `--version` (the Makefile's `CC_VERSION_TEXT`, `RUSTC_VERSION_TEXT`),
 * remembered by the tool's identity: the program found on PATH, followed through symlinks, with its device, inode,
 * size, mtime and ctime (nanoseconds), and PATH itself. An unchanged compiler is not run again, so a warm
 * `kconfig resolve` starts no process; any reinstall, upgrade, retargeted symlink or other PATH runs it again.
 * The memo is one small JSON file beside the parse cache.
 */
import { promises as fs } from 'node:fs';
import { exec, which } from '../core/exec.js';
import { readMemoFile, statIdentity, writeMemoFile } from '../core/memo-file.js';

const MAX_ENTRIES = 200;

interface Remembered {
  line: string;
  used: number;
}

async function identity(argv: readonly string[], PATH: string): Promise<string | undefined> {
  const found = await which(argv[0] ?? '', PATH);
  if (found === undefined) return undefined;
  try {
    // The program it runs as, symlinks followed (a retargeted `gcc` link is another compiler).
    const prog = await fs.realpath(found);
    const s = await fs.stat(prog, { bigint: true });
    if (!s.isFile()) return undefined;
    return JSON.stringify([argv, PATH, prog, statIdentity(s)]);
  } catch {
    return undefined;
  }
}

async function run(argv: string[], PATH: string): Promise<string> {
  try {
    const r = await exec(argv, { env: { PATH, LC_ALL: 'C' } });
    return r.code === 0 ? (r.stdout.split('\n')[0] ?? '').replaceAll('#', '') : '';
  } catch {
    return '';
  }
}

/**
 * The first line each command prints, `#` removed, or '' when it does not run (in input order). With `memoPath`,
 * a tool whose identity is unchanged since it was last run is answered from the memo; a tool that does not run
 * is never remembered.
 */
export async function versionLines(commands: readonly string[][], memoPath?: string, PATH = process.env.PATH ?? ''): Promise<string[]> {
  if (memoPath === undefined) return Promise.all(commands.map((c) => run(c, PATH)));
  const [memo, ids] = await Promise.all([readMemoFile<Remembered>(memoPath), Promise.all(commands.map((c) => identity(c, PATH)))]);
  let changed = false;
  const now = Date.now();
  const lines = await Promise.all(
    commands.map(async (c, i) => {
      const id = ids[i];
      const hit = id !== undefined ? memo[id] : undefined;
      if (hit) return hit.line;
      const line = await run(c, PATH);
      if (id !== undefined && line !== '') {
        memo[id] = { line, used: now };
        changed = true;
      }
      return line;
    }),
  );
  if (changed) await writeMemoFile(memoPath, memo, MAX_ENTRIES);
  return lines;
}
