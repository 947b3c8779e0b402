/** Result types of the Debian → Alpine conversion (`tarsmith convert apk`); the mapping's own types are in src/packages/. */
import type { Decision, Finding } from '../packages/types.js';

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
