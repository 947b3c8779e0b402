#!/usr/bin/env bash
# The test suite: installs what the tests need (Debian), type-checks, builds, checks the layering, runs the tests.
# Usage: npm test [-- [--fast] [FILE_OR_PATTERN ...]]
#   --fast   the unit tier only: every test outside test/e2e/ (no Docker engine, no kernel tree; well under a minute)
#   PATTERN  only test files whose path contains it (a file of either tier)
# Environment: TARSMITH_SKIP_SETUP=1 skips the Debian set-up and the BuildKit cache trim; TARSMITH_TEST_CONCURRENCY
# (default 2) test files at once.
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
patterns=()
for a in "$@"; do
  case "$a" in
    --fast) fast=1 ;;
    -*) echo "test: unknown option $a (usage: npm test -- [--fast] [FILE_OR_PATTERN ...])" >&2; exit 2 ;;
    *) patterns+=("$a") ;;
  esac
done

if [ "${TARSMITH_SKIP_SETUP:-}" != 1 ]; then
  if [ "$fast" = 1 ]; then
    bash scripts/setup-deps.sh --no-engine
  else
    bash scripts/setup-deps.sh
    # Each end-to-end build sends the 450 MB example rootfs from a fresh context folder (about 5 GB of BuildKit
    # cache per run): cap the cache so that repeated runs do not fill the disk.
    docker="${TARSMITH_DOCKER:-/usr/bin/docker}"
    if ! "$docker" builder prune -f --keep-storage "${TARSMITH_TEST_BUILD_CACHE:-20GB}" >/dev/null 2>&1; then
      echo "test: could not trim the BuildKit cache with $docker (continuing)" >&2
    fi
  fi
fi
# Incremental: a re-run after a small change type-checks and compiles only what it touches. The build's record
# lives in dist/, so removing dist/ forces a full build.
npx tsc --noEmit --incremental --tsBuildInfoFile node_modules/.cache/tarsmith/typecheck.tsbuildinfo
npx tsc -p tsconfig.build.json --incremental --tsBuildInfoFile dist/.tsbuildinfo
# The command-line program as bin/tarsmith runs it (scripts/bundle.ts).
node --import tsx scripts/bundle.ts
# The layering (.dependency-cruiser.cjs): no import up a layer or across features, no import cycle.
npm run --silent deps

mapfile -t files < <(find test -name '*.test.ts' | LC_ALL=C sort)
if [ "$fast" = 1 ]; then
  sel=()
  for f in "${files[@]}"; do
    case "$f" in test/e2e/*) ;; *) sel+=("$f") ;; esac
  done
  files=("${sel[@]}")
fi
if [ "${#patterns[@]}" -gt 0 ]; then
  sel=()
  for f in "${files[@]}"; do
    for pat in "${patterns[@]}"; do
      case "$f" in *"$pat"*) sel+=("$f"); break ;; esac
    done
  done
  files=("${sel[@]}")
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "test: no test file matches ${patterns[*]}" >&2
  exit 2
fi
exec node --import tsx --test --test-concurrency="${TARSMITH_TEST_CONCURRENCY:-2}" "${files[@]}"
