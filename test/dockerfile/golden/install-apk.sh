#!/bin/sh
# tarsmith toolchain install, network off: install-apk.sh EPOCH
set -eu
here=$(dirname "$0")
epoch="$1"; shift
marker=/tmp/.tarsmith-start
touch "$marker"
set --
while IFS= read -r f; do [ -n "$f" ] && set -- "$@" "$here/$f"; done <"$here/packages.list"
apk add --no-network --no-cache --allow-untrusted --repositories-file /dev/null "$@"
find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /mnt -o -path /etc/hosts -o -path /etc/hostname -o -path /etc/resolv.conf \) -prune \
  -o -newer "$marker" -exec touch -h -d "@$epoch" {} +
