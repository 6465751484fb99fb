#!/usr/bin/env bash
# Load bench (on demand, not a CTest test): 1,000 concurrent keep-alive clients for a minute.
#
#   tests/bench/load.sh [BUILD_DIR]      (default: build; LOAD_CONNECTIONS, LOAD_DURATION)
#
# wrk cycles every read route of `system-managerd --demo` (load_mix.lua) over 1,000
# connections. Reports requests/s, answers by status, socket errors, and the daemon's RSS and
# open fds before, right after, and once the clients are gone. Pass: no socket errors, no
# 5xx except /docker/containers's 503 when no Docker Engine runs, RSS back near where it began.
set -euo pipefail
source "$(dirname "$0")/load_common.sh"
connections=${LOAD_CONNECTIONS:-1000}
duration=${LOAD_DURATION:-60s}

curl -sf "$daemon/containers/demo/services/status" >/dev/null
rss0=$(rss_kb)
fd0=$(fds)
# Several rounds (LOAD_ROUNDS) show whether memory keeps growing or stays bounded.
for round in $(seq "${LOAD_ROUNDS:-1}"); do
  out=$(wrk -t2 -c"$connections" -d"$duration" --timeout 10s --latency -s "$here/load_mix.lua" "$daemon/")
  rss1=$(rss_kb)
  fd1=$(fds)
  for _ in $(seq 50); do [ "$(fds)" -le $((fd0 + 2)) ] && break; sleep 0.1; done
  rss2=$(rss_kb)
  fd2=$(fds)
  echo "== round $round: wrk -t2 -c$connections -d$duration"
  echo "$out" | grep -E 'Requests/sec|requests in|Latency|50%|99%|statuses:|socket errors|Non-2xx'
  # The daemon hands freed heap back to the system every 30 s.
  sleep 31
  rss3=$(rss_kb)
  echo "daemon RSS: before $rss0 kB, after the run $rss1 kB, clients gone $rss2 kB, 30 s idle $rss3 kB"
  echo "daemon fds: before $fd0, after the run $fd1, clients gone $fd2"
done
kill -0 "$daemon_pid" || { echo "FAIL: the daemon died" >&2; exit 1; }
# The pass criteria above, on the last round: no socket error, no 5xx but Docker's 503 when no
# Engine runs, memory back within 8 MB of where it began once idle.
fail=0
if grep -q 'Socket errors' <<<"$out"; then echo "FAIL: socket errors" >&2; fail=1; fi
nodocker=0
[ -z "$podman_dir" ] && nodocker=1
bad=$(awk -v nodocker="$nodocker" '/^statuses:/ {for (i = 2; i <= NF; i++) { split($i, kv, "=");
  if (kv[1] >= 500 && !(kv[1] == 503 && nodocker)) n += kv[2] } } END {print n + 0}' <<<"$out")
if [ "$bad" -gt 0 ]; then echo "FAIL: $bad answers 5xx" >&2; fail=1; fi
if [ "$rss3" -gt $((rss0 + 8192)) ]; then echo "FAIL: RSS $rss3 kB once idle, $rss0 kB before" >&2; fail=1; fi
[ "$fail" -eq 0 ] && echo "all pass criteria met"
exit "$fail"
