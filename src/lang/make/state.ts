/** The state of one Make expansion, shared by expand.ts and functions.ts. */
import type { MakeVar } from './types.js';

export interface ExpandState {
  vars: Map<string, MakeVar>;
  /** Function-call arguments ($(1), ...), foreach variables and automatic variables, innermost last. */
  locals: Map<string, string>[];
  /** Undefined variables expand to nothing (conditionals, as make does) instead of staying unresolved. */
  undefinedIsEmpty: boolean;
  /** Reasons why the text expanded so far is not final. */
  unresolved: string[];
  /** Recursive variables being expanded (self-reference guard). */
  expanding: Set<string>;
  /**
   * When set, an unresolved reference is replaced by what this returns (instead of its text as written), so that
   * a later reader (the shell parser) can tell exactly which parts of the text are not final.
   */
  mark?: (orig: string, reasons: readonly string[]) => string;
  /** Reads makefile text made by `$(eval ...)` at this point; without it `eval` stays unresolved. */
  evalHook?: (text: string) => void;
  /** Told the command of each `$(shell ...)` met (its output stays unresolved either way). */
  shellHook?: (command: string) => void;
}

/** A state sharing variables and guards but collecting its own reasons. */
export function child(st: ExpandState): ExpandState {
  return { ...st, unresolved: [] };
}

export function note(st: ExpandState, reasons: readonly string[]): void {
  for (const r of reasons) if (!st.unresolved.includes(r)) st.unresolved.push(r);
}
