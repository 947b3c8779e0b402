/**
 * BusyBox caveats: Alpine's sh, sed, tar, find, xargs, cp, readlink, diff, patch, awk are BusyBox applets.
 * Walking the shell syntax tree, every GNU-only option or bash-only construct names the GNU package that
 * brings it back, with the file:line that needed it.
 */
import type { SourceLocation } from '../../core/errors.js';
import { invocation } from './invocation.js';
import { kids, literalValue, parseShell, walk, type SyntaxNode } from './parse.js';
import { shellHeredocs } from './shell.js';

export interface Need {
  package: string;
  reason: string;
  where: SourceLocation;
}

type OptionRule = (opts: readonly string[], args: readonly string[]) => string | undefined;

function has(opts: readonly string[], ...names: string[]): string | undefined {
  for (const o of opts) {
    for (const n of names) {
      if (o === n || (n.startsWith('--') && o.startsWith(`${n}=`))) return o;
      if (!n.startsWith('--') && n.length === 2 && /^-[A-Za-z]+$/.test(o) && o.includes(n[1]!)) return o;
    }
  }
  return undefined;
}

const TAR_GNU = ['--sort', '--mtime', '--clamp-mtime', '--owner', '--group', '--mode', '--format', '--transform',
  '--xform', '--pax-option', '--wildcards', '--use-compress-program', '--zstd', '--xattrs', '--acls', '--selinux',
  '--checkpoint', '--exclude-vcs', '--one-file-system', '--sparse', '--atime-preserve', '--null', '--hard-dereference',
  '--listed-incremental', '--delete', '--concatenate', '--append', '--update', '-I'];
const FIND_GNU = ['-printf', '-fprintf', '-fprint', '-fls', '-regextype', '-daystart', '-readable', '-writable',
  '-executable', '-xtype', '-execdir', '-okdir', '-iwholename', '-fstype', '-newermt', '-newerct', '-neweraa'];
const SED_GNU = ['--follow-symlinks', '-z', '--null-data', '-s', '--separate', '-u', '--unbuffered', '--posix',
  '--debug', '--sandbox', '-l', '--line-length'];
const CP_GNU = ['--preserve', '--reflink', '--parents', '--no-preserve', '--sparse', '--backup', '--attributes-only',
  '--archive', '--strip-trailing-slashes'];
const DIFF_GNU = ['-c', '-C', '-y', '--side-by-side', '-e', '--ed', '-n', '--rcs', '--color', '-x', '--exclude', '-X',
  '--from-file', '--to-file', '-I', '--suppress-common-lines', '-W', '--width', '-p', '--show-c-function', '-F'];

/** Command → (package, rule). A rule returns the offending option, or undefined. */
const RULES: Record<string, { pkg: string; rule: OptionRule; why: string }[]> = {
  tar: [{ pkg: 'tar', rule: (o) => has(o, ...TAR_GNU), why: 'BusyBox tar lacks' }],
  find: [{ pkg: 'findutils', rule: (_o, a) => a.find((x) => FIND_GNU.includes(x) || /^-newer[a-zA-Z]{2}$/.test(x)), why: 'BusyBox find lacks' }],
  xargs: [{ pkg: 'findutils', rule: (o) => has(o, '-d', '--delimiter', '-a', '--arg-file', '--process-slot-var'), why: 'BusyBox xargs lacks' }],
  sed: [{ pkg: 'sed', rule: (o) => has(o, ...SED_GNU), why: 'BusyBox sed lacks' }],
  cp: [
    { pkg: 'coreutils', rule: (o) => has(o, ...CP_GNU), why: 'BusyBox cp lacks (or treats differently)' },
    { pkg: 'coreutils', rule: (o) => has(o, '-a'), why: 'BusyBox cp -a is -dpR only: no xattrs/ACLs/capabilities, unlike GNU' },
  ],
  readlink: [
    { pkg: 'coreutils', rule: (o) => has(o, '-m', '-e', '--canonicalize-missing', '--canonicalize-existing', '-z'), why: 'BusyBox readlink lacks' },
    { pkg: 'coreutils', rule: (o) => has(o, '-f', '--canonicalize'), why: 'BusyBox readlink -f fails when the last component is missing (GNU accepts it):' },
  ],
  grep: [{ pkg: 'grep', rule: (o) => has(o, '-P', '--perl-regexp'), why: 'BusyBox grep lacks' }],
  diff: [{ pkg: 'diffutils', rule: (o) => has(o, ...DIFF_GNU), why: 'BusyBox diff lacks' }],
  awk: [{ pkg: 'gawk', rule: (o, a) => has(o, '-i', '--include') ?? gawkOnly(a), why: 'BusyBox awk lacks' }],
  patch: [{ pkg: 'patch', rule: () => 'patch', why: 'BusyBox patch applies no fuzz and ignores git rename/mode headers, unlike GNU' }],
  gawk: [{ pkg: 'gawk', rule: () => 'gawk', why: 'runs gawk explicitly:' }],
  bash: [{ pkg: 'bash', rule: () => 'bash', why: 'runs bash explicitly:' }],
};

const GAWK_FUNCS = ['gensub', 'asort', 'asorti', 'patsplit', 'PROCINFO', 'IGNORECASE', 'FPAT', 'systime', 'strftime', 'mktime'];

/** gawk-only functions inside an awk program text (an awk program, not shell). */
function gawkOnly(args: readonly string[]): string | undefined {
  for (const a of args) {
    const ident = a.split(/[^A-Za-z_]+/).find((w) => GAWK_FUNCS.includes(w));
    if (ident) return ident;
  }
  return undefined;
}

/** Bash-only syntax nodes, by tree-sitter-bash node type. */
const BASH_NODES: Record<string, string> = {
  array: 'bash arrays',
  subscript: 'bash array subscripts',
  herestring_redirect: 'here-strings (<<<)',
  process_substitution: 'process substitution <(…)',
  ansi_c_string: "$'…' strings",
  brace_expression: 'brace expansion {a..b}',
};

export interface ScanInput {
  root: SyntaxNode;
  locate(offset: number): SourceLocation;
}

/** Every BusyBox caveat in one shell syntax tree. */
export function busyboxNeeds(input: ScanInput): Need[] {
  const needs: Need[] = [];
  const add = (pkg: string, reason: string, at: number) => needs.push({ package: pkg, reason, where: input.locate(at) });
  walk(input.root, (n) => {
    const bashWhat = BASH_NODES[n.type];
    if (bashWhat) add('bash', `${bashWhat} need bash (BusyBox ash lacks them)`, n.startIndex);
    else if (n.type === 'test_command' && kids(n)[0]?.type === '[[') add('bash', '[[ … ]] is bash syntax', n.startIndex);
    else if (n.type === 'function_definition' && kids(n)[0]?.type === 'function') add('bash', 'the `function` keyword is bash syntax', n.startIndex);
    else if (n.type === 'declaration_command' && ['declare', 'typeset'].includes(kids(n)[0]?.type ?? '')) add('bash', `${kids(n)[0]?.type} is bash syntax`, n.startIndex);
    else if (n.type === 'command') commandNeeds(n, add);
  });
  return needs;
}

function commandNeeds(cmd: SyntaxNode, add: (pkg: string, reason: string, at: number) => void): void {
  const inv = invocation(cmd);
  if (!inv?.tool) return;
  const tool = inv.tool.split('/').pop() ?? inv.tool;
  if (tool === 'source') {
    add('bash', '`source` is bash syntax (POSIX sh has `.`)', cmd.startIndex);
    return;
  }
  const rules = RULES[tool];
  if (!rules) return;
  const args = inv.args.map((a) => literalValue(a) ?? '');
  const opts = args.filter((a) => a.startsWith('-') && a !== '-' && a !== '--');
  for (const r of rules) {
    const hit = r.rule(opts, args);
    if (hit !== undefined) {
      add(r.pkg, `${r.why} ${hit === tool ? tool : `\`${tool} ${hit}\``}`, cmd.startIndex);
      return;
    }
  }
}

/** A shebang naming bash needs bash. */
export function shebangNeeds(text: string, file: string): Need[] {
  const first = text.split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return [];
  const words = first.slice(2).trim().split(/\s+/);
  const interp = words[0]?.endsWith('/env') ? words[1] : words[0];
  if (interp && /(^|\/)bash$/.test(interp)) {
    return [{ package: 'bash', reason: `the shebang runs ${interp}`, where: { file, line: 1, col: 1 } }];
  }
  return [];
}

/** `busyboxNeeds` plus the scripts in heredocs fed to a shell (`bash <<EOF … EOF`), parsed on their own. */
export async function busyboxNeedsDeep(input: ScanInput): Promise<Need[]> {
  const needs = busyboxNeeds(input);
  for (const body of shellHeredocs(input.root)) {
    const { root, errorAt } = await parseShell(body.text);
    if (errorAt !== undefined) continue;
    const base = body.startIndex;
    needs.push(...(await busyboxNeedsDeep({ root, locate: (o) => input.locate(base + o) })));
  }
  return needs;
}
