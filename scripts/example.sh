#!/usr/bin/env bash
# The bundled example end to end: prepare the engine and the builder rootfs, vendor, build.
# Produces examples/hello/out/hello/ (the program, its library and header, SHA256SUMS, tarsmith-build.json).
# Usage: npm run example   (after npm ci)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/bundle/main.js ] || npm run --silent build
bash scripts/setup-engine.sh >/dev/null
cd examples/hello
../../bin/tarsmith vendor
../../bin/tarsmith build "$@"
echo "example: built examples/hello/out/hello/; try: examples/hello/out/hello/hello" >&2
