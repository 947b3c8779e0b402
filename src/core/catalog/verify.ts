/** Codes of `tarsmith verify` and of the build's pre-flight check of packages/ against the lock. */
import { defineArea } from './types.js';

export const verify = defineArea('verify', 'checking packages/ against tarsmith.lock or SHA256SUMS (verify, and before every build)', {
  'verify.bad-sums-line': { exit: 'usage', severity: 'error', hint: 'write it with `sha256sum FILE... > SHA256SUMS` inside packages/' },
  'verify.checksum-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith verify`, then `tarsmith vendor` to fetch the input again' },
  'verify.hash-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'if the change is intended, update the pin as the message says; otherwise fetch the file again with `tarsmith vendor`' },
  'verify.lock-stale': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor` and commit tarsmith.lock' },
  'verify.missing': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor` to fetch it again' },
  'verify.no-lock': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor` first: it fetches the inputs into packages/ and writes the lock' },
  'verify.not-locked': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor` and commit tarsmith.lock' },
  'verify.not-vendored': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor` first' },
  'verify.nothing-to-check': { exit: 'usage', severity: 'error', hint: 'run `tarsmith vendor` first, or write packages/SHA256SUMS with `sha256sum`' },
  'verify.override-missing': { exit: 'checkFailed', severity: 'error', hint: 'give the path of the file to build from (relative to the current folder), e.g. --source ask=packages/ASK-2.tar.gz' },
  'verify.override-pinned': { exit: 'checkFailed', severity: 'error', hint: 'a sha256 pin means exactly that file: drop sources[].sha256 to allow overrides, or vendor the new file (`tarsmith vendor --update NAME`)' },
  'verify.pin-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'if the locked file is right, change the manifest\'s sha256; otherwise run `tarsmith vendor --update NAME`' },
  'verify.source-overridden': { exit: 'ok', severity: 'warning', hint: 'to make the file the source of every build, point the manifest at it and run `tarsmith vendor`; tarsmith.lock is not changed by --source' },
  'verify.stale-entry': { exit: 'checkFailed', severity: 'warning', hint: 'run `tarsmith vendor` to drop it (an error with --strict)' },
  'verify.sums-out-of-date': { exit: 'checkFailed', severity: 'warning', hint: 'run `tarsmith vendor` to rewrite it from the lock (an error with --strict)' },
  'verify.unreadable': { exit: 'io', severity: 'error', hint: 'check the file permissions' },
  'verify.unlisted': { exit: 'checkFailed', severity: 'warning', hint: 'remove it, or name it in the manifest and run `tarsmith vendor` (an error with --strict)' },
});
