/** Codes of `tarsmith convert apk` (findings) and of the Debian→Alpine package table. */
import { defineArea } from './types.js';

export const convert = defineArea('convert', 'Debian→Alpine conversion findings (`convert apk`, builder packages); an error finding makes the command exit 1', {
  'convert.apt-cache-mount': { exit: 'ok', severity: 'info', hint: 'drop it, or mount /var/cache/apk and use `apk add` without --no-cache' },
  'convert.apt-configuration': { exit: 'checkFailed', severity: 'error', hint: 'remove it; extra Alpine repositories go in /etc/apk/repositories (main/community of the same release only)' },
  'convert.cross-toolchain': { exit: 'checkFailed', severity: 'error', hint: 'Alpine ships no Debian-style cross toolchain; build natively for the target platform, or use a cross toolchain you vendor' },
  'convert.deb-file': { exit: 'checkFailed', severity: 'error', hint: 'use the Alpine package of the same software, or vendor its source and build it' },
  'convert.debian-only-command': { exit: 'checkFailed', severity: 'error', hint: 'remove it or replace it by hand (apk repositories: /etc/apk/repositories; pins: `apk add name=version`)' },
  'convert.digest-needed': { exit: 'ok', severity: 'warning', hint: 'look the digest up where a registry is reachable: `docker buildx imagetools inspect alpine:VERSION`' },
  'convert.foreign-architecture': { exit: 'checkFailed', severity: 'error', hint: 'build for the target natively with `docker buildx build --platform linux/ARCH` (BuildKit + QEMU binfmt)' },
  'convert.gnu-tool-needed': { exit: 'ok', severity: 'warning', hint: 'install the GNU tool the script needs: `apk add --no-cache PACKAGE`' },
  'convert.implicit-packages': { exit: 'ok', severity: 'warning', hint: 'list the tools the build needs (build-base, git, curl, …) in an `apk add`' },
  'convert.mapping-needs-review': { exit: 'ok', severity: 'warning', hint: 'check the mapping against the Alpine package index for your release' },
  'convert.multiarch': { exit: 'checkFailed', severity: 'error', hint: 'build for the target natively with `docker buildx build --platform linux/arm64` (BuildKit + QEMU binfmt)' },
  'convert.no-alpine-equivalent': { exit: 'checkFailed', severity: 'error', hint: 'Alpine has no package for this; vendor the source and build it, or drop the dependency' },
  'convert.shell-syntax': { exit: 'checkFailed', severity: 'error', hint: 'fix the shell syntax (check it with `bash -n`), then convert again' },
  'convert.target-release-dropped': { exit: 'ok', severity: 'warning', hint: 'Alpine has no target releases (-t/--target-release); pin the release by the base image digest' },
  'convert.unmapped-package': { exit: 'ok', severity: 'warning', hint: 'check the name on pkgs.alpinelinux.org (main/community of your release) and add it to the table' },
  'convert.unresolved-variable': { exit: 'ok', severity: 'warning', hint: 'give the variable a plain default in the file, or map its values with `tarsmith convert apk --kind list`' },
  'convert.unsupported-apt-command': { exit: 'checkFailed', severity: 'error', hint: 'rewrite it by hand for apk (see `apk --help`)' },
  'convert.version-pin-dropped': { exit: 'ok', severity: 'warning', hint: 'pin the Alpine release by the base image digest; use `name=VERSION` with an Alpine version if needed' },
});
