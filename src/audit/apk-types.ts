/** Shared result types of the Debian → Alpine conversion. */
import type { FailureCode, SourceLocation } from '../core/errors.js';

export type Severity = 'error' | 'warning' | 'info';

/** Something the user must know or do; `error` means the converted build will not work as is. */
export interface Finding {
  code: FailureCode;
  severity: Severity;
  message: string;
  where?: SourceLocation;
  /** The offending text, verbatim. */
  value?: string;
  hint?: string;
}

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

export type ConvertKind = 'dockerfile' | 'shell' | 'list';

export interface ConvertResult {
  kind: ConvertKind;
  file: string;
  input: string;
  output: string;
  changed: boolean;
  decisions: Decision[];
  findings: Finding[];
  /** Every Alpine package the output installs, in order, without duplicates. */
  packages: string[];
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Append `items` to `list` unless already present; keeps first-seen order. */
export function pushUnique(list: string[], ...items: string[]): void {
  for (const i of items) if (!list.includes(i)) list.push(i);
}
