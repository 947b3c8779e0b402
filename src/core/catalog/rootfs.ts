/** Codes of `builder.bootstrap`: the builder rootfs resolved to locked packages (`vendor`) and made from them (`rootfs`). */
import { defineArea } from './types.js';

export const rootfs = defineArea('rootfs', 'the builder rootfs made from locked Debian packages (builder.bootstrap, `tarsmith rootfs`)', {
  'rootfs.unknown-suite': { exit: 'usage', severity: 'error', hint: 'use a suite the mirror has (bookworm, trixie, ...): see MIRROR/dists/' },
  'rootfs.mirror-unreachable': { exit: 'io', severity: 'error', hint: 'check builder.bootstrap.mirror and the network (the archive is needed at vendor time only)' },
  'rootfs.resolve-failed': { exit: 'io', severity: 'error', hint: 'mmdebstrap could not bootstrap from the archive: read its last lines above; `tarsmith vendor -v` shows all of them' },
  'rootfs.resolve-output': { exit: 'internal', severity: 'error', hint: 'report this as a bug with the output of `tarsmith vendor -v`' },
  'rootfs.make-failed': { exit: 'engine', severity: 'error', hint: 'mmdebstrap could not make the rootfs from packages/: read its last lines above; `tarsmith rootfs -v` shows all of them' },
  'rootfs.missing-deb': { exit: 'checkFailed', severity: 'error', hint: 'restore the file (from version control or the cache) with `tarsmith vendor`' },
  'rootfs.deb-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'the file is not the locked one: restore it with `tarsmith vendor` (it takes the locked bytes from the cache or the archive)' },
  'rootfs.set-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'the made rootfs does not hold exactly the locked packages: resolve again with `tarsmith vendor --update-packages`' },
  'rootfs.not-reproduced': { exit: 'checkFailed', severity: 'error', hint: 'the same packages gave other bytes than the lock records: compare the two with diffoscope; if the lock is stale, run `tarsmith vendor --update-packages`' },
  'rootfs.not-vendored': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor`: it resolves builder.bootstrap against the archive and locks every package' },
  'rootfs.no-bootstrap': { exit: 'usage', severity: 'error', hint: 'declare the base under builder.bootstrap (suite, variant, packages) and run `tarsmith vendor`' },
  'rootfs.tool-missing': { exit: 'usage', severity: 'error', hint: 'install it: `apt-get install mmdebstrap dpkg-dev`' },
});
