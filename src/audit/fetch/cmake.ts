/**
 * Fetches in CMake files: `FetchContent_Declare`/`FetchContent_Populate`, `ExternalProject_Add` (GIT_REPOSITORY,
 * GIT_TAG, URL) and `file(DOWNLOAD ...)`. Variables are resolved where they are plain `set()`s at the top level
 * of the file (or of a file it `include()`s); a `set()` inside `if()`, `foreach()`, `function()` or `macro()`
 * makes its variable unresolved. The command syntax is read by `lang/cmake/read.ts`.
 */
import * as posix from 'node:path/posix';
import { readCMake, type Arg, type Call } from '../../lang/cmake/read.js';
import type { AuditTree } from './tree.js';
import type { Fetch, FetchTool, Resolved } from './types.js';


const BLOCK_OPEN = new Set(['if', 'foreach', 'while', 'function', 'macro', 'block']);
const BLOCK_CLOSE = new Set(['endif', 'endforeach', 'endwhile', 'endfunction', 'endmacro', 'endblock']);
const FETCH_COMMANDS: Record<string, FetchTool> = {
  fetchcontent_declare: 'cmake FetchContent',
  fetchcontent_populate: 'cmake FetchContent',
  externalproject_add: 'cmake ExternalProject',
};
/** Keywords of FetchContent/ExternalProject: a keyword right after another one means the first has no value. */
const KEYWORDS = new Set([
  'GIT_REPOSITORY', 'GIT_TAG', 'URL', 'URL_HASH', 'URL_MD5', 'SVN_REPOSITORY', 'HG_REPOSITORY', 'SOURCE_DIR',
  'BINARY_DIR', 'GIT_SHALLOW', 'GIT_PROGRESS', 'DOWNLOAD_DIR', 'PATCH_COMMAND', 'CONFIGURE_COMMAND', 'BUILD_COMMAND',
  'INSTALL_COMMAND', 'QUIET', 'SUBBUILD_DIR', 'DOWNLOAD_NAME', 'TLS_VERIFY', 'GIT_SUBMODULES', 'UPDATE_COMMAND',
  'PREFIX', 'CMAKE_ARGS', 'EXCLUDE_FROM_ALL', 'SYSTEM', 'FIND_PACKAGE_ARGS', 'OVERRIDE_FIND_PACKAGE',
]);

class CMakeScan {
  readonly vars = new Map<string, Resolved>();
  readonly fetches: Fetch[] = [];
  private depth = 0;
  private includes = 0;

  constructor(private readonly tree: AuditTree) {}

  expand(raw: string): Resolved {
    const reasons: string[] = [];
    const text = this.expandText(raw, reasons, 0);
    return { text, unresolved: reasons };
  }

  private expandText(raw: string, reasons: string[], depth: number): string {
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const m = /^\$(ENV|CACHE)?\{/.exec(raw.slice(i, i + 8));
      if (!m || depth > 20) {
        out += raw[i];
        continue;
      }
      let k = i + m[0].length;
      let d = 1;
      for (; k < raw.length && d > 0; k++) if (raw[k] === '{') d++; else if (raw[k] === '}') d--;
      const orig = raw.slice(i, k);
      const name = this.expandText(raw.slice(i + m[0].length, k - 1), reasons, depth + 1);
      const v = m[1] === 'ENV' ? undefined : this.vars.get(name);
      if (!v) reasons.push(m[1] === 'ENV' ? `${orig} comes from the environment` : `CMake variable ${name} is not set by a plain set()`);
      else reasons.push(...v.unresolved);
      out += v ? v.text : orig;
      i = k - 1;
    }
    return out;
  }

  run(file: string): void {
    const text = this.tree.read(file);
    if (text === undefined) return;
    for (const call of readCMake(text)) this.call(file, call);
  }

  private call(file: string, c: Call): void {
    if (BLOCK_OPEN.has(c.name)) this.depth++;
    else if (BLOCK_CLOSE.has(c.name)) this.depth = Math.max(0, this.depth - 1);
    else if (c.name === 'set') this.set(file, c);
    else if (c.name === 'include') this.include(file, c);
    else if (c.name === 'file' && c.args[0]?.raw.toUpperCase() === 'DOWNLOAD' && c.args[1]) {
      this.push(file, c, 'cmake file(DOWNLOAD)', 'url', this.arg(c.args[1]), undefined);
    } else if (FETCH_COMMANDS[c.name]) this.fetchCommand(file, c, FETCH_COMMANDS[c.name]!);
  }

  private arg(a: Arg): Resolved {
    return a.bracket ? { text: a.raw, unresolved: [] } : this.expand(a.raw);
  }

  private set(file: string, c: Call): void {
    const [name, ...rest] = c.args;
    if (!name) return;
    const n = this.arg(name).text;
    if (this.depth > 0) {
      this.vars.set(n, { text: `\${${n}}`, unresolved: [`${n} is set inside a block (${file}:${c.line})`] });
      return;
    }
    const stop = rest.findIndex((a) => !a.bracket && (a.raw === 'CACHE' || a.raw === 'PARENT_SCOPE'));
    const values = (stop < 0 ? rest : rest.slice(0, stop)).map((a) => this.arg(a));
    if (values.length === 0) this.vars.delete(n);
    else this.vars.set(n, { text: values.map((v) => v.text).join(';'), unresolved: values.flatMap((v) => v.unresolved) });
  }

  private include(file: string, c: Call): void {
    const target = c.args[0] ? this.arg(c.args[0]) : undefined;
    if (!target || target.unresolved.length > 0 || this.includes++ > 50) return;
    const name = target.text.endsWith('.cmake') ? target.text : `${target.text}.cmake`;
    for (const cand of [posix.normalize(posix.join(posix.dirname(file), name)), posix.normalize(name)]) {
      if (this.tree.read(cand) !== undefined) return this.run(cand);
    }
  }

  private fetchCommand(file: string, c: Call, tool: FetchTool): void {
    const value = (kw: string): Resolved | undefined => {
      const i = c.args.findIndex((a) => !a.bracket && a.raw === kw);
      const a = i >= 0 ? c.args[i + 1] : undefined;
      return a && !KEYWORDS.has(a.raw) ? this.arg(a) : undefined;
    };
    const git = value('GIT_REPOSITORY');
    if (git) return this.push(file, c, tool, 'git', git, value('GIT_TAG'));
    const url = value('URL');
    if (url) return this.push(file, c, tool, 'url', url, undefined);
    const other = value('SVN_REPOSITORY') ?? value('HG_REPOSITORY');
    if (other) this.push(file, c, tool, 'unsupported', other, undefined);
  }

  private push(file: string, c: Call, tool: FetchTool, kind: Fetch['kind'], url: Resolved, ref: Resolved | undefined): void {
    const command = `${c.written}(${c.args.map((a) => this.arg(a).text).join(' ')})`;
    const first = { ...url, text: url.text.split(';')[0]! };
    this.fetches.push({ file, line: c.line, tool, kind, url: first, ...(ref ? { ref } : {}), command, needsSource: true });
  }
}

export function scanCMake(tree: AuditTree): Fetch[] {
  const out: Fetch[] = [];
  for (const file of tree.files.filter((f) => /(^|\/)CMakeLists\.txt$|\.cmake$/.test(f))) {
    const scan = new CMakeScan(tree);
    scan.run(file);
    out.push(...scan.fetches);
  }
  return out;
}
