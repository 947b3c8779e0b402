/**
 * `--scan DIR`: the BusyBox audit over a project's own shell scripts and Makefile recipes, so that the GNU
 * tools they rely on are installed in the Alpine builder.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { busyboxNeeds, busyboxNeedsDeep, shebangNeeds, type Need } from './busybox.js';
import { lineCol, parseShell } from './parse.js';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
const MAKEFILES = new Set(['Makefile', 'makefile', 'GNUmakefile']);
const MAX_FILE = 2 * 1024 * 1024;

/** Files worth scanning, sorted (never trust readdir order). */
async function candidates(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function visit(d: string): Promise<void> {
    const entries = await fs.readdir(d, { withFileTypes: true });
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await visit(p);
      } else if (e.isFile()) out.push(p);
    }
  }
  await visit(dir);
  return out.sort();
}

function isMakefile(p: string): boolean {
  const b = path.basename(p);
  return MAKEFILES.has(b) || b.endsWith('.mk');
}

function isShellScript(p: string, head: string): boolean {
  if (/\.(sh|bash)$/.test(p)) return true;
  const first = head.split('\n', 1)[0] ?? '';
  return first.startsWith('#!') && /\b(ba|da|k|a)?sh\b/.test(first);
}

export async function scanDir(dir: string): Promise<Need[]> {
  const needs: Need[] = [];
  for (const file of await candidates(dir)) {
    const st = await fs.stat(file);
    if (st.size > MAX_FILE) continue;
    // Locations use the path as the user spelled DIR (`proj/scripts/pack.sh`).
    const text = await fs.readFile(file, 'utf8');
    if (isMakefile(file)) needs.push(...(await makefileNeeds(text, file)));
    else if (isShellScript(file, text.slice(0, 200))) needs.push(...(await scriptNeeds(text, file)));
  }
  return needs;
}

export async function scriptNeeds(text: string, file: string): Promise<Need[]> {
  const { root, errorAt } = await parseShell(text);
  const needs = shebangNeeds(text, file);
  if (errorAt !== undefined) return needs;
  return [...needs, ...(await busyboxNeedsDeep({ root, locate: (o) => ({ file, ...lineCol(text, o) }) }))];
}

interface Recipe {
  line: number;
  text: string;
}

/**
 * Recipe lines (tab-indented, continuations joined) as the shell sees them: `@`/`-`/`+` prefixes gone and
 * `$$` turned back into `$`. Make's own `$(VAR)` references read as command substitutions, which is harmless
 * for this audit.
 */
export function makefileRecipes(text: string): Recipe[] {
  const lines = text.split('\n');
  const out: Recipe[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.startsWith('\t')) continue;
    const start = i;
    let body = l.slice(1);
    while (body.endsWith('\\') && i + 1 < lines.length) body += `\n${lines[++i]!.replace(/^\t/, '')}`;
    body = body.replace(/^[@+-]+/, '').split('$$').join('$');
    out.push({ line: start + 1, text: body });
  }
  return out;
}

export async function makefileNeeds(text: string, file: string): Promise<Need[]> {
  const needs: Need[] = [];
  text.split('\n').forEach((l, i) => {
    const t = l.trim();
    if (/^SHELL\s*[:?]?=\s*\S*bash\b/.test(t)) {
      needs.push({ package: 'bash', reason: 'the Makefile sets SHELL to bash', where: { file, line: i + 1, col: 1 } });
    }
  });
  for (const r of makefileRecipes(text)) {
    const { root, errorAt } = await parseShell(r.text);
    if (errorAt !== undefined) continue;
    const locate = (o: number) => {
      const lc = lineCol(r.text, o);
      return { file, line: r.line + lc.line - 1 };
    };
    needs.push(...busyboxNeeds({ root, locate }));
  }
  return needs;
}
