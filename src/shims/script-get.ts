/** The `wget` and `curl` stand-ins: a vendored file, byte for byte, for a URL in the map. POSIX sh. */
import { sh } from './sh.js';

const HEADER = sh`#!/bin/sh
# tarsmith fetch stand-in: answers downloads from the vendored sources (the build has no network).
ts_libdir=$\{TARSMITH_SHIMS_ROOT:-$(CDPATH= cd -P -- "$(dirname -- "$0")/.." && pwd)}/lib
. "$ts_libdir/common.sh"
ts_kind=url
`;

/** Shared tail: deliver each URL to its output (`-` is stdout). Expects the pairs in ts_jobs files. */
const DELIVER = sh`
# ts_deliver CMDLINE URL OUT: copy the vendored file for URL to OUT ("-" is stdout).
ts_deliver() {
  ts_lookup "$2" || ts_missing "$1" "$2"
  _file=$(ts_vendored "$m_file" "$m_sha") || exit "$ts_fail_status"
  if [ "$3" = - ]; then
    cat -- "$_file"
    return
  fi
  _dir=$(dirname -- "$3")
  [ -d "$_dir" ] || mkdir -p -- "$_dir" || ts_die "cannot create $_dir"
  cp -- "$_file" "$3.tarsmith-partial.$$" && mv -f -- "$3.tarsmith-partial.$$" "$3" || ts_die "cannot write $3"
  [ -n "$ts_quiet" ] || ts_say "$2 -> $3 (vendored $m_file)"
}

# ts_basename URL: the file name a download of URL gets by default.
ts_basename() {
  _b=$\{1%%\?*}
  _b=$\{_b%%#*}
  _b=$\{_b%/}
  _b=$\{_b##*/}
  case $_b in *://* | '') _b=index.html ;; esac
  printf '%s\n' "$_b"
}
`;

export const WGET_SCRIPT = `${HEADER}ts_tool=wget
ts_fail_status=8
${DELIVER}${sh`
ts_line=$(ts_cmdline "$@")
ts_quiet= out= dir=. urls=0
while [ $# -gt 0 ]; do
  case $1 in
    -q | --quiet | -nv | --no-verbose) ts_quiet=1 ;;
    -O | --output-document) [ $# -ge 2 ] || ts_die "wget: option $1 needs a value"; out=$2; shift ;;
    -O?*) out=$\{1#-O} ;;
    --output-document=*) out=$\{1#*=} ;;
    -P | --directory-prefix) [ $# -ge 2 ] || ts_die "wget: option $1 needs a value"; dir=$2; shift ;;
    -P?*) dir=$\{1#-P} ;;
    --directory-prefix=*) dir=$\{1#*=} ;;
    -t | -T | --tries | --timeout | -U | --user-agent | --header) shift ;;
    -c | --continue | -N | --timestamping | -nc | --no-clobber | -v | --verbose | --no-check-certificate | \
      --progress=* | --tries=* | --timeout=* | --user-agent=* | --header=* | --show-progress | -nd | \
      --no-directories | --retry-connrefused | --waitretry=* | --https-only | --no-cache | -4 | -6) ;;
    --) shift; break ;;
    -*) ts_die "wget: option $1 is not supported by the offline stand-in ($ts_line)" ;;
    *) urls=$((urls + 1)); set -- "$@" "$1" ;;
  esac
  shift
  [ "$urls" -gt 0 ] && [ $# -eq "$urls" ] && break
done
[ $# -gt 0 ] || ts_die "wget: missing URL ($ts_line)"
for url in "$@"; do
  if [ -n "$out" ]; then target=$out; else target=$dir/$(ts_basename "$url"); fi
  ts_deliver "$ts_line" "$url" "$target"
done
`}`;

export const CURL_SCRIPT = `${HEADER}ts_tool=curl
ts_fail_status=22
${DELIVER}${sh`
ts_line=$(ts_cmdline "$@")
ts_quiet=1 out= remote= fail_unused= dirs= urls=0
while [ $# -gt 0 ]; do
  case $1 in
    -o | --output) [ $# -ge 2 ] || ts_die "curl: option $1 needs a value"; out=$2; shift ;;
    -o?*) out=$\{1#-o} ;;
    --output=*) out=$\{1#*=} ;;
    -O | --remote-name) remote=1 ;;
    --create-dirs) dirs=1 ;;
    --retry | --connect-timeout | -m | --max-time | -A | --user-agent | -H | --header | --retry-delay | \
      --retry-max-time | -w | --write-out) shift ;;
    -s | -S | -f | -L | -k | -# | --silent | --show-error | --fail | --location | --insecure | \
      --progress-bar | -v | --verbose | --compressed | --retry-connrefused | --fail-with-body | \
      --proto=* | --proto-redir=* | -4 | -6 | --http1.1 | --tlsv1.2 | --retry=* | --connect-timeout=*) ;;
    --) shift; break ;;
    --*) ts_die "curl: option $1 is not supported by the offline stand-in ($ts_line)" ;;
    -?*)
      # combined short flags such as -sSfL or -sSLo FILE
      flags=$\{1#-}
      while [ -n "$flags" ]; do
        f=$\{flags%"$\{flags#?}"}
        flags=$\{flags#?}
        case $f in
          s | S | f | L | k | '#' | v | 4 | 6) ;;
          O) remote=1 ;;
          o)
            if [ -n "$flags" ]; then out=$flags; else
              [ $# -ge 2 ] || ts_die "curl: option -o needs a value"; out=$2; shift
            fi
            flags= ;;
          *) ts_die "curl: option -$f is not supported by the offline stand-in ($ts_line)" ;;
        esac
      done ;;
    *) urls=$((urls + 1)); set -- "$@" "$1" ;;
  esac
  shift
  [ "$urls" -gt 0 ] && [ $# -eq "$urls" ] && break
done
[ $# -gt 0 ] || ts_die "curl: no URL specified ($ts_line)"
for url in "$@"; do
  if [ -n "$out" ]; then target=$out
  elif [ -n "$remote" ]; then target=$(ts_basename "$url")
  else target=-
  fi
  if [ "$target" != - ] && [ -z "$dirs" ] && [ ! -d "$(dirname -- "$target")" ]; then
    ts_die "curl: (23) cannot write $target: no such folder (use --create-dirs)"
  fi
  ts_deliver "$ts_line" "$url" "$target"
done
`}`;
