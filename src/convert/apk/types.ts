/** Result types of the Debian → Alpine conversion (`tarsmith convert apk`); the mapping's own types are in src/packages/. */
import type { SourceLocation } from '../../core/errors.js';
import type { Decision, Finding } from '../../packages/types.js';

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

/** A variable defined outside the shell text (a Dockerfile ARG/ENV default). */
export interface OuterVariable {
  value: string;
  where: SourceLocation;
  /** Stable identity of the definition, so that it is rewritten once. */
  id: string;
}

export interface ShellContext {
  /** Document location of an offset in the shell text. */
  locate(offset: number): SourceLocation;
  outer?(name: string): OuterVariable | undefined;
}

/** A resolved variable used in a package list, and the Alpine value its definition should get. */
export interface VariableRewrite {
  name: string;
  /** Set for definitions outside the shell text; inner ones come back as edits. */
  outerId?: string;
  value: string[];
}
