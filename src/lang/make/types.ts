/** Types of the Make reader: statements of one makefile, variables, and what evaluation yields. */
import type { CodeOf, Diagnostic } from '../../core/errors.js';

export interface MakeLoc {
  /** Path relative to the audited tree's top. */
  file: string;
  /** 1-based line of the statement's first physical line. */
  line: number;
}

export type AssignOp = '=' | ':=' | '::=' | ':::=' | '?=' | '+=' | '!=';

export type CondTest =
  | { op: 'ifeq' | 'ifneq'; a: string; b: string }
  | { op: 'ifdef' | 'ifndef'; name: string };

export type MakeStmt =
  | {
      kind: 'assign';
      loc: MakeLoc;
      /** Unexpanded variable name. */
      name: string;
      op: AssignOp;
      value: string;
      override: boolean;
      exported: boolean;
      /** A `define` block (its value spans lines and keeps its newlines). */
      define: boolean;
    }
  | { kind: 'include'; loc: MakeLoc; files: string; optional: boolean }
  | { kind: 'if'; loc: MakeLoc; test: CondTest }
  | { kind: 'else'; loc: MakeLoc; test?: CondTest }
  | { kind: 'endif'; loc: MakeLoc }
  | { kind: 'rule'; loc: MakeLoc; targets: string; prereqs: string; targetVariable: boolean }
  | { kind: 'recipe'; loc: MakeLoc; text: string }
  | { kind: 'export'; loc: MakeLoc; names: string; unexport: boolean }
  | { kind: 'other'; loc: MakeLoc; text: string };

/** A note of the Make reader: what it could not read or evaluate, at the statement's file and line. */
export type MakeDiagnostic = Diagnostic & { code: CodeOf<'make'>; severity: 'info'; where: MakeLoc };

/** A Make reader note at `loc`. */
export function makeDiagnostic(loc: MakeLoc, code: CodeOf<'make'>, message: string, value?: string): MakeDiagnostic {
  return { code, severity: 'info', message, where: loc, ...(value !== undefined ? { value } : {}) };
}

export type VarFlavor = 'recursive' | 'simple';

export interface MakeVar {
  flavor: VarFlavor;
  value: string;
  /** Why (parts of) the value cannot be known statically; non-empty means unresolved. */
  unresolved: string[];
  origin: 'file' | 'override' | 'automatic' | 'default' | 'command line';
  loc?: MakeLoc;
}

/** One recipe line after Make expansion, ready for the shell parser. */
export interface MakeRecipe {
  loc: MakeLoc;
  target: string;
  /** As written (continuation lines joined, recipe prefix removed). */
  raw: string;
  /** After Make expansion; unresolved references are kept as written. */
  text: string;
  unresolved: string[];
}
