#!/usr/bin/env bash
# Prepares the container engine and the bundled example's builder rootfs.
#   - installs docker.io (Debian) when no docker client is there, starts dockerd when it is not running;
#   - makes the example's builder root filesystem with mmdebstrap (Debian bookworm, variant buildd), reproducibly
#     (SOURCE_DATE_EPOCH), cached by its inputs under ~/.cache/tarsmith/rootfs/, and hard-links (or copies) it
#     into examples/hello/packages/ (or the folder given with --into).
#   - with --buildx DIR: puts the docker buildx plugin into DIR/cli-plugins/ (a DOCKER_CONFIG folder), taken from
#     Debian's docker-buildx package (trixie's, which runs on bookworm) with a private apt list: the system's apt
#     configuration and installed packages are not touched. Use it with DOCKER_CONFIG=DIR.
# Usage: scripts/setup-engine.sh [--into DIR] [--no-engine] [--no-rootfs] [--buildx DIR]
# Prints the path of the rootfs tarball on stdout (or, with --no-rootfs --buildx, the DOCKER_CONFIG folder).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
into="$root/examples/hello/packages"
engine=1
rootfs=1
buildx=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --into) into="$2"; shift 2 ;;
    --no-engine) engine=0; shift ;;
    --no-rootfs) rootfs=0; shift ;;
    --buildx) buildx="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "setup-engine: unknown option $1" >&2; exit 2 ;;
  esac
done

SUDO=()
if [ "$(id -u)" != 0 ]; then SUDO=(sudo); fi
need_pkgs=()
if [ "$engine" = 1 ] && ! command -v dockerd >/dev/null 2>&1; then need_pkgs+=(docker.io); fi
if ! command -v mmdebstrap >/dev/null 2>&1; then need_pkgs+=(mmdebstrap); fi
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  echo "setup-engine: installing ${need_pkgs[*]}" >&2
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
fi
if [ "$engine" = 1 ]; then bash "$here/start-dockerd.sh"; fi

install_buildx() {
  local dest="$1/cli-plugins/docker-buildx"
  [ -x "$dest" ] && return 0
  local work
  work="$(mktemp -d)"
  mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial" "$1/cli-plugins"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "${TARSMITH_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/parts/trixie.sources"
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/parts" -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  echo "setup-engine: fetching docker-buildx (Debian trixie) into $1/cli-plugins" >&2
  (cd "$work" && apt-get -qq "${opts[@]}" update >&2 && apt-get -qq "${opts[@]}" download docker-buildx >&2)
  dpkg-deb -x "$work"/docker-buildx_*.deb "$work/x"
  install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-buildx" "$dest.tmp"
  mv "$dest.tmp" "$dest"
  rm -rf "$work"
}
if [ -n "$buildx" ]; then
  mkdir -p "$buildx"
  exec 8>"$buildx/.lock"
  flock 8
  install_buildx "$buildx"
  flock -u 8
  if [ "$rootfs" = 0 ]; then echo "$buildx"; exit 0; fi
fi
if [ "$rootfs" = 0 ]; then exit 0; fi

# The rootfs inputs. The mirror is the first Debian one apt is configured with (or TARSMITH_DEBIAN_MIRROR).
suite=bookworm
variant=buildd
epoch="${TARSMITH_ROOTFS_EPOCH:-1700000000}"
mirror="${TARSMITH_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk '/^URIs:/ && $2 !~ /security/ {print $2; exit} /^deb / && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^http/) {print $i; exit}}' || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
key="$(printf '%s\n' "mmdebstrap-1" "$suite" "$variant" "$epoch" "$mirror" | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tarsmith/rootfs"
tarball="$cache/$suite-$variant-$key.tar"
mkdir -p "$cache"
# Serialise concurrent runs (tests in parallel) on one lock: the second waits, then finds the cache and the link.
exec 9>"$cache/.lock"
flock 9
tmp=""
part=""
trap 'rm -f "$tmp" "$part"' EXIT
if [ ! -s "$tarball" ]; then
  echo "setup-engine: building the builder rootfs ($suite, $variant, SOURCE_DATE_EPOCH=$epoch, $mirror); about 30 s" >&2
  tmp="$tarball.partial-$$"
  SOURCE_DATE_EPOCH="$epoch" mmdebstrap --quiet --variant="$variant" --format=tar "$suite" "$tmp" "$mirror" >&2
  mv "$tmp" "$tarball"
fi
mkdir -p "$into"
dest="$into/rootfs-$suite-$variant.tar"
if [ ! "$dest" -ef "$tarball" ]; then
  # Link (or copy) under a temp name, then rename: the destination is never missing or half-written.
  part="$dest.partial-$$"
  ln "$tarball" "$part" 2>/dev/null || cp "$tarball" "$part"
  mv -f "$part" "$dest"
fi
flock -u 9
echo "$dest"
