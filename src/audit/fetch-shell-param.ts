/**
 * Shell parameter expansions in audited scripts: `$V`, `${V}`, `${V:-default}` and friends, and the prefix/suffix
 * removals used on URLs (`${V%.tar.gz}`, and `##` with a glob). Script arguments, special parameters and variables not
 * set in the script stay unresolved; nothing is guessed from the environment.
 */
import sh from 'mvdan-sh';
import { unreachable } from '../core/errors.js';
import type { Resolved } from './fetch-types.js';

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

export class ParamResolver {
  constructor(
    private readonly vars: Map<string, Resolved>,
    private readonly slice: (n: sh.Node) => string,
    private readonly word: (w: sh.Word) => Resolved,
  ) {}

  resolve(p: sh.ParamExp, reasons: string[]): string {
    const orig = this.slice(p);
    const name = p.Param?.Value ?? '';
    const unknown = (why: string): string => {
      if (!reasons.includes(why)) reasons.push(why);
      return orig;
    };
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return unknown(`${orig} is a script argument or special parameter`);
    if (p.Length || p.Excl || p.Slice || p.Repl || p.Index) return unknown(`${orig} is not evaluated by the audit`);
    const v = this.vars.get(name);
    if (!p.Exp) {
      if (!v) return unknown(`$${name} is not set in this script`);
      for (const r of v.unresolved) if (!reasons.includes(r)) reasons.push(r);
      return v.text;
    }
    const op = this.operator(orig, name);
    if (!op) return unknown(`${orig} is not evaluated by the audit`);
    const arg = p.Exp.Word ? this.word(p.Exp.Word) : { text: '', unresolved: [] };
    return this.apply(op, v, arg, reasons, unknown);
  }

  private operator(orig: string, name: string): Op | undefined {
    const after = orig.slice(2 + name.length);
    return OPERATORS.find((o) => after.startsWith(o));
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
