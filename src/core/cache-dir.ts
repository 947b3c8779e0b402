/** tarsmith's per-user cache folder: `$XDG_CACHE_HOME/tarsmith` (an absolute XDG_CACHE_HOME only, as the XDG spec says), else `~/.cache/tarsmith`. */
import * as os from 'node:os';
import * as path from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'tarsmith');
}
