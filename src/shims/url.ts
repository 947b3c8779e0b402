/**
 * URL matching for the fetch stand-ins. The same rules are implemented in POSIX sh (`ts_norm` in the stand-ins'
 * library) and must stay identical: http and https of the same host are one URL, and trailing `/` and `.git` are
 * dropped. Nothing looser: host case, ports, query strings and paths are compared as written.
 */
export function normalizeUrl(url: string): string {
  let u = url.startsWith('http://') ? `https://${url.slice('http://'.length)}` : url;
  for (;;) {
    if (u.endsWith('/')) u = u.slice(0, -1);
    else if (u.endsWith('.git')) u = u.slice(0, -'.git'.length);
    else return u;
  }
}

/** `refs/tags/X` and `refs/heads/X` name the same ref as `X` for matching. */
export function normalizeRef(ref: string): string {
  for (const p of ['refs/tags/', 'refs/heads/']) if (ref.startsWith(p)) return ref.slice(p.length);
  return ref;
}

/** Splits a `provides:` entry `URL#REF` (a git URL at one ref) into its parts. */
export function splitProvided(entry: string): { url: string; ref?: string } {
  const i = entry.lastIndexOf('#');
  if (i <= 0) return { url: entry };
  const ref = entry.slice(i + 1);
  return ref ? { url: entry.slice(0, i), ref } : { url: entry.slice(0, i) };
}

/** The folder name `git clone URL` picks: the last path part without `.git`. */
export function cloneDirName(url: string): string {
  let u = url;
  while (u.endsWith('/')) u = u.slice(0, -1);
  if (u.endsWith('.git')) u = u.slice(0, -4);
  while (u.endsWith('/')) u = u.slice(0, -1);
  const i = Math.max(u.lastIndexOf('/'), u.lastIndexOf(':'));
  return u.slice(i + 1);
}
