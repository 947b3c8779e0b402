/** Codes of builder.packages: resolved over the base and vendored (`tarsmith vendor`), installed (`toolchain`). */
import { defineArea } from './types.js';

export const toolchain = defineArea('toolchain', 'resolving, vendoring and installing builder.packages', {
  'toolchain.base-import-failed': { exit: 'engine', severity: 'error', hint: 'check that the Docker engine runs (`docker info`) and that the rootfs is a tar of a root filesystem' },
  'toolchain.no-rootfs': { exit: 'usage', severity: 'error', hint: 'fix the builder rootfs first (see the error reported for it)' },
  'toolchain.not-vendored': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor`: it resolves builder.packages over the base and puts every package file in packages/' },
  'toolchain.resolve-failed': { exit: 'io', severity: 'error', hint: 'the archive must be reachable from a container (`docker run` with the default network); `tarsmith vendor -v` shows the package manager\'s output' },
  'toolchain.resolver-not-started': { exit: 'engine', severity: 'error', hint: 'check the engine (`docker info`) and that the base image is present, then run `tarsmith vendor` again' },
  'toolchain.resolve-output': { exit: 'internal', severity: 'error', hint: 'report this as a bug with the output of `tarsmith vendor -v`' },
  'toolchain.unknown-package': { exit: 'usage', severity: 'error', hint: 'check the names (and :ARCH qualifiers) against the base\'s distribution and release' },
});
