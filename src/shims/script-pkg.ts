/**
 * The package-manager stand-ins (`apt-get`, `apt`, `apk`): the build runs with the network off, so anything that
 * would download (`install` of a package not there, `upgrade`, `add`, `source`, ...) fails at once with a message
 * pointing at `builder.packages`, instead of retrying for seconds. `update` has nothing to fetch (the package lists
 * are the toolchain's, from builder.packages): it says so and succeeds at once, so that the common
 * `apt-get update && apt-get install -y PKG` works when PKG is installed already. An install of packages that are
 * all installed already needs nothing and succeeds; every other use (`apt-get --version`, `apk info`, ...) runs the
 * real program further down PATH. POSIX sh.
 */
import { sh } from './sh.js';

export const PKG_SCRIPT = sh`#!/bin/sh
# tarsmith package-manager stand-in: the build has no network; packages come from builder.packages.
ts_tool=$(basename -- "$0")
ts_self=$(CDPATH= cd -P -- "$(dirname -- "$0")" && pwd)
ts_say() { printf 'tarsmith: %s\n' "$*" >&2; }

# The real program: the first one on PATH that is not this folder's.
ts_real() {
  _IFS=$IFS; IFS=:
  for _d in $PATH; do
    [ -n "$_d" ] || continue
    _c=$(CDPATH= cd -P -- "$_d" 2>/dev/null && pwd) || continue
    [ "$_c" = "$ts_self" ] && continue
    if [ -x "$_d/$ts_tool" ]; then IFS=$_IFS; printf '%s\n' "$_d/$ts_tool"; return 0; fi
  done
  IFS=$_IFS
  return 1
}

ts_forward() {
  _real=$(ts_real) || { ts_say "$ts_tool: not installed in the builder"; exit 127; }
  exec "$_real" "$@"
}

ts_offline() {
  ts_say "$ts_tool $*: the build runs with the network off, so no package can be downloaded here."
  ts_say "list the packages under builder.packages in tarsmith.yaml: \`tarsmith vendor\` locks them and \`tarsmith toolchain\` installs them into the builder."
  exit "$ts_status"
}

ts_update() {
  ts_say "$ts_tool $*: the build runs with the network off; the package lists are the toolchain's (builder.packages), so there is nothing to update."
  exit 0
}

# Is every package named installed already? (names only: options, versions and archs are left to the check)
ts_installed() {
  _n=0
  for _a in "$@"; do
    case $_a in -*) continue ;; esac
    _p=$\{_a%%=*}
    case $ts_tool in
      apk) _real=$(ts_real) && "$_real" info -e -- "$_p" >/dev/null 2>&1 || return 1 ;;
      *) [ "$(dpkg-query -W -f '$\{db:Status-Status}' -- "$_p" 2>/dev/null)" = installed ] || return 1 ;;
    esac
    _n=$((_n + 1))
  done
  [ "$_n" -gt 0 ]
}

# The first argument that is not an option (nor an option's value): the subcommand.
ts_sub=
ts_value=
for _a in "$@"; do
  if [ -n "$ts_value" ]; then ts_value=; continue; fi
  case $_a in
    -o | -c | -t | -a | -q=* | --option | --config-file | --target-release | --host-architecture | -X | --repository | -p | --root) ts_value=1 ;;
    -*) ;;
    *) ts_sub=$_a; break ;;
  esac
done

case $ts_tool in
  apk)
    ts_status=1
    case $ts_sub in
      update) ts_update "$@" ;;
      upgrade | fetch | search | dot | policy) ts_offline "$@" ;;
      add)
        shift_args=
        for _a in "$@"; do [ "$_a" = add ] && continue; shift_args="$shift_args $_a"; done
        # shellcheck disable=SC2086
        if ts_installed $shift_args; then ts_say "apk $*: already installed (from builder.packages)"; exit 0; fi
        ts_offline "$@"
        ;;
    esac
    ;;
  *)
    ts_status=100
    case $ts_sub in
      update) ts_update "$@" ;;
      upgrade | dist-upgrade | full-upgrade | source | download | build-dep | changelog) ts_offline "$@" ;;
      install | reinstall)
        rest=
        seen=
        for _a in "$@"; do
          if [ -z "$seen" ] && [ "$_a" = "$ts_sub" ]; then seen=1; continue; fi
          rest="$rest $_a"
        done
        # shellcheck disable=SC2086
        if [ "$ts_sub" = install ] && ts_installed $rest; then ts_say "$ts_tool $*: already installed (from builder.packages)"; exit 0; fi
        ts_offline "$@"
        ;;
    esac
    ;;
esac
ts_forward "$@"
`;
