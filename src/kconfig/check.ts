/**
 * `kconfig check`: does a resolved `.config` satisfy a fragment, line by line?
 *
 * A line `CONFIG_X=v` is satisfied when the `.config` gives X the same value (`=n` is the same fact as
 * `# CONFIG_X is not set`). A `# CONFIG_X is not set` line is satisfied when X is written as not set or is absent
 * (an absent symbol is `n`); when X does not exist in the kernel tree at all, the line is a no-op and earns a
 * warning. Knowledge of the tree (existence, explanations) is passed in, so this module needs no Kconfig parser.
 */
import { ExitCode, renderDiagnostic, unreachable, type Failure } from '../core/errors.js';
import type { ConfigFact, DotConfig } from './dotconfig.js';
import { renderFixLines, type FixReport } from './fix-report.js';
import { renderLine, type ConfigLine, type ConfigValue, type ParsedConfig } from './fragment.js';

/** Why a value did not stick, as lines of text (first line the reason, then details and a fix). */
export interface Explanation {
  reason: string;
  details: string[];
  fix?: string;
  /** Config lines that, added to the fragment, should make the requested value stick (when the fix is that simple). */
  set?: string[];
}

export interface Mismatch {
  name: string;
  /** The fragment line that asked for the value. */
  line: number;
  expected: string;
  /** The `.config` line, or `<missing>` when the symbol is absent. */
  actual: string;
  explanation?: Explanation;
}

export type Warning = Failure & { severity: 'warning' };

export interface CheckReport {
  fragment: string;
  config: string;
  ok: boolean;
  /** Fragment lines checked (the last assignment per symbol). */
  checked: number;
  mismatches: Mismatch[];
  /** Malformed lines in the fragment or the `.config`. */
  errors: Failure[];
  warnings: Warning[];
  /** With a kernel tree: each suggested fix, proven by resolving again with it applied. */
  fixes?: FixReport;
}

export interface TreeKnowledge {
  /** Is the symbol defined in the tree? */
  defines(name: string): boolean;
  explain(request: ConfigLine, actual: ConfigFact): Explanation;
  /** Prove the report's suggested fixes by resolving the `.config` again with them (see `fix-verify.ts`). */
  proveFixes?(report: CheckReport, fragment: ParsedConfig): Promise<FixReport>;
}

export const MISSING = '<missing>';

function bigintOf(text: string): bigint | undefined {
  try {
    return BigInt(text);
  } catch {
    return undefined;
  }
}

function hexBigint(text: string): bigint | undefined {
  return bigintOf(text.startsWith('0x') || text.startsWith('0X') ? text : `0x${text}`);
}

/** Same value? Numbers compare by value within their notation; otherwise by spelling. */
export function sameValue(a: ConfigValue, b: ConfigValue): boolean {
  if (a.kind === 'tristate' || b.kind === 'tristate') {
    return a.kind === 'tristate' && b.kind === 'tristate' && a.value === b.value;
  }
  if (a.kind === 'string' || b.kind === 'string') {
    return a.kind === 'string' && b.kind === 'string' && a.value === b.value;
  }
  if (a.kind === 'number' && b.kind === 'number') return bigintOf(a.text) === bigintOf(b.text);
  if (a.kind === 'hex' && b.kind === 'hex') return hexBigint(a.text) === hexBigint(b.text);
  return a.text === b.text;
}

/** Does the fact satisfy the request? `unset` requests (and `=n`) are met by `n` and by absence. */
export function satisfies(request: ConfigLine, fact: ConfigFact): boolean {
  const wantsN = request.value === undefined || (request.value.kind === 'tristate' && request.value.value === 'n');
  switch (fact.state) {
    case 'absent':
    case 'unset':
      return wantsN;
    case 'set':
      if (wantsN) return fact.value.kind === 'tristate' && fact.value.value === 'n';
      return sameValue(request.value as ConfigValue, fact.value);
    default:
      return unreachable(fact, 'config fact');
  }
}

export function renderFact(name: string, fact: ConfigFact): string {
  switch (fact.state) {
    case 'absent':
      return MISSING;
    case 'unset':
      return renderLine(name, undefined);
    case 'set':
      return renderLine(name, fact.value);
    default:
      return unreachable(fact, 'config fact');
  }
}

function noOpWarning(fragment: ParsedConfig, req: ConfigLine, inTree: boolean | undefined): Warning {
  const known = inTree === false;
  return {
    code: 'kconfig.no-op-line',
    severity: 'warning',
    exit: ExitCode.ok,
    message: known
      ? `CONFIG_${req.name} is not defined in this kernel tree: a no-op line`
      : `CONFIG_${req.name} is absent from the .config: a no-op line if the kernel tree does not define it`,
    where: { file: fragment.file, line: req.line },
    value: req.text,
    hint: known ? 'remove the line, or use the name this kernel version uses' : 'pass --kernel to tell for sure',
  };
}

/** Check every effective fragment line against the `.config`. */
export function checkFragment(fragment: ParsedConfig, config: DotConfig, tree?: TreeKnowledge): CheckReport {
  const report: CheckReport = {
    fragment: fragment.file,
    config: config.parsed.file,
    ok: true,
    checked: 0,
    mismatches: [],
    errors: [],
    warnings: [],
  };
  for (const d of [...fragment.diagnostics, ...config.parsed.diagnostics]) {
    if (d.severity === 'error') report.errors.push(withoutSeverity(d));
    else if (d.where?.file === fragment.file) report.warnings.push({ ...d, severity: 'warning' });
  }
  for (const req of fragment.byName.values()) {
    report.checked++;
    const fact = config.fact(req.name);
    const inTree = tree?.defines(req.name);
    if (satisfies(req, fact)) {
      if (fact.state === 'absent' && inTree !== true) report.warnings.push(noOpWarning(fragment, req, inTree));
      continue;
    }
    const m: Mismatch = {
      name: req.name,
      line: req.line,
      expected: renderLine(req.name, req.value),
      actual: renderFact(req.name, fact),
    };
    if (tree) m.explanation = tree.explain(req, fact);
    report.mismatches.push(m);
  }
  report.mismatches.sort((a, b) => a.line - b.line);
  report.warnings.sort((a, b) => (a.where?.line ?? 0) - (b.where?.line ?? 0));
  report.ok = report.mismatches.length === 0 && report.errors.length === 0;
  return report;
}

function withoutSeverity(d: Failure & { severity: string }): Failure {
  const { severity: _s, ...rest } = d;
  return rest;
}

/** Exit code: bad input (malformed lines) wins over a failed check. */
export function checkExitCode(r: CheckReport): ExitCode {
  if (r.errors.length > 0) return ExitCode.usage;
  return r.mismatches.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
}

/** The text report for stdout: one block per mismatch, then the summary. Warnings are rendered separately. */
export function renderCheckReport(r: CheckReport): string {
  const out: string[] = [];
  for (const e of r.errors) out.push(renderDiagnostic(e));
  for (const m of r.mismatches) {
    out.push(`kconfig mismatch: CONFIG_${m.name}`);
    out.push(`  expected: ${m.expected}`);
    out.push(`  actual:   ${m.actual}`);
    if (m.explanation) out.push(...renderExplanation(m.explanation));
  }
  if (r.fixes) out.push(...renderFixLines(r.fixes));
  if (r.mismatches.length > 0) out.push(`error: resolved kernel config does not satisfy ${r.fragment}`);
  else if (r.errors.length > 0) out.push(`error: ${r.fragment}: ${r.errors.length} malformed line(s)`);
  return out.length ? `${out.join('\n')}\n` : '';
}

export function renderExplanation(e: Explanation): string[] {
  const lines = [`  why:      ${e.reason}`];
  for (const d of e.details) lines.push(`            ${d}`);
  if (e.fix) lines.push(`  fix:      ${e.fix}`);
  return lines;
}
