/**
 * One command at a time: `apt-get install …` → `apk add --no-cache …`, housekeeping (`apt-get update`,
 * `apt-get clean`, `rm -rf /var/lib/apt/lists/*`) removed, `dpkg --add-architecture` → platform advice, other
 * Debian-only tools kept with an explicit finding.
 */
import type { SourceLocation } from '../../core/errors.js';
import type { Edit } from './edits.js';
import { argValue, type Invocation } from './invocation.js';
import { mapToAlpine } from '../../packages/map.js';
import { literalValue, plainVariable, type SyntaxNode } from './parse.js';
import type { ShellContext, VariableRewrite } from './types.js';
import { pushUnique, type Decision, type Finding } from '../../packages/types.js';

export interface AptEnv {
  ctx: ShellContext;
  assignments: Map<string, SyntaxNode[]>;
  text: string;
}

export interface AptOutcome {
  remove: boolean;
  edits: Edit[];
  decisions: Decision[];
  findings: Finding[];
  packages: string[];
  appendAt?: number;
  /** Edits to in-text assignments, keyed by the assignment node id (one rewrite per definition). */
  innerRewrites: Map<number, Edit>;
  outerRewrites: VariableRewrite[];
}

const APT_TOOLS = new Set(['apt-get', 'apt', 'aptitude']);
const APT_VALUED = new Set(['-o', '-t', '-c', '--option', '--target-release', '--config-file', '-a', '--host-architecture']);
const HOUSEKEEPING = new Set(['update', 'clean', 'autoclean', 'autoremove', 'check', 'auto-remove']);
const UPGRADE = new Set(['upgrade', 'dist-upgrade', 'full-upgrade', 'safe-upgrade']);
const DEBIAN_ONLY = new Set([
  'apt-key', 'add-apt-repository', 'apt-cache', 'apt-mark', 'dpkg-reconfigure', 'debconf-set-selections',
  'locale-gen', 'update-locale', 'update-alternatives', 'dpkg-architecture', 'dpkg-query', 'apt-add-repository',
]);
const APT_STATE_DIRS = ['/var/lib/apt', '/var/cache/apt', '/var/cache/debconf', '/var/log/apt'];

function empty(): AptOutcome {
  return { remove: false, edits: [], decisions: [], findings: [], packages: [], innerRewrites: new Map(), outerRewrites: [] };
}

export function oneLine(s: string): string {
  return s.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
}

export function convertAptCommand(inv: Invocation, env: AptEnv): AptOutcome | undefined {
  const tool = inv.tool;
  if (tool === undefined) return undefined;
  if (APT_TOOLS.has(tool)) return aptCommand(inv, env);
  if (tool === 'rm') return rmCommand(inv, env);
  if (tool === 'dpkg') return dpkgCommand(inv, env);
  if (tool === 'apk') return existingApk(inv);
  if (tool === 'xargs' && inv.args.some((a) => APT_TOOLS.has(argValue(a) ?? ''))) {
    const out = empty();
    out.findings.push({
      code: 'convert.unsupported-apt-command',
      severity: 'error',
      message: 'apt run through xargs reads its package list at build time; left as is',
      where: env.ctx.locate(inv.cmd.startIndex),
      value: oneLine(inv.cmd.text),
      hint: 'convert the list file with `tarsmith convert apk --kind list FILE` and use `xargs apk add --no-cache`',
    });
    return out;
  }
  if (DEBIAN_ONLY.has(tool)) {
    const out = empty();
    out.findings.push({
      code: 'convert.debian-only-command',
      severity: 'error',
      message: `${tool} is a Debian tool with no apk counterpart; left as is`,
      where: env.ctx.locate(inv.cmd.startIndex),
      value: oneLine(inv.cmd.text),
      hint: 'remove it or replace it by hand (apk repositories: /etc/apk/repositories; pins: `apk add name=version`)',
    });
    return out;
  }
  return undefined;
}

/** Split apt arguments into the subcommand, options, and operands (package words). */
function splitAptArgs(args: readonly SyntaxNode[]): { sub?: SyntaxNode; subIndex: number; options: Set<number> } {
  const options = new Set<number>();
  let sub: SyntaxNode | undefined;
  let subIndex = -1;
  for (let i = 0; i < args.length; i++) {
    const v = argValue(args[i]!);
    if (v !== undefined && v.startsWith('-') && v.length > 1) {
      options.add(i);
      if (APT_VALUED.has(v) && i + 1 < args.length) options.add(++i);
      continue;
    }
    if (!sub) {
      sub = args[i];
      subIndex = i;
    }
  }
  return { ...(sub ? { sub } : {}), subIndex, options };
}

function aptCommand(inv: Invocation, env: AptEnv): AptOutcome {
  const out = empty();
  const { sub, subIndex, options } = splitAptArgs(inv.args);
  const verb = sub ? argValue(sub) : undefined;
  const where = env.ctx.locate(inv.cmd.startIndex);
  const from = oneLine(inv.cmd.text);
  if (verb !== undefined && HOUSEKEEPING.has(verb)) {
    out.remove = true;
    const reason = verb === 'update' ? 'apk add --no-cache fetches the index itself' : 'apk --no-cache leaves no cache to clean';
    out.decisions.push({ action: 'remove-command', where, from, to: '', reason });
    return out;
  }
  if (verb !== undefined && UPGRADE.has(verb)) {
    const to = `${inv.keptPrefix}apk upgrade --no-cache`;
    out.edits.push({ start: inv.cmd.startIndex, end: inv.cmd.endIndex, text: to });
    out.decisions.push({ action: 'replace-command', where, from, to, reason: `apt-get ${verb} → apk upgrade` });
    return out;
  }
  if (verb === 'install' || verb === 'reinstall' || verb === 'remove' || verb === 'purge') {
    return packageCommand(inv, env, { subIndex, options, verb });
  }
  out.findings.push({
    code: 'convert.unsupported-apt-command',
    severity: 'error',
    message: `\`${inv.tool} ${verb ?? ''}\` has no apk counterpart; left as is`,
    where,
    value: from,
    hint: 'rewrite it by hand for apk (see `apk --help`)',
  });
  return out;
}

interface PkgWord {
  node: SyntaxNode;
  alpine: string[];
  /** Keep the word as written (a variable, resolved or not). */
  keep: boolean;
}

function packageCommand(
  inv: Invocation,
  env: AptEnv,
  a: { subIndex: number; options: Set<number>; verb: string },
): AptOutcome {
  const out = empty();
  const install = a.verb === 'install' || a.verb === 'reinstall';
  const words: PkgWord[] = [];
  for (let i = a.subIndex + 1; i < inv.args.length; i++) {
    if (a.options.has(i)) continue;
    words.push(packageWord(inv.args[i]!, env, out));
  }
  const where = env.ctx.locate(inv.cmd.startIndex);
  const from = oneLine(inv.cmd.text);
  if (words.every((w) => !w.keep && w.alpine.length === 0)) {
    out.remove = true;
    out.decisions.push({ action: 'remove-command', where, from, to: '', reason: 'no package is left once mapped to Alpine' });
    return out;
  }
  const head = `${inv.keptPrefix}${install ? 'apk add --no-cache' : 'apk del'}`;
  out.edits.push(...wordEdits(inv, a, words, head));
  for (const w of words) pushUnique(out.packages, ...(install ? w.alpine : []));
  const last = [...words].reverse().find((w) => w.keep || w.alpine.length > 0);
  if (install && last) out.appendAt = last.node.endIndex;
  const to = `${head} ${words.map((w) => (w.keep ? w.node.text : w.alpine.join(' '))).filter(Boolean).join(' ')}`;
  out.decisions.push({ action: 'replace-command', where, from, to, reason: `${inv.tool} ${a.verb} → ${install ? 'apk add --no-cache' : 'apk del'}` });
  if (!install) out.packages.length = 0;
  return out;
}

/** Edits: the head up to the first package becomes `head`; later options go; each package word is mapped. */
function wordEdits(inv: Invocation, a: { subIndex: number; options: Set<number> }, words: PkgWord[], head: string): Edit[] {
  const edits: Edit[] = [];
  const first = words[0]?.node;
  const all = inv.args;
  const firstIdx = first ? all.indexOf(first) : all.length;
  const headEndNode = firstIdx > 0 ? all[firstIdx - 1]! : (all[a.subIndex] ?? inv.toolNode);
  edits.push({ start: inv.cmd.startIndex, end: headEndNode.endIndex, text: head });
  for (let i = firstIdx + 1; i < all.length; i++) {
    if (a.options.has(i)) edits.push({ start: all[i - 1]!.endIndex, end: all[i]!.endIndex, text: '' });
  }
  for (const w of words) {
    if (w.keep) continue;
    const idx = all.indexOf(w.node);
    if (w.alpine.length > 0) edits.push({ start: w.node.startIndex, end: w.node.endIndex, text: w.alpine.join(' ') });
    else edits.push({ start: (all[idx - 1] ?? headEndNode).endIndex, end: w.node.endIndex, text: '' });
  }
  return edits;
}

function packageWord(node: SyntaxNode, env: AptEnv, out: AptOutcome): PkgWord {
  const where = env.ctx.locate(node.startIndex);
  const lit = literalValue(node);
  if (lit !== undefined && lit.endsWith('.deb')) {
    out.findings.push({
      code: 'convert.deb-file',
      severity: 'error',
      message: `${lit} is a Debian package file, which apk cannot install`,
      where,
      value: lit,
      hint: 'use the Alpine package of the same software, or vendor its source and build it',
    });
    out.decisions.push({ action: 'drop-package', where, from: lit, to: '', reason: 'a .deb file' });
    return { node, alpine: [], keep: false };
  }
  if (lit !== undefined) {
    const r = mapToAlpine(lit, where);
    out.findings.push(...r.findings);
    out.decisions.push(r.decision);
    return { node, alpine: r.alpine, keep: false };
  }
  const name = plainVariable(node);
  const values = name ? resolveVariable(name, node, env, out) : undefined;
  if (name === undefined || values === undefined) {
    out.findings.push({
      code: 'convert.unresolved-variable',
      severity: 'warning',
      message: `package list word ${node.text} cannot be resolved here; kept as is (its values must be Alpine names)`,
      where,
      value: node.text,
      hint: 'give the variable a plain default in the file, or map its values with `tarsmith convert apk --kind list`',
    });
    return { node, alpine: [], keep: true };
  }
  return { node, alpine: values, keep: true };
}

/** Resolve `$NAME` from a single plain assignment in the text, or from the outer definitions. */
function resolveVariable(name: string, use: SyntaxNode, env: AptEnv, out: AptOutcome): string[] | undefined {
  const defs = env.assignments.get(name);
  if (defs && defs.length > 0) {
    const def = defs[0]!;
    const valueNode = def.childForFieldName('value');
    const value = valueNode ? literalValue(valueNode) : '';
    if (defs.length !== 1 || value === undefined || def.startIndex > use.startIndex) return undefined;
    const mapped = mapWords(value, env.ctx.locate(def.startIndex), out);
    const quote = valueNode?.type === 'raw_string' ? "'" : '"';
    const text = `${quote}${mapped.join(' ')}${quote}`;
    if (valueNode) out.innerRewrites.set(def.id, { start: valueNode.startIndex, end: valueNode.endIndex, text });
    else out.innerRewrites.set(def.id, { start: def.endIndex, end: def.endIndex, text });
    out.decisions.push({ action: 'rewrite-variable', where: env.ctx.locate(def.startIndex), from: def.text, to: `${name}=${text}`, reason: 'plain assignment used as a package list' });
    return mapped;
  }
  const outer = env.ctx.outer?.(name);
  if (!outer) return undefined;
  const mapped = mapWords(outer.value, outer.where, out);
  out.outerRewrites.push({ name, outerId: outer.id, value: mapped });
  return mapped;
}

function mapWords(value: string, where: SourceLocation, out: AptOutcome): string[] {
  const mapped: string[] = [];
  for (const w of value.split(/\s+/).filter(Boolean)) {
    const r = mapToAlpine(w, where);
    out.findings.push(...r.findings);
    out.decisions.push(r.decision);
    pushUnique(mapped, ...r.alpine);
  }
  return mapped;
}

function rmCommand(inv: Invocation, env: AptEnv): AptOutcome | undefined {
  const operands = inv.args.filter((a) => !(argValue(a) ?? '').startsWith('-'));
  const isApt = (n: SyntaxNode) => {
    const v = argValue(n) ?? n.text;
    return APT_STATE_DIRS.some((d) => v === d || v.startsWith(`${d}/`));
  };
  const aptOnes = operands.filter(isApt);
  if (aptOnes.length === 0) return undefined;
  const out = empty();
  const where = env.ctx.locate(inv.cmd.startIndex);
  const from = oneLine(inv.cmd.text);
  if (aptOnes.length === operands.length) {
    out.remove = true;
    out.decisions.push({ action: 'remove-command', where, from, to: '', reason: 'apt state folders do not exist on Alpine' });
    return out;
  }
  for (const n of aptOnes) {
    const idx = inv.args.indexOf(n);
    const prev = idx > 0 ? inv.args[idx - 1]! : inv.toolNode;
    out.edits.push({ start: prev.endIndex, end: n.endIndex, text: '' });
  }
  out.decisions.push({ action: 'replace-command', where, from, to: '(apt paths removed)', reason: 'apt state folders do not exist on Alpine' });
  return out;
}

function dpkgCommand(inv: Invocation, env: AptEnv): AptOutcome {
  const out = empty();
  const where = env.ctx.locate(inv.cmd.startIndex);
  const from = oneLine(inv.cmd.text);
  const first = inv.args[0] ? argValue(inv.args[0]) : undefined;
  if (first === '--add-architecture') {
    out.remove = true;
    out.decisions.push({ action: 'remove-command', where, from, to: '', reason: 'Alpine has no multiarch' });
    out.findings.push({
      code: 'convert.multiarch',
      severity: 'error',
      message: 'dpkg --add-architecture (Debian multiarch) has no Alpine equivalent',
      where,
      value: from,
      hint:
        'build for the target natively with `docker buildx build --platform linux/arm64` (BuildKit + QEMU binfmt), ' +
        'or use a cross toolchain',
    });
    return out;
  }
  out.findings.push({
    code: 'convert.debian-only-command',
    severity: 'error',
    message: 'dpkg has no Alpine counterpart; left as is',
    where,
    value: from,
    hint: 'install the Alpine package with apk instead of a .deb',
  });
  return out;
}

/** An `apk add` already there (a converted file converted again): its packages count, nothing changes. */
function existingApk(inv: Invocation): AptOutcome | undefined {
  const words = inv.args.map((a) => argValue(a));
  const operands = words.filter((w) => w === undefined || !w.startsWith('-'));
  if (operands[0] !== 'add') return undefined;
  const out = empty();
  for (const w of operands.slice(1)) if (w !== undefined) pushUnique(out.packages, w);
  const last = inv.args[inv.args.length - 1];
  if (last) out.appendAt = last.endIndex;
  return out;
}
