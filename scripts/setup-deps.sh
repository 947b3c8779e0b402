#!/usr/bin/env bash
# Installs, on Debian, everything tarsmith's tests and example need, and starts the Docker engine.
# Idempotent and quick when everything is already there. Run as root (or with sudo available).
# Usage: setup-deps.sh [--no-engine]   (--no-engine: install, but do not start dockerd; for `npm test -- --fast`)
set -euo pipefail
engine=1
[ "${1:-}" = --no-engine ] && engine=0

PKGS=(
  docker.io          # the container engine (BuildKit built in)
  iproute2           # ip: the remote-engine test gives its second dockerd a bridge of its own
  mmdebstrap         # builds the example's builder rootfs offline-reproducibly
  linux-source-6.12  # the real kernel tree for the kconfig tests
  musl-tools         # musl-gcc, to prove the musl audit rules
  busybox dash       # the fetch stand-ins must work under both shells
  git gcc make libc6-dev flex bison bc libelf-dev libssl-dev
  xz-utils zstd bzip2 gzip tar coreutils curl
  patch              # convert apk: its unified diff must apply with patch(1)
  openssl            # the kernel signing test makes a key and verifies the module signatures with it
  time               # /usr/bin/time: peak RSS in bench/normalize.ts
  debian-archive-keyring binutils  # components e2e: deb-src of trixie signed by the archive key; readelf, nm
  diffoscope-minimal # tarsmith repro writes its report beside when it is installed (test/e2e/repro.test.ts)
)
# The engine tier only: an OCI registry the remote-engine tests start on 127.0.0.1 (test/e2e/remote-rig.ts).
ENGINE_PKGS=(
  docker-registry
)
[ "$engine" = 1 ] && PKGS+=("${ENGINE_PKGS[@]}")

SUDO=()
if [ "$(id -u)" != 0 ]; then SUDO=(sudo); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # The package enables a system registry on :5000; the tests start their own, so the service stays off.
  if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
fi

# Debian's source archive (trixie), for the e2e test that fetches a real upstream tarball with
# `apt-get source --download-only` (test/e2e/repro.test.ts).
DEB_SRC=/etc/apt/sources.list.d/tarsmith-deb-src.sources
if [ ! -f "$DEB_SRC" ]; then
  echo "setup: adding the Debian trixie deb-src entry ($DEB_SRC)" >&2
  printf '%s\n' '# Added by tarsmith scripts/setup-deps.sh: Debian source packages for the repro e2e test.' \
    'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: trixie' 'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | "${SUDO[@]}" tee "$DEB_SRC" >/dev/null
  "${SUDO[@]}" apt-get update -qq
fi

[ "$engine" = 1 ] && bash "$(dirname "$0")/start-dockerd.sh"
exit 0
