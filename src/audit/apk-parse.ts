/**
 * The shell parsers behind `convert apk`.
 *
 * - tree-sitter-bash (through web-tree-sitter, both WebAssembly shipped inside their npm packages) gives the
 *   full syntax tree with exact offsets: commands, arguments, lists, heredocs, assignments. The conversion and
 *   the BusyBox audit walk it.
 * - sh-syntax (mvdan/sh as WebAssembly) is the strict check: its JavaScript API only exposes statement ranges
 *   (commands come back as bare position pairs), so it cannot drive the conversion, but it rejects what bash
 *   rejects. Every converted shell text must pass it.
 */
import { createRequire } from 'node:module';
import type { Node as TsNode, Parser as TsParser } from 'web-tree-sitter';

export type SyntaxNode = TsNode;

let parserPromise: Promise<TsParser> | undefined;

async function loadParser(): Promise<TsParser> {
  const { Parser, Language } = await import('web-tree-sitter');
  const require = createRequire(import.meta.url);
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export interface ParsedShell {
  root: SyntaxNode;
  /** First syntax error (offset into the text), when tree-sitter had to recover. */
  errorAt?: number;
}

/** Parse shell text with tree-sitter-bash. Never throws on user input. */
export async function parseShell(text: string): Promise<ParsedShell> {
  parserPromise ??= loadParser();
  const parser = await parserPromise;
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const root = tree.rootNode;
  if (!root.hasError) return { root };
  return { root, errorAt: firstError(root) };
}

function firstError(n: SyntaxNode): number {
  if (n.type === 'ERROR' || n.isMissing) return n.startIndex;
  for (const c of n.children) if (c && c.hasError) return firstError(c);
  return n.startIndex;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
type StrictParse = (text: string, options?: { keepComments?: boolean }) => Promise<unknown>;
let strictPromise: Promise<StrictParse> | undefined;

/** sh-syntax instantiates its WebAssembly on every call; compile it once and instantiate from the module. */
async function loadStrict(): Promise<StrictParse> {
  const { getProcessor } = await import('sh-syntax');
  const { readFile } = await import('node:fs/promises');
  const require = createRequire(import.meta.url);
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const module = await wasm.compile(await readFile(require.resolve('sh-syntax/main.wasm')));
  const processor = getProcessor(((imports: object) => wasm.instantiate(module, imports)) as Parameters<typeof getProcessor>[0]);
  return (text, options) => processor(text, options);
}

/** Strict parse with mvdan/sh (bash dialect). Returns the error text, or undefined when the text parses. */
export async function strictShellError(text: string): Promise<string | undefined> {
  strictPromise ??= loadStrict();
  const parse = await strictPromise;
  try {
    await parse(text, { keepComments: true });
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
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

/** The literal value of a word when it has no expansion in it (`abc`, `"abc"`, `'abc'`, `a"b"`). */
export function literalValue(n: SyntaxNode): string | undefined {
  switch (n.type) {
    case 'word':
    case 'number':
      return unescapeWord(n.text);
    case 'raw_string':
      return n.text.slice(1, -1);
    case 'string': {
      let s = '';
      for (const c of kids(n)) {
        if (c.type === '"') continue;
        if (c.type !== 'string_content') return undefined;
        s += c.text;
      }
      return s;
    }
    case 'concatenation': {
      let s = '';
      for (const c of kids(n)) {
        const v = literalValue(c);
        if (v === undefined) return undefined;
        s += v;
      }
      return s;
    }
    default:
      return undefined;
  }
}

function unescapeWord(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      out += s[++i];
      continue;
    }
    out += ch;
  }
  return out;
}

/** `$X`, `${X}`, `"$X"`, `"${X}"`: the variable name when the word is exactly one plain variable reference. */
export function plainVariable(n: SyntaxNode): string | undefined {
  if (n.type === 'string') {
    const inner = kids(n).filter((c) => c.type !== '"');
    return inner.length === 1 && inner[0] ? plainVariable(inner[0]) : undefined;
  }
  if (n.type !== 'simple_expansion' && n.type !== 'expansion') return undefined;
  const named = kids(n).filter((c) => c.isNamed);
  const unnamed = kids(n).filter((c) => !c.isNamed && !['$', '${', '}'].includes(c.type));
  if (named.length !== 1 || unnamed.length > 0 || named[0]?.type !== 'variable_name') return undefined;
  return named[0].text;
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
