#!/usr/bin/env bash
# Starts dockerd in the background when no engine answers, and waits until it does. A dockerd started here keeps
# BuildKit's cache to 30 GB (scripts/dockerd.json): the test suite's kernel stages would otherwise fill the disk
# over repeated runs. An engine already running, or started by systemd, keeps its own settings.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker
if "$DOCKER" info >/dev/null 2>&1; then exit 0; fi
SUDO=()
if [ "$(id -u)" != 0 ]; then SUDO=(sudo); fi
if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
  "${SUDO[@]}" systemctl start docker || true
fi
if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "setup: starting dockerd (log: /var/log/tarsmith-dockerd.log)" >&2
  "${SUDO[@]}" bash -c "nohup dockerd --config-file $(printf %q "$here/dockerd.json") >/var/log/tarsmith-dockerd.log 2>&1 </dev/null & disown" || true
fi
for _ in $(seq 1 60); do
  if "$DOCKER" info >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "setup: dockerd did not come up; see /var/log/tarsmith-dockerd.log" >&2
tail -20 /var/log/tarsmith-dockerd.log >&2 || true
exit 1
