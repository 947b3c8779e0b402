/**
 * "Did you mean": the existing symbol names nearest to an unknown one. Names are compared word by word
 * (`_`-separated words matched fuzzily, so that `XTABLES` ~ `IPTABLES`; each word weighted by its rarity among all
 * names, so a shared `LEGACY` says more than a shared `NETFILTER`), by the words they share at the start or —
 * counting more, since renamed symbols tend to keep their qualifier — at the end, and as whole strings (edit
 * distance, shared prefix/suffix). A candidate whose last word differs from the unknown name's is ranked lower
 * unless it is the unknown name with words dropped from the end (`NETFILTER_XTABLES` for
 * `NETFILTER_XTABLES_LEGACY`). So `NETFILTER_XTABLES_LEGACY` → `IP_NF_IPTABLES_LEGACY`, `IP6_NF_IPTABLES_LEGACY`,
 * `NETFILTER_XTABLES`. Deterministic: ties are broken by name.
 */

let row = new Int32Array(64);

let prevRow = new Int32Array(64);
let prev2Row = new Int32Array(64);

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbours (`HDC` ~ `HCD`). With
 * `max`, any distance above it is answered as `max + 1` as soon as a whole row exceeds it.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (row.length <= b.length) {
    row = new Int32Array(b.length * 2 + 1);
    prevRow = new Int32Array(b.length * 2 + 1);
    prev2Row = new Int32Array(b.length * 2 + 1);
  }
  for (let j = 0; j <= b.length; j++) prevRow[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = Math.min((prevRow[j] as number) + 1, (row[j - 1] as number) + 1, (prevRow[j - 1] as number) + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, (prev2Row[j - 2] as number) + 1);
      row[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // A later row is never below this one's minimum less one (a swap reaches back two rows): stop once past max.
    if (rowMin > max + 1) return max + 1;
    const t = prev2Row;
    prev2Row = prevRow;
    prevRow = row;
    row = t;
  }
  return prevRow[b.length] as number;
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

/** How alike two words are: 1 when equal, less for a near spelling or a shared stem of 4+ characters, else 0. */
export function wordSimilarity(w: string, o: string): number {
  if (w === o) return 1;
  const longest = Math.max(w.length, o.length);
  const shared = Math.max(commonSuffix(w, o), commonPrefix(w, o));
  // `near` counts only from 0.6 up: a distance past 0.4 × the longer word (at least the difference in length) is 0.
  const max = Math.floor(0.4 * longest);
  const d = longest - Math.min(w.length, o.length) > max ? max + 1 : editDistance(w, o, max);
  const near = d > max ? 0 : 1 - d / longest;
  return Math.max(shared >= 4 ? (0.8 * shared) / longest : 0, near >= 0.6 ? near * 0.8 : 0);
}

/** Scores one unknown name against many candidates, memoising word comparisons (names share most words). */
export class NameScorer {
  private readonly words: string[];
  private readonly memo = new Map<string, Map<string, number>>();

  constructor(
    readonly name: string,
    private readonly weight: (word: string) => number = () => 1,
  ) {
    this.words = name.split('_').filter(Boolean);
  }

  private sim(w: string, o: string): number {
    let inner = this.memo.get(w);
    if (!inner) {
      inner = new Map();
      this.memo.set(w, inner);
    }
    let v = inner.get(o);
    if (v === undefined) {
      v = wordSimilarity(w, o);
      inner.set(o, v);
    }
    return v;
  }

  private best(w: string, among: readonly string[]): number {
    let b = 0;
    for (const o of among) b = Math.max(b, this.sim(w, o));
    return b;
  }

  private overlap(from: readonly string[], to: readonly string[], forward: boolean): number {
    let sum = 0;
    let total = 0;
    for (const w of from) {
      const k = this.weight(w);
      sum += k * (forward ? this.best(w, to) : this.bestReverse(w, to));
      total += k;
    }
    return total > 0 ? sum / total : 0;
  }

  private bestReverse(o: string, among: readonly string[]): number {
    let b = 0;
    for (const w of among) b = Math.max(b, this.sim(w, o));
    return b;
  }

  /** Fuzzy words shared at the start, or (counting 1.3×) at the end, relative to the unknown name's word count. */
  private endWords(cand: readonly string[]): { score: number; lead: number; trail: number } {
    const wa = this.words;
    const same = (x: string | undefined, y: string | undefined) => x !== undefined && y !== undefined && this.sim(x, y) >= 0.5;
    let lead = 0;
    while (lead < wa.length && same(wa[lead], cand[lead])) lead++;
    let trail = 0;
    while (trail < wa.length && same(wa[wa.length - 1 - trail], cand[cand.length - 1 - trail])) trail++;
    return { score: Math.min(1, Math.max(lead, 1.3 * trail) / wa.length), lead, trail };
  }

  /** Is `w` alike (≥ 0.5) to one of the unknown name's words? */
  hasAlike(w: string): boolean {
    let v = this.alike.get(w);
    if (v === undefined) {
      v = this.words.some((x) => this.sim(x, w) >= 0.5);
      this.alike.set(w, v);
    }
    return v;
  }

  private readonly alike = new Map<string, boolean>();

  /** Similarity in [0, 1]. */
  score(cand: string, wb: readonly string[] = cand.split('_').filter(Boolean)): number {
    const a = this.name;
    if (this.words.length === 0 || wb.length === 0) return 0;
    const whole = 1 - editDistance(a, cand) / Math.max(a.length, cand.length);
    const ends = Math.max(commonPrefix(a, cand), commonSuffix(a, cand)) / a.length;
    const words = (this.overlap(this.words, wb, true) + this.overlap(wb, this.words, false)) / 2;
    const e = this.endWords(wb);
    const truncation = e.lead === wb.length && wb.length < this.words.length;
    const penalty = e.trail === 0 && !truncation ? 0.08 : 0;
    return 0.2 * whole + 0.15 * ends + 0.3 * words + 0.35 * e.score - penalty;
  }
}

/** Similarity in [0, 1] of two symbol names (all words weighted alike). */
export function similarity(a: string, b: string): number {
  return new NameScorer(a).score(b);
}

export interface Suggestion {
  name: string;
  score: number;
}

/** Rarity weight of each `_`-separated word among `names` (inverse document frequency). */
export function wordWeights(names: readonly string[]): (word: string) => number {
  return weightsOf(names.map((n) => n.split('_').filter(Boolean)));
}

function weightsOf(split: readonly (readonly string[])[]): (word: string) => number {
  const df = new Map<string, number>();
  for (const words of split) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as string;
      if (words.indexOf(w) === i) df.set(w, (df.get(w) ?? 0) + 1);
    }
  }
  return (w) => Math.log((split.length + 1) / (1 + (df.get(w) ?? 0)));
}

/** The existing names, split into words once, ready to answer many "nearest names" questions. */
export class NameIndex {
  private readonly words: string[][];
  private readonly weight: (word: string) => number;

  constructor(readonly names: readonly string[]) {
    this.words = names.map((n) => n.split('_').filter(Boolean));
    this.weight = weightsOf(this.words);
  }

  /** The `n` names nearest to `name` (score ≥ `min`), best first. */
  nearest(name: string, n = 5, min = 0.55): Suggestion[] {
    const scorer = new NameScorer(name, this.weight);
    const out: Suggestion[] = [];
    this.names.forEach((cand, i) => {
      const words = this.words[i] as string[];
      // Without one word alike (≥ 0.5) a candidate scores at most 0.2 + 0.15 + 0.3 × 0.5 = 0.5 < min: skip it.
      if (cand === name || (min >= 0.5 && !words.some((w) => scorer.hasAlike(w)))) return;
      const score = scorer.score(cand, words);
      if (score >= min) out.push({ name: cand, score });
    });
    out.sort((x, y) => y.score - x.score || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    return out.slice(0, n);
  }
}

/** The `n` names nearest to `name` (score ≥ `min`), best first. */
export function nearestNames(name: string, names: readonly string[], n = 5, min = 0.55): Suggestion[] {
  return new NameIndex(names).nearest(name, n, min);
}
