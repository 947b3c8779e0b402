#!/usr/bin/env bash
# npm run docs [-- --check]: runs every generator in scripts/docs/*.ts (each writes its part of docs/, or the
# manifest's precompiled validator in src/manifest/; with --check
# each writes nothing and exits 1 when a generated file is stale). The test suite runs the --check form.
set -euo pipefail
cd "$(dirname "$0")/.."
rc=0
for g in scripts/docs/*.ts; do
  node --import tsx "$g" "$@" || rc=$?
done
exit "$rc"
