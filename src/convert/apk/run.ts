/** The `convert apk` command's work: read, scan, convert, diff, write atomically. */
import { promises as fs } from 'node:fs';
import { diagnosticToJson, ExitCode, fail, ioFailure } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/fs-atomic.js';
import { convertApk, DEFAULT_ALPINE_VERSION } from './convert.js';
import { scanDir } from './scan.js';
import { hasErrors, type ConvertKind, type ConvertResult } from './types.js';

export interface RunOptions {
  /** A path, or `-` for stdin. */
  file: string;
  /** dockerfile | shell | list; checked here. */
  kind?: string;
  write?: boolean;
  scan?: string;
  alpineVersion?: string;
  /** Stdin contents when file is `-` (read by the caller's process). */
  stdin?: () => Promise<string>;
}

export interface RunResult {
  result: ConvertResult;
  diff: string;
  wrote: boolean;
  exit: number;
}

const KINDS: readonly ConvertKind[] = ['dockerfile', 'shell', 'list'];

export function parseKind(v: string | undefined): ConvertKind | undefined {
  if (v === undefined) return undefined;
  const k = KINDS.find((x) => x === v);
  if (!k) {
    fail({ code: 'usage.bad-kind', message: `unknown --kind ${v}`, exit: ExitCode.usage, value: v, hint: `use one of: ${KINDS.join(', ')}` });
  }
  return k;
}

export function checkAlpineVersion(v: string | undefined): string {
  if (v === undefined) return DEFAULT_ALPINE_VERSION;
  if (!/^3\.\d+$/.test(v)) {
    fail({ code: 'usage.bad-alpine-version', message: `--alpine expects a stable release like 3.21`, exit: ExitCode.usage, value: v, hint: 'edge is never used for stable builds' });
  }
  return v;
}

async function readInput(opts: RunOptions): Promise<string> {
  if (opts.file === '-') {
    if (opts.write) {
      fail({ code: 'usage.write-stdin', message: '--write needs a file, not stdin', exit: ExitCode.usage, hint: 'give the file path, or drop --write' });
    }
    return opts.stdin ? opts.stdin() : '';
  }
  try {
    return await fs.readFile(opts.file, 'utf8');
  } catch (e) {
    fail(ioFailure(e, 'cannot read', opts.file));
  }
}

export async function runConvertApk(opts: RunOptions): Promise<RunResult> {
  const kind = parseKind(opts.kind);
  const alpineVersion = checkAlpineVersion(opts.alpineVersion);
  const input = await readInput(opts);
  let extraNeeds;
  if (opts.scan) {
    try {
      extraNeeds = await scanDir(opts.scan);
    } catch (e) {
      fail(ioFailure(e, 'cannot scan', opts.scan));
    }
  }
  const result = await convertApk(input, {
    file: opts.file === '-' ? '<stdin>' : opts.file,
    alpineVersion,
    ...(kind ? { kind } : {}),
    ...(extraNeeds ? { extraNeeds } : {}),
  });
  const diff = await unifiedDiff(result.file, input, result.output);
  let wrote = false;
  if (opts.write && result.changed) {
    try {
      const st = await fs.stat(opts.file);
      await writeFileAtomic(opts.file, result.output, { mode: st.mode & 0o7777 });
      wrote = true;
    } catch (e) {
      fail(ioFailure(e, 'cannot write', opts.file));
    }
  }
  return { result, diff, wrote, exit: hasErrors(result.findings) ? ExitCode.checkFailed : ExitCode.ok };
}

/** `--- a/FILE` / `+++ b/FILE` unified diff with 3 lines of context; empty when nothing changed. */
export async function unifiedDiff(file: string, before: string, after: string): Promise<string> {
  if (before === after) return '';
  const { createTwoFilesPatch } = await import('diff');
  const patch = createTwoFilesPatch(`a/${file.replace(/^\/+/, '')}`, `b/${file.replace(/^\/+/, '')}`, before, after, undefined, undefined, { context: 3 });
  return patch.split('\n').filter((l) => !l.startsWith('=====')).join('\n');
}

/** The `--json` document. */
export function toJson(r: RunResult): Record<string, unknown> {
  const { result } = r;
  return {
    ok: r.exit === 0,
    kind: result.kind,
    file: result.file,
    changed: result.changed,
    wrote: r.wrote,
    packages: result.packages,
    decisions: result.decisions,
    findings: result.findings.map(diagnosticToJson),
    output: result.output,
    diff: r.diff,
  };
}
