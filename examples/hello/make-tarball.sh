#!/usr/bin/env bash
# Makes packages/hello-1.0.tar.gz from upstream/, deterministically: a git checkout (a real .git/ folder with one
# commit and a tag, fixed dates, no index) packed with sorted names, a fixed mtime, owner 0 and a gzip header
# without a timestamp. Running it again gives the same bytes.
set -euo pipefail
umask 022
cd "$(dirname "$0")"
epoch=1700000000
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tree="$work/hello-1.0"
mkdir -p "$tree"
cp upstream/* "$tree/"
export GIT_AUTHOR_NAME=upstream GIT_AUTHOR_EMAIL=upstream@example.org GIT_COMMITTER_NAME=upstream \
  GIT_COMMITTER_EMAIL=upstream@example.org GIT_AUTHOR_DATE="@$epoch +0000" GIT_COMMITTER_DATE="@$epoch +0000" \
  GIT_CONFIG_NOSYSTEM=1 HOME="$work"
git -C "$tree" init -q --template= -b main
git -C "$tree" add -A
git -C "$tree" commit -q -m "hello 1.0"
git -C "$tree" tag v1.0-git
rm -f "$tree/.git/index" "$tree/.git/COMMIT_EDITMSG"
rm -rf "$tree/.git/logs"
mkdir -p packages
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu -C "$work" -cf - hello-1.0 \
  | gzip -n -9 > packages/hello-1.0.tar.gz.tmp
mv packages/hello-1.0.tar.gz.tmp packages/hello-1.0.tar.gz
sha256sum packages/hello-1.0.tar.gz
