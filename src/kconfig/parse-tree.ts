/**
 * Parse a whole Kconfig tree (synchronously) from its top `Kconfig`, following `source` statements, into a
 * `KconfigTree`. Shell macros are answered by `shell`; the ones it cannot answer are recorded as unknown, so a
 * caller with a toolchain can run them and parse again (see `tree.ts`).
 */
import { ExitCode, type CodeOf } from '../core/errors.js';
import type { Diagnostic, Entry, KconfigTree, KSymbol, Loc } from './ast.js';
import { FileLexer, TokenStream, type LexReporter, type Token } from './lexer.js';
import { MacroEngine, type MacroHost } from './macros.js';
import { Parser, type ParseOutput, type SourceKind } from './parser.js';
import { hasGlob, normalizeRel, type SourceFiles } from './source-files.js';

export interface ParseTreeOptions {
  files: SourceFiles;
  arch: string;
  srcarch: string;
  /** Environment variables for macros (srctree, ARCH, SRCARCH, KERNELVERSION, CC, …). */
  env: ReadonlyMap<string, string>;
  /** Answer a `$(shell,…)`: its output, or undefined when unknown. */
  shell(cmd: string): string | undefined;
  /** The top file (default `Kconfig`). */
  top?: string;
}

/** What the parse read, for cache validation: files read, globs expanded, optional files found absent. */
export interface ParseDeps {
  files: string[];
  globs: { pattern: string; result: string[] }[];
  absent: string[];
}

function diag(
  severity: Diagnostic['severity'],
  code: CodeOf<'kconfig'>,
  message: string,
  where: Diagnostic['where'],
  extra: Partial<Diagnostic> = {},
): Diagnostic {
  const exit = severity === 'error' ? ExitCode.usage : ExitCode.ok;
  return { severity, code, message, where, exit, ...extra };
}

/**
 * The symbol table of a tree's entries, as the parser builds it: symbols in the order of their first definition,
 * every definition in order, the type from the first definition that gives one, and the reverse dependencies.
 */
export function symbolTable(entries: readonly Entry[]): Map<string, KSymbol> {
  const symbols = new Map<string, KSymbol>();
  eachEntry(entries, (e) => {
    if (e.kind !== 'config') return;
    let sym = symbols.get(e.name);
    if (!sym) {
      sym = { name: e.name, defs: [], selectedBy: [], impliedBy: [] };
      symbols.set(e.name, sym);
    }
    sym.defs.push(e);
    if (sym.type === undefined && e.type !== undefined) sym.type = e.type;
  });
  linkReverseDeps(symbols);
  return symbols;
}

/** Every entry of a tree, depth first, in the order they were parsed (an entry before its children). */
export function eachEntry(entries: readonly Entry[], fn: (e: Entry) => void): void {
  for (const e of entries) {
    fn(e);
    if (e.kind === 'menu' || e.kind === 'choice' || e.kind === 'if') eachEntry(e.children, fn);
  }
}

/** Fill every symbol's `selectedBy` / `impliedBy` from the `select` / `imply` lines of all definitions. */
function linkReverseDeps(symbols: Map<string, KSymbol>): void {
  for (const sym of symbols.values()) {
    for (const def of sym.defs) {
      for (const dep of def.selects) symbols.get(dep.target)?.selectedBy.push({ from: sym.name, dep, entry: def });
      for (const dep of def.implies) symbols.get(dep.target)?.impliedBy.push({ from: sym.name, dep, entry: def });
    }
  }
}

class TreeParser {
  readonly diagnostics: Diagnostic[] = [];
  readonly unknownMacros: { text: string; loc: Loc }[] = [];
  readonly deps: ParseDeps = { files: [], globs: [], absent: [] };
  private stream: TokenStream | undefined;
  private readonly macros: MacroEngine;
  private readonly lexReport: LexReporter;

  constructor(private readonly opts: ParseTreeOptions) {
    const host: MacroHost = {
      env: opts.env,
      shell: (cmd) => {
        const out = opts.shell(cmd);
        if (out === undefined) this.unknownMacros.push({ text: `$(shell,${cmd})`, loc: this.position() });
        return out;
      },
      report: (severity, code, message, value) =>
        this.diagnostics.push(diag(severity, code, message, this.position(), value !== undefined ? { value } : {})),
      position: () => this.position(),
    };
    this.macros = new MacroEngine(host);
    this.lexReport = (severity, code, message, file, line, value) =>
      this.diagnostics.push(diag(severity, code, message, { file, line }, value !== undefined ? { value } : {}));
  }

  private position(): Loc {
    const cur = this.stream?.current;
    return cur ? { file: cur.file, line: cur.line } : { file: this.opts.top ?? 'Kconfig', line: 0 };
  }

  private open(rel: string): FileLexer | undefined {
    const text = this.opts.files.read(rel);
    if (text === undefined) return undefined;
    this.deps.files.push(rel);
    return new FileLexer(rel, text, this.macros, this.lexReport);
  }

  run(): ParseOutput {
    const top = this.opts.top ?? 'Kconfig';
    const root = this.open(top);
    if (!root) {
      this.diagnostics.push(
        diag('error', 'kconfig.no-top-kconfig', `no ${top} at the top of the kernel tree`, { file: top }, {
          hint: 'point --kernel at a kernel source folder or tarball',
        }),
      );
      return { entries: [], symbols: new Map(), choices: [] };
    }
    this.stream = new TokenStream(root);
    const host = {
      report: (d: Diagnostic) => this.diagnostics.push(d),
      source: (kind: SourceKind, p: string, tok: Token) => this.source(kind, p, tok),
    };
    return new Parser(this.stream, this.macros, host).parse();
  }

  /** The files a `source` statement names (globs expanded, sorted), relative to srctree. */
  private targets(kind: SourceKind, raw: string, tok: Token): { path: string; files: string[] } {
    const relative = kind === 'rsource' || kind === 'orsource';
    const base = relative ? tok.file.slice(0, tok.file.lastIndexOf('/') + 1) : '';
    const p = normalizeRel(base + raw.replace(/^\.\//, ''));
    if (!hasGlob(p)) return { path: p, files: this.opts.files.read(p) === undefined ? [] : [p] };
    const files = this.opts.files.glob(p);
    this.deps.globs.push({ pattern: p, result: files });
    return { path: p, files };
  }

  /** Push the sourced files onto the token stream so that the first one is read next, the others after it. */
  private source(kind: SourceKind, raw: string, tok: Token): void {
    const stream = this.stream as TokenStream;
    const { path, files } = this.targets(kind, raw, tok);
    const where = { file: tok.file, line: tok.line };
    if (files.length === 0) {
      if (kind === 'osource' || kind === 'orsource') this.deps.absent.push(path);
      else
        this.diagnostics.push(diag('error', 'kconfig.source-missing', `can't open file "${path}"`, where, {
          value: raw, hint: 'check the path, or use osource for an optional file',
        }));
      return;
    }
    const openFiles = stream.openFiles();
    const lexers: FileLexer[] = [];
    for (const f of files) {
      if (openFiles.includes(f)) {
        this.diagnostics.push(diag('error', 'kconfig.recursive-source', `recursive inclusion of "${f}"`, where, {
          value: f, details: openFiles.map((o) => `included from: ${o}`),
        }));
        continue;
      }
      const lx = this.open(f);
      if (lx) lexers.push(lx);
    }
    for (const lx of lexers.reverse()) stream.push(lx);
  }
}

export function parseTree(opts: ParseTreeOptions): { tree: KconfigTree; deps: ParseDeps } {
  const p = new TreeParser(opts);
  const out = p.run();
  linkReverseDeps(out.symbols);
  const tree: KconfigTree = {
    ...(out.mainmenu !== undefined ? { mainmenu: out.mainmenu } : {}),
    entries: out.entries,
    symbols: out.symbols,
    choices: out.choices,
    files: [...new Set(p.deps.files)],
    diagnostics: p.diagnostics,
    arch: opts.arch,
    srcarch: opts.srcarch,
    unknownMacros: p.unknownMacros,
  };
  return { tree, deps: p.deps };
}
