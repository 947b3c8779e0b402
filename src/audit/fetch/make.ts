/**
 * Fetches in makefiles: each makefile is evaluated with its includes (make-eval.ts), and each recipe line, after
 * Make expansion, is read by the shell finder. Make references that stay unresolved are passed to the shell parser
 * as opaque marks, so that the reasons reach exactly the words they are in.
 */
import * as posix from 'node:path/posix';
import { evaluateMakefile } from '../../lang/make/eval.js';
import { MARK_CLOSE, MARK_OPEN, scanShell, type Mark, type ShellSession } from './shell.js';
import type { AuditTree } from './tree.js';
import type { AuditDiagnostic, Fetch } from './types.js';
import type { CodeOf } from '../../core/errors.js';

/** The Make reader's notes, as the audit reports them. */
const AUDIT_CODE: Record<CodeOf<'make'>, CodeOf<'audit'>> = {
  'make.bad-conditional': 'audit.make-bad-conditional',
  'make.eval': 'audit.make-eval',
  'make.include-loop': 'audit.make-include-loop',
  'make.include-missing': 'audit.make-include-missing',
  'make.include-unresolved': 'audit.make-include-unresolved',
  'make.missing': 'audit.make-missing',
  'make.missing-endef': 'audit.make-missing-endef',
  'make.missing-endif': 'audit.make-missing-endif',
  'make.stray-conditional': 'audit.make-stray-conditional',
};

const TOP_NAMES = new Set(['GNUmakefile', 'makefile', 'Makefile']);

function base(p: string): string {
  return posix.basename(p);
}

/** A sub-folder's makefile runs in that folder: its includes resolve there. */
function subTree(tree: AuditTree, dir: string): AuditTree {
  if (dir === '.') return tree;
  return {
    files: tree.files,
    read: (rel) => tree.read(posix.normalize(posix.join(dir, rel))),
  };
}

export function scanMakefiles(tree: AuditTree): { fetches: Fetch[]; diagnostics: AuditDiagnostic[]; read: Set<string> } {
  const fetches: Fetch[] = [];
  const diagnostics: AuditDiagnostic[] = [];
  const read = new Set<string>();
  const entry = tree.files.filter((f) => TOP_NAMES.has(base(f)));
  // A folder with GNUmakefile uses it (make's own order); others use makefile, then Makefile.
  const chosen = entry.filter((f) => {
    const dir = posix.dirname(f);
    const first = ['GNUmakefile', 'makefile', 'Makefile'].find((n) => tree.files.includes(dir === '.' ? n : `${dir}/${n}`));
    return base(f) === first;
  });
  const fragments = tree.files.filter((f) => /\.(mk|mak|make)$/.test(f));
  for (const file of [...chosen, ...fragments]) {
    if (read.has(file)) continue;
    scanOne(tree, file, fetches, diagnostics, read);
  }
  return { fetches, diagnostics, read };
}

function scanOne(tree: AuditTree, file: string, fetches: Fetch[], diagnostics: AuditDiagnostic[], read: Set<string>): void {
  const dir = posix.dirname(file);
  const marks: Mark[] = [];
  const mark = (orig: string, reasons: readonly string[]) => {
    marks.push({ orig, reasons: [...reasons] });
    return `${MARK_OPEN}${marks.length - 1}${MARK_CLOSE}`;
  };
  const r = evaluateMakefile(subTree(tree, dir), base(file), {}, mark);
  const full = (f: string) => (dir === '.' ? f : posix.join(dir, f));
  for (const f of r.files) read.add(full(f));
  for (const d of r.diagnostics) {
    diagnostics.push({ ...d, code: AUDIT_CODE[d.code], where: { file: full(d.where.file), line: d.where.line } });
  }
  for (const sh of r.shells) {
    const res = scanShell({ text: sh.text, file: full(sh.loc.file), lineBase: sh.loc.line - 1, context: '$(shell ...) run by make' });
    fetches.push(...res.fetches);
    diagnostics.push(...res.diagnostics);
  }
  const sessions = new Map<string, ShellSession>();
  for (const recipe of r.recipes) {
    const session = sessions.get(recipe.target) ?? {};
    sessions.set(recipe.target, session);
    const res = scanShell({
      session,
      text: recipe.text,
      file: full(recipe.loc.file),
      lineBase: recipe.loc.line - 1,
      marks,
      context: `recipe of ${recipe.target}`,
    });
    fetches.push(...res.fetches);
    diagnostics.push(...res.diagnostics);
  }
}
