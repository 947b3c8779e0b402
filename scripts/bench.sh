#!/usr/bin/env bash
# Benchmarks: each prints its own ratios against the standard tool measured in the same run.
# Usage: npm run bench [-- NAME ...]   (NAME: a file under bench/ without .ts)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
# bench/lib.ts is what they share, not a benchmark.
mapfile -t all < <(find bench -maxdepth 1 -name '*.ts' ! -name lib.ts | LC_ALL=C sort)
for f in "${all[@]}"; do
  name=$(basename "$f" .ts)
  if [ "$#" -gt 0 ]; then
    keep=0; for n in "$@"; do [ "$n" = "$name" ] && keep=1; done
    [ "$keep" = 1 ] || continue
  fi
  echo "== bench: $name"
  node --import tsx "$f"
done
