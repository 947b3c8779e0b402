/**
 * Text edits on the original input, so that everything the conversion does not touch stays byte for byte
 * (comments, layout, continuations). Removing a command is done in its syntactic context: an operand of an
 * `&&`/`||` chain goes with its operator; a statement goes with its line; an emptied block keeps a `true`.
 */
import { kids, type SyntaxNode } from './parse.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Apply non-overlapping edits (touching is fine). Overlap is a bug in the caller. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`overlapping edits at ${e.start} (previous edit ended at ${pos})`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** The unit that goes when a command goes: the command with its redirections / negation. */
export function removalUnit(cmd: SyntaxNode): SyntaxNode {
  let n = cmd;
  while (n.parent && (n.parent.type === 'redirected_statement' || n.parent.type === 'negated_command')) n = n.parent;
  return n;
}

function isStatement(n: SyntaxNode): boolean {
  return n.isNamed && n.type !== 'comment' && n.type !== 'heredoc_body' && n.type !== 'heredoc_end';
}

/** Operands of an and-or chain rooted at `list` (left-associative `list` nodes flattened), and the operator
 * in front of each (`''` for the first). */
function chainOperands(list: SyntaxNode): { node: SyntaxNode; op: string }[] {
  const out: { node: SyntaxNode; op: string }[] = [];
  let op = '';
  for (const c of kids(list)) {
    if (c.type === '&&' || c.type === '||') {
      op = c.type;
      continue;
    }
    if (!c.isNamed || c.type === 'comment') continue;
    if (c.type === 'list') out.push(...chainOperands(c).map((x, k) => (k === 0 ? { ...x, op } : x)));
    else out.push({ node: c, op });
  }
  return out;
}

function chainRoot(n: SyntaxNode): SyntaxNode {
  let r = n;
  while (r.parent && r.parent.type === 'list') r = r.parent;
  return r;
}

/**
 * Edits that remove every unit in `units` (commands already lifted by `removalUnit`). Units in one chain are
 * handled together; a chain whose operands all go is removed as a statement.
 */
export function removalEdits(text: string, units: readonly SyntaxNode[]): Edit[] {
  const gone = new Set(units.map((u) => u.id));
  const statements: SyntaxNode[] = [];
  const edits: Edit[] = [];
  const seenChains = new Set<number>();
  for (const u of units) {
    if (u.parent?.type !== 'list') {
      statements.push(u);
      continue;
    }
    const root = chainRoot(u);
    if (seenChains.has(root.id)) continue;
    seenChains.add(root.id);
    const ops = chainOperands(root);
    if (ops.every((o) => gone.has(o.node.id))) statements.push(root);
    else edits.push(...chainEdits(ops, gone));
  }
  return [...edits, ...statementEdits(text, statements)];
}

/**
 * A removed operand behaves as `true`: `A && X` → `X`, `X && A` → `X`; next to `||` it is replaced by `true`
 * (`A || exit 1` must not turn into `exit 1`).
 */
function chainEdits(ops: readonly { node: SyntaxNode; op: string }[], gone: ReadonlySet<number>): Edit[] {
  const edits: Edit[] = [];
  let i = 0;
  while (i < ops.length) {
    if (!gone.has(ops[i]!.node.id)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < ops.length && gone.has(ops[j + 1]!.node.id)) j++;
    const first = ops[i]!.node;
    const last = ops[j]!.node;
    const next = ops[j + 1];
    if (i === 0 && next?.op === '&&') edits.push({ start: first.startIndex, end: next.node.startIndex, text: '' });
    else if (i > 0 && ops[i]!.op === '&&') edits.push({ start: ops[i - 1]!.node.endIndex, end: last.endIndex, text: '' });
    else edits.push({ start: first.startIndex, end: last.endIndex, text: 'true' });
    i = j + 1;
  }
  return edits;
}

/** Where a statement can simply go: lists of statements. Anywhere else it is replaced by `true`. */
const STATEMENT_LISTS = new Set([
  'program', 'compound_statement', 'do_group', 'subshell', 'if_statement', 'elif_clause', 'else_clause', 'case_item',
]);

function statementEdits(text: string, statements: readonly SyntaxNode[]): Edit[] {
  const gone = new Set(statements.map((s) => s.id));
  const edits: Edit[] = [];
  const emptied = new Set<number>();
  for (const s of statements) {
    const parent = s.parent;
    const inner = innerCommand(s);
    const keepTrue = { start: inner.startIndex, end: inner.endIndex, text: 'true' };
    if (parent && (!STATEMENT_LISTS.has(parent.type) || isCondition(parent, s))) {
      edits.push(keepTrue);
      continue;
    }
    if (parent && parent.type !== 'program' && !emptied.has(parent.id)) {
      const rest = kids(parent).filter((c) => isStatement(c) && !gone.has(c.id) && c.id !== s.id && !isCondition(parent, c));
      if (rest.length === 0) {
        emptied.add(parent.id);
        edits.push(keepTrue);
        continue;
      }
    }
    edits.push(lineAwareDeletion(text, s));
  }
  return edits;
}

/** `! apt-get update` in a condition becomes `! true`: apk has nothing to update, so it "succeeded". */
function innerCommand(s: SyntaxNode): SyntaxNode {
  let n = s;
  while (n.type === 'negated_command' || n.type === 'redirected_statement') {
    const c = kids(n).find((k) => k.isNamed && !k.type.endsWith('redirect'));
    if (!c) break;
    n = c;
  }
  return n;
}

/** `if c; then …`, `elif c; then …`: the condition must stay a command. */
function isCondition(parent: SyntaxNode, c: SyntaxNode): boolean {
  return parent.childrenForFieldName('condition').some((x) => x?.id === c.id);
}

/** Delete a statement: the whole line when it is alone on it, else the statement and a following `;`. */
function lineAwareDeletion(text: string, s: SyntaxNode): Edit {
  let start = s.startIndex;
  let end = s.endIndex;
  const next = s.nextSibling;
  if (next && (next.type === ';' || next.type === '&')) end = next.endIndex;
  let ls = start;
  while (ls > 0 && (text[ls - 1] === ' ' || text[ls - 1] === '\t')) ls--;
  let le = end;
  while (le < text.length && (text[le] === ' ' || text[le] === '\t')) le++;
  const atLineStart = ls === 0 || text[ls - 1] === '\n';
  const atLineEnd = le === text.length || text[le] === '\n';
  if (atLineStart && atLineEnd) return { start: ls, end: le < text.length ? le + 1 : le, text: '' };
  // `    cmd; \` on a line of its own inside a continued text: the line goes with its continuation.
  if (atLineStart && text[le] === '\\' && text[le + 1] === '\n') return { start: ls, end: le + 2, text: '' };
  if (atLineEnd) start = ls;
  else end = le;
  return { start, end, text: '' };
}
