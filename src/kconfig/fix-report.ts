/** The result of proving a check report's fixes (`fix-verify.ts`), and its text. */

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
