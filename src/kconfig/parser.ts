/**
 * The Kconfig parser, following scripts/kconfig/parser.y: statements, option lists, expressions with the kernel's
 * precedence, and its error recovery (a bad statement is reported as file:line and skipped to the end of its line;
 * parsing goes on). Blocks (`menu`, `choice`, `if`) are kept on a stack, so — as in the kernel — they may span
 * sourced files. Entries receive their inherited conditions and choice membership as they are created.
 */
import { ExitCode, type CodeOf } from '../core/errors.js';
import type {
  ChoiceEntry, ConfigEntry, Diagnostic, Entry, Expr, IfEntry, KSymbol, MenuEntry, Operand, SymbolType,
} from './ast.js';
import { andExpr, dependsExpr } from './expr.js';
import type { Keyword, Token, TokenStream } from './lexer.js';
import {
  expectEol, expectQuote, expectWord, KconfigSyntaxError, parseExpr, parseOperand, skipLine, tokText,
} from './parse-expr.js';
import type { AssignOp, MacroEngine } from './macros.js';

export type SourceKind = 'source' | 'rsource' | 'osource' | 'orsource';

export interface ParseHost {
  /** Open the file(s) named by a `source` statement and push them onto the stream. */
  source(kind: SourceKind, path: string, tok: Token): void;
  report(d: Diagnostic): void;
}

export interface ParseOutput {
  mainmenu?: string;
  entries: Entry[];
  symbols: Map<string, KSymbol>;
  choices: ChoiceEntry[];
}

type Block = MenuEntry | ChoiceEntry | IfEntry;

const TYPE_KEYWORDS: Partial<Record<Keyword, SymbolType>> = {
  bool: 'bool', tristate: 'tristate', int: 'int', hex: 'hex', string: 'string',
};

export class Parser {
  private readonly out: ParseOutput = { entries: [], symbols: new Map(), choices: [] };
  private readonly blocks: Block[] = [];

  constructor(
    private readonly ts: TokenStream,
    private readonly macros: MacroEngine,
    private readonly host: ParseHost,
  ) {}

  parse(): ParseOutput {
    const first = this.ts.peek();
    if (first.t === 'kw' && first.kw === 'mainmenu') this.guard(() => this.mainmenu());
    for (;;) {
      const tok = this.ts.peek();
      if (tok.t === 'eof') break;
      this.guard(() => this.statement(tok));
    }
    for (const b of this.blocks.reverse()) this.error(b.loc.file, b.loc.line, 'missing end statement for this entry', b.kind);
    return this.out;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof KconfigSyntaxError)) throw e;
      this.error(e.tok.file, e.tok.line, e.message, tokText(e.tok));
      if (e.tok.t !== 'eol' && e.tok.t !== 'eof') skipLine(this.ts);
    }
  }

  private error(file: string, line: number, message: string, value?: string): void {
    this.host.report({
      severity: 'error', code: 'kconfig.syntax', message, exit: ExitCode.usage, where: { file, line },
      ...(value !== undefined ? { value } : {}),
    });
  }

  private warn(tok: Token, code: CodeOf<'kconfig'>, message: string): void {
    this.host.report({ severity: 'warning', code, message, exit: ExitCode.ok, where: { file: tok.file, line: tok.line } });
  }

  private isKw(t: Token, ...kws: Keyword[]): boolean {
    return t.t === 'kw' && kws.includes(t.kw);
  }

  private inChoice(): boolean {
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const b = this.blocks[i] as Block;
      if (b.kind === 'choice') return true;
      if (b.kind !== 'if') return false;
    }
    return false;
  }

  private mainmenu(): void {
    this.ts.next();
    this.out.mainmenu = expectQuote(this.ts).value;
    expectEol(this.ts);
  }

  private statement(tok: Token): void {
    const choice = this.inChoice();
    if (tok.t === 'kw') {
      switch (tok.kw) {
        case 'config':
        case 'menuconfig':
          if (tok.kw === 'menuconfig' && choice) break;
          return this.config(tok.kw === 'menuconfig');
        case 'comment':
          return this.comment();
        case 'if':
          return this.ifBlock();
        case 'endmenu':
        case 'endchoice':
        case 'endif':
          return this.end(tok.kw);
        case 'choice':
          if (!choice) return this.choice();
          break;
        case 'menu':
          if (!choice) return this.menu();
          break;
        case 'source':
        case 'rsource':
        case 'osource':
        case 'orsource':
          if (!choice) return this.source(tok.kw);
          break;
        default:
          break;
      }
      throw new KconfigSyntaxError(tok, 'invalid statement');
    }
    if (tok.t === 'word' && !choice) {
      this.ts.next();
      const op = this.ts.peek();
      if (op.t === 'op' && (op.op === '=' || op.op === ':=' || op.op === '+=')) return this.assignment(tok, op.op);
      throw new KconfigSyntaxError(tok, `unknown statement "${tok.value}"`);
    }
    throw new KconfigSyntaxError(tok, 'invalid statement');
  }

  private assignment(name: Token & { t: 'word' }, op: AssignOp): void {
    this.ts.next();
    const v = this.ts.peek();
    let value = '';
    if (v.t === 'assignval') {
      value = v.value;
      this.ts.next();
    }
    this.macros.assign(name.value, value, op);
    expectEol(this.ts);
  }

  private source(kind: SourceKind): void {
    this.ts.next();
    const path = expectQuote(this.ts);
    expectEol(this.ts);
    this.host.source(kind, path.value, path);
  }

  /** Common fields of a new entry: location, inherited conditions, choice membership. */
  private base(tok: Token): { loc: { file: string; line: number }; inherited?: Expr; visibleIf?: Expr; choice?: number } {
    const parent = this.blocks[this.blocks.length - 1];
    const loc = { file: tok.file, line: tok.line };
    if (!parent) return { loc };
    const own = parent.kind === 'if' ? parent.cond : dependsExpr(parent.dependsOn);
    const inherited = andExpr(parent.inherited, own);
    const visibleIf = parent.kind === 'menu' ? parent.visible.reduce<Expr | undefined>(andExpr, parent.visibleIf) : parent.visibleIf;
    const choice = parent.kind === 'choice' ? parent.index : parent.choice;
    return {
      loc,
      ...(inherited ? { inherited } : {}),
      ...(visibleIf ? { visibleIf } : {}),
      ...(choice !== undefined ? { choice } : {}),
    };
  }

  private add(e: Entry): void {
    const parent = this.blocks[this.blocks.length - 1];
    (parent ? parent.children : this.out.entries).push(e);
  }

  private config(menuconfig: boolean): void {
    const kw = this.ts.next();
    const name = expectWord(this.ts);
    expectEol(this.ts);
    const entry: ConfigEntry = {
      kind: 'config', name: name.value, menuconfig, ...this.base(kw), prompts: [], defaults: [], dependsOn: [],
      selects: [], implies: [], ranges: [], modules: false, transitional: false,
    };
    this.add(entry);
    let sym = this.out.symbols.get(entry.name);
    if (!sym) {
      sym = { name: entry.name, defs: [], selectedBy: [], impliedBy: [] };
      this.out.symbols.set(entry.name, sym);
    }
    sym.defs.push(entry);
    this.optionList((t) => this.configOption(t, entry, sym));
    if (menuconfig && entry.prompts.length === 0) this.warn(kw, 'kconfig.menuconfig-without-prompt', 'menuconfig statement without prompt');
    if (entry.choice !== undefined && entry.prompts.length === 0) this.error(kw.file, kw.line, 'choice member must have a prompt', entry.name);
  }

  /** Parse option lines while `option` accepts them; each bad line is reported and skipped. */
  private optionList(option: (t: Token) => boolean): void {
    for (;;) {
      const t = this.ts.peek();
      if (t.t !== 'kw') return;
      let taken = true;
      this.guard(() => {
        taken = option(t);
      });
      if (!taken) return;
    }
  }

  private setType(t: Token, entry: ConfigEntry | ChoiceEntry, sym: KSymbol | undefined, type: SymbolType): void {
    entry.type ??= type;
    if (!sym) return;
    if (sym.type === undefined) sym.type = type;
    else if (sym.type !== type) this.warn(t, 'kconfig.type-redefined', `ignoring type redefinition of '${sym.name}' from '${sym.type}' to '${type}'`);
  }

  private configOption(t: Token, entry: ConfigEntry, sym: KSymbol): boolean {
    if (t.t !== 'kw') return false;
    const loc = { file: t.file, line: t.line };
    const type = TYPE_KEYWORDS[t.kw];
    if (type) {
      this.ts.next();
      this.setType(t, entry, sym, type);
      if (this.ts.peek().t === 'quote') entry.prompts.push({ text: expectQuote(this.ts).value, ...this.ifExpr(), loc });
      expectEol(this.ts);
      return true;
    }
    switch (t.kw) {
      case 'prompt':
        this.ts.next();
        entry.prompts.push({ text: expectQuote(this.ts).value, ...this.ifExpr(), loc });
        expectEol(this.ts);
        return true;
      case 'default':
      case 'def_bool':
      case 'def_tristate':
        this.ts.next();
        if (t.kw !== 'default') this.setType(t, entry, sym, t.kw === 'def_bool' ? 'bool' : 'tristate');
        entry.defaults.push({ value: this.expr(), ...this.ifExpr(), loc });
        expectEol(this.ts);
        return true;
      case 'select':
      case 'imply':
        this.ts.next();
        (t.kw === 'select' ? entry.selects : entry.implies).push({ target: expectWord(this.ts).value, ...this.ifExpr(), loc });
        expectEol(this.ts);
        return true;
      case 'range': {
        this.ts.next();
        const min = this.operand(this.ts.next());
        const max = this.operand(this.ts.next());
        entry.ranges.push({ min, max, ...this.ifExpr(), loc });
        expectEol(this.ts);
        return true;
      }
      case 'modules':
      case 'transitional':
        this.ts.next();
        entry[t.kw] = true;
        expectEol(this.ts);
        return true;
      default:
        return this.commonOption(t, entry);
    }
  }

  /** `depends on` and `help`, shared by config, choice, menu and comment entries. */
  private commonOption(t: Token, entry: Entry): boolean {
    if (t.t !== 'kw') return false;
    if (t.kw === 'depends' && entry.kind !== 'if') {
      this.ts.next();
      const on = this.ts.next();
      if (!this.isKw(on, 'on')) throw new KconfigSyntaxError(on, "syntax error: expected 'on' after 'depends'");
      entry.dependsOn.push({ expr: this.expr(), ...this.ifExpr(), loc: { file: t.file, line: t.line } });
      expectEol(this.ts);
      return true;
    }
    if (t.kw === 'help' && (entry.kind === 'config' || entry.kind === 'choice')) {
      this.ts.next();
      expectEol(this.ts);
      if (entry.help !== undefined) this.warn(t, 'kconfig.help-redefined', 'more than one help text: only the last one is used');
      entry.help = this.ts.readHelp();
      return true;
    }
    return false;
  }

  private choice(): void {
    const kw = this.ts.next();
    const named = this.ts.peek();
    const name = named.t === 'word' ? (this.ts.next(), named.value) : undefined;
    expectEol(this.ts);
    const index = this.out.choices.length;
    const entry: ChoiceEntry = {
      kind: 'choice', index, ...(name ? { name } : {}), ...this.base(kw), prompts: [], defaults: [], dependsOn: [],
      optional: false, children: [],
    };
    this.out.choices.push(entry);
    this.add(entry);
    this.optionList((t) => this.choiceOption(t, entry));
    if (entry.prompts.length === 0) this.error(kw.file, kw.line, 'choice must have a prompt');
    this.blocks.push(entry);
  }

  private choiceOption(t: Token, entry: ChoiceEntry): boolean {
    if (t.t !== 'kw') return false;
    const loc = { file: t.file, line: t.line };
    const type = TYPE_KEYWORDS[t.kw];
    if (type || t.kw === 'prompt') {
      this.ts.next();
      if (type) this.setType(t, entry, undefined, type);
      if (t.kw === 'prompt' || this.ts.peek().t === 'quote') entry.prompts.push({ text: expectQuote(this.ts).value, ...this.ifExpr(), loc });
      expectEol(this.ts);
      return true;
    }
    if (t.kw === 'default') {
      this.ts.next();
      const w = expectWord(this.ts);
      entry.defaults.push({ value: { kind: 'sym', name: w.value }, ...this.ifExpr(), loc });
      expectEol(this.ts);
      return true;
    }
    if (t.kw === 'optional') {
      this.ts.next();
      entry.optional = true;
      expectEol(this.ts);
      return true;
    }
    return this.commonOption(t, entry);
  }

  private menu(): void {
    const kw = this.ts.next();
    const text = expectQuote(this.ts).value;
    expectEol(this.ts);
    const entry: MenuEntry = {
      kind: 'menu', ...this.base(kw), prompt: { text, loc: { file: kw.file, line: kw.line } }, dependsOn: [],
      visible: [], children: [],
    };
    this.add(entry);
    this.optionList((t) => {
      if (!this.isKw(t, 'visible')) return this.commonOption(t, entry);
      this.ts.next();
      const cond = this.ifExpr().cond;
      if (cond) entry.visible.push(cond);
      expectEol(this.ts);
      return true;
    });
    this.blocks.push(entry);
  }

  private comment(): void {
    const kw = this.ts.next();
    const text = expectQuote(this.ts).value;
    expectEol(this.ts);
    const entry: Entry = { kind: 'comment', ...this.base(kw), prompt: { text, loc: { file: kw.file, line: kw.line } }, dependsOn: [] };
    this.add(entry);
    this.optionList((t) => this.isKw(t, 'depends') && this.commonOption(t, entry));
  }

  private ifBlock(): void {
    const kw = this.ts.next();
    const cond = this.expr();
    expectEol(this.ts);
    const entry: IfEntry = { kind: 'if', ...this.base(kw), cond, children: [] };
    this.add(entry);
    this.blocks.push(entry);
  }

  private end(kw: 'endmenu' | 'endchoice' | 'endif'): void {
    const tok = this.ts.next();
    expectEol(this.ts);
    const want = kw.slice(3);
    const top = this.blocks[this.blocks.length - 1];
    if (!top) {
      this.error(tok.file, tok.line, `unexpected '${kw}' statement`, kw);
      return;
    }
    if (top.kind !== want) {
      this.error(tok.file, tok.line, `unexpected '${kw}' within ${top.kind} block`, kw);
      return;
    }
    if (top.loc.file !== tok.file) {
      this.error(tok.file, tok.line, `'${kw}' in different file than '${top.kind}' (${top.loc.file}:${top.loc.line})`, kw);
      return;
    }
    this.blocks.pop();
  }

  private ifExpr(): { cond?: Expr } {
    const t = this.ts.peek();
    if (!this.isKw(t, 'if')) return {};
    this.ts.next();
    return { cond: this.expr() };
  }

  expr(): Expr {
    return parseExpr(this.ts);
  }

  private operand(t: Token): Operand {
    return parseOperand(t);
  }
}
