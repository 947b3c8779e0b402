/**
 * What a shell `command` node runs, seen through `sudo`, `env` and `VAR=value` prefixes: the tool, its
 * argument nodes, and the prefix that must survive a rewrite (sudo, non-Debian assignments).
 */
import { kids, literalValue, plainVariable, type SyntaxNode } from './parse.js';

export interface Invocation {
  cmd: SyntaxNode;
  /** The tool's name as written (`apt-get`), or undefined when it is not a literal word. */
  tool: string | undefined;
  toolNode: SyntaxNode;
  /** Argument nodes after the tool. */
  args: SyntaxNode[];
  /** Text to keep in front of a replacement (`sudo `, `FOO=bar `), with a trailing space when non-empty. */
  keptPrefix: string;
}

/** Assignments that only steer Debian's tools and mean nothing to apk. */
const DEBIAN_ONLY_ENV = /^(DEBIAN_FRONTEND|DEBCONF_[A-Z_]+|APT_[A-Z_]+|NEEDRESTART_[A-Z_]+|UCF_FORCE_CONFF[A-Z]+)=/;

/** Tools a variable prefix (`$SUDO`) may stand in front of. */
const APT_LIKE = new Set(['apt-get', 'apt', 'aptitude', 'dpkg']);

const SUDO_VALUED = new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T']);

/** The words of a command in order: assignments, name, arguments. */
function commandWords(cmd: SyntaxNode): SyntaxNode[] {
  return kids(cmd).filter((c) => c.isNamed && c.type !== 'comment' && !c.type.endsWith('redirect'));
}

export function invocation(cmd: SyntaxNode): Invocation | undefined {
  const words = commandWords(cmd);
  const kept: string[] = [];
  let i = 0;
  const take = (n: SyntaxNode) => {
    const t = literalValue(n) ?? n.text;
    if (!DEBIAN_ONLY_ENV.test(t)) kept.push(n.text);
  };
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w.type === 'variable_assignment') {
      take(w);
      continue;
    }
    const node = w.type === 'command_name' ? (kids(w)[0] ?? w) : w;
    const v = literalValue(node);
    if (v === undefined && plainVariable(node) && APT_LIKE.has(literalValue(words[i + 1] ?? node) ?? '')) {
      kept.push(node.text); // `$SUDO apt-get install …`
      continue;
    }
    if (v === 'sudo') {
      kept.push(node.text);
      while (i + 1 < words.length && (literalValue(words[i + 1]!) ?? '').startsWith('-')) {
        const opt = words[++i]!;
        kept.push(opt.text);
        if (SUDO_VALUED.has(literalValue(opt) ?? '') && i + 1 < words.length) kept.push(words[++i]!.text);
      }
      continue;
    }
    if (v === 'env') {
      while (i + 1 < words.length && (literalValue(words[i + 1]!) ?? '').startsWith('-')) i++;
      continue;
    }
    if (v !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
      take(node);
      continue;
    }
    return {
      cmd,
      tool: v,
      toolNode: node,
      args: words.slice(i + 1),
      keptPrefix: kept.length > 0 ? `${kept.join(' ')} ` : '',
    };
  }
  return undefined;
}

export function argValue(n: SyntaxNode): string | undefined {
  return literalValue(n);
}
