#!/usr/bin/env bash
# The whole test suite: installs what the tests need (Debian), type-checks, builds, runs every test.
# Usage: npm test [-- FILE_OR_PATTERN ...]   (a pattern is matched against test file paths)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${TARSMITH_SKIP_SETUP:-}" != 1 ]; then
  bash scripts/setup-deps.sh
  # Each end-to-end build sends the 450 MB example rootfs from a fresh context folder (about 5 GB of BuildKit
  # cache per run): cap the cache so that repeated runs do not fill the disk.
  docker="${TARSMITH_DOCKER:-/usr/bin/docker}"
  if ! "$docker" builder prune -f --keep-storage "${TARSMITH_TEST_BUILD_CACHE:-20GB}" >/dev/null 2>&1; then
    echo "test: could not trim the BuildKit cache with $docker (continuing)" >&2
  fi
fi
npx tsc --noEmit
npx tsc -p tsconfig.build.json

mapfile -t files < <(find test -name '*.test.ts' | LC_ALL=C sort)
if [ "$#" -gt 0 ]; then
  sel=()
  for f in "${files[@]}"; do
    for pat in "$@"; do
      case "$f" in *"$pat"*) sel+=("$f"); break ;; esac
    done
  done
  files=("${sel[@]}")
fi
exec node --import tsx --test --test-concurrency="${TARSMITH_TEST_CONCURRENCY:-2}" "${files[@]}"
