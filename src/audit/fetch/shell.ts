/**
 * Finds fetches in shell text (scripts, Make recipes, Dockerfile RUN) with the project's shell parser
 * (tree-sitter-bash, shell-parse.ts): walks the statements in order, tracks plain variable assignments, resolves each
 * command's words (quotes, `${V}`, `${V:-default}`, prefix and suffix removal, ...) and hands the words to the
 * command recogniser. Anything that needs running (command substitutions, script arguments, variables set
 * conditionally) stays unresolved, kept as written.
 */
import { checkoutTarget, recognize } from './commands.js';
import type { AuditDiagnostic, Fetch, Resolved } from './types.js';
import { ParamResolver } from './shell-param.js';
import { describeError, kids, shellParser, type SyntaxNode } from '../../lang/shell/parse.js';

type N = SyntaxNode;

/** Loaded once when this module is imported: the finder itself is synchronous. */
const parser = await shellParser();

/** Text replaced before parsing (Make references that could not be resolved), with why. */
export interface Mark {
  orig: string;
  reasons: readonly string[];
}
export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';
/** Around a piece of a word that stays unresolved, while the word is read (turned into `spans` by `spanned`). */
const U_OPEN = '\uE002';
const U_CLOSE = '\uE003';
const wrap = (t: string) => `${U_OPEN}${t}${U_CLOSE}`;

/** Text with U_OPEN/U_CLOSE pieces → the plain text and the ranges of its unresolved pieces (outermost only). */
export function spanned(text: string, unresolved: string[]): Resolved {
  if (!text.includes(U_OPEN)) return { text, unresolved };
  let out = '';
  let depth = 0;
  let start = 0;
  const spans: [number, number][] = [];
  for (const c of text) {
    if (c === U_OPEN) {
      if (depth++ === 0) start = out.length;
    } else if (c === U_CLOSE) {
      if (depth > 0 && --depth === 0 && out.length > start) spans.push([start, out.length]);
    } else out += c;
  }
  return { text: out, unresolved, ...(spans.length > 0 && unresolved.length > 0 ? { spans } : {}) };
}

export interface ShellScanInput {
  text: string;
  file: string;
  /** Added to the parser's 1-based line numbers. */
  lineBase: number;
  vars?: Map<string, Resolved>;
  marks?: readonly Mark[];
  context?: string;
  /** Shared by the shells of one Make rule: a `git checkout REV` after a clone without `-b` gives it its ref. */
  session?: ShellSession;
}

export interface ShellSession {
  lastClone?: Fetch;
}

export interface ShellScanResult {
  fetches: Fetch[];
  diagnostics: AuditDiagnostic[];
}

/** Replaces Make marks in text by what they stand for, collecting their reasons. */
export function unmark(text: string, marks: readonly Mark[] | undefined, reasons: string[], wrapUnresolved = false): string {
  if (!marks || !text.includes(MARK_OPEN)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(MARK_OPEN, i);
    const close = open < 0 ? -1 : text.indexOf(MARK_CLOSE, open);
    if (open < 0 || close < 0) return out + text.slice(i);
    const m = marks[Number(text.slice(open + 1, close))];
    const orig = m?.orig ?? '';
    out += text.slice(i, open) + (wrapUnresolved && (m?.reasons.length ?? 0) > 0 ? wrap(orig) : orig);
    for (const r of m?.reasons ?? []) if (!reasons.includes(r)) reasons.push(r);
    i = close + 1;
  }
  return out;
}

/** A command that fetches names one of these words; text without any of them needs no parsing. */
const FETCH_WORDS = /\b(git|wget|curl|pip3?|python3?|npm|pnpm|yarn|go|cargo|svn|hg)\b/;

export function scanShell(input: ShellScanInput): ShellScanResult {
  const result: ShellScanResult = { fetches: [], diagnostics: [] };
  if (!FETCH_WORDS.test(input.text)) return result;
  const { root, errorAt, text, toInput } = parser.parseRepaired(input.text);
  if (errorAt !== undefined) {
    result.diagnostics.push({
      code: 'audit.shell-syntax',
      severity: 'info',
      where: { file: input.file, line: input.lineBase + 1 },
      message: `cannot parse this shell text: ${unmark(describeError(input.text, toInput(errorAt)) ?? '', input.marks, [])}`,
      value: unmark(input.text, input.marks, []).split('\n')[0],
    });
  }
  // with a syntax error, the statements tree-sitter could read are still scanned; ERROR subtrees (here, maybe
  // the whole text) are not
  if (root.type === 'ERROR') return result;
  const source = (n: N) => input.text.slice(toInput(n.startIndex), toInput(n.endIndex));
  new Walker({ ...input, text }, result, source).statements(root, false);
  return result;
}

/** Statement lists whose every statement runs only under a condition. */
const CONDITIONAL = new Set(['if_statement', 'elif_clause', 'else_clause', 'while_statement', 'case_statement', 'case_item']);
/** Statement lists that run as their enclosing statement does. */
const SEQUENCES = new Set(['program', 'subshell', 'compound_statement', 'do_group', 'pipeline', 'negated_command']);

class Walker {
  private readonly vars: Map<string, Resolved>;
  private readonly params: ParamResolver;
  private readonly session: ShellSession;
  /** Loop bodies read per value, in all, before loops are read once with their variable unresolved. */
  private unrollBudget = 64;

  constructor(
    private readonly input: ShellScanInput,
    private readonly out: ShellScanResult,
    /** A node's text as written in the input (before the braces added by the repair). */
    private readonly source: (n: N) => string,
  ) {
    this.vars = new Map(input.vars ?? []);
    this.session = input.session ?? {};
    this.params = new ParamResolver(this.vars, (n, start, end) => this.range(n, start, end), source);
  }

  /** The statements among a node's children. */
  statements(n: N, cond: boolean): void {
    for (const c of kids(n)) if (c.isNamed) this.statement(c, cond);
  }

  private statement(n: N, cond: boolean): void {
    if (SEQUENCES.has(n.type)) return this.statements(n, cond);
    if (CONDITIONAL.has(n.type)) return this.statements(n, true);
    switch (n.type) {
      case 'command':
        return this.call(n, cond);
      case 'list':
        return this.list(n, cond);
      case 'redirected_statement': {
        const body = n.childForFieldName('body');
        return body ? this.statement(body, cond) : undefined;
      }
      case 'for_statement':
        return this.forClause(n);
      case 'c_style_for_statement':
      case 'function_definition': {
        const body = n.childForFieldName('body');
        return body ? this.statement(body, true) : undefined;
      }
      case 'variable_assignment':
        return this.assign(n, cond);
      case 'variable_assignments':
      case 'declaration_command':
        for (const a of kids(n)) if (a.type === 'variable_assignment') this.assign(a, cond);
        return;
      default:
        return;
    }
  }

  /** `a && b`, `a || b`: what follows `||` runs only when the left side failed. */
  private list(n: N, cond: boolean): void {
    let c = cond;
    for (const k of kids(n)) {
      if (k.type === '||') c = true;
      else if (k.isNamed) this.statement(k, c);
    }
  }

  private forClause(f: N): void {
    const name = f.childForFieldName('variable')?.text;
    const items = f.childrenForFieldName('value').filter((w): w is N => w !== null).map((w) => this.word(w));
    const values = items.flatMap((r) =>
      r.unresolved.length > 0 ? [r] : r.text.split(/\s+/).filter(Boolean).map((t) => ({ text: t, unresolved: [] })),
    );
    const body = f.childForFieldName('body');
    const saved = this.vars.get(name ?? '');
    if (!name || values.length === 0 || values.length > this.unrollBudget) {
      // nested loops would multiply: past the budget the body is read once, the loop variable unresolved
      if (name) this.vars.set(name, { text: `$${name}`, unresolved: [`$${name} is a loop variable`] });
      if (body) this.statement(body, true);
    } else {
      this.unrollBudget -= values.length;
      for (const v of values) {
        this.vars.set(name, v);
        if (body) this.statement(body, true);
      }
    }
    if (saved) this.vars.set(name!, saved);
    else if (name) this.vars.delete(name);
  }

  private assign(a: N, cond: boolean): void {
    const name = a.childForFieldName('name')?.text;
    if (!name) return;
    if (cond) {
      const where = `${this.input.file}:${this.input.lineBase + a.startPosition.row + 1}`;
      this.vars.set(name, { text: `$${name}`, unresolved: [`${name} is set conditionally (${where})`] });
      return;
    }
    const value = a.childForFieldName('value');
    this.vars.set(name, value ? this.word(value) : { text: '', unresolved: [] });
  }

  private call(c: N, cond: boolean): void {
    const assigns: N[] = [];
    const args: N[] = [];
    for (const k of this.ownStatements(c, cond)) {
      if (k.type === 'variable_assignment') assigns.push(k);
      else if (k.isNamed && !k.type.endsWith('_redirect') && k.type !== 'comment') args.push(k);
    }
    if (args.length === 0) {
      for (const a of assigns) this.assign(a, cond);
      return;
    }
    const argv = args.map((w) => this.word(w));
    const name = argv[0]!.text.slice(argv[0]!.text.lastIndexOf('/') + 1);
    const line = this.input.lineBase + (assigns[0] ?? args[0]!).startPosition.row + 1;
    if ((name === 'sh' || name === 'bash' || name === 'dash') && argv[1]?.text === '-c' && argv[2] && argv[2].unresolved.length === 0) {
      const nested = scanShell({ ...this.input, text: argv[2].text, lineBase: line - 1, vars: this.vars, session: this.session });
      this.out.fetches.push(...nested.fetches);
      return;
    }
    const pin = checkoutTarget(argv);
    const last = this.session.lastClone;
    if (pin && last && !last.ref) last.ref = pin;
    for (const spec of recognize(argv)) {
      const fetch: Fetch = {
        file: this.input.file,
        line,
        ...spec,
        ...commandOf(argv),
        ...(this.input.context ? { context: this.input.context } : {}),
      };
      this.out.fetches.push(fetch);
      if (fetch.tool === 'git clone') this.session.lastClone = fetch;
    }
  }

  /**
   * tree-sitter-bash 0.25 reads `a=1 b=2`, a newline (or comment lines), then `cmd` as one command with prefix
   * assignments; bash ends the statement at the newline. Those assignments are made here as statements of their
   * own; the children of the command proper are returned.
   */
  private ownStatements(c: N, cond: boolean): N[] {
    const ks = kids(c);
    let split = -1;
    for (let i = 0; i + 1 < ks.length && (ks[i]!.type === 'variable_assignment' || ks[i]!.type === 'comment'); i++) {
      const gap = this.input.text.slice(ks[i]!.endIndex, ks[i + 1]!.startIndex).replaceAll('\\\n', '');
      if (gap.includes('\n') || ks[i]!.type === 'comment') split = i;
    }
    for (const a of ks.slice(0, split + 1)) if (a.type === 'variable_assignment') this.assign(a, cond);
    return ks.slice(split + 1);
  }

  /** A word's value as far as it can be known. */
  word(w: N): Resolved {
    const reasons: string[] = [];
    const text = this.part(w, reasons, false);
    return spanned(unmark(text, this.input.marks, reasons, true), reasons);
  }

  /** The text of `n` between two offsets read as a word (the argument of `${V:-word}`). */
  private range(n: N, start: number, end: number): Resolved {
    const reasons: string[] = [];
    const text = this.parts(n, reasons, false, start, end);
    return spanned(unmark(text, this.input.marks, reasons, true), reasons);
  }

  private part(p: N, reasons: string[], quoted: boolean): string {
    switch (p.type) {
      case 'word':
      case 'number':
      case 'regex':
      case 'string_content':
        return unescape(p.text, quoted);
      case 'raw_string':
        return p.text.slice(1, -1);
      case 'ansi_c_string':
        return p.text.slice(2, -1);
      case 'string':
        return this.parts(p, reasons, true, p.startIndex, p.endIndex);
      case 'concatenation':
      case 'command_name':
        return this.parts(p, reasons, quoted, p.startIndex, p.endIndex);
      case 'simple_expansion':
      case 'expansion': {
        const before = reasons.length;
        const t = this.params.resolve(p, reasons);
        return reasons.length > before ? wrap(t) : t;
      }
      case 'command_substitution': {
        this.statements(p, true);
        reasons.push(`command substitution ${unmark(this.source(p), this.input.marks, [])} is not run by the audit`);
        return wrap(this.source(p));
      }
      case 'brace_expression':
        // `{1..3}` is kept as written, as a literal
        return p.text;
      default:
        reasons.push(`${this.source(p)} is not evaluated by the audit`);
        return wrap(this.source(p));
    }
  }

  /**
   * The children of `n` between two offsets, in order; text between children (which tree-sitter leaves out of the
   * tree) and punctuation tokens are literal. The quotes of a double-quoted string are dropped.
   */
  private parts(n: N, reasons: string[], quoted: boolean, start: number, end: number): string {
    const src = this.input.text;
    let out = '';
    let pos = start;
    for (const k of kids(n)) {
      if (k.startIndex < start || k.endIndex > end) continue;
      out += unescape(src.slice(pos, k.startIndex), quoted);
      if (k.isNamed) out += this.part(k, reasons, quoted);
      else if (!(n.type === 'string' && k.type === '"')) out += unescape(k.text, quoted);
      pos = k.endIndex;
    }
    return out + unescape(src.slice(pos, end), quoted);
  }
}

/** The command as one line of its words, with the ranges of the unresolved pieces in it. */
function commandOf(argv: readonly Resolved[]): { command: string; commandSpans?: [number, number][] } {
  let command = '';
  const spans: [number, number][] = [];
  for (const a of argv) {
    if (command) command += ' ';
    for (const [x, y] of a.spans ?? []) spans.push([command.length + x, command.length + y]);
    command += a.text;
  }
  return { command, ...(spans.length > 0 ? { commandSpans: spans } : {}) };
}

/** Backslash escapes of a literal: outside quotes every `\x` is `x`; inside double quotes only `\$ \` \" \\`. */
function unescape(s: string, quoted: boolean): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const n = s[i + 1];
    if (c === '\\' && n !== undefined && (!quoted || '$`"\\\n'.includes(n))) {
      if (n !== '\n') out += n;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
