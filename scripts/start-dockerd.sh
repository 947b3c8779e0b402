#!/usr/bin/env bash
# Starts dockerd in the background when no engine answers, and waits until it does.
set -euo pipefail
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
  "${SUDO[@]}" bash -c 'nohup dockerd >/var/log/tarsmith-dockerd.log 2>&1 </dev/null & disown' || true
fi
for _ in $(seq 1 60); do
  if "$DOCKER" info >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "setup: dockerd did not come up; see /var/log/tarsmith-dockerd.log" >&2
tail -20 /var/log/tarsmith-dockerd.log >&2 || true
exit 1
