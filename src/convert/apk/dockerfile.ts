/**
 * Dockerfile → Alpine: `FROM debian|ubuntu` → `alpine:<version>@sha256:<fill in>`, every RUN's apt usage
 * converted (shell form with continuations and embedded comments, `RUN <<EOF` heredocs, exec form), ARG/ENV
 * package lists rewritten in place, `SHELL ["/bin/bash", …]` preceded by a bash install.
 */
import type { Dockerfile, Instruction } from 'dockerfile-ast';
import type { SourceLocation } from '../../core/errors.js';
import type { Edit } from './edits.js';
import { mapToAlpine } from '../../packages/map.js';
import { convertShellText, type OuterVariable, type ShellConversion } from './shell.js';
import { pushUnique, type Decision, type Finding } from '../../packages/types.js';

export const DIGEST_PLACEHOLDER = 'FILL-IN-DIGEST';
const DEBIAN_IMAGES = new Set(['debian', 'ubuntu', 'buildpack-deps']);

export interface DockerfileConversion {
  edits: Edit[];
  decisions: Decision[];
  findings: Finding[];
  packages: string[];
  /** Per stage (index of its FROM): where extra packages go, or where a new RUN can be inserted. */
  stages: StageInfo[];
  /** The shell texts of the RUNs (for the BusyBox audit), with their stage. */
  shells: RunShell[];
}

export interface StageInfo {
  fromLine: number;
  /** Document offset after the FROM line (its newline included), for an inserted RUN. */
  afterFrom: number;
  converted: boolean;
  /** Document offset of the end of the first `apk add` package list in this stage. */
  appendAt?: number;
}

export interface RunShell {
  stage: number;
  text: string;
  toDoc(offset: number): number;
}

/** Offsets of each line start, for Dockerfile (0-based line, character) positions. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

export class DocText {
  readonly starts: number[];
  constructor(
    readonly text: string,
    readonly file: string,
    /** The Dockerfile escape character (`# escape=` directive). */
    readonly escape: string = '\\',
  ) {
    this.starts = lineStarts(text);
  }
  offset(p: { line: number; character: number }): number {
    return (this.starts[p.line] ?? this.text.length) + p.character;
  }
  locate(offset: number): SourceLocation {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }
  lineEnd(line: number): number {
    const next = this.starts[line + 1];
    return next ?? this.text.length;
  }
}

export interface DockerfileOptions {
  alpineVersion: string;
}

export async function convertDockerfile(doc: DocText, df: Dockerfile, opts: DockerfileOptions): Promise<DockerfileConversion> {
  const out: DockerfileConversion = { edits: [], decisions: [], findings: [], packages: [], stages: [], shells: [] };
  const outerDone = new Set<string>();
  for (const ins of df.getInstructions()) {
    const kw = ins.getKeyword();
    if (kw === 'FROM') convertFrom(doc, ins, opts, out);
    else if (kw === 'RUN') await convertRun(doc, df, ins, out, outerDone);
    else if (kw === 'SHELL') shellInstruction(doc, ins, out);
    else if (kw === 'ENV' || kw === 'ARG') debianFrontend(doc, ins, out);
  }
  return out;
}

function convertFrom(doc: DocText, ins: Instruction, opts: DockerfileOptions, out: DockerfileConversion): void {
  const from = ins as unknown as {
    getImageName(): string | null;
    getImageRange(): { start: { line: number; character: number }; end: { line: number; character: number } } | null;
  };
  const line = ins.getRange().start.line;
  const stage: StageInfo = { fromLine: line, afterFrom: doc.lineEnd(ins.getRange().end.line), converted: false };
  out.stages.push(stage);
  const name = from.getImageName();
  const range = from.getImageRange();
  const base = name?.split('/').pop() ?? '';
  if (!range || !DEBIAN_IMAGES.has(base)) return;
  const start = doc.offset(range.start);
  const end = doc.offset(range.end);
  const image = `alpine:${opts.alpineVersion}@sha256:${DIGEST_PLACEHOLDER}`;
  stage.converted = true;
  const lineStart = doc.starts[ins.getRange().start.line] ?? start;
  const note = `# ${DIGEST_PLACEHOLDER}: pin the digest of alpine:${opts.alpineVersion} (docker buildx imagetools inspect alpine:${opts.alpineVersion})\n`;
  out.edits.push({ start: lineStart, end: lineStart, text: note });
  out.edits.push({ start, end, text: image });
  const where = doc.locate(start);
  const was = doc.text.slice(start, end);
  out.decisions.push({ action: 'rewrite-from', where, from: was, to: image, reason: 'the builder becomes Alpine (musl)' });
  out.findings.push({
    code: 'convert.digest-needed',
    severity: 'warning',
    message: `the Alpine base image digest must be filled in (${DIGEST_PLACEHOLDER}); tarsmith never invents one`,
    where,
    value: image,
    hint: `look it up where a registry is reachable: \`docker buildx imagetools inspect alpine:${opts.alpineVersion}\``,
  });
  if (base === 'buildpack-deps') {
    out.findings.push({
      code: 'convert.implicit-packages',
      severity: 'warning',
      message: `${was} comes with many build tools preinstalled; Alpine does not`,
      where,
      value: was,
      hint: 'list the tools the build needs (build-base, git, curl, …) in an `apk add`',
    });
  }
}

function currentStage(out: DockerfileConversion): number {
  return out.stages.length - 1;
}

/** Map `--mount=type=cache,target=/var/cache/apt` to a finding: apk --no-cache has no cache to keep. */
function checkFlags(doc: DocText, ins: Instruction, out: DockerfileConversion): void {
  const flags = (ins as unknown as { getFlags(): { getName(): string; getValue(): string | null; getRange(): { start: { line: number; character: number } } }[] }).getFlags();
  for (const f of flags) {
    const v = f.getValue() ?? '';
    if (f.getName() === 'mount' && /target=\/var\/(cache|lib)\/apt/.test(v)) {
      out.findings.push({
        code: 'convert.apt-cache-mount',
        severity: 'info',
        message: 'cache mount for apt folders is useless on Alpine',
        where: doc.locate(doc.offset(f.getRange().start)),
        value: `--mount=${v}`,
        hint: 'drop it, or mount /var/cache/apk and use `apk add` without --no-cache',
      });
    }
  }
}

async function convertRun(doc: DocText, df: Dockerfile, ins: Instruction, out: DockerfileConversion, outerDone: Set<string>): Promise<void> {
  checkFlags(doc, ins, out);
  const view = runShellView(doc, ins);
  if (!view) {
    execForm(doc, ins, out);
    return;
  }
  const line = ins.getRange().start.line;
  const conv = await convertShellText(view.text, {
    locate: (o) => doc.locate(view.toDoc(o)),
    outer: (name) => outerVariable(doc, df, name, line),
  });
  out.shells.push({ stage: currentStage(out), text: view.text, toDoc: view.toDoc });
  mergeRun(doc, df, ins, view, conv, out, outerDone);
}

function mergeRun(
  doc: DocText,
  df: Dockerfile,
  ins: Instruction,
  view: ShellView,
  conv: ShellConversion,
  out: DockerfileConversion,
  outerDone: Set<string>,
): void {
  out.decisions.push(...conv.decisions);
  out.findings.push(...conv.findings);
  for (const p of conv.packages) pushUnique(out.packages, p);
  if (conv.emptied) {
    const r = ins.getRange();
    out.edits.push({ start: doc.starts[r.start.line] ?? 0, end: doc.lineEnd(r.end.line), text: '' });
    return;
  }
  for (const e of conv.edits) out.edits.push({ start: view.toDoc(e.start), end: view.toDoc(e.end), text: e.text });
  const stage = out.stages[currentStage(out)];
  if (stage && stage.appendAt === undefined && conv.appendAt !== undefined) stage.appendAt = view.toDoc(conv.appendAt);
  for (const rw of conv.outerRewrites) {
    if (!rw.outerId || outerDone.has(rw.outerId)) continue;
    outerDone.add(rw.outerId);
    const edit = outerEdit(doc, df, rw.outerId, rw.value);
    if (edit) out.edits.push(edit);
  }
}

interface ShellView {
  text: string;
  toDoc(offset: number): number;
}

/**
 * The shell text a RUN hands to /bin/sh, with a map back to document offsets: the arguments after the flags,
 * minus the comment and blank lines Docker drops inside continuations; or the body of `RUN <<EOF`.
 */
export function runShellView(doc: DocText, ins: Instruction): ShellView | undefined {
  const json = (ins as unknown as { getJSONStrings(): unknown[] }).getJSONStrings?.() ?? [];
  if (json.length > 0) return undefined;
  const args = ins.getArguments();
  const first = args[0];
  if (!first) return undefined;
  const heredocs = (ins as unknown as { getHeredocs(): { getStartRange(): Rng; getContentRange(): Rng | null }[] }).getHeredocs();
  const hd = heredocs[0];
  const argStart = doc.offset(first.getRange().start);
  if (hd && doc.offset(hd.getStartRange().start) === argStart) {
    const startLineEnd = doc.lineEnd(hd.getStartRange().end.line);
    const restOfLine = doc.text.slice(doc.offset(hd.getStartRange().end), startLineEnd).trim();
    const content = hd.getContentRange();
    if (restOfLine === '' && content) {
      const s = doc.offset(content.start);
      return { text: doc.text.slice(s, doc.offset(content.end)), toDoc: (o) => s + o };
    }
  }
  const end = doc.offset(ins.getRange().end);
  if (heredocs.length > 0) return { text: doc.text.slice(argStart, end), toDoc: (o) => argStart + o };
  return continuationView(doc, argStart, end, ins.getRange().start.line);
}

type Rng = { start: { line: number; character: number }; end: { line: number; character: number } };

function continuationView(doc: DocText, start: number, end: number, firstLine: number): ShellView {
  const segs: { shell: number; doc: number; len: number }[] = [];
  let text = '';
  let line = firstLine;
  let pos = start;
  while (pos < end) {
    const lineEnd = Math.min(doc.lineEnd(line), end);
    const chunk = doc.text.slice(pos, lineEnd);
    const trimmed = chunk.trim();
    const skip = line !== firstLine && (trimmed === '' || trimmed.startsWith('#'));
    if (!skip) {
      segs.push({ shell: text.length, doc: pos, len: chunk.length });
      // With `# escape=\``, a line ending in a backtick continues: the shell gets a backslash (same length).
      text += doc.escape !== '\\' && chunk.endsWith(`${doc.escape}\n`) ? `${chunk.slice(0, -2)}\\\n` : chunk;
    }
    pos = lineEnd;
    line++;
  }
  const toDoc = (o: number): number => {
    for (let i = segs.length - 1; i >= 0; i--) {
      const s = segs[i]!;
      if (o >= s.shell) return s.doc + (o - s.shell);
    }
    return start + o;
  };
  return { text, toDoc };
}

/** The ARG/ENV default a RUN at `line` sees for `name`, when it is plain (no `$`). */
function outerVariable(doc: DocText, df: Dockerfile, name: string, line: number): OuterVariable | undefined {
  const value = df.resolveVariable(name, line);
  if (typeof value !== 'string' || value.includes('$')) return undefined;
  const prop = findDefinition(df, name, line, value);
  if (!prop) return undefined;
  const r = prop.getRange();
  return { value, where: doc.locate(doc.offset(r.start)), id: `${r.start.line}:${r.start.character}` };
}

interface Prop {
  getName(): string;
  getValue(): string | null;
  getRange(): Rng;
  getValueRange(): Rng | null;
}

function findDefinition(df: Dockerfile, name: string, line: number, value: string): Prop | undefined {
  let found: Prop | undefined;
  for (const ins of df.getInstructions()) {
    if (ins.getRange().start.line >= line) break;
    const kw = ins.getKeyword();
    if (kw !== 'ARG' && kw !== 'ENV') continue;
    for (const p of (ins as unknown as { getProperties(): Prop[] }).getProperties()) {
      if (p.getName() === name && p.getValue() === value) found = p;
    }
  }
  return found;
}

function outerEdit(doc: DocText, df: Dockerfile, id: string, value: readonly string[]): Edit | undefined {
  for (const ins of df.getInstructions()) {
    const kw = ins.getKeyword();
    if (kw !== 'ARG' && kw !== 'ENV') continue;
    for (const p of (ins as unknown as { getProperties(): Prop[] }).getProperties()) {
      const r = p.getRange();
      const vr = p.getValueRange();
      if (`${r.start.line}:${r.start.character}` !== id || !vr) continue;
      return { start: doc.offset(vr.start), end: doc.offset(vr.end), text: `"${value.join(' ')}"` };
    }
  }
  return undefined;
}

/** `RUN ["apt-get", "install", …]`: only install and update are converted. */
function execForm(doc: DocText, ins: Instruction, out: DockerfileConversion): void {
  const strings = (ins as unknown as { getJSONStrings(): { getJSONValue(): string }[] }).getJSONStrings();
  const argv = strings.map((s) => s.getJSONValue());
  const tool = argv[0];
  if (tool !== 'apt-get' && tool !== 'apt') return;
  const r = ins.getRange();
  const where = doc.locate(doc.offset(r.start));
  const verb = argv.slice(1).find((a) => !a.startsWith('-'));
  const start = doc.offset(r.start);
  const end = doc.offset(r.end);
  if (verb === 'update' || verb === 'clean') {
    out.edits.push({ start: doc.starts[r.start.line] ?? start, end: doc.lineEnd(r.end.line), text: '' });
    out.decisions.push({ action: 'remove-command', where, from: doc.text.slice(start, end), to: '', reason: `apt-get ${verb} is not needed with apk --no-cache` });
    return;
  }
  if (verb !== 'install') return;
  const pkgs: string[] = [];
  for (const a of argv.slice(argv.indexOf('install') + 1)) {
    if (a.startsWith('-')) continue;
    const m = mapToAlpine(a, where);
    out.findings.push(...m.findings);
    out.decisions.push(m.decision);
    pushUnique(pkgs, ...m.alpine);
  }
  const text = `RUN ${JSON.stringify(['apk', 'add', '--no-cache', ...pkgs])}`;
  out.edits.push({ start, end, text });
  for (const p of pkgs) pushUnique(out.packages, p);
  out.decisions.push({ action: 'replace-command', where, from: doc.text.slice(start, end), to: text, reason: 'exec-form apt-get install → apk add' });
}

/** `SHELL ["/bin/bash", …]` needs bash on Alpine before it takes effect. */
function shellInstruction(doc: DocText, ins: Instruction, out: DockerfileConversion): void {
  const strings = (ins as unknown as { getJSONStrings(): { getJSONValue(): string }[] }).getJSONStrings();
  const sh = strings[0]?.getJSONValue() ?? '';
  const stage = out.stages[currentStage(out)];
  if (!stage?.converted || !/(^|\/)bash$/.test(sh)) return;
  const start = doc.starts[ins.getRange().start.line] ?? 0;
  const text = 'RUN apk add --no-cache bash\n';
  out.edits.push({ start, end: start, text });
  pushUnique(out.packages, 'bash');
  out.decisions.push({
    action: 'insert-instruction',
    where: doc.locate(start),
    from: '',
    to: text.trim(),
    reason: `SHELL uses ${sh}, which Alpine does not ship; it must be installed before SHELL takes effect`,
  });
}

/** `ENV DEBIAN_FRONTEND=noninteractive` (alone on its instruction) in a converted stage goes. */
function debianFrontend(doc: DocText, ins: Instruction, out: DockerfileConversion): void {
  const props = (ins as unknown as { getProperties(): Prop[] }).getProperties();
  const stage = out.stages[currentStage(out)];
  if (!stage?.converted || props.length !== 1 || props[0]?.getName() !== 'DEBIAN_FRONTEND') return;
  const r = ins.getRange();
  const start = doc.starts[r.start.line] ?? 0;
  out.edits.push({ start, end: doc.lineEnd(r.end.line), text: '' });
  const from = doc.text.slice(doc.offset(r.start), doc.offset(r.end));
  out.decisions.push({ action: 'remove-command', where: doc.locate(start), from, to: '', reason: 'DEBIAN_FRONTEND only steers Debian tools' });
}
