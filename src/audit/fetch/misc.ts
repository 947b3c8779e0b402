/**
 * Fetches outside makefiles and CMake: shell scripts, Dockerfiles (`ADD` of a URL, and `RUN` read by the shell
 * finder with the Dockerfile's ARG/ENV values), `.gitmodules` and Meson wraps (`subprojects/*.wrap`).
 */
import * as posix from 'node:path/posix';
import { scanShell } from './shell.js';
import type { AuditTree } from './tree.js';
import type { AuditDiagnostic, Fetch, Resolved } from './types.js';

const ok = (text: string): Resolved => ({ text, unresolved: [] });

function isShellScript(file: string, text: string): boolean {
  if (/\.(sh|bash)$/.test(file)) return true;
  const first = text.slice(0, text.indexOf('\n') >>> 0);
  return /^#!\s*(\/usr)?\/bin\/(env\s+)?(ba|da|k|a)?sh\b/.test(first);
}

export function scanScripts(tree: AuditTree): { fetches: Fetch[]; diagnostics: AuditDiagnostic[] } {
  const fetches: Fetch[] = [];
  const diagnostics: AuditDiagnostic[] = [];
  for (const file of tree.files) {
    const base = posix.basename(file);
    if (!/\.(sh|bash)$/.test(base) && base.includes('.')) continue;
    const text = tree.read(file);
    if (text === undefined || !isShellScript(file, text)) continue;
    const r = scanShell({ text, file, lineBase: 0 });
    fetches.push(...r.fetches);
    diagnostics.push(...r.diagnostics);
  }
  return { fetches, diagnostics };
}

/** Values of `[section]` keys in git-config/INI style files, with their lines. */
function readIni(text: string): { section: string; key: string; value: string; line: number }[] {
  const out: { section: string; key: string; value: string; line: number }[] = [];
  let section = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) return;
    const sec = /^\[([^\]]*)\]$/.exec(l);
    if (sec) {
      section = sec[1]!.trim();
      return;
    }
    const eq = l.indexOf('=');
    if (eq > 0) out.push({ section, key: l.slice(0, eq).trim().toLowerCase(), value: l.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'), line: i + 1 });
  });
  return out;
}

export function scanGitmodules(tree: AuditTree): Fetch[] {
  const out: Fetch[] = [];
  for (const file of tree.files.filter((f) => posix.basename(f) === '.gitmodules')) {
    const entries = readIni(tree.read(file) ?? '');
    const top = posix.dirname(file);
    for (const e of entries.filter((x) => x.key === 'url')) {
      const branch = entries.find((x) => x.section === e.section && x.key === 'branch');
      const sub = entries.find((x) => x.section === e.section && x.key === 'path');
      const prefix = sub ? `${posix.normalize(posix.join(top, sub.value))}/` : undefined;
      // A submodule whose files are already in the tree (as release tarballs often ship them) needs no fetch.
      const present = prefix !== undefined && tree.files.some((f) => f.startsWith(prefix));
      out.push({
        file,
        line: e.line,
        tool: '.gitmodules',
        kind: 'git',
        url: ok(e.value),
        ...(branch ? { ref: ok(branch.value) } : {}),
        command: `[${e.section}] url = ${e.value}`,
        ...(present ? { context: `already in the tree at ${sub!.value}` } : {}),
        needsSource: !present,
      });
    }
  }
  return out;
}

export function scanMesonWraps(tree: AuditTree): Fetch[] {
  const out: Fetch[] = [];
  for (const file of tree.files.filter((f) => /(^|\/)subprojects\/[^/]+\.wrap$/.test(f))) {
    for (const e of readIni(tree.read(file) ?? '')) {
      const git = e.section === 'wrap-git' && e.key === 'url';
      if (!git && !(e.section === 'wrap-file' && (e.key === 'source_url' || e.key === 'patch_url'))) continue;
      const rev = git ? readIni(tree.read(file) ?? '').find((x) => x.section === 'wrap-git' && x.key === 'revision') : undefined;
      out.push({
        file,
        line: e.line,
        tool: 'meson wrap',
        kind: git ? 'git' : 'url',
        url: ok(e.value),
        ...(rev ? { ref: ok(rev.value) } : {}),
        command: `[${e.section}] ${e.key} = ${e.value}`,
        needsSource: true,
      });
    }
  }
  return out;
}

function isDockerfile(file: string): boolean {
  const b = posix.basename(file);
  return b === 'Containerfile' || b === 'Dockerfile' || b.startsWith('Dockerfile.') || b.endsWith('.dockerfile') || b.endsWith('.Dockerfile');
}

function dockerValue(v: string): Resolved {
  return /\$(\{)?[A-Za-z_]/.test(v) ? { text: v, unresolved: ['a Dockerfile variable with no ARG default or ENV value'] } : ok(v);
}

export async function scanDockerfiles(tree: AuditTree): Promise<{ fetches: Fetch[]; diagnostics: AuditDiagnostic[] }> {
  const fetches: Fetch[] = [];
  const diagnostics: AuditDiagnostic[] = [];
  const files = tree.files.filter(isDockerfile);
  if (files.length === 0) return { fetches, diagnostics };
  const { DockerfileParser } = await import('dockerfile-ast');
  for (const file of files) {
    const vars = new Map<string, Resolved>();
    for (const ins of DockerfileParser.parse(tree.read(file) ?? '').getInstructions()) {
      const kw = ins.getKeyword();
      const line = ins.getRange().start.line;
      if (kw === 'ARG' || kw === 'ENV') {
        for (const p of (ins as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
          const v = p.getValue();
          const n = p.getName();
          vars.set(n, v === null ? { text: `$${n}`, unresolved: [`build argument ${n} has no default`] } : dockerValue(v));
        }
      } else if (kw === 'ADD') {
        const args = ins.getExpandedArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
        for (const src of args.slice(0, -1).filter((a) => /^(https?|git):\/\/|^git@|\.git(#|$)/.test(a))) {
          const [u, ref] = src.split('#');
          const git = src.startsWith('git') || /\.git(#|$)/.test(src);
          fetches.push({
            file,
            line: line + 1,
            tool: 'Dockerfile ADD',
            kind: git ? 'git' : 'url',
            url: dockerValue(u!),
            ...(ref ? { ref: ok(ref) } : {}),
            command: `ADD ${args.join(' ')}`,
            needsSource: true,
          });
        }
      } else if (kw === 'RUN') {
        const text = ins.getArgumentsContent();
        if (!text || text.trimStart().startsWith('[')) continue;
        const r = scanShell({ text, file, lineBase: line, vars, context: 'RUN' });
        fetches.push(...r.fetches);
        diagnostics.push(...r.diagnostics);
      }
    }
  }
  return { fetches, diagnostics };
}
