/**
 * The shared POSIX sh library of the fetch stand-ins (`lib/common.sh`), sourced by `bin/git`, `bin/wget` and
 * `bin/curl`. Written for BusyBox ash and dash: no arrays, no `pipefail`, no bash-isms.
 */
import { sh } from './sh.js';

export const LIB_SCRIPT = sh`# tarsmith fetch stand-ins: shared helpers. POSIX sh (BusyBox ash, dash).
# The URL map (urlmap) has one row per URL a vendored source answers, tab-separated:
#   KEY REF COMMIT FILE SHA256 NAME LAYOUT URL   ("-" for an empty field)
# LAYOUT: tree (files at the top, as a vendored git tarball) or auto (a single top folder is removed).
# KEY is the normalised URL: http and https are one, trailing "/" and ".git" dropped.

ts_root=$\{TARSMITH_SHIMS_ROOT:-$(CDPATH= cd -P -- "$(dirname -- "$0")/.." && pwd)}
ts_pkgs=$\{TARSMITH_PACKAGES:-/opt/tarsmith/packages}
ts_map=$ts_root/urlmap
ts_tab=$(printf '\t')

ts_say() { printf 'tarsmith: %s\n' "$*" >&2; }
ts_die() { ts_say "$*"; exit "$\{ts_fail_status:-1}"; }

# ts_norm URL: the matching key of a URL.
ts_norm() {
  _u=$1
  case $_u in http://*) _u=https://$\{_u#http://} ;; esac
  while :; do
    case $_u in
      */) _u=$\{_u%/} ;;
      *.git) _u=$\{_u%.git} ;;
      *) break ;;
    esac
  done
  printf '%s\n' "$_u"
}

# ts_ref REF: refs/tags/X and refs/heads/X match X.
ts_ref() {
  case $1 in
    refs/tags/*) printf '%s\n' "$\{1#refs/tags/}" ;;
    refs/heads/*) printf '%s\n' "$\{1#refs/heads/}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# ts_epoch: SOURCE_DATE_EPOCH, else the manifest's value recorded in the map.
ts_epoch() {
  if [ -n "$\{SOURCE_DATE_EPOCH:-}" ]; then printf '%s\n' "$SOURCE_DATE_EPOCH"; return; fi
  sed -n 's/^#epoch[[:space:]]*//p' "$ts_map" | head -n 1
}

# ts_lookup URL [REF]: finds the vendored source for URL (at REF when given).
# Sets m_ref m_commit m_file m_sha m_name m_layout m_url; m_refs lists the refs vendored for URL.
# Returns 0 found, 1 URL not vendored, 2 URL vendored at other refs only, 3 several refs and no REF given.
ts_lookup() {
  _want=$(ts_norm "$1")
  _wref=
  [ -n "$\{2:-}" ] && _wref=$(ts_ref "$2")
  _n=0 _exact=0 m_refs=
  [ -r "$ts_map" ] || ts_die "the URL map $ts_map is missing (TARSMITH_SHIMS_ROOT=$ts_root)"
  while IFS=$ts_tab read -r _k _r _c _f _s _nm _lay _url; do
    case $_k in '#'* | '') continue ;; esac
    [ "$_k" = "$_want" ] || continue
    [ "$_r" = - ] || _r=$(ts_ref "$_r")
    m_refs="$m_refs $_r"
    if [ -n "$_wref" ]; then
      if [ "$_r" = "$_wref" ]; then _exact=1; elif [ "$_r" = - ] && [ "$_exact" = 0 ]; then :; else continue; fi
    fi
    _n=$((_n + 1))
    m_ref=$_r m_commit=$_c m_file=$_f m_sha=$_s m_name=$_nm m_layout=$_lay m_url=$_url
    [ "$_exact" = 1 ] && return 0
  done <"$ts_map"
  [ "$_n" = 1 ] && return 0
  [ -z "$m_refs" ] && return 1
  [ "$_n" = 0 ] && return 2
  [ -n "$_wref" ] && return 0
  return 3
}

# ts_name_of URL: a source name for a URL: its last path part without archive or .git suffixes, made valid.
ts_name_of() {
  _b=$(ts_norm "$1")
  _b=$\{_b%%\?*}
  _b=$\{_b##*/}
  for _x in .tar.gz .tgz .tar.bz2 .tbz2 .tar.xz .txz .tar.zst .tzst .tar .zip .git; do
    _b=$\{_b%"$_x"}
  done
  # A valid source name (the manifest's pattern): other characters become "-", and it starts with a letter or digit.
  _b=$(printf '%s' "$\{_b:-source}" | tr -c 'A-Za-z0-9._+-' '-')
  case $_b in
    [A-Za-z0-9]*) ;;
    *) _b="source$_b" ;;
  esac
  printf '%s\n' "$_b"
}

# ts_missing CMDLINE URL [REF]: the failure for a fetch that is not vendored, with the manifest entry to add.
ts_missing() {
  _cmd=$1 _url=$2 _r=$\{3:-}
  _what=$_url
  [ -n "$_r" ] && _what="$_url at ref $_r"
  ts_say "$_cmd: $_what is not vendored, and the build runs without network."
  if [ -n "$m_refs" ]; then ts_say "vendored refs of this URL:$m_refs"; fi
  {
    echo "tarsmith: add this entry under sources: in the manifest, then run: tarsmith vendor"
    echo "  - name: $(ts_name_of "$_url")"
    if [ "$ts_kind" = git ]; then
      echo "    git: $_url"
      echo "    ref: $\{_r:-REF}"
    else
      echo "    url: $_url"
    fi
  } >&2
  exit "$\{ts_fail_status:-1}"
}

# ts_sha_check FILE SHA256: refuses a vendored file whose hash differs from the lock.
ts_sha_check() {
  [ "$2" = - ] && return 0
  if command -v sha256sum >/dev/null 2>&1; then
    _h=$(sha256sum <"$1") || ts_die "cannot hash $1"
    _h=$\{_h%% *}
    [ "$_h" = "$2" ] || ts_die "$1: sha256 $_h differs from the lock's $2; run tarsmith verify"
  fi
}

# ts_vendored FILE SHA: the absolute path of a vendored file, checked.
ts_vendored() {
  _p=$ts_pkgs/$1
  [ -f "$_p" ] || ts_die "vendored file $_p is missing; run tarsmith vendor and check that packages/ is copied to $ts_pkgs"
  ts_sha_check "$_p" "$2"
  printf '%s\n' "$_p"
}

# ts_extract FILE DIR LAYOUT: unpacks a vendored tarball into DIR (absent or empty). With LAYOUT auto, a single
# top folder is removed; with tree, the tarball holds the files at the top already.
ts_extract() {
  _src=$1 _dst=$2 _layout=$\{3:-auto}
  while :; do case $_dst in ?*/) _dst=$\{_dst%/} ;; *) break ;; esac; done
  if [ -d "$_dst" ]; then
    rmdir -- "$_dst" 2>/dev/null || ts_die "destination path '$_dst' already exists and is not an empty directory."
  fi
  _tmp=$_dst.tarsmith-partial.$$
  mkdir -p -- "$_tmp" || ts_die "cannot create $_tmp"
  case $_src in
    *.tar.gz | *.tgz) _dec='gzip -dc' ;;
    *.tar.bz2 | *.tbz2) _dec='bzip2 -dc' ;;
    *.tar.xz | *.txz) _dec='xz -dc' ;;
    *.tar.zst | *.tzst) _dec='zstd -dc' ;;
    *.tar) _dec=cat ;;
    *) rm -rf -- "$_tmp"; ts_die "$_src: not a tarball (.tar, .tar.gz, .tar.bz2, .tar.xz, .tar.zst)" ;;
  esac
  if ! { $_dec <"$_src" || echo failed >"$_tmp.err"; } | (cd "$_tmp" && tar -xf -) || [ -e "$_tmp.err" ]; then
    rm -rf -- "$_tmp" "$_tmp.err"
    ts_die "cannot unpack $_src"
  fi
  _cnt=0 _top=
  for _e in "$_tmp"/* "$_tmp"/.[!.]* "$_tmp"/..?*; do
    if [ -e "$_e" ] || [ -L "$_e" ]; then _cnt=$((_cnt + 1)) _top=$_e; fi
  done
  if [ "$_layout" != tree ] && [ "$_cnt" = 1 ] && [ -d "$_top" ] && [ ! -L "$_top" ]; then
    mv -- "$_top" "$_dst" && rmdir -- "$_tmp"
  else
    mv -- "$_tmp" "$_dst"
  fi
}

# ts_real TOOL: the real TOOL on PATH, skipping the stand-ins' own folder.
ts_real() {
  _self=$(CDPATH= cd -P -- "$ts_root/bin" && pwd)
  _save=$IFS
  IFS=:
  for _d in $PATH; do
    IFS=$_save
    [ -n "$_d" ] && [ -d "$_d" ] || continue
    _rd=$(CDPATH= cd -P -- "$_d" && pwd) || continue
    [ "$_rd" = "$_self" ] && continue
    if [ -f "$_d/$1" ] && [ -x "$_d/$1" ]; then
      printf '%s\n' "$_d/$1"
      return 0
    fi
  done
  IFS=$_save
  return 1
}

# ts_cmdline ARGS...: the command as the user wrote it, for messages.
ts_cmdline() {
  _line=$ts_tool
  for _a in "$@"; do _line="$_line $_a"; done
  printf '%s\n' "$_line"
}
`;
