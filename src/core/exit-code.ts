/** Process exit codes. Documented in docs/errors.md; never renumber. */
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
/** The name of an exit code, as catalog entries spell it: `usage`, `io`, ... */
export type ExitName = keyof typeof ExitCode;

/** What each exit code means, for docs/errors.md. */
export const EXIT_MEANING: Readonly<Record<ExitName, string>> = {
  ok: 'success (warnings and notes may have been printed)',
  checkFailed: 'a check ran and found a problem: hash mismatch, kconfig mismatch, uncovered fetch, `--frozen` change, an error finding',
  usage: 'bad command line, bad manifest, bad input file',
  io: 'I/O or network failure: unreachable URL, HTTP error, truncated download, disk error',
  engine: 'the container engine is missing or unreachable, or a build step failed',
  internal: 'a bug in tarsmith: please report it',
  interrupted: 'interrupted by a signal (Ctrl-C)',
};
