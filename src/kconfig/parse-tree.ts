/**
 * Parse a whole Kconfig tree (synchronously) from its top `Kconfig`, following `source` statements, into a
 * `KconfigTree`. Shell macros are answered by `shell`; the ones it cannot answer yet are returned as `pending`
 * so the caller can run them and parse again (see `tree.ts`).
 */
import { ExitCode } from '../core/errors.js';
import type { Diagnostic, KconfigTree, Loc } from './ast.js';
import { FileLexer, TokenStream, type Token } from './lexer.js';
import { MacroEngine, type MacroHost } from './macros.js';
import { Parser, type SourceKind } from './parser.js';
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

export function parseTree(opts: ParseTreeOptions): { tree: KconfigTree; deps: ParseDeps } {
  const diagnostics: Diagnostic[] = [];
  const unknownMacros: { text: string; loc: Loc }[] = [];
  const deps: ParseDeps = { files: [], globs: [], absent: [] };
  let stream: TokenStream | undefined;
  const position = (): Loc => {
    const cur = stream?.current;
    return cur ? { file: cur.file, line: cur.line } : { file: opts.top ?? 'Kconfig', line: 0 };
  };
  const report = (d: Diagnostic): void => {
    diagnostics.push(d);
  };
  const host: MacroHost = {
    env: opts.env,
    shell: (cmd) => {
      const out = opts.shell(cmd);
      if (out === undefined) unknownMacros.push({ text: `$(shell,${cmd})`, loc: position() });
      return out;
    },
    report: (severity, code, message, value) =>
      report({
        severity, code: code as Diagnostic['code'], message, where: position(),
        exit: severity === 'error' ? ExitCode.usage : ExitCode.ok, ...(value !== undefined ? { value } : {}),
      }),
    position,
  };
  const macros = new MacroEngine(host);
  const lexReport = (severity: 'error' | 'warning', code: string, message: string, file: string, line: number, value?: string) =>
    report({
      severity, code: code as Diagnostic['code'], message, where: { file, line },
      exit: severity === 'error' ? ExitCode.usage : ExitCode.ok, ...(value !== undefined ? { value } : {}),
    });
  const open = (rel: string): FileLexer | undefined => {
    const text = opts.files.read(rel);
    if (text === undefined) return undefined;
    deps.files.push(rel);
    return new FileLexer(rel, text, macros, lexReport);
  };
  const top = opts.top ?? 'Kconfig';
  const root = open(top);
  const empty = { mainmenu: undefined, entries: [], symbols: new Map(), choices: [] };
  if (!root) {
    report({
      severity: 'error', code: 'kconfig.no-top-kconfig', message: `no ${top} at the top of the kernel tree`,
      where: { file: top }, exit: ExitCode.usage, hint: 'point --kernel at a kernel source folder or tarball',
    });
  }
  stream = root ? new TokenStream(root) : undefined;
  const out = stream
    ? new Parser(stream, macros, {
        report,
        source: (kind, p, tok) => sourceFiles(kind, p, tok),
      }).parse()
    : empty;

  function sourceFiles(kind: SourceKind, raw: string, tok: Token): void {
    const s = stream as TokenStream;
    const optional = kind === 'osource' || kind === 'orsource';
    const relative = kind === 'rsource' || kind === 'orsource';
    const base = relative ? tok.file.slice(0, tok.file.lastIndexOf('/') + 1) : '';
    const p = normalizeRel(base + raw.replace(/^\.\//, ''));
    let targets: string[];
    if (hasGlob(p)) {
      targets = opts.files.glob(p);
      deps.globs.push({ pattern: p, result: targets });
    } else targets = opts.files.read(p) === undefined ? [] : [p];
    if (targets.length === 0) {
      if (optional) deps.absent.push(p);
      else
        report({
          severity: 'error', code: 'kconfig.source-missing', message: `can't open file "${p}"`,
          where: { file: tok.file, line: tok.line }, value: raw, exit: ExitCode.usage,
          hint: 'check the path, or use osource for an optional file',
        });
      return;
    }
    const openFiles = s.openFiles();
    const lexers: FileLexer[] = [];
    for (const t of targets) {
      if (openFiles.includes(t)) {
        report({
          severity: 'error', code: 'kconfig.recursive-source', message: `recursive inclusion of "${t}"`,
          where: { file: tok.file, line: tok.line }, value: t, exit: ExitCode.usage,
          details: openFiles.map((f) => `included from: ${f}`),
        });
        continue;
      }
      const lx = open(t);
      if (lx) lexers.push(lx);
    }
    for (const lx of lexers.reverse()) s.push(lx);
  }

  for (const sym of out.symbols.values()) sym.selectedBy.length = sym.impliedBy.length = 0;
  for (const sym of out.symbols.values()) {
    for (const def of sym.defs) {
      for (const dep of def.selects) out.symbols.get(dep.target)?.selectedBy.push({ from: sym.name, dep, entry: def });
      for (const dep of def.implies) out.symbols.get(dep.target)?.impliedBy.push({ from: sym.name, dep, entry: def });
    }
  }
  const tree: KconfigTree = {
    ...(out.mainmenu !== undefined ? { mainmenu: out.mainmenu } : {}),
    entries: out.entries,
    symbols: out.symbols,
    choices: out.choices,
    files: [...new Set(deps.files)],
    diagnostics,
    arch: opts.arch,
    srcarch: opts.srcarch,
    unknownMacros,
  };
  return { tree, deps };
}
