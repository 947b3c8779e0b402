/**
 * The one shell parser of the project: tree-sitter-bash through web-tree-sitter (both WebAssembly shipped inside
 * their npm packages). It gives the full syntax tree with exact offsets: commands, arguments, words, expansions,
 * lists, heredocs, assignments. `audit fetch` and `convert apk` both walk it. The WebAssembly is loaded once per
 * process, on first use; after that, parsing is synchronous.
 *
 * tree-sitter never refuses input: it recovers and marks what it could not read with ERROR and MISSING nodes. A text
 * parses when its tree has none of them (`hasError` is false).
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type { Node as TsNode } from 'web-tree-sitter';

export type SyntaxNode = TsNode;

export interface ParsedShell {
  root: SyntaxNode;
  /** First syntax error (offset into the text), when tree-sitter had to recover. */
  errorAt?: number;
}

export interface ShellParser {
  /** Parse shell text (bash dialect). Never throws on user input. */
  parse(text: string): ParsedShell;
  /** `parse`, with the unbraced-variable misreads of tree-sitter-bash repaired first (see `parseRepaired`). */
  parseRepaired(text: string): RepairedShell;
}

export interface RepairedShell extends ParsedShell {
  /** The text the tree is of: the input with `${…}` braces added where tree-sitter misread `$NAME`. */
  text: string;
  /** Maps an offset in `text` back to the input. */
  toInput(offset: number): number;
}

let parserPromise: Promise<ShellParser> | undefined;

async function load(): Promise<ShellParser> {
  // V8 compiles WebAssembly with its baseline compiler (Liftoff), then recompiles hot functions with TurboFan in
  // background threads. tree-sitter-bash's lexer is one huge function that turns hot at once, and recompiling it
  // cost about 1.3 s of CPU in every process that parsed any shell, more than the parsing itself until megabytes
  // of shell are read (docs/design/audit-fetch.md). Liftoff code is kept instead. The flag is per process and read
  // when a module is compiled; no process that parses shell compiles other WebAssembly (zstd-wasm is used by
  // normalize and the archive writer only).
  setFlagsFromString('--liftoff-only');
  const { Parser, Language } = await import('web-tree-sitter');
  const require = createRequire(import.meta.url);
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  const parse = (text: string): ParsedShell => {
    const tree = parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    const root = tree.rootNode;
    return root.hasError ? { root, errorAt: firstError(root) } : { root };
  };
  return { parse, parseRepaired: (text) => parseRepaired(parse, text) };
}

/**
 * tree-sitter-bash 0.25 misreads some unbraced expansions inside a word: in `F=$B/pkg-$V.tar.gz` or
 * `rm $D/x/$1` or `$A/$*` the second `$` becomes a literal and the name after it a word of its own (even a new command),
 * with no ERROR node (tree-sitter/tree-sitter-bash issues 180, 306, 315). Bash reads `$V` there, so this writes
 * it `${V}` (`${1}`, `${*}`), which bash reads the same and tree-sitter reads right, and parses again. Offsets move by the braces
 * added; lines do not.
 */
function parseRepaired(parse: (text: string) => ParsedShell, input: string): RepairedShell {
  let text = input;
  /** Offsets (in `text`) of the braces added so far. */
  let braces: number[] = [];
  for (let round = 0; ; round++) {
    const parsed = parse(text);
    const fixes = round < 8 ? misreadDollars(parsed.root, text) : [];
    if (fixes.length === 0) return { ...parsed, text, toInput: (o) => o - braces.filter((b) => b < o).length };
    const shift = (o: number) => o + fixes.filter((f) => f.at <= o).length + fixes.filter((f) => f.at + f.length <= o).length;
    let out = '';
    let pos = 0;
    const added: number[] = [];
    for (const f of fixes) {
      out += text.slice(pos, f.at);
      added.push(out.length);
      out += `{${text.slice(f.at, f.at + f.length)}`;
      added.push(out.length);
      out += '}';
      pos = f.at + f.length;
    }
    text = out + text.slice(pos);
    braces = [...braces.map(shift), ...added].sort((x, y) => x - y);
  }
}

/** Literal `$` tokens directly followed by a parameter name: where tree-sitter split an expansion. */
function misreadDollars(root: SyntaxNode, text: string): { at: number; length: number }[] {
  const out: { at: number; length: number }[] = [];
  walk(root, (n) => {
    if (n.type !== '$' || n.isNamed || n.parent?.type === 'simple_expansion') return;
    const rest = text.slice(n.endIndex, n.endIndex + 256);
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0] ?? /^[0-9@*?$!]/.exec(rest)?.[0];
    if (name) out.push({ at: n.endIndex, length: name.length });
  });
  return out.sort((a, b) => a.at - b.at);
}

/** The parser, loaded once per process. */
export function shellParser(): Promise<ShellParser> {
  parserPromise ??= load();
  return parserPromise;
}

/** Parse shell text with tree-sitter-bash. Never throws on user input. */
export async function parseShell(text: string): Promise<ParsedShell> {
  return (await shellParser()).parse(text);
}

function firstError(n: SyntaxNode): number {
  if (n.type === 'ERROR' || n.isMissing) return n.startIndex;
  for (const c of n.children) if (c && (c.hasError || c.isMissing)) return firstError(c);
  return n.startIndex;
}

/** 1-based line and column of an offset in a text. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, col: offset - last };
}

/** Why a text does not parse (`line:col: syntax error near …`), or undefined when its tree is clean. */
export function describeError(text: string, errorAt: number | undefined): string | undefined {
  if (errorAt === undefined) return undefined;
  const { line, col } = lineCol(text, errorAt);
  const near = text.slice(errorAt).split('\n', 1)[0]?.trim() ?? '';
  return near ? `${line}:${col}: syntax error near \`${near.slice(0, 40)}\`` : `${line}:${col}: unexpected end of text`;
}

/** Children of a node without nulls. */
export function kids(n: SyntaxNode): SyntaxNode[] {
  return n.children.filter((c): c is SyntaxNode => c !== null);
}

/** Depth-first walk; `visit` returns false to skip a subtree. */
export function walk(n: SyntaxNode, visit: (n: SyntaxNode) => boolean | void): void {
  if (visit(n) === false) return;
  for (const c of kids(n)) walk(c, visit);
}
