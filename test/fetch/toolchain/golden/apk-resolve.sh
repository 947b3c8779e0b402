set -eu
printf '%s %s\n' tarsmith-native-arch "$(apk --print-arch)"
apk update -q >&2
apk fetch --recursive --simulate --url "$@"
