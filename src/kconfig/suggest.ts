/**
 * "Did you mean": the existing symbol names nearest to an unknown one. A name is compared as a whole (edit
 * distance, shared prefix, shared suffix) and word by word (`_`-separated words matched fuzzily, so that
 * `XTABLES` ~ `IPTABLES`): `NETFILTER_XTABLES_LEGACY` → `IP_NF_IPTABLES_LEGACY`, `IP6_NF_IPTABLES_LEGACY`,
 * `NETFILTER_XTABLES`. Words are weighted by rarity among all names (a shared `LEGACY` says more than a shared
 * `NETFILTER`). Deterministic: ties are broken by name.
 */

/** Levenshtein distance, with an early exit once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] as number;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function commonSuffix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

/** How well word `w` is matched by one of `words` (1 exact, less for a near or suffix-sharing word). */
function wordMatch(w: string, words: readonly string[]): number {
  let best = 0;
  for (const o of words) {
    if (o === w) return 1;
    const shared = Math.max(commonSuffix(w, o), commonPrefix(w, o));
    const near = 1 - editDistance(w, o, 3) / Math.max(w.length, o.length);
    const s = Math.max(shared >= 4 ? (0.8 * shared) / Math.max(w.length, o.length) : 0, near >= 0.6 ? near * 0.8 : 0);
    if (s > best) best = s;
  }
  return best;
}

/**
 * Words shared at the start or (weighted higher: renamed symbols tend to keep their qualifier, as in
 * `…_LEGACY`) at the end, matched fuzzily, relative to the unknown name's word count.
 */
function endWords(wa: readonly string[], wb: readonly string[]): number {
  const same = (x: string | undefined, y: string | undefined): boolean =>
    x !== undefined && y !== undefined && wordMatch(x, [y]) >= 0.55;
  let lead = 0;
  while (lead < wa.length && same(wa[lead], wb[lead])) lead++;
  let trail = 0;
  while (trail < wa.length && same(wa[wa.length - 1 - trail], wb[wb.length - 1 - trail])) trail++;
  return Math.min(1, Math.max(lead, 1.3 * trail) / wa.length);
}

/** Similarity in [0, 1] of two symbol names. */
export function similarity(a: string, b: string, weight: (word: string) => number = () => 1): number {
  const maxLen = Math.max(a.length, b.length);
  const whole = 1 - editDistance(a, b) / maxLen;
  const ends = Math.max(commonPrefix(a, b), commonSuffix(a, b)) / a.length;
  const wa = a.split('_').filter(Boolean);
  const wb = b.split('_').filter(Boolean);
  const weighted = (from: readonly string[], to: readonly string[]): number => {
    let sum = 0;
    let total = 0;
    for (const w of from) {
      const k = weight(w);
      sum += k * wordMatch(w, to);
      total += k;
    }
    return total > 0 ? sum / total : 0;
  };
  const forward = weighted(wa, wb);
  const backward = weighted(wb, wa);
  const words = (forward + backward) / 2;
  return 0.2 * whole + 0.15 * ends + 0.3 * words + 0.35 * endWords(wa, wb);
}

export interface Suggestion {
  name: string;
  score: number;
}

/** The `n` names nearest to `name` (score ≥ `min`), best first. */
export function nearestNames(name: string, names: Iterable<string>, n = 3, min = 0.55): Suggestion[] {
  const all = [...names];
  const df = new Map<string, number>();
  for (const cand of all) for (const w of new Set(cand.split('_'))) df.set(w, (df.get(w) ?? 0) + 1);
  const weight = (w: string): number => Math.log((all.length + 1) / (1 + (df.get(w) ?? 0)));
  const out: Suggestion[] = [];
  for (const cand of all) {
    if (cand === name) continue;
    const score = similarity(name, cand, weight);
    if (score >= min) out.push({ name: cand, score });
  }
  out.sort((x, y) => y.score - x.score || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return out.slice(0, n);
}
