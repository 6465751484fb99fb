#!/usr/bin/env bash
# Soak bench (on demand, not a CTest test): 1,000,000 requests over every read route plus a
# restart of a demo service every 500 requests, printing the daemon's RSS every 100,000.
#
#   tests/bench/soak.sh [BUILD_DIR]      (default: build; SOAK_REQUESTS, SOAK_CONNECTIONS)
#
# wrk runs in 2-second slices until the total is reached; RSS must stay flat after warm-up.
set -euo pipefail
source "$(dirname "$0")/load_common.sh"
requests=${SOAK_REQUESTS:-1000000}
connections=${SOAK_CONNECTIONS:-32}
export CONTROL_EVERY=${CONTROL_EVERY:-500}

total=0
next=100000
errors=0
runs=0
rss_samples=()
declare -A statuses=()
echo "requests   RSS kB   fds"
printf '%8d %8d %5d\n' 0 "$(rss_kb)" "$(fds)"
while [ "$total" -lt "$requests" ]; do
  out=$(wrk -t2 -c"$connections" -d2s -s "$here/load_mix.lua" "$daemon/")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  runs=$((runs + 1))
  # A slice with no answer means the daemon stopped answering; the run count bounds the loop.
  if [ "${n:-0}" -eq 0 ] || [ "$runs" -gt $((requests / 1000 + 100)) ]; then
    echo "FAIL: $total of $requests requests answered after $runs slices" >&2
    exit 1
  fi
  total=$((total + n))
  e=$(awk '/socket errors/ {split($3,a,"="); split($4,b,"="); split($5,c,"="); split($6,d,"="); print a[2]+b[2]+c[2]+d[2]}' <<<"$out")
  errors=$((errors + ${e:-0}))
  for pair in $(awk '/^statuses:/ {for (i = 2; i <= NF; i++) print $i}' <<<"$out"); do
    statuses[${pair%=*}]=$(( ${statuses[${pair%=*}]:-0} + ${pair#*=} ))
  done
  if [ "$total" -ge "$next" ]; then
    rss_samples+=("$(rss_kb)")
    printf '%8d %8d %5d\n' "$total" "${rss_samples[-1]}" "$(fds)"
    next=$((next + 100000))
  fi
done
echo "total $total requests, socket errors $errors"
for k in "${!statuses[@]}"; do echo "  status $k: ${statuses[$k]}"; done
kill -0 "$daemon_pid" || { echo "FAIL: the daemon died" >&2; exit 1; }
# Pass: no socket error, no 5xx but Docker's 503 without an Engine, and RSS flat after the
# first 200k (every later sample within 2 MB of the second one).
fail=0
[ "$errors" -eq 0 ] || { echo "FAIL: $errors socket errors" >&2; fail=1; }
for k in "${!statuses[@]}"; do
  if [ "$k" -ge 500 ] && ! { [ "$k" -eq 503 ] && [ -z "$podman_dir" ]; }; then
    echo "FAIL: ${statuses[$k]} answers $k" >&2
    fail=1
  fi
done
if [ "${#rss_samples[@]}" -ge 3 ]; then
  for s in "${rss_samples[@]:2}"; do
    if [ "$s" -gt $((rss_samples[1] + 2048)) ]; then
      echo "FAIL: RSS grew to $s kB (from ${rss_samples[1]} kB)" >&2
      fail=1
      break
    fi
  done
fi
[ "$fail" -eq 0 ] && echo "all pass criteria met"
exit "$fail"
