/** Logging goes to stderr; stdout is reserved for results. */

export type LogLevel = 'quiet' | 'normal' | 'verbose';

let level: LogLevel = (process.env.TARSMITH_LOG as LogLevel | undefined) ?? 'normal';

export function setLogLevel(l: LogLevel): void {
  level = l;
}
export function getLogLevel(): LogLevel {
  return level;
}

function write(s: string): void {
  process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
}

export const log = {
  info(msg: string): void {
    if (level !== 'quiet') write(msg);
  },
  /** A warning line as it is (e.g. a rendered `warning[code]` diagnostic); not printed under -q (errors only). */
  warning(msg: string): void {
    if (level !== 'quiet') write(msg);
  },
  warn(msg: string): void {
    if (level !== 'quiet') write(`warning: ${msg}`);
  },
  error(msg: string): void {
    write(msg);
  },
  verbose(msg: string): void {
    if (level === 'verbose') write(msg);
  },
};

/** True when stderr is an interactive terminal (progress bars), false in CI and pipes. */
export function stderrIsTty(): boolean {
  return Boolean(process.stderr.isTTY) && process.env.CI !== 'true' && process.env.TERM !== 'dumb';
}
