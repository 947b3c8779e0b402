/**
 * Finds fetches in shell text (scripts, Make recipes, Dockerfile RUN) with a real shell parser (mvdan/sh): walks
 * the statements in order, tracks plain variable assignments, resolves each command's words (quotes, `${V}`,
 * `${V:-default}`, prefix and suffix removal, ...) and hands the words to the command recogniser. Anything that needs running
 * (command substitutions, script arguments, variables set conditionally) stays unresolved, kept as written.
 */
import sh from 'mvdan-sh';
import { checkoutTarget, recognize } from './fetch-commands.js';
import type { AuditDiagnostic, Fetch, Resolved } from './fetch-types.js';
import { ParamResolver } from './fetch-shell-param.js';

type N = sh.Node;

/** Text replaced before parsing (Make references that could not be resolved), with why. */
export interface Mark {
  orig: string;
  reasons: readonly string[];
}
export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';

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

let parser: sh.Parser | undefined;

function parse(text: string): { file?: sh.File; error?: string } {
  parser ??= sh.syntax.NewParser(sh.syntax.KeepComments(false), sh.syntax.Variant(sh.syntax.LangBash));
  try {
    return { file: parser.Parse(text, '') };
  } catch (e) {
    const err = e as { Error?: () => string; message?: string };
    return { error: typeof err.Error === 'function' ? err.Error() : String(err.message ?? e) };
  }
}

/** Replaces Make marks in text by what they stand for, collecting their reasons. */
export function unmark(text: string, marks: readonly Mark[] | undefined, reasons: string[]): string {
  if (!marks || !text.includes(MARK_OPEN)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(MARK_OPEN, i);
    const close = open < 0 ? -1 : text.indexOf(MARK_CLOSE, open);
    if (open < 0 || close < 0) return out + text.slice(i);
    const m = marks[Number(text.slice(open + 1, close))];
    out += text.slice(i, open) + (m?.orig ?? '');
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
  const { file, error } = parse(input.text);
  if (!file) {
    result.diagnostics.push({
      file: input.file,
      line: input.lineBase + 1,
      code: 'audit.shell-syntax',
      message: `cannot parse this shell text: ${error ?? 'unknown error'}`,
      value: unmark(input.text, input.marks, []).split('\n')[0],
    });
    return result;
  }
  new Walker(input, result).stmts(file.Stmts, false);
  return result;
}

class Walker {
  private readonly src: Buffer;
  private readonly vars: Map<string, Resolved>;
  private readonly params: ParamResolver;
  private readonly session: ShellSession;
  /** Loop bodies read per value, in all, before loops are read once with their variable unresolved. */
  private unrollBudget = 64;

  constructor(
    private readonly input: ShellScanInput,
    private readonly out: ShellScanResult,
  ) {
    this.src = Buffer.from(input.text, 'utf8');
    this.vars = new Map(input.vars ?? []);
    this.session = input.session ?? {};
    this.params = new ParamResolver(this.vars, (n) => this.slice(n), (w) => this.word(w));
  }

  slice(n: N): string {
    return this.src.subarray(n.Pos().Offset(), n.End().Offset()).toString('utf8');
  }

  stmts(list: readonly (sh.Stmt | null)[], cond: boolean): void {
    for (const s of list) if (s) this.command(s.Cmd, cond);
  }

  private command(c: N | null, cond: boolean): void {
    if (!c) return;
    switch (sh.syntax.NodeType(c)) {
      case 'CallExpr':
        return this.call(c as sh.CallExpr, cond);
      case 'BinaryCmd': {
        const b = c as sh.BinaryCmd;
        if (b.X) this.command(b.X.Cmd, cond);
        const op = b.X && b.Y ? this.src.subarray(b.X.End().Offset(), b.Y.Pos().Offset()).toString('utf8') : '';
        if (b.Y) this.command(b.Y.Cmd, cond || op.includes('||'));
        return;
      }
      case 'IfClause':
        return this.ifClause(c as sh.IfClause);
      case 'Block':
      case 'Subshell':
        return this.stmts((c as sh.Block).Stmts, cond);
      case 'WhileClause': {
        const w = c as sh.WhileClause;
        this.stmts(w.Cond, true);
        return this.stmts(w.Do, true);
      }
      case 'ForClause':
        return this.forClause(c as sh.ForClause);
      case 'FuncDecl': {
        const body = (c as sh.FuncDecl).Body;
        return body ? this.command(body.Cmd, true) : undefined;
      }
      case 'CaseClause':
        for (const item of (c as unknown as { Items: { Stmts: (sh.Stmt | null)[] }[] }).Items) this.stmts(item.Stmts, true);
        return;
      case 'DeclClause':
        return this.declClause(c as unknown as { Args: (sh.Assign | null)[] }, cond);
      default:
        return;
    }
  }

  private ifClause(i: sh.IfClause): void {
    this.stmts(i.Cond, true);
    this.stmts(i.Then, true);
    if (i.Else) this.ifClause(i.Else);
  }

  private forClause(f: sh.ForClause): void {
    const loop = f.Loop as unknown as { Name?: sh.Lit | null; Items?: (sh.Word | null)[] };
    const name = loop.Name?.Value;
    const items = (loop.Items ?? []).filter((w): w is sh.Word => w !== null).map((w) => this.word(w));
    const values = items.flatMap((r) =>
      r.unresolved.length > 0 ? [r] : r.text.split(/\s+/).filter(Boolean).map((t) => ({ text: t, unresolved: [] })),
    );
    const saved = this.vars.get(name ?? '');
    if (!name || values.length === 0 || values.length > this.unrollBudget) {
      // nested loops would multiply: past the budget the body is read once, the loop variable unresolved
      if (name) this.vars.set(name, { text: `$${name}`, unresolved: [`$${name} is a loop variable`] });
      this.stmts(f.Do, true);
    } else {
      this.unrollBudget -= values.length;
      this.unroll(name, values, f.Do);
    }
    if (saved) this.vars.set(name!, saved);
    else if (name) this.vars.delete(name);
  }

  private unroll(name: string, values: readonly Resolved[], body: readonly (sh.Stmt | null)[]): void {
    for (const v of values) {
      this.vars.set(name, v);
      this.stmts(body, true);
    }
  }

  private declClause(d: { Args: (sh.Assign | null)[] }, cond: boolean): void {
    for (const a of d.Args) if (a && !a.Naked) this.assign(a, cond);
  }

  private assign(a: sh.Assign, cond: boolean): void {
    const name = a.Name?.Value;
    if (!name) return;
    if (cond) {
      const where = `${this.input.file}:${this.input.lineBase + a.Pos().Line()}`;
      this.vars.set(name, { text: `$${name}`, unresolved: [`${name} is set conditionally (${where})`] });
      return;
    }
    this.vars.set(name, a.Value ? this.word(a.Value) : { text: '', unresolved: [] });
  }

  private call(c: sh.CallExpr, cond: boolean): void {
    const args = c.Args.filter((w): w is sh.Word => w !== null);
    if (args.length === 0) {
      for (const a of c.Assigns) if (a) this.assign(a, cond);
      return;
    }
    const argv = args.map((w) => this.word(w));
    const name = argv[0]!.text.slice(argv[0]!.text.lastIndexOf('/') + 1);
    if ((name === 'sh' || name === 'bash' || name === 'dash') && argv[1]?.text === '-c' && argv[2] && argv[2].unresolved.length === 0) {
      const lineBase = this.input.lineBase + c.Pos().Line() - 1;
      const nested = scanShell({ ...this.input, text: argv[2].text, lineBase, vars: this.vars, session: this.session });
      this.out.fetches.push(...nested.fetches);
      return;
    }
    const pin = checkoutTarget(argv);
    const last = this.session.lastClone;
    if (pin && last && !last.ref) last.ref = pin;
    for (const spec of recognize(argv)) {
      const fetch: Fetch = {
        file: this.input.file,
        line: this.input.lineBase + c.Pos().Line(),
        ...spec,
        command: argv.map((a) => a.text).join(' '),
        ...(this.input.context ? { context: this.input.context } : {}),
      };
      this.out.fetches.push(fetch);
      if (fetch.tool === 'git clone') this.session.lastClone = fetch;
    }
  }

  /** A word's value as far as it can be known. */
  word(w: sh.Word): Resolved {
    const reasons: string[] = [];
    let text = '';
    for (const p of w.Parts) text += this.part(p, reasons, false);
    return { text: unmark(text, this.input.marks, reasons), unresolved: reasons };
  }

  private part(p: N, reasons: string[], quoted: boolean): string {
    switch (sh.syntax.NodeType(p)) {
      case 'Lit':
        return unescape((p as sh.Lit).Value, quoted);
      case 'SglQuoted':
        return (p as sh.SglQuoted).Value;
      case 'DblQuoted': {
        let s = '';
        for (const q of (p as sh.DblQuoted).Parts) s += this.part(q, reasons, true);
        return s;
      }
      case 'ParamExp':
        return this.params.resolve(p as sh.ParamExp, reasons);
      case 'CmdSubst': {
        this.stmts((p as sh.CmdSubst).Stmts, true);
        const orig = unmark(this.slice(p), this.input.marks, []);
        reasons.push(`command substitution ${orig} is not run by the audit`);
        return this.slice(p);
      }
      default:
        reasons.push(`${this.slice(p)} is not evaluated by the audit`);
        return this.slice(p);
    }
  }
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
