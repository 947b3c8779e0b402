/**
 * Convert the apt usage in one shell text (a script, a Dockerfile RUN, a RUN heredoc) to apk, as edits on
 * that text. Everything that is not apt stays as written.
 */
import { removalEdits, removalUnit, type Edit } from './edits.js';
import { convertAptCommand, type AptOutcome } from './apt.js';
import { invocation } from './invocation.js';
import { kids, literalValue, parseShell, walk, type SyntaxNode } from './parse.js';
import { type Decision, type Finding } from '../../packages/types.js';
import type { OuterVariable, ShellContext, VariableRewrite } from './types.js';

export type { OuterVariable, ShellContext, VariableRewrite };

export interface ShellConversion {
  edits: Edit[];
  decisions: Decision[];
  findings: Finding[];
  /** Alpine packages installed by the converted text, in order. */
  packages: string[];
  /** Offset (in the shell text) where extra packages can be appended to the first `apk add`. */
  appendAt?: number;
  /** True when nothing is left once the apt commands are gone (a RUN that only did apt housekeeping). */
  emptied: boolean;
  outerRewrites: VariableRewrite[];
  root?: SyntaxNode;
}

/** Plain assignments in the text, by name (not the `VAR=x cmd` prefixes, which only scope one command). */
export function collectAssignments(root: SyntaxNode): Map<string, SyntaxNode[]> {
  const out = new Map<string, SyntaxNode[]>();
  walk(root, (n) => {
    if (n.type !== 'variable_assignment' || n.parent?.type === 'command') return;
    const name = n.childForFieldName('name')?.text;
    if (!name) return;
    const list = out.get(name) ?? [];
    list.push(n);
    out.set(name, list);
  });
  return out;
}

export async function convertShellText(text: string, ctx: ShellContext): Promise<ShellConversion> {
  const { root, errorAt } = await parseShell(text);
  const result: ShellConversion = { edits: [], decisions: [], findings: [], packages: [], emptied: false, outerRewrites: [] };
  if (errorAt !== undefined) {
    result.findings.push({
      code: 'convert.shell-syntax',
      severity: 'error',
      message: 'shell syntax error: this text is left unconverted',
      where: ctx.locate(errorAt),
      value: text.slice(errorAt, text.indexOf('\n', errorAt) >= 0 ? text.indexOf('\n', errorAt) : undefined),
      hint: 'fix the shell syntax (check it with `bash -n`), then convert again',
    });
    return result;
  }
  result.root = root;
  const assignments = collectAssignments(root);
  const removed: SyntaxNode[] = [];
  const innerRewrites = new Map<number, Edit>();
  walk(root, (n) => {
    if (n.type === 'command') handleCommand(n);
    else if (n.type === 'file_redirect') checkAptConfigRedirect(n, ctx, result);
    else if (isDebianFrontend(n)) {
      removed.push(n);
      result.decisions.push({ action: 'remove-command', where: ctx.locate(n.startIndex), from: n.text, to: '', reason: 'DEBIAN_FRONTEND only steers Debian tools' });
    }
  });
  function handleCommand(cmd: SyntaxNode): void {
    const inv = invocation(cmd);
    if (!inv) return;
    const outcome: AptOutcome | undefined = convertAptCommand(inv, { ctx, assignments, text });
    if (!outcome) return;
    result.decisions.push(...outcome.decisions);
    result.findings.push(...outcome.findings);
    if (outcome.remove) removed.push(removalUnit(cmd));
    result.edits.push(...outcome.edits);
    for (const [id, e] of outcome.innerRewrites) innerRewrites.set(id, e);
    for (const r of outcome.outerRewrites) if (!result.outerRewrites.some((o) => o.outerId === r.outerId)) result.outerRewrites.push(r);
    for (const p of outcome.packages) if (!result.packages.includes(p)) result.packages.push(p);
    if (outcome.appendAt !== undefined && result.appendAt === undefined) result.appendAt = outcome.appendAt;
  }
  result.edits.push(...innerRewrites.values(), ...removalEdits(text, removed));
  result.emptied = removed.length > 0 && isEmptied(root, removed);
  for (const body of shellHeredocs(root)) await mergeHeredoc(body, ctx, result);
  return result;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);

/** Bodies of heredocs fed to a shell (`bash <<EOF … EOF`): scripts in their own right. */
export function shellHeredocs(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  walk(root, (n) => {
    if (n.type !== 'heredoc_body' || n.parent?.type !== 'heredoc_redirect') return;
    const stmt = n.parent.parent;
    const body = stmt?.type === 'redirected_statement' ? stmt.childForFieldName('body') : null;
    const inv = body?.type === 'command' ? invocation(body) : undefined;
    const tool = inv?.tool?.split('/').pop();
    if (!inv || !tool || !SHELLS.has(tool)) return;
    if (inv.args.some((a) => literalValue(a) === '-c')) return;
    out.push(n);
  });
  return out;
}

async function mergeHeredoc(body: SyntaxNode, ctx: ShellContext, result: ShellConversion): Promise<void> {
  const base = body.startIndex;
  const inner = await convertShellText(body.text, {
    locate: (o) => ctx.locate(base + o),
    ...(ctx.outer ? { outer: ctx.outer } : {}),
  });
  result.decisions.push(...inner.decisions);
  result.findings.push(...inner.findings);
  for (const p of inner.packages) if (!result.packages.includes(p)) result.packages.push(p);
  for (const e of inner.edits) result.edits.push({ start: base + e.start, end: base + e.end, text: e.text });
  if (inner.appendAt !== undefined && result.appendAt === undefined) result.appendAt = base + inner.appendAt;
  for (const r of inner.outerRewrites) if (!result.outerRewrites.some((o) => o.outerId === r.outerId)) result.outerRewrites.push(r);
}

/** `DEBIAN_FRONTEND=…` or `export DEBIAN_FRONTEND=…` as a statement of its own. */
function isDebianFrontend(n: SyntaxNode): boolean {
  const assigns =
    n.type === 'variable_assignment' && n.parent?.type !== 'command' && n.parent?.type !== 'declaration_command'
      ? [n]
      : n.type === 'declaration_command' && kids(n)[0]?.type === 'export'
        ? kids(n).filter((c) => c.isNamed)
        : [];
  return assigns.length === 1 && assigns[0]?.type === 'variable_assignment' && assigns[0].childForFieldName('name')?.text === 'DEBIAN_FRONTEND';
}

/** Every top-level statement is (or contains only) removed commands. */
function isEmptied(root: SyntaxNode, removed: readonly SyntaxNode[]): boolean {
  const gone = new Set(removed.map((r) => r.id));
  const stmts = kids(root).filter((c) => c.isNamed && c.type !== 'comment');
  return stmts.every((s) => onlyRemoved(s, gone));
}

function onlyRemoved(n: SyntaxNode, gone: ReadonlySet<number>): boolean {
  if (gone.has(n.id)) return true;
  if (n.type !== 'list') return false;
  return kids(n).filter((c) => c.isNamed && c.type !== 'comment').every((c) => onlyRemoved(c, gone));
}

function checkAptConfigRedirect(n: SyntaxNode, ctx: ShellContext, result: ShellConversion): void {
  const dest = n.childForFieldName('destination');
  const target = dest ? literalValue(dest) : undefined;
  if (!target || !(target.startsWith('/etc/apt/') || target.startsWith('/etc/dpkg/'))) return;
  result.findings.push({
    code: 'convert.apt-configuration',
    severity: 'error',
    message: `writes apt/dpkg configuration (${target}), which means nothing on Alpine`,
    where: ctx.locate(n.startIndex),
    value: n.parent?.text ?? n.text,
    hint: 'remove it; extra Alpine repositories go in /etc/apk/repositories (main/community of the same release only)',
  });
}
