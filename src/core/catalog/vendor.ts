/** Codes of `tarsmith vendor`: downloads, git mirrors, user-supplied files. */
import { defineArea } from './types.js';

export const vendor = defineArea('vendor', 'fetching sources into packages/ (http(s), git, mirrors, the cache)', {
  'vendor.file-clash': { exit: 'usage', severity: 'error', hint: 'rename one of the files (for url sources, the file name is the last part of the URL)' },
  'vendor.git-archive': { exit: 'io', severity: 'error', hint: 'check the git URL and that the repository is reachable from this machine' },
  'vendor.git-bad-url': { exit: 'io', severity: 'error', hint: 'write the git URL without a leading "-"' },
  'vendor.git-commit-gone': { exit: 'io', severity: 'error', hint: 'restore the file from a cache or mirror, or re-resolve with `tarsmith vendor --update NAME`' },
  'vendor.git-commit-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'if the move is intended, write the new `commit:`; otherwise point `ref:` at the pinned commit\'s tag' },
  'vendor.git-fetch': { exit: 'io', severity: 'error', hint: 'check the git URL and that the repository is reachable from this machine' },
  'vendor.git-init': { exit: 'io', severity: 'error', hint: 'check that the cache folder ($XDG_CACHE_HOME/tarsmith) is writable' },
  'vendor.git-show': { exit: 'io', severity: 'error', hint: 'check the git URL and that the repository is reachable from this machine' },
  'vendor.git-unknown-ref': { exit: 'usage', severity: 'error', hint: 'use an existing tag or branch name (see `git ls-remote URL`)' },
  'vendor.http-status': { exit: 'io', severity: 'error', hint: 'check the URL; if it moved, update `url:` in the manifest' },
  'vendor.mirror-missing': { exit: 'usage', severity: 'error', hint: 'make the folder (tarballs by file name or sha256/HASH, bare git repositories, .deb files), fix the path (relative to tarsmith.yaml), or remove the entry' },
  'vendor.missing-file': { exit: 'usage', severity: 'error', hint: 'put the file there (it is supplied by you, not downloaded), or fix the path in the manifest' },
  'vendor.no-origin': { exit: 'io', severity: 'error', hint: 'put the file back, or add a mirror that has it' },
  'vendor.timeout': { exit: 'io', severity: 'error', hint: 'check the URL and the network, or add a mirror; TARSMITH_HTTP_TIMEOUT_MS sets the idle timeout' },
  'vendor.too-many-redirects': { exit: 'io', severity: 'error', hint: 'point the manifest at the final URL' },
  'vendor.truncated': { exit: 'io', severity: 'error', hint: 'try again; if it keeps failing, add a mirror' },
  'vendor.unreachable': { exit: 'io', severity: 'error', hint: 'check the URL and the network, or add a mirror that has the file' },
  'vendor.unsupported-url': { exit: 'io', severity: 'error', hint: 'use http, https or (for mirrors) file' },
});
