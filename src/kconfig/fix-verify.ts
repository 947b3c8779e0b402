/**
 * Fixes that are proven: each `fix: set CONFIG_…` a check suggests is applied — the config is resolved again with
 * the fix lines merged after the fragment, as the kernel would — and kept only if the requested line then sticks.
 * When a fix line cannot hold itself (`CONFIG_BRIDGE=y` while `IPV6=m` caps it), its own fix is followed, round
 * after round, to the root. Finally all root fixes are applied together, and the lines that still do not stick
 * are listed (a symbol the tree lacks has no fix, and says so).
 */
import type { CheckReport, Mismatch } from './check.js';
import { renderFact, satisfies } from './check.js';
import type { DotConfig } from './dotconfig.js';
import { parseConfigText, type ConfigLine, type ParsedConfig } from './fragment.js';

/** One resolution with extra lines merged after the fragment: the `.config` it gives, and a fix for a line. */
export interface Trial {
  config: DotConfig;
  /** The fix lines the engine suggests for a requested line in this resolution (undefined: none). */
  fixFor(req: ConfigLine): string[] | undefined;
}

export type Resolver = (extra: readonly string[]) => Promise<Trial>;

export interface FixVerdict {
  name: string;
  /** The fix as first suggested. */
  suggested: string[];
  /** Lines to add (not already requested) that were proven to make the line stick; undefined when none was found. */
  proven?: string[];
  /** Each resolution tried: the lines added and what still did not stick. */
  rounds: { added: string[]; notSticking: string[]; blockedBy: string[] }[];
  /** Why no fix exists, when none does. */
  none?: string;
}

export interface FixReport {
  verdicts: FixVerdict[];
  /** Every proven fix applied at once. */
  combined?: { added: string[]; notSticking: string[] };
}

const nameOf = (line: string): string => line.replace(/^# /, '').replace(/^CONFIG_/, '').replace(/[= ].*$/, '');

function toLines(lines: readonly string[]): ConfigLine[] {
  return parseConfigText(lines.join('\n'), '<fix>').lines;
}

/** Requested lines (fragment and extra) that do not stick in a trial. */
function notSticking(trial: Trial, reqs: readonly ConfigLine[]): ConfigLine[] {
  return reqs.filter((r) => !satisfies(r, trial.config.fact(r.name)));
}

async function verifyOne(m: Mismatch, suggested: string[], fragment: ParsedConfig, resolve: Resolver): Promise<FixVerdict> {
  const verdict: FixVerdict = { name: m.name, suggested, rounds: [] };
  const requested = new Map([...fragment.byName.values()].map((l) => [l.name, l.text]));
  const target = fragment.byName.get(m.name) as ConfigLine;
  let added = suggested.filter((l) => requested.get(nameOf(l)) !== l);
  for (let round = 0; round < 6; round++) {
    const trial = await resolve(added);
    const failing = notSticking(trial, [target, ...toLines(added), ...toLines(suggested)]);
    const fixes = new Set(failing.flatMap((f) => trial.fixFor(f) ?? []));
    const failingNames = new Set(failing.map((f) => f.name));
    const blockedBy = [...fixes]
      .map(nameOf)
      .filter((n) => !failingNames.has(n))
      .map((n) => renderFact(n, trial.config.fact(n)))
      .filter((l) => l !== '<missing>');
    verdict.rounds.push({ added, notSticking: failing.map((l) => l.text), blockedBy });
    if (failing.length === 0) return { ...verdict, proven: added };
    const next = new Set(added);
    for (const l of fixes) if (requested.get(nameOf(l)) !== l) next.add(l);
    if (next.size === added.length) break;
    added = [...next];
  }
  return { ...verdict, none: 'no set of config lines found that makes it stick' };
}

/** Verify every suggested fix of a check report, following each to its root, then apply all proven fixes at once. */
export async function verifyFixes(report: CheckReport, fragment: ParsedConfig, resolve: Resolver): Promise<FixReport> {
  const verdicts: FixVerdict[] = [];
  for (const m of report.mismatches) {
    const set = m.explanation?.set;
    if (!set?.length) {
      verdicts.push({ name: m.name, suggested: [], rounds: [], none: m.explanation?.reason ?? 'no fix is known' });
      continue;
    }
    verdicts.push(await verifyOne(m, set, fragment, resolve));
  }
  const all = [...new Set(verdicts.flatMap((v) => v.proven ?? []))];
  if (all.length === 0) return { verdicts };
  const trial = await resolve(all);
  const failing = notSticking(trial, [...fragment.byName.values(), ...toLines(all)]);
  return { verdicts, combined: { added: all, notSticking: failing.map((l) => l.text) } };
}

/** Text for a fix report. */
export function renderFixReport(r: FixReport): string {
  const out = renderFixLines(r);
  return out.length ? `${out.join('\n')}\n` : '';
}

/** The lines of a fix report (the check report puts them before its summary line). */
export function renderFixLines(r: FixReport): string[] {
  const out: string[] = [];
  for (const v of r.verdicts) {
    if (v.proven) {
      const root = v.proven.join(', ');
      const first = v.rounds[0];
      const held = first?.notSticking.filter((l) => v.suggested.includes(l)) ?? [];
      const via = v.rounds.length < 2 ? '' : held.length
        ? ` (the suggested ${held.join(', ')} cannot hold while ${first?.blockedBy.join(', ') || 'its own dependencies are unmet'})`
        : ` (the suggested ${v.suggested.join(', ')} is not enough alone)`;
      out.push(`checked: CONFIG_${v.name}: adding ${root || 'nothing more'} makes it stick${via}; resolved again to prove it`);
    } else out.push(`checked: CONFIG_${v.name}: no fix: ${v.none ?? 'none found'}`);
  }
  if (r.combined) {
    const rest = r.combined.notSticking;
    out.push(
      `fix: add ${r.combined.added.join(', ')}: every requested line then sticks` +
        (rest.length ? ` except ${rest.join(', ')}` : '') + ' (checked by resolving again with the fix applied)',
    );
  }
  return out;
}
