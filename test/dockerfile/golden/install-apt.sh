#!/bin/sh
# tarsmith toolchain install, network off: install-apt.sh EPOCH [FOREIGN-ARCH]...
set -eu
here=$(dirname "$0")
epoch="$1"; shift
marker=/tmp/.tarsmith-start
touch "$marker"
mkdir -p /tmp/.tarsmith-lists/partial
keep=/tmp/.tarsmith-keep
for f in /var/log/dpkg.log /var/log/alternatives.log /var/log/apt/history.log /var/log/apt/term.log /var/log/apt/eipp.log.xz /var/cache/apt/pkgcache.bin /var/cache/apt/srcpkgcache.bin /var/cache/ldconfig/aux-cache /var/lib/dpkg/status-old /var/lib/dpkg/available-old /var/lib/dpkg/diversions-old /var/lib/dpkg/statoverride-old /var/cache/debconf/config.dat-old /var/cache/debconf/templates.dat-old /var/cache/debconf/passwords.dat-old; do
  if [ -e "$f" ]; then mkdir -p "$keep${f%/*}"; cp -p "$f" "$keep$f"; fi
done
for a in "$@"; do dpkg --add-architecture "$a"; done
set --
while IFS= read -r f; do [ -n "$f" ] && set -- "$@" "$here/$f"; done <"$here/packages.list"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends \
  -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=/tmp/.tarsmith-lists \
  -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 "$@"
for f in /var/log/dpkg.log /var/log/alternatives.log /var/log/apt/history.log /var/log/apt/term.log /var/log/apt/eipp.log.xz /var/cache/apt/pkgcache.bin /var/cache/apt/srcpkgcache.bin /var/cache/ldconfig/aux-cache /var/lib/dpkg/status-old /var/lib/dpkg/available-old /var/lib/dpkg/diversions-old /var/lib/dpkg/statoverride-old /var/cache/debconf/config.dat-old /var/cache/debconf/templates.dat-old /var/cache/debconf/passwords.dat-old; do
  if [ -e "$keep$f" ]; then cp -p "$keep$f" "$f"; else rm -f "$f"; fi
done
find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /mnt -o -path /etc/hosts -o -path /etc/hostname -o -path /etc/resolv.conf \) -prune \
  -o -newer "$marker" -exec touch -h -d "@$epoch" {} +
