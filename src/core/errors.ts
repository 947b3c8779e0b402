/**
 * Diagnostics are values with a stable code (declared in the catalog, src/core/catalog/), a severity, an exit code
 * and enough context for the one renderer to print `path:line:col: error[code]: message`, the offending value
 * quoted, and what to do next. Errors, warnings, notes and findings are all `Diagnostic`s.
 */
import { catalogEntry, catalogExit, type FailureCode, type Severity } from './catalog/index.js';
import { ExitCode } from './exit-code.js';

export { EXIT_MEANING, ExitCode, type ExitName } from './exit-code.js';
export { catalogEntry, isFailureCode, type CodeOf, type FailureArea, type FailureCode, type Severity } from './catalog/index.js';

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  col?: number;
}

export interface Diagnostic {
  code: FailureCode;
  /** Absent means `error`. */
  severity?: Severity;
  message: string;
  /** The exit code this diagnostic asks for; absent means the catalog's for `code`. */
  exit?: ExitCode;
  where?: SourceLocation;
  /** The offending value, quoted verbatim in the rendered message. */
  value?: string;
  /** What to do next. */
  hint?: string;
  /** Extra lines printed under the message (e.g. expected/actual). */
  details?: string[];
}

/** A diagnostic used as an error: what `fail` throws and reports return. The same type as `Diagnostic`. */
export type Failure = Diagnostic;

/** The exit code `d` asks for: its own, or its code's in the catalog. */
export function exitOf(d: Diagnostic): ExitCode {
  return d.exit ?? catalogExit(d.code);
}

export class TarsmithError extends Error {
  readonly failures: readonly Failure[];
  constructor(failure: Failure | readonly Failure[]) {
    const list = Array.isArray(failure) ? (failure as readonly Failure[]) : [failure as Failure];
    super(list.map((f) => f.message).join('; '));
    this.name = 'TarsmithError';
    this.failures = list.map((f) => (f.exit === undefined ? { ...f, exit: exitOf(f) } : f));
  }
  get exit(): ExitCode {
    return this.failures.reduce<ExitCode>((acc, f) => (exitOf(f) > acc ? exitOf(f) : acc), ExitCode.ok);
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

/**
 * The one text renderer: `where: severity[code]: message`, then the quoted value, the details and `fix: hint`,
 * each on an indented line.
 */
export function renderDiagnostic(d: Diagnostic): string {
  const prefix = d.where ? `${formatLocation(d.where)}: ` : '';
  const lines = [`${prefix}${d.severity ?? 'error'}[${d.code}]: ${d.message}`];
  if (d.value !== undefined) lines.push(`  value: ${JSON.stringify(d.value)}`);
  for (const x of d.details ?? []) lines.push(`  ${x}`);
  if (d.hint) lines.push(`  fix: ${d.hint}`);
  return lines.join('\n');
}

/** The one JSON form, for `--json` outputs. */
export function diagnosticToJson(d: Diagnostic): Record<string, unknown> {
  return {
    severity: d.severity ?? 'error',
    code: d.code,
    message: d.message,
    exit: exitOf(d),
    ...(d.where ? { where: d.where } : {}),
    ...(d.value !== undefined ? { value: d.value } : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.details ? { details: d.details } : {}),
  };
}

/** The errno values with a code of their own (`io.enoent`, ...); the rest are `io.error`. */
const ERRNO_CODES = {
  ENOENT: 'io.enoent',
  EACCES: 'io.eacces',
  EPERM: 'io.eperm',
  ENOSPC: 'io.enospc',
  EDQUOT: 'io.edquot',
  EISDIR: 'io.eisdir',
  ENOTDIR: 'io.enotdir',
  EEXIST: 'io.eexist',
  ENOTEMPTY: 'io.enotempty',
  EROFS: 'io.erofs',
  EXDEV: 'io.exdev',
  EMFILE: 'io.emfile',
  ELOOP: 'io.eloop',
  ENAMETOOLONG: 'io.enametoolong',
  EBUSY: 'io.ebusy',
  EIO: 'io.eio',
} as const satisfies Record<string, FailureCode>;

/** The errno values whose failures carry the catalog's hint as `fix:`. */
const HINTED: ReadonlySet<string> = new Set(['ENOENT', 'EACCES', 'ENOSPC', 'EISDIR']);

/** Node system errors (ENOENT, EACCES, ...) as failures with a path. */
export function ioFailure(err: unknown, action: string, path?: string): Failure {
  const e = err as NodeJS.ErrnoException;
  const errno = e?.code ?? 'EIO';
  const known = Object.hasOwn(ERRNO_CODES, errno) ? (errno as keyof typeof ERRNO_CODES) : undefined;
  const code = known ? ERRNO_CODES[known] : 'io.error';
  const hint = HINTED.has(errno) ? catalogEntry(code).hint : undefined;
  return {
    code,
    message: `${action}${path ? ` ${path}` : ''}: ${e?.message ?? String(err)}`,
    exit: ExitCode.io,
    ...(hint ? { hint } : {}),
  };
}
