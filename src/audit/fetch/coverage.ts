/**
 * Which manifest source answers each fetch, with the same URL matching as the fetch stand-ins (http/https,
 * trailing `/` and `.git` ignored; a git source answers its own ref, a `URL#REF` entry of `provides:` that ref,
 * and any other provided URL every ref).
 */
import type { Manifest } from '../../manifest/types.js';
import { normalizeRef, normalizeUrl, splitProvided } from '../../shims/url.js';
import { isResolved, type Fetch } from './types.js';

interface Provided {
  key: string;
  ref?: string;
  name: string;
}

function provided(manifest: Manifest): Provided[] {
  const out: Provided[] = [];
  for (const s of manifest.sources) {
    const own = s.origin.kind === 'url' ? [s.origin.url] : s.origin.kind === 'git' ? [s.origin.git] : [];
    for (const entry of s.provides.length > 0 ? s.provides : own) {
      const { url, ref } = splitProvided(entry);
      const r = ref ?? (s.origin.kind === 'git' ? s.origin.ref : undefined);
      out.push({ key: normalizeUrl(url), ...(r !== undefined ? { ref: normalizeRef(r) } : {}), name: s.name });
    }
  }
  return out;
}

/** Sets `coveredBy` on every fetch; returns how many fetches that need a source have none. */
export function checkCoverage(fetches: Fetch[], manifest: Manifest): number {
  const table = provided(manifest);
  let uncovered = 0;
  for (const f of fetches) {
    if (!f.needsSource) continue;
    let hit: Provided | undefined;
    if (f.kind !== 'unsupported' && isResolved(f.url) && (!f.ref || isResolved(f.ref))) {
      const key = normalizeUrl(f.url.text);
      const ref = f.ref ? normalizeRef(f.ref.text) : undefined;
      const rows = table.filter((p) => p.key === key);
      // Without a ref, the stand-in can answer only when one tree is vendored for the URL.
      const refs = new Set(rows.map((p) => p.ref));
      hit = ref === undefined ? (refs.size === 1 ? rows[0] : undefined) : (rows.find((p) => p.ref === ref) ?? rows.find((p) => p.ref === undefined));
    }
    f.coveredBy = hit ? hit.name : null;
    if (!hit) uncovered++;
  }
  return uncovered;
}
