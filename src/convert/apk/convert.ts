/**
 * `convert apk`: a Dockerfile, a shell script or a package list written for Debian → its Alpine equivalent,
 * with every decision and finding, and the output checked by parsing it again with the same parsers.
 */
import { basename } from 'node:path';
import { ExitCode, fail, unreachable } from '../../core/errors.js';
import { busyboxNeedsDeep, shebangNeeds, type Need } from './busybox.js';
import { DocText, convertDockerfile, runShellView, type DockerfileConversion } from './dockerfile.js';
import { applyEdits, type Edit } from './edits.js';
import { mapToAlpine } from '../../packages/map.js';
import { lineCol, parseShell, strictShellError } from './parse.js';
import { convertShellText } from './shell.js';
import { pushUnique, type Decision, type Finding } from '../../packages/types.js';
import type { ConvertKind, ConvertResult } from './types.js';

export const DEFAULT_ALPINE_VERSION = '3.21';

export interface ConvertOptions {
  /** Shown in locations; `-` for stdin. */
  file: string;
  kind?: ConvertKind;
  alpineVersion?: string;
  /** Extra BusyBox caveats found in other files (`--scan DIR`). */
  extraNeeds?: readonly Need[];
}

const DOCKERFILE_NAME = /(^|[.-])(dockerfile|containerfile)([.-]|$)/i;
const PACKAGE_TOKEN = /^[a-z0-9][a-z0-9+._:=~/-]*$/;

/** Kind from the name, then from the content. */
export async function detectKind(file: string, text: string): Promise<ConvertKind> {
  const name = basename(file);
  if (DOCKERFILE_NAME.test(name)) return 'dockerfile';
  if (/\.(sh|bash)$/.test(name) || text.startsWith('#!')) return 'shell';
  const { DockerfileParser } = await import('dockerfile-ast');
  const ins = DockerfileParser.parse(text).getInstructions();
  const first = ins[0]?.getKeyword() ?? '';
  if ((first === 'FROM' || first === 'ARG') && ins.some((i) => i.getKeyword() === 'FROM')) return 'dockerfile';
  if (listTokens(text).every((t) => PACKAGE_TOKEN.test(t))) return 'list';
  return 'shell';
}

function listTokens(text: string): string[] {
  return text
    .split('\n')
    .map((l) => (l.includes('#') ? l.slice(0, l.indexOf('#')) : l))
    .flatMap((l) => l.split(/\s+/))
    .filter(Boolean);
}

export async function convertApk(input: string, opts: ConvertOptions): Promise<ConvertResult> {
  const kind = opts.kind ?? (await detectKind(opts.file, input));
  const base = { kind, file: opts.file, input, decisions: [] as Decision[], findings: [] as Finding[], packages: [] as string[] };
  let output: string;
  switch (kind) {
    case 'list':
      output = convertList(input, opts, base);
      break;
    case 'shell':
      output = await convertShellFile(input, opts, base);
      break;
    case 'dockerfile':
      output = await convertDockerfileFile(input, opts, base);
      break;
    default:
      return unreachable(kind, 'convert kind');
  }
  if (kind !== 'list') await verifyOutput(kind, input, output, opts.file);
  return { ...base, output, changed: output !== input };
}

type Acc = Pick<ConvertResult, 'decisions' | 'findings' | 'packages'>;

function convertList(input: string, opts: ConvertOptions, acc: Acc): string {
  const lines = input.split('\n');
  lines.forEach((line, i) => {
    const body = line.includes('#') ? line.slice(0, line.indexOf('#')) : line;
    for (const tok of body.split(/\s+/).filter(Boolean)) {
      const r = mapToAlpine(tok, { file: opts.file, line: i + 1 });
      acc.findings.push(...r.findings);
      acc.decisions.push(r.decision);
      pushUnique(acc.packages, ...r.alpine);
    }
  });
  for (const n of opts.extraNeeds ?? []) addNeed(n, acc);
  return acc.packages.map((p) => `${p}\n`).join('');
}

function addNeed(n: Need, acc: Acc): boolean {
  if (acc.packages.includes(n.package)) return false;
  acc.packages.push(n.package);
  acc.decisions.push({ action: 'add-package', where: n.where, from: '', to: n.package, reason: n.reason });
  return true;
}

/** Needs grouped by package: one decision per package, naming the first place that needed it. */
function firstNeeds(needs: readonly Need[]): Need[] {
  const seen = new Map<string, Need>();
  for (const n of needs) if (!seen.has(n.package)) seen.set(n.package, n);
  return [...seen.values()];
}

async function convertShellFile(input: string, opts: ConvertOptions, acc: Acc): Promise<string> {
  const locate = (o: number) => ({ file: opts.file, ...lineCol(input, o) });
  const conv = await convertShellText(input, { locate });
  acc.decisions.push(...conv.decisions);
  acc.findings.push(...conv.findings);
  acc.packages.push(...conv.packages);
  const needs = [...shebangNeeds(input, opts.file), ...(conv.root ? await busyboxNeedsDeep({ root: conv.root, locate }) : []), ...(opts.extraNeeds ?? [])];
  const added: string[] = [];
  for (const n of firstNeeds(needs)) {
    if (conv.appendAt !== undefined) {
      if (addNeed(n, acc)) added.push(n.package);
    } else if (!acc.packages.includes(n.package)) {
      acc.findings.push(gnuToolFinding(n));
    }
  }
  const edits: Edit[] = [...conv.edits];
  if (added.length > 0 && conv.appendAt !== undefined) edits.push({ start: conv.appendAt, end: conv.appendAt, text: ` ${added.join(' ')}` });
  return applyEdits(input, edits);
}

function gnuToolFinding(n: Need): Finding {
  return {
    code: 'convert.gnu-tool-needed',
    severity: 'warning',
    message: `${n.package} is needed on Alpine: ${n.reason}`,
    where: n.where,
    value: n.package,
    hint: `install it: apk add --no-cache ${n.package}`,
  };
}

async function convertDockerfileFile(input: string, opts: ConvertOptions, acc: Acc): Promise<string> {
  const { DockerfileParser } = await import('dockerfile-ast');
  const df = DockerfileParser.parse(input);
  const doc = new DocText(input, opts.file, df.getEscapeCharacter());
  const conv = await convertDockerfile(doc, df, { alpineVersion: opts.alpineVersion ?? DEFAULT_ALPINE_VERSION });
  acc.decisions.push(...conv.decisions);
  acc.findings.push(...conv.findings);
  acc.packages.push(...conv.packages);
  const edits = [...conv.edits, ...(await dockerfileNeedEdits(doc, conv, opts, acc))];
  return applyEdits(input, edits);
}

/** BusyBox caveats of each stage's RUNs go into that stage's first `apk add` (or a new RUN after its FROM). */
async function dockerfileNeedEdits(doc: DocText, conv: DockerfileConversion, opts: ConvertOptions, acc: Acc): Promise<Edit[]> {
  const perStage = new Map<number, Need[]>();
  for (const sh of conv.shells) {
    const { root, errorAt } = await parseShell(sh.text);
    if (errorAt !== undefined) continue;
    const needs = await busyboxNeedsDeep({ root, locate: (o) => doc.locate(sh.toDoc(o)) });
    perStage.set(sh.stage, [...(perStage.get(sh.stage) ?? []), ...needs]);
  }
  const target = conv.stages.findIndex((s) => s.converted && s.appendAt !== undefined);
  if (opts.extraNeeds?.length) {
    const idx = target >= 0 ? target : conv.stages.findIndex((s) => s.converted);
    perStage.set(idx, [...(perStage.get(idx) ?? []), ...opts.extraNeeds]);
  }
  const edits: Edit[] = [];
  for (const [idx, needs] of [...perStage.entries()].sort((a, b) => a[0] - b[0])) {
    const stage = conv.stages[idx];
    const add: string[] = [];
    for (const n of firstNeeds(needs)) {
      if (stage?.converted && addNeed(n, acc)) add.push(n.package);
      else if (!stage?.converted) acc.findings.push(gnuToolFinding(n));
    }
    if (!stage || add.length === 0) continue;
    if (stage.appendAt !== undefined) edits.push({ start: stage.appendAt, end: stage.appendAt, text: ` ${add.join(' ')}` });
    else edits.push({ start: stage.afterFrom, end: stage.afterFrom, text: `RUN apk add --no-cache ${add.join(' ')}\n` });
  }
  return edits;
}

/** The output must parse again (a tree-sitter tree without ERROR/MISSING nodes); anything else is a bug in the conversion. */
async function verifyOutput(kind: 'shell' | 'dockerfile', input: string, output: string, file: string): Promise<void> {
  const bad = async (texts: string[]) => {
    for (const t of texts) {
      const err = await strictShellError(t);
      if (err !== undefined) return { text: t, err };
    }
    return undefined;
  };
  const texts = async (t: string) => (kind === 'shell' ? [t] : await dockerfileRunTexts(t, file));
  const outBad = await bad(await texts(output));
  if (!outBad || (await bad(await texts(input)))) return;
  fail({
    code: 'internal.convert-output-unparseable',
    message: `the converted shell text does not parse again: ${outBad.err}`,
    exit: ExitCode.internal,
    where: { file },
    value: outBad.text.slice(0, 400),
    hint: 'please report this input; the conversion produced invalid shell',
  });
}

/** The shell text of every RUN of a Dockerfile, as /bin/sh would get it. */
export async function dockerfileRunTexts(text: string, file: string): Promise<string[]> {
  const { DockerfileParser } = await import('dockerfile-ast');
  const df = DockerfileParser.parse(text);
  const doc = new DocText(text, file, df.getEscapeCharacter());
  const out: string[] = [];
  for (const ins of df.getInstructions()) {
    if (ins.getKeyword() !== 'RUN') continue;
    const view = runShellView(doc, ins);
    if (view) out.push(view.text);
  }
  return out;
}
