/** The shape of the failure catalog: every diagnostic code tarsmith can report, with its exit code, severity and hint. */
import type { ExitName } from '../exit-code.js';

/** `error` stops the command (or fails the check); `warning` and `info` are reported and the command goes on. */
export type Severity = 'error' | 'warning' | 'info';

/** What the catalog says about one code. Call sites may give a more specific hint; this one is the documented one. */
export interface CatalogEntry {
  /** The exit code a command ends with when this diagnostic is an error (`ok` for warnings and notes). */
  readonly exit: ExitName;
  readonly severity: Severity;
  /** One line: what to do about it. */
  readonly hint: string;
}

/** One area's codes: every key starts with `AREA.`. */
export interface AreaCatalog<A extends string, C extends string> {
  readonly area: A;
  /** One line: what reports these codes. */
  readonly about: string;
  readonly codes: { readonly [K in C]: CatalogEntry };
}

/**
 * Declare an area's codes. The keys are checked against the area prefix and kept as literal types, so that
 * `FailureCode` (the union over every area) knows each code.
 */
export function defineArea<A extends string, C extends `${A}.${string}`>(
  area: A,
  about: string,
  codes: { readonly [K in C]: CatalogEntry },
): AreaCatalog<A, C> {
  return { area, about, codes };
}
