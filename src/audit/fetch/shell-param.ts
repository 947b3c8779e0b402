/**
 * Shell parameter expansions in audited scripts: `$V`, `${V}`, `${V:-default}` and friends, and the prefix/suffix
 * removals used on URLs (`${V%.tar.gz}`, and `##` with a glob). Script arguments, special parameters and variables not
 * set in the script stay unresolved; nothing is guessed from the environment.
 */
import { unreachable } from '../../core/errors.js';
import type { Resolved } from './types.js';
import { kids, type SyntaxNode } from '../../lang/shell/parse.js';

const OPERATORS = [':-', ':=', ':+', ':?', '##', '%%', '-', '=', '+', '?', '#', '%'] as const;
type Op = (typeof OPERATORS)[number];

/** A shell glob with `*` and `?` (no brackets) as a regular expression source. */
function globSource(glob: string): string | undefined {
  if (glob.includes('[')) return undefined;
  return glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
}

function removeAffix(value: string, pattern: string, op: '#' | '##' | '%' | '%%'): string | undefined {
  const src = globSource(pattern);
  if (src === undefined) return undefined;
  const candidates: number[] = [];
  for (let k = 0; k <= value.length; k++) {
    const part = op.startsWith('#') ? value.slice(0, k) : value.slice(value.length - k);
    if (new RegExp(`^${src}$`).test(part)) candidates.push(k);
  }
  if (candidates.length === 0) return value;
  const k = op.length === 2 ? Math.max(...candidates) : Math.min(...candidates);
  return op.startsWith('#') ? value.slice(k) : value.slice(0, value.length - k);
}

/** Resolves the text of `node` between two offsets (an operator's argument) as a word. */
export type RangeResolver = (node: SyntaxNode, start: number, end: number) => Resolved;

/** Variables the shell or the login sets: never known to a reader of the script. */
const ENVIRONMENT = new Set(['PWD', 'OLDPWD', 'HOME', 'USER', 'LOGNAME', 'HOSTNAME', 'TMPDIR']);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class ParamResolver {
  constructor(
    private readonly vars: Map<string, Resolved>,
    private readonly range: RangeResolver,
    /** A node's text as written. */
    private readonly source: (n: SyntaxNode) => string,
  ) {}

  /** A `simple_expansion` (`$V`) or `expansion` (`${...}`) node of tree-sitter-bash. */
  resolve(p: SyntaxNode, reasons: string[]): string {
    const orig = this.source(p);
    const unknown = (why: string): string => {
      if (!reasons.includes(why)) reasons.push(why);
      return orig;
    };
    const parts = kids(p).filter((c) => c.type !== '$' && c.type !== '${' && c.type !== '}');
    const at = parts.findIndex((c) => c.isNamed);
    const nameNode = parts[at];
    if (!nameNode) return unknown(`${orig} is not evaluated by the audit`);
    const indexed = nameNode.type === 'subscript';
    const name = (indexed ? nameNode.childForFieldName('name') ?? nameNode : nameNode).text;
    if (!NAME.test(name) || nameNode.type === 'special_variable_name') return unknown(`${orig} is a script argument or special parameter`);
    // `${#V}` (length), `${!V}` (indirection), `${V[i]}` (index)
    if (at > 0 || indexed) return unknown(`${orig} is not evaluated by the audit`);
    const v = this.vars.get(name);
    const after = p.text.slice(nameNode.endIndex - p.startIndex);
    if (p.type === 'simple_expansion' || after === '}') {
      if (!v) return unknown(ENVIRONMENT.has(name) ? `$${name} comes from the machine the script runs on` : `$${name} is not set in this script`);
      for (const r of v.unresolved) if (!reasons.includes(r)) reasons.push(r);
      return v.text;
    }
    // slices (`${V:1:2}`), replacements (`${V/a/b}`), case changes, `@` transformations
    const op = OPERATORS.find((o) => after.startsWith(o));
    if (!op) return unknown(`${orig} is not evaluated by the audit`);
    const arg = this.range(p, nameNode.endIndex + op.length, p.endIndex - 1);
    return this.apply(op, v, arg, reasons, unknown);
  }

  private apply(op: Op, v: Resolved | undefined, arg: Resolved, reasons: string[], unknown: (why: string) => string): string {
    const take = (r: Resolved): string => {
      for (const x of r.unresolved) if (!reasons.includes(x)) reasons.push(x);
      return r.text;
    };
    if (v && v.unresolved.length > 0) return unknown(v.unresolved[0]!);
    const set = v !== undefined && (op.startsWith(':') ? v.text !== '' : true);
    switch (op) {
      case ':-':
      case '-':
      case ':=':
      case '=':
        return set ? v!.text : take(arg);
      case ':+':
      case '+':
        return set ? take(arg) : '';
      case ':?':
      case '?':
        return set ? v!.text : unknown(`the script stops when ${arg.text || 'a variable'} is unset`);
      case '#':
      case '##':
      case '%':
      case '%%': {
        if (!v) return unknown('the variable is not set in this script');
        if (arg.unresolved.length > 0) return unknown(arg.unresolved[0]!);
        const r = removeAffix(v.text, arg.text, op);
        return r === undefined ? unknown(`pattern ${arg.text} is not evaluated by the audit`) : r;
      }
      default:
        return unreachable(op, 'parameter operator');
    }
  }
}
