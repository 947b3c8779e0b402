/**
 * Failures are values with a stable code, an exit code and enough context for one renderer to print
 * `path:line:col: error[code]: message`, the offending value quoted, and what to do next.
 */

/** Process exit codes. Documented in the README; never renumber. */
export const ExitCode = {
  ok: 0,
  /** A check ran and found a problem: hash mismatch, kconfig mismatch, uncovered fetch, `--frozen` change. */
  checkFailed: 1,
  /** Bad command line, bad manifest, bad input file. */
  usage: 2,
  /** I/O or network failure: unreachable URL, HTTP error, truncated download, disk error. */
  io: 3,
  /** The container engine is missing, unreachable, or a build step failed. */
  engine: 4,
  /** A bug in tarsmith. */
  internal: 70,
  /** Interrupted by a signal (Ctrl-C). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Area prefixes keep codes stable and grep-able: `manifest.unknown-key`, `archive.path-traversal`, ... */
export type FailureArea =
  | 'usage'
  | 'manifest'
  | 'vendor'
  | 'lock'
  | 'verify'
  | 'archive'
  | 'dockerfile'
  | 'engine'
  | 'build'
  | 'toolchain'
  | 'shims'
  | 'kconfig'
  | 'audit'
  | 'convert'
  | 'repro'
  | 'io'
  | 'internal';
export type FailureCode = `${FailureArea}.${string}`;

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  col?: number;
}

export interface Failure {
  code: FailureCode;
  message: string;
  exit: ExitCode;
  where?: SourceLocation;
  /** The offending value, quoted verbatim in the rendered message. */
  value?: string;
  /** What to do next. */
  hint?: string;
  /** Extra lines printed under the message (e.g. expected/actual). */
  details?: string[];
}

export class TarsmithError extends Error {
  readonly failures: readonly Failure[];
  constructor(failure: Failure | readonly Failure[]) {
    const list = Array.isArray(failure) ? (failure as readonly Failure[]) : [failure as Failure];
    super(list.map((f) => f.message).join('; '));
    this.name = 'TarsmithError';
    this.failures = list;
  }
  get exit(): ExitCode {
    return this.failures.reduce<ExitCode>((acc, f) => (f.exit > acc ? f.exit : acc), ExitCode.ok);
  }
}

export function fail(failure: Failure | readonly Failure[]): never {
  throw new TarsmithError(failure);
}

export function isTarsmithError(e: unknown): e is TarsmithError {
  return e instanceof TarsmithError;
}

export function unreachable(x: never, what = 'value'): never {
  throw new Error(`unreachable ${what}: ${JSON.stringify(x)}`);
}

export function formatLocation(where: SourceLocation): string {
  let s = where.file;
  if (where.line !== undefined) {
    s += `:${where.line}`;
    if (where.col !== undefined) s += `:${where.col}`;
  }
  return s;
}

/** The single renderer for failures (text form); `severity` labels one that does not stop the command. */
export function renderFailure(f: Failure, severity: 'error' | 'warning' = 'error'): string {
  const prefix = f.where ? `${formatLocation(f.where)}: ` : '';
  const lines = [`${prefix}${severity}[${f.code}]: ${f.message}`];
  if (f.value !== undefined) lines.push(`  value: ${JSON.stringify(f.value)}`);
  for (const d of f.details ?? []) lines.push(`  ${d}`);
  if (f.hint) lines.push(`  fix: ${f.hint}`);
  return lines.join('\n');
}

/** JSON form, for `--json` outputs. */
export function failureToJson(f: Failure): Record<string, unknown> {
  return {
    code: f.code,
    message: f.message,
    exit: f.exit,
    ...(f.where ? { where: f.where } : {}),
    ...(f.value !== undefined ? { value: f.value } : {}),
    ...(f.hint ? { hint: f.hint } : {}),
    ...(f.details ? { details: f.details } : {}),
  };
}

/** Node system errors (ENOENT, EACCES, ...) as failures with a path. */
export function ioFailure(err: unknown, action: string, path?: string): Failure {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? 'EIO';
  const hints: Record<string, string> = {
    ENOENT: 'check the path exists',
    EACCES: 'check permissions',
    ENOSPC: 'free some disk space',
    EISDIR: 'a folder was given where a file is needed',
  };
  return {
    code: `io.${code.toLowerCase()}`,
    message: `${action}${path ? ` ${path}` : ''}: ${e?.message ?? String(err)}`,
    exit: ExitCode.io,
    ...(hints[code] ? { hint: hints[code] } : {}),
  };
}
