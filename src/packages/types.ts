/** Result types of mapping Debian package names to a builder family's names (shared by convert and the build plan). */
import type { Diagnostic, Severity, SourceLocation } from '../core/errors.js';

/** The package manager of a builder: the same values as the manifest's `builder.family`. */
export type PackageFamily = 'apk' | 'apt';

export type { Severity } from '../core/errors.js';

/** Something the user must know or do; `error` means the converted build will not work as is. A diagnostic that always has a severity. */
export type Finding = Diagnostic & { severity: Severity };

export type DecisionAction =
  | 'map-package'
  | 'keep-package'
  | 'drop-package'
  | 'replace-command'
  | 'remove-command'
  | 'keep-command'
  | 'rewrite-variable'
  | 'rewrite-from'
  | 'add-package'
  | 'insert-instruction';

/** One choice the converter made, and why. Every change in the output has one. */
export interface Decision {
  action: DecisionAction;
  where?: SourceLocation;
  /** What was there (a package, a command, an image). */
  from: string;
  /** What it became ('' when removed). */
  to: string;
  reason: string;
}

/** Append `items` to `list` unless already present; keeps first-seen order. */
export function pushUnique(list: string[], ...items: string[]): void {
  for (const i of items) if (!list.includes(i)) list.push(i);
}
