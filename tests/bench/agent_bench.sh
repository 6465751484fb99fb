#!/usr/bin/env bash
# Benchmarks the s6-agent against the old way of reading statuses.
# Usage: tests/bench/agent_bench.sh [BUILD_DIR] [extra bench_agent options]
#   e.g. tests/bench/agent_bench.sh build --connections 8 --requests 200000
# Sets up 50 services under a private s6-svscan, starts BUILD_DIR/bin/s6-agent,
# drives GET /services/status with bench_agent and prints a table, first with nobody
# subscribed to /events (the first status request starts the agent's watches), then
# with one subscriber (as with the daemon). Cleans up every process and file it made.
set -euo pipefail
build=${1:-build}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/$build/bin
[ -x "$bin/s6-agent" ] && [ -x "$bin/bench_agent" ] || {
  echo "agent_bench: build first: cmake --build $build --target s6-agent bench_agent" >&2; exit 2; }

work=$(mktemp -d /tmp/agent-bench.XXXXXX)
agent_pid=
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  s6-svscanctl -t "$work/scan" 2>/dev/null || true
  [ -n "${svscan_pid:-}" ] && wait "$svscan_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/scan" "$work/log"
for i in $(seq -w 1 50); do
  mkdir "$work/scan/svc$i"
  printf '#!/bin/sh\nexec sleep 100000\n' > "$work/scan/svc$i/run"
  chmod 755 "$work/scan/svc$i/run"
done
s6-svscan "$work/scan" &
svscan_pid=$!
for i in $(seq -w 1 50); do
  for _ in $(seq 400); do s6-svok "$work/scan/svc$i" 2>/dev/null && break; sleep 0.05; done
  s6-svok "$work/scan/svc$i" || { echo "agent_bench: svc$i is not supervised" >&2; exit 1; }
done

"$bin/s6-agent" --socket "$work/agent.sock" --scandir "$work/scan" --logdir "$work/log" \
  --rc-source "$work/scan" 2>/dev/null &
agent_pid=$!
for _ in $(seq 400); do [ -S "$work/agent.sock" ] && break; sleep 0.05; done
[ -S "$work/agent.sock" ] || { echo "agent_bench: the agent did not start" >&2; exit 1; }

echo "== no /events subscriber: readings kept since the first status request"
status=0
"$bin/bench_agent" --socket "$work/agent.sock" --scandir "$work/scan" --pid "$agent_pid" "$@" ||
  status=$?
# The daemon subscribes to /events: the same readings, and an event stream fed from them.
curl -sN --unix-socket "$work/agent.sock" http://agent/events > /dev/null &
curl_pid=$!
for _ in $(seq 400); do
  [ -n "$(find /proc/"$agent_pid"/fd -lname 'anon_inode:inotify' 2>/dev/null)" ] && break
  sleep 0.05
done
echo "== one /events subscriber (as the daemon keeps)"
"$bin/bench_agent" --socket "$work/agent.sock" --scandir "$work/scan" --pid "$agent_pid" "$@" ||
  status=$?
kill "$curl_pid" 2>/dev/null; wait "$curl_pid" 2>/dev/null || true
exit "$status"
