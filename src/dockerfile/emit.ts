/**
 * Dockerfile emitter: one deterministic text form for the model in model.ts. Values are escaped for the
 * Dockerfile grammar (JSON arrays for RUN/COPY/ADD, double-quoted ENV values); values that the grammar cannot
 * carry (newlines in paths or names) are refused with a failure instead of being emitted wrong.
 */
import { ExitCode, fail, unreachable } from '../core/errors.js';
import type { Dockerfile, EnvPart, Instruction, Mount, Stage } from './model.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STAGE = /^[a-z][a-z0-9_.-]*$/;

function refuse(what: string, value: string): never {
  fail({
    code: 'dockerfile.unrepresentable',
    message: `${what} cannot be written into a Dockerfile`,
    value,
    exit: ExitCode.usage,
    hint: 'remove newlines and control characters from the value in the manifest',
  });
}

function noControl(what: string, s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) refuse(what, s);
  return s;
}

/**
 * A JSON array of strings, as the exec form wants it. COPY/ADD still expand `$VAR` inside their JSON form, so
 * `$` is escaped there (`\$` is the Dockerfile escape); RUN's exec form is never expanded.
 */
export function jsonArray(items: readonly string[], expandsVars: boolean): string {
  const parts = items.map((s) => {
    const j = JSON.stringify(s);
    return expandsVars ? j.replaceAll('$', '\\\\$') : j;
  });
  return `[${parts.join(', ')}]`;
}

/** An ENV value in double quotes: `"`, `\` and `$` escaped, `{ ref }` parts emitted as `${NAME}`. */
export function envValue(parts: readonly EnvPart[]): string {
  let s = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      s += noControl('an ENV value', p).replace(/[\\"$]/g, (c) => `\\${c}`);
    } else {
      if (!NAME.test(p.ref)) refuse('an ENV variable reference', p.ref);
      s += `\${${p.ref}}`;
    }
  }
  return `"${s}"`;
}

function mountFlag(m: Mount): string {
  switch (m.type) {
    case 'secret':
      for (const v of [m.id, m.target]) if (/[,=\s"]/.test(v)) refuse('a secret mount id or target', v);
      return `--mount=type=secret,id=${m.id},target=${m.target}`;
    case 'bind':
      for (const v of [m.source, m.target]) if (/[,=\s"]/.test(v)) refuse('a bind mount path', v);
      return `--mount=type=bind${m.from !== undefined ? `,from=${stageName(m.from)}` : ''},source=${m.source},target=${m.target}${m.rw ? ',rw' : ''}`;
    case 'tmpfs':
      if (/[,=\s"]/.test(m.target)) refuse('a tmpfs mount target', m.target);
      return `--mount=type=tmpfs,target=${m.target}`;
    default:
      return unreachable(m, 'mount type');
  }
}

function emitInstruction(i: Instruction): string {
  switch (i.kind) {
    case 'comment':
      return i.text
        .split('\n')
        .map((l) => (l ? `# ${l}` : '#'))
        .join('\n');
    case 'env':
      return i.vars
        .map((v) => {
          if (!NAME.test(v.name)) refuse('an ENV name', v.name);
          return `ENV ${v.name}=${envValue(v.value)}`;
        })
        .join('\n');
    case 'workdir':
      return `WORKDIR ${jsonSafePath(i.path)}`;
    case 'run': {
      i.argv.forEach((a) => noControlExceptNewline(a));
      const flags = i.mounts.map(mountFlag);
      return ['RUN', ...flags, jsonArray(i.argv, false)].join(' ');
    }
    case 'copy': {
      i.sources.forEach((s) => noControl('a COPY source', s));
      noControl('a COPY destination', i.dest);
      const from = i.from !== undefined ? [`--from=${stageName(i.from)}`] : [];
      return ['COPY', ...from, jsonArray([...i.sources, i.dest], true)].join(' ');
    }
    case 'add':
      i.sources.forEach((s) => noControl('an ADD source', s));
      return `ADD ${jsonArray([...i.sources, noControl('an ADD destination', i.dest)], true)}`;
    default:
      return unreachable(i, 'instruction');
  }
}

/** RUN's exec form carries newlines fine inside JSON strings (`\n`); other control characters are refused. */
function noControlExceptNewline(s: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s)) refuse('a RUN argument', s);
}

/** WORKDIR has no JSON form: paths with spaces, quotes, `$` or `\` are refused. */
function jsonSafePath(p: string): string {
  if (!/^\/[A-Za-z0-9._+@/-]*$/.test(p)) refuse('a WORKDIR path (absolute, no spaces or quotes)', p);
  return p;
}

function stageName(n: string): string {
  if (!STAGE.test(n)) refuse('a stage name', n);
  return n;
}

function fromRef(ref: string): string {
  if (!/^[A-Za-z0-9._:/@-]+$/.test(ref)) refuse('an image reference', ref);
  return ref;
}

function emitStage(s: Stage): string {
  const lines: string[] = [];
  for (const d of s.doc) lines.push(d ? `# ${noControl('a comment', d)}` : '#');
  lines.push(`FROM ${fromRef(s.from)} AS ${stageName(s.name)}`);
  for (const i of s.instructions) lines.push(emitInstruction(i));
  return lines.join('\n');
}

/** The Dockerfile text: header comments, then each stage separated by a blank line, ending with a newline. */
export function emit(df: Dockerfile): string {
  const head = df.header.map((h) => (h ? `# ${noControl('a comment', h)}` : '#')).join('\n');
  const body = df.stages.map(emitStage).join('\n\n');
  return `${head ? `${head}\n\n` : ''}${body}\n`;
}
