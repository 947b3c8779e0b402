/** tarsmith's own version (package.json), for `--version`, build records and provenance. */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The version in package.json; the same file from src/core/ (tsx) and from dist/core/ (compiled). */
export function version(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
