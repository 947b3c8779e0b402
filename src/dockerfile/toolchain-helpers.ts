/**
 * The toolchain install scripts, bind-mounted (with the package files) at /mnt for the toolchain stage's one RUN,
 * which has a tmpfs on /tmp: neither is ever part of a layer, and both folders exist in every base, so the
 * engine creates no mount-point stubs in the layer either. They
 * install the locked package files with the network off, remove what a package manager writes per run (logs,
 * caches, `-old` backups), and clamp every file the run changed to SOURCE_DATE_EPOCH, so the same files give the
 * same layer on every machine. Every value is an argument; POSIX sh with GNU or busybox find/touch.
 */

/** The files the run leaves behind that differ from run to run (logs, binary caches, backups). */
const APT_PER_RUN = [
  '/var/log/dpkg.log', '/var/log/alternatives.log', '/var/log/apt/history.log', '/var/log/apt/term.log', '/var/log/apt/eipp.log.xz',
  '/var/cache/apt/pkgcache.bin', '/var/cache/apt/srcpkgcache.bin', '/var/cache/ldconfig/aux-cache',
  '/var/lib/dpkg/status-old', '/var/lib/dpkg/available-old', '/var/lib/dpkg/diversions-old', '/var/lib/dpkg/statoverride-old',
  '/var/cache/debconf/config.dat-old', '/var/cache/debconf/templates.dat-old', '/var/cache/debconf/passwords.dat-old',
];

/**
 * Per-run files are put back as the base had them (copied aside at the start, mtime kept), or removed when the
 * base had none: deleting a file of the base would leave a whiteout, whose mtime the engine sets to the time of
 * the build.
 */
const KEEP = (list: string) => `keep=/tmp/.tarsmith-keep
for f in ${list}; do
  if [ -e "$f" ]; then mkdir -p "$keep\${f%/*}"; cp -p "$f" "$keep$f"; fi
done`;
const RESTORE = (list: string) => `for f in ${list}; do
  if [ -e "$keep$f" ]; then cp -p "$keep$f" "$f"; else rm -f "$f"; fi
done`;

/** Clamp what this run changed (newer than the marker) to the epoch; /proc, /sys, /dev and mounts are skipped. */
const CLAMP = `find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /mnt -o -path /etc/hosts -o -path /etc/hostname -o -path /etc/resolv.conf \\) -prune \\
  -o -newer "$marker" -exec touch -h -d "@$epoch" {} +`;

/** The list of package files (one per line, relative to the script's folder) the install scripts read. */
export const PACKAGE_LIST = 'packages.list';

/** `install-apt.sh EPOCH [ARCH]...`: dpkg architectures, then apt installs exactly the files in packages.list. */
export const INSTALL_APT_SH = `#!/bin/sh
# tarsmith toolchain install, network off: install-apt.sh EPOCH [FOREIGN-ARCH]...
set -eu
here=$(dirname "$0")
epoch="$1"; shift
marker=/tmp/.tarsmith-start
touch "$marker"
mkdir -p /tmp/.tarsmith-lists/partial
${KEEP(APT_PER_RUN.join(' '))}
for a in "$@"; do dpkg --add-architecture "$a"; done
set --
while IFS= read -r f; do [ -n "$f" ] && set -- "$@" "$here/$f"; done <"$here/${PACKAGE_LIST}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends \\
  -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=/tmp/.tarsmith-lists \\
  -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 "$@"
${RESTORE(APT_PER_RUN.join(' '))}
${CLAMP}
`;

/** `install-apk.sh EPOCH`: apk adds exactly the files in packages.list, no repository, no network. */
export const INSTALL_APK_SH = `#!/bin/sh
# tarsmith toolchain install, network off: install-apk.sh EPOCH
set -eu
here=$(dirname "$0")
epoch="$1"; shift
marker=/tmp/.tarsmith-start
touch "$marker"
set --
while IFS= read -r f; do [ -n "$f" ] && set -- "$@" "$here/$f"; done <"$here/${PACKAGE_LIST}"
apk add --no-network --no-cache --allow-untrusted --repositories-file /dev/null "$@"
${CLAMP}
`;
