/**
 * The `git` stand-in. `clone`, `submodule update`, `fetch`, `pull` and `ls-remote` are answered from the vendored
 * sources; everything else runs the real git (which has no network in the build stage anyway). A clone is the
 * vendored tree made into a repository with one commit whose identity and dates are fixed (SOURCE_DATE_EPOCH),
 * so its commit id is the same on every build. POSIX sh.
 */
import { sh } from './sh.js';

const PROLOGUE = sh`#!/bin/sh
# tarsmith fetch stand-in for git: network operations are answered from the vendored sources.
ts_libdir=$\{TARSMITH_SHIMS_ROOT:-$(CDPATH= cd -P -- "$(dirname -- "$0")/.." && pwd)}/lib
. "$ts_libdir/common.sh"
ts_kind=git
ts_tool=git
ts_fail_status=128
real=$(ts_real git) || ts_die "git $*: the build stage has no real git besides the stand-in; add git to builder.packages in the manifest"

# ts_repo DIR URL REF: DIR (a fresh vendored tree) becomes a repository with one reproducible commit.
ts_repo() {
  [ -e "$1/.git" ] && return 0
  _epoch=$(ts_epoch)
  (
    cd "$1" || exit 1
    GIT_AUTHOR_NAME=tarsmith GIT_AUTHOR_EMAIL=tarsmith@localhost
    GIT_COMMITTER_NAME=tarsmith GIT_COMMITTER_EMAIL=tarsmith@localhost
    GIT_AUTHOR_DATE="@$\{_epoch:-0} +0000" GIT_COMMITTER_DATE="@$\{_epoch:-0} +0000"
    export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
    g() {
      "$real" -c init.defaultBranch=master -c core.autocrlf=false -c core.hooksPath=/dev/null \
        -c commit.gpgsign=false -c tag.gpgsign=false -c advice.detachedHead=false "$@"
    }
    g init -q && g add -A -f . &&
      g commit -q --allow-empty --no-verify -m "$m_name $3 (vendored)" &&
      g remote add origin "$2" && g config tarsmith.ref "$3" && g config tarsmith.commit "$m_commit" &&
      { [ "$3" = - ] || [ "$3" = master ] || g tag "$3"; }
  ) >/dev/null || ts_die "cannot make $1 a git repository"
}

# ts_checkout URL DIR REF: the vendored tree found by ts_lookup, as a repository in DIR.
ts_checkout() {
  _f=$(ts_vendored "$m_file" "$m_sha") || exit 128
  ts_extract "$_f" "$2" "$m_layout"
  ts_repo "$2" "$1" "$\{3:-$m_ref}"
}

# ts_resolve_rel URL: a submodule URL relative to the superproject's origin, made absolute.
ts_resolve_rel() {
  case $1 in ./* | ../*) ;; *) printf '%s\n' "$1"; return ;; esac
  _base=$("$real" config --get remote.origin.url) || ts_die "relative submodule URL $1 needs remote.origin.url"
  _base=$\{_base%/}
  _rel=$1
  while :; do
    case $_rel in
      ./*) _rel=$\{_rel#./} ;;
      ../*) _rel=$\{_rel#../} _base=$\{_base%/*} ;;
      *) break ;;
    esac
  done
  printf '%s/%s\n' "$_base" "$_rel"
}

# ts_submodules RECURSIVE [PATH...]: fills the submodules of the repository in the current folder.
ts_submodules() {
  _rec=$1
  shift
  [ -f .gitmodules ] || return 0
  _list=$("$real" config -f .gitmodules --get-regexp '^submodule\..*\.path$') || return 0
  while read -r _key _path; do
    [ -n "$_key" ] || continue
    if [ $# -gt 0 ]; then
      _want=
      for _p in "$@"; do [ "$\{_p%/}" = "$_path" ] && _want=1; done
      [ -n "$_want" ] || continue
    fi
    if [ -d "$_path" ] && [ -n "$(ls -A -- "$_path" 2>/dev/null)" ]; then continue; fi
    _sname=$\{_key#submodule.}
    _sname=$\{_sname%.path}
    _surl=$("$real" config -f .gitmodules --get "submodule.$_sname.url") || ts_die "submodule $_sname has no url"
    _surl=$(ts_resolve_rel "$_surl")
    ts_lookup "$_surl"
    case $? in
      0) ;;
      3) ts_die "submodule $_path: several refs of $_surl are vendored ($m_refs); keep one" ;;
      *) ts_missing "git submodule update --init ($_path)" "$_surl" ;;
    esac
    ts_checkout "$_surl" "$_path" "$m_ref"
    ts_say "Submodule path '$_path': vendored $m_file"
    if [ -n "$_rec" ]; then (cd "$_path" && ts_submodules 1) || exit 128; fi
  done <<EOF
$_list
EOF
}
`;

const CLONE = sh`
ts_clone() {
  ref= url= dir= recursive= quiet=
  while [ $# -gt 0 ]; do
    case $1 in
      -b | --branch) [ $# -ge 2 ] || ts_die "git clone: option $1 needs a value"; ref=$2; shift ;;
      --branch=*) ref=$\{1#*=} ;;
      -b?*) ref=$\{1#-b} ;;
      --depth | --jobs | -j | --origin | -o | --config | -c | --shallow-since | --shallow-exclude | --reference | \
        --reference-if-able | --server-option | --filter) shift ;;
      --depth=* | --jobs=* | --origin=* | --config=* | --shallow-since=* | --shallow-exclude=* | --filter=* | \
        --reference=* | --reference-if-able=* | --server-option=* | -j?*) ;;
      --recursive | --recurse-submodules | --recurse-submodules=*) recursive=1 ;;
      -q | --quiet) quiet=1 ;;
      -v | --verbose | --progress | --single-branch | --no-single-branch | --no-tags | --shallow-submodules | \
        --no-shallow-submodules | --no-checkout | -n | --dissociate | -l | --local | --no-hardlinks | --also-filter-submodules) ;;
      --bare | --mirror) ts_die "git clone $1 is not supported by the offline stand-in ($ts_line)" ;;
      --) shift; break ;;
      -*) ts_die "git clone: option $1 is not supported by the offline stand-in ($ts_line)" ;;
      *) if [ -z "$url" ]; then url=$1; elif [ -z "$dir" ]; then dir=$1; else ts_die "git clone: too many arguments ($ts_line)"; fi ;;
    esac
    shift
  done
  for a in "$@"; do
    if [ -z "$url" ]; then url=$a; elif [ -z "$dir" ]; then dir=$a; else ts_die "git clone: too many arguments ($ts_line)"; fi
  done
  [ -n "$url" ] || ts_die "git clone: you must specify a repository to clone ($ts_line)"
  if [ -z "$dir" ]; then
    dir=$(ts_norm "$url")
    dir=$\{dir##*/}
    dir=$\{dir##*:}
  fi
  ts_lookup "$url" "$ref"
  case $? in
    0) ;;
    3) ts_die "git clone $url: several refs are vendored for this URL ($m_refs); name one with -b REF ($ts_line)" ;;
    *) ts_missing "$ts_line" "$url" "$ref" ;;
  esac
  [ -n "$quiet" ] || ts_say "Cloning into '$dir'... (vendored $m_file, ref $m_ref)"
  cref=$m_ref
  [ "$cref" = - ] && [ -n "$ref" ] && cref=$(ts_ref "$ref")
  ts_checkout "$url" "$dir" "$cref"
  if [ -n "$recursive" ]; then (cd "$dir" && ts_submodules 1) || exit 128; fi
  return 0
}

ts_submodule() {
  while [ $# -gt 0 ]; do
    case $1 in -q | --quiet) shift ;; *) break ;; esac
  done
  [ "$\{1:-}" = update ] || exec "$real" submodule "$@"
  shift
  rec=
  while [ $# -gt 0 ]; do
    case $1 in
      --recursive) rec=1 ;;
      --depth | --jobs | -j | --reference) shift ;;
      --init | --checkout | --force | -f | --remote | --no-fetch | -N | --rebase | --merge | -q | --quiet | \
        --recommend-shallow | --no-recommend-shallow | --single-branch | --no-single-branch | --depth=* | --jobs=* | \
        --progress | --filter=* | --reference=*) ;;
      --) shift; break ;;
      -*) ts_die "git submodule update: option $1 is not supported by the offline stand-in ($ts_line)" ;;
      *) break ;;
    esac
    shift
  done
  prefix=$("$real" rev-parse --show-prefix) || ts_die "git submodule: not inside a git repository"
  top=$("$real" rev-parse --show-toplevel) || exit 128
  paths=
  for p in "$@"; do paths="$paths$prefix$\{p%/}
"; done
  cd "$top" || exit 128
  if [ -n "$paths" ]; then
    # shellcheck disable=SC2086
    set -f; oldifs=$IFS; IFS='
'
    set -- $paths
    IFS=$oldifs; set +f
  fi
  ts_submodules "$rec" "$@"
}
`;

export const GIT_SCRIPT = `${PROLOGUE}${CLONE}${sh`
# ts_remote_url NAME-OR-URL: the URL of a remote.
ts_remote_url() {
  case $1 in
    *://* | *@*:* | /* | ./* | ../*) printf '%s\n' "$1" ;;
    *) "$real" config --get "remote.$1.url" || ts_die "git: no remote named '$1' ($ts_line)" ;;
  esac
}

# git fetch / pull: answered when the repository already holds the vendored tree of that URL and ref.
ts_fetch() {
  remote= fref=
  while [ $# -gt 0 ]; do
    case $1 in
      --depth | -j | --jobs | --upload-pack | --refmap) shift ;;
      --) ;;
      -*) ;;
      tag) [ -n "$remote" ] && [ $# -ge 2 ] && { [ -n "$fref" ] || fref=$2; shift; } ;;
      *) if [ -z "$remote" ]; then remote=$1; elif [ -z "$fref" ]; then fref=$1; fi ;;
    esac
    shift
  done
  furl=$(ts_remote_url "$\{remote:-origin}") || exit 128
  fref=$\{fref#+}
  fref=$\{fref%%:*}
  have=$("$real" config --get tarsmith.ref 2>/dev/null) || have=
  hcommit=$("$real" config --get tarsmith.commit 2>/dev/null) || hcommit=
  if [ -n "$fref" ] && [ "$fref" != HEAD ] && [ "$(ts_ref "$fref")" != "$have" ]; then
    case $hcommit in "$fref"*) [ "$\{#fref}" -ge 7 ] && fref= ;; esac
  else
    fref=
  fi
  ts_lookup "$furl" "$fref"
  case $? in
    0 | 3) ;;
    *) ts_missing "$ts_line" "$furl" "$fref" ;;
  esac
  if [ -n "$fref" ]; then
    ts_die "git $sub $furl $fref: that ref is vendored, but this repository holds $\{have:-another tree}; clone it with: git clone -b $fref $furl"
  fi
  [ -n "$have" ] || ts_die "git $sub: this repository was not made from the vendored sources; the build has no network ($ts_line)"
  gd=$("$real" rev-parse --git-dir) || exit 128
  printf '%s\t\t%s\n' "$("$real" rev-parse HEAD)" "'$have' of $furl" >"$gd/FETCH_HEAD"
  ts_say "git $sub: answered offline, $furl at $have is vendored and already here"
}

ts_ls_remote() {
  target=
  while [ $# -gt 0 ]; do
    case $1 in
      --upload-pack | -o | --server-option | --sort) shift ;;
      -*) ;;
      *) [ -n "$target" ] || target=$1 ;;
    esac
    shift
  done
  lurl=$(ts_remote_url "$\{target:-origin}") || exit 128
  ts_lookup "$lurl"
  [ $? = 1 ] && ts_missing "$ts_line" "$lurl"
  key=$(ts_norm "$lurl") printed=
  while IFS=$ts_tab read -r k r c rest; do
    [ "$k" = "$key" ] && [ "$c" != - ] && [ "$r" != - ] || continue
    printf '%s\trefs/tags/%s\n%s\trefs/heads/%s\n' "$c" "$(ts_ref "$r")" "$c" "$(ts_ref "$r")"
    printed=1
  done <"$ts_map"
  [ -n "$printed" ] || ts_die "git ls-remote $lurl: the lock records no commit for its vendored refs ($m_refs)"
}

# ts_pinned_exec ARGS...: runs the real git, with the upstream commit a vendored clone stands for (the lock's
# commit, at least 7 hex digits of it) replaced by HEAD: "git checkout <upstream commit>" then works.
ts_pinned_exec() {
  pin=$(
    while [ $# -gt 0 ]; do
      case $1 in
        -C) cd -- "$2" 2>/dev/null || exit 0; shift 2 ;;
        -c | --git-dir | --work-tree | --namespace | --exec-path | --config-env) shift 2 ;;
        -*) shift ;;
        *) break ;;
      esac
    done
    "$real" config --get tarsmith.commit 2>/dev/null
  ) || pin=
  case $pin in '' | -) exec "$real" "$@" ;; esac
  n=$#
  for a in "$@"; do
    if [ "$\{#a}" -ge 7 ]; then
      case $pin in "$a"*) a=HEAD ;; esac
    fi
    set -- "$@" "$a"
  done
  shift "$n"
  exec "$real" "$@"
}

ts_line=$(ts_cmdline "$@")
sub= skip=
for a in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case $a in
    -C | -c | --git-dir | --work-tree | --namespace | --exec-path | --config-env) skip=1 ;;
    -*) ;;
    *) sub=$a; break ;;
  esac
done
case $sub in
  clone | submodule | fetch | pull | ls-remote) ;;
  checkout | reset | switch) ts_pinned_exec "$@" ;;
  *) exec "$real" "$@" ;;
esac
while [ $# -gt 0 ]; do
  case $1 in
    -C) cd -- "$2" || ts_die "cannot change to '$2'"; shift 2 ;;
    -c | --git-dir | --work-tree | --namespace | --exec-path | --config-env) shift 2 ;;
    -*) shift ;;
    *) shift; break ;;
  esac
done
case $sub in
  clone) ts_clone "$@" ;;
  submodule) ts_submodule "$@" ;;
  fetch | pull) ts_fetch "$@" ;;
  ls-remote) ts_ls_remote "$@" ;;
esac
`}`;
