/**
 * Recognises network fetches in one command's argument list (words already resolved as far as possible):
 * git clone/fetch/pull/ls-remote/submodule, wget, curl, and package-manager fetches (pip, npm, go, cargo, svn,
 * hg) that tarsmith cannot answer and reports as "vendor by hand".
 */
import type { FetchKind, FetchTool, Resolved } from './types.js';

export interface FetchSpec {
  tool: FetchTool;
  kind: FetchKind;
  url?: Resolved;
  ref?: Resolved;
  needsSource: boolean;
}

const WRAPPERS = new Set(['sudo', 'env', 'command', 'exec', 'nice', 'nohup', 'time', 'stdbuf', 'timeout']);

/** Short and long options that take a value in the next word, per tool. */
const GIT_GLOBAL_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env']);
const CLONE_VALUE = new Set([
  '-b', '--branch', '--depth', '-j', '--jobs', '-o', '--origin', '-c', '--config', '--reference', '--reference-if-able',
  '--shallow-since', '--shallow-exclude', '--separate-git-dir', '-u', '--upload-pack', '--template', '--server-option', '--filter',
]);
const FETCH_VALUE = new Set([
  '--depth', '-j', '--jobs', '--upload-pack', '--refmap', '-o', '--server-option', '--deepen', '--shallow-since',
  '--shallow-exclude', '-s', '--strategy', '-X', '--strategy-option',
]);
const WGET_VALUE = new Set([
  '-O', '-o', '-a', '-P', '-t', '-T', '-U', '-e', '-i', '-B', '-w', '-Q', '-l', '-A', '-R', '-D', '-I', '-X',
  '--output-document', '--output-file', '--append-output', '--directory-prefix', '--tries', '--timeout', '--user-agent',
  '--execute', '--input-file', '--base', '--wait', '--quota', '--level', '--header', '--user', '--password',
  '--post-data', '--post-file', '--load-cookies', '--save-cookies', '--ca-certificate', '--limit-rate', '--referer',
]);
const CURL_SHORT_VALUE = new Set('odHAuXewmxCrTFEbcKDUyYztQ'.split(''));
const CURL_LONG_VALUE = new Set([
  '--output', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--header', '--user-agent', '--user', '--request',
  '--referer', '--write-out', '--max-time', '--proxy', '--continue-at', '--range', '--upload-file', '--form', '--cert',
  '--cookie', '--cookie-jar', '--config', '--dump-header', '--retry', '--retry-delay', '--retry-max-time',
  '--connect-timeout', '--cacert', '--capath', '--key', '--limit-rate', '--output-dir', '--proto', '--proto-redir',
  '--resolve', '--interface', '--max-filesize', '--oauth2-bearer',
]);

function basename(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}

/** Positional arguments, skipping options (and the values of those that take one). `--` ends options. */
function positionals(args: readonly Resolved[], takesValue: (opt: string) => boolean): Resolved[] {
  const out: Resolved[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    if (a === '--') return out.concat(args.slice(i + 1));
    if (a.startsWith('-') && a.length > 1) {
      if (!a.includes('=') && takesValue(a)) i++;
      continue;
    }
    out.push(args[i]!);
  }
  return out;
}

/** The value of an option (`-b X`, `--branch X`, `--branch=X`, `-bX`), last one wins. */
function optionValue(args: readonly Resolved[], short: string | undefined, long: string): Resolved | undefined {
  let v: Resolved | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    if (a === '--') break;
    if (a === long || a === short) v = args[i + 1];
    else if (a.startsWith(`${long}=`)) v = { ...args[i]!, text: a.slice(long.length + 1) };
    else if (short && a.startsWith(short) && a.length > short.length && !a.startsWith('--')) v = { ...args[i]!, text: a.slice(short.length) };
  }
  return v;
}

function looksLikeUrl(s: string): boolean {
  return s.includes('://') || /^[\w.-]+@[\w.-]+:/.test(s) || s.endsWith('.git');
}

function cleanRef(r: Resolved | undefined): Resolved | undefined {
  if (!r) return undefined;
  let t = r.text.replace(/^\+/, '');
  const colon = t.indexOf(':');
  if (colon > 0) t = t.slice(0, colon);
  for (const p of ['refs/tags/', 'refs/heads/']) if (t.startsWith(p)) t = t.slice(p.length);
  return { ...r, text: t };
}

function git(args: readonly Resolved[]): FetchSpec[] {
  let i = 0;
  while (i < args.length && args[i]!.text.startsWith('-')) i += GIT_GLOBAL_VALUE.has(args[i]!.text) ? 2 : 1;
  const sub = args[i]?.text;
  const rest = args.slice(i + 1);
  switch (sub) {
    case 'clone': {
      const [url] = positionals(rest, (o) => CLONE_VALUE.has(o));
      const ref = optionValue(rest, '-b', '--branch');
      return url ? [{ tool: 'git clone', kind: 'git', url, ...(ref ? { ref } : {}), needsSource: true }] : [];
    }
    case 'fetch':
    case 'pull':
    case 'ls-remote': {
      const pos = positionals(rest, (o) => FETCH_VALUE.has(o));
      const remote = pos[0];
      const refArg = pos[1]?.text === 'tag' ? pos[2] : pos[1];
      const tool: FetchTool = sub === 'fetch' ? 'git fetch' : sub === 'pull' ? 'git pull' : 'git ls-remote';
      if (!remote || (remote.unresolved.length === 0 && !looksLikeUrl(remote.text))) return [{ tool, kind: 'git', needsSource: false }];
      const ref = cleanRef(refArg);
      return [{ tool, kind: 'git', url: remote, ...(ref ? { ref } : {}), needsSource: true }];
    }
    case 'submodule': {
      const pos = positionals(rest, (o) => o === '--depth' || o === '--reference' || o === '-b' || o === '--branch' || o === '--name');
      if (pos[0]?.text === 'add' && pos[1]) {
        const ref = optionValue(rest, '-b', '--branch');
        return [{ tool: 'git submodule', kind: 'git', url: pos[1], ...(ref ? { ref } : {}), needsSource: true }];
      }
      return pos[0]?.text === 'update' ? [{ tool: 'git submodule', kind: 'git', needsSource: false }] : [];
    }
    default:
      return [];
  }
}

function curlUrls(args: readonly Resolved[]): Resolved[] {
  const urls: Resolved[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    if (a === '--') return urls.concat(args.slice(i + 1));
    if (a === '--url') {
      if (args[i + 1]) urls.push(args[i + 1]!);
      i++;
    } else if (a.startsWith('--')) {
      if (!a.includes('=') && CURL_LONG_VALUE.has(a)) i++;
    } else if (a.startsWith('-') && a.length > 1) {
      // combined short flags: the first flag that takes a value takes the rest of the word or the next word
      for (let k = 1; k < a.length; k++) {
        if (CURL_SHORT_VALUE.has(a[k]!)) {
          if (k === a.length - 1) i++;
          break;
        }
      }
    } else {
      urls.push(args[i]!);
    }
  }
  return urls;
}

function unsupported(tool: FetchTool, args: readonly Resolved[], subs: readonly string[]): FetchSpec[] {
  const pos = positionals(args, () => false);
  if (!pos[0] || !subs.includes(pos[0].text)) return [];
  const target = pos[1];
  return [{ tool, kind: 'unsupported', ...(target ? { url: target } : {}), needsSource: true }];
}

/**
 * The revision a `git checkout REV` / `git switch --detach REV` / `git reset --hard REV` names, if the command is
 * one: it pins a clone made just before without `-b`.
 */
export function checkoutTarget(argv: readonly Resolved[]): Resolved | undefined {
  if (!argv[0] || basename(argv[0].text) !== 'git') return undefined;
  let i = 1;
  while (i < argv.length && argv[i]!.text.startsWith('-')) i += GIT_GLOBAL_VALUE.has(argv[i]!.text) ? 2 : 1;
  const sub = argv[i]?.text;
  if (sub !== 'checkout' && sub !== 'switch' && sub !== 'reset') return undefined;
  const rest = argv.slice(i + 1);
  const dashdash = rest.findIndex((a) => a.text === '--');
  const pos = positionals(dashdash < 0 ? rest : rest.slice(0, dashdash), (o) => ['-b', '-B', '-c', '-C', '--orphan'].includes(o));
  if (sub === 'reset' && !rest.some((a) => a.text === '--hard')) return undefined;
  return pos.at(-1);
}

/** The fetches one command performs (usually none). */
export function recognize(argv: readonly Resolved[]): FetchSpec[] {
  let words = argv;
  while (words[0] && WRAPPERS.has(basename(words[0].text))) {
    words = words.slice(1);
    while (words[0] && (words[0].text.startsWith('-') || /^\w+=/.test(words[0].text))) words = words.slice(1);
  }
  const [cmd, ...args] = words;
  if (!cmd || cmd.unresolved.length > 0) return [];
  switch (basename(cmd.text)) {
    case 'git':
      return git(args);
    case 'wget':
      return positionals(args, (o) => WGET_VALUE.has(o)).map((url) => ({ tool: 'wget', kind: 'url', url, needsSource: true }));
    case 'curl':
      return curlUrls(args).map((url) => ({ tool: 'curl', kind: 'url', url, needsSource: true }));
    case 'pip':
    case 'pip3':
      return unsupported('pip', args, ['install', 'download']);
    case 'python':
    case 'python3':
      return args[0]?.text === '-m' && args[1]?.text === 'pip' ? unsupported('pip', args.slice(2), ['install', 'download']) : [];
    case 'npm':
    case 'pnpm':
    case 'yarn':
      return unsupported('npm', args, ['install', 'i', 'ci', 'add']);
    case 'go':
      return args[0]?.text === 'mod' ? unsupported('go', args.slice(1), ['download']) : unsupported('go', args, ['get', 'install']);
    case 'cargo':
      return unsupported('cargo', args, ['fetch', 'install', 'vendor', 'update']);
    case 'svn':
      return unsupported('svn', args, ['checkout', 'co', 'export']);
    case 'hg':
      return unsupported('hg', args, ['clone', 'pull']);
    default:
      return [];
  }
}
