/**
 * Syntax-tree helpers behind `convert apk`, over the project's one shell parser (tree-sitter-bash, see
 * shell-parse.ts): literal words, plain variable references, positions.
 */
import { describeError, kids, parseShell, type SyntaxNode } from '../../lang/shell/parse.js';

export { kids, lineCol, parseShell, walk, type ParsedShell, type SyntaxNode } from '../../lang/shell/parse.js';

/**
 * The strict check every converted shell text must pass: the tree-sitter-bash tree has no ERROR and no MISSING
 * node. Returns why the text does not parse, or undefined when it does.
 */
export async function strictShellError(text: string): Promise<string | undefined> {
  const { errorAt } = await parseShell(text);
  return describeError(text, errorAt);
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
