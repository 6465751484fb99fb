#!/usr/bin/env bash
# Benchmark of live updates (on demand, not a CTest test): the push design (each s6-agent's
# GET /events, woken by inotify, republished by the daemon's GET /events) against the polling
# design (`monitor.push: false`: the daemon polls the agent every monitor.poll_interval_ms), in
# one run.
#
#   BUILD_DIR=build tests/bench/push_bench.sh          (BUILD_DIR defaults to build)
#
# Build first: BUILD_TARGETS="system-managerd s6-agent bench_push" scripts/build -DSM_BUILD_TESTS=ON
#
# One s6-svscan supervises 50 services: svc01..svc49 (`sleep`) and `talker`, which copies what
# is written to a fifo to its stdout, logged by s6-log into talker's `current`. One s6-agent
# serves them. Then, for each design in turn, one system-managerd (config written here) and
# bench_push with three /events subscribers measure:
#   1. state change -> /events: 20 x `s6-svc -k` (svc11..svc30), p50/p99 over 3 subscribers;
#   2. log line -> follower: 30 lines through s6-log, over SSE (logs?follow=true) and over the
#      WebSocket (/ws/.../logs);
#   3. the daemon's and the agent's idle CPU over BENCH_IDLE_SECONDS (20) with nothing changing
#      (measured before 4: the flapping leaves crash loops, which the daemon polls for a minute
#      until their deaths age out, as time passing is never pushed);
#   4. 1,000 changes (svc01..svc10, 100 down/up changes each, in parallel): per service and
#      subscriber, up events in the order s6 made them (by pid), `since` never going back, and
#      the last event the final state.
# Exits 1 when a push target is missed, 2 when something is missing. PUSH_BENCH_DEBUG=1 prints
# every latency sample to stderr. About 80 s.
#
# The agent before push (commit 39c3330) read its log followers on a 100 ms tick. Its log figure
# is measured too (same tree, same daemon build, one more agent) when PUSH_BENCH_OLD_AGENT names
# such a binary, built without touching the work tree, e.g. (in the repository):
#   d=$(mktemp -d) && git archive 39c3330 agent | tar -x -C "$d" && g++ -std=c++20 -O2 \
#     -DSM_VERSION='"39c3330"' -I"$d/agent" "$d"/agent/*.cpp -l:libhttp_parser.a -static \
#     -o /tmp/s6-agent-39c3330 && rm -rf "$d"
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
bin=$build/bin
idle_seconds=${BENCH_IDLE_SECONDS:-20}
poll_ms=1000
for tool in s6-svscan s6-svscanctl s6-svc s6-svstat s6-svok s6-svwait s6-log; do
  command -v "$tool" >/dev/null || { echo "push_bench: $tool is missing (apt-get install s6)" >&2; exit 2; }
done
for program in system-managerd s6-agent bench_push; do
  [ -x "$bin/$program" ] || {
    echo "push_bench: build first: BUILD_TARGETS=\"system-managerd s6-agent bench_push\"" \
      "scripts/build -DSM_BUILD_TESTS=ON" >&2
    exit 2
  }
done

work=$(mktemp -d /tmp/push-bench.XXXXXX)
svscan_pid=""
agent_pid=""
old_agent_pid=""
daemon_pid=""
client_pid=""
old_agent=${PUSH_BENCH_OLD_AGENT:-}
[ -z "$old_agent" ] || [ -x "$old_agent" ] ||
  { echo "push_bench: PUSH_BENCH_OLD_AGENT=$old_agent is not an executable" >&2; exit 2; }
# Stops what this script started, by pid; then whatever still runs with its working directory in
# the tree (a service or s6-log orphaned by a supervisor that went first).
cleanup() {
  [ -n "$client_pid" ] && kill -TERM "$client_pid" 2>/dev/null && wait "$client_pid" 2>/dev/null || true
  [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  [ -n "$agent_pid" ] && kill -TERM "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [ -n "$old_agent_pid" ] && kill -TERM "$old_agent_pid" 2>/dev/null && wait "$old_agent_pid" 2>/dev/null || true
  if [ -n "$svscan_pid" ]; then
    s6-svscanctl -t "$work/scan" 2>/dev/null || true
    wait "$svscan_pid" 2>/dev/null || true
  fi
  local link pid
  for link in /proc/[0-9]*/cwd; do
    pid=${link#/proc/}
    pid=${pid%/cwd}
    case $(readlink "$link" 2>/dev/null) in "$work" | "$work"/*) kill -KILL "$pid" 2>/dev/null || true ;; esac
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the s6 tree: 49 sleepers and talker (through s6-log) -------------------------------------
scan=$work/scan
mkdir -p "$scan" "$work/log/talker"
services=()
for i in $(seq -w 1 49); do
  mkdir "$scan/svc$i"
  printf '#!/bin/sh\nexec sleep 100000\n' >"$scan/svc$i/run"
  chmod 755 "$scan/svc$i/run"
  services+=("svc$i")
done
mkfifo "$work/talker.fifo"
mkdir -p "$scan/talker/log"
# Read-write, so that the fifo never reaches end of file between the bench's writes.
printf '#!/bin/sh\nexec cat <>%s\n' "$work/talker.fifo" >"$scan/talker/run"
printf '#!/bin/sh\nexec s6-log n3 s1000000 %s\n' "$work/log/talker" >"$scan/talker/log/run"
chmod 755 "$scan/talker/run" "$scan/talker/log/run"
services+=(talker)

s6-svscan "$scan" >"$work/svscan.log" 2>&1 &
svscan_pid=$!
for name in "${services[@]}" talker/log; do
  for _ in $(seq 400); do s6-svok "$scan/$name" 2>/dev/null && break; sleep 0.05; done
  s6-svok "$scan/$name" || { echo "push_bench: $name is not supervised" >&2; exit 1; }
done
s6-svwait -u -t 10000 "${services[@]/#/$scan/}" "$scan/talker/log" ||
  { echo "push_bench: the services did not come up" >&2; exit 1; }

# start_agent BINARY NAME: serves the tree on $work/NAME.sock; sets started_pid.
start_agent() {
  "$1" --socket "$work/$2.sock" --scandir "$scan" --logdir "$work/log" --rc-source "$scan" \
    2>"$work/$2.log" &
  started_pid=$!
  for _ in $(seq 400); do [ -S "$work/$2.sock" ] && break; sleep 0.05; done
  [ -S "$work/$2.sock" ] || { echo "push_bench: $1 did not start" >&2; cat "$work/$2.log" >&2; exit 1; }
}
start_agent "$bin/s6-agent" agent
agent_pid=$started_pid

# --- one design: its daemon, then bench_push against it -----------------------------------------
# run_design LABEL PUSH(true|false) AGENT PHASES: results as `key value` lines in
# $work/LABEL.result.
run_design() {
  local label=$1 push=$2 agent=$3 phases=$4 phase_ms=50 url="" pid=$agent_pid
  [ "$push" = false ] && phase_ms=$poll_ms
  [ "$agent" = agent ] || pid=$old_agent_pid
  cat >"$work/$label.yml" <<YAML
containers:
  bench:
    socket_path: "$work/$agent.sock"
docker:
  socket_path: "$work/no-docker.sock"
api:
  listen: "127.0.0.1:0"
monitor:
  push: $push
  poll_interval_ms: $poll_ms
YAML
  "$bin/system-managerd" --config "$work/$label.yml" >"$work/$label.out" 2>"$work/$label.log" &
  daemon_pid=$!
  for _ in $(seq 200); do
    url=$(grep -o 'http://[0-9.:]*' "$work/$label.out" 2>/dev/null | head -1 || true)
    [ -n "$url" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "push_bench: the $label daemon did not start" >&2; cat "$work/$label.log" >&2; exit 1; }
  "$bin/bench_push" --url "$url" --container bench --scandir "$scan" --services 50 \
    --trial-services "$(echo svc{11..30})" --flap-services "$(echo svc0{1..9} svc10)" \
    --flap-changes 100 --log-service talker --fifo "$work/talker.fifo" --lines 30 \
    --phase-ms "$phase_ms" --idle-seconds "$idle_seconds" \
    --daemon-pid "$daemon_pid" --agent-pid "$pid" --label "$label" --phases "$phases" \
    >"$work/$label.result" &
  client_pid=$!
  # In the background, so that a signal to this script is handled at once, not after the client.
  wait "$client_pid" || { echo "push_bench: bench_push failed ($label)" >&2; exit 1; }
  client_pid=""
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || true
  daemon_pid=""
}

run_design push true agent all
run_design poll false agent all
if [ -n "$old_agent" ]; then
  start_agent "$old_agent" old-agent
  old_agent_pid=$started_pid
  run_design old false old-agent logs
fi

# --- the table ------------------------------------------------------------------------------------
# get LABEL KEY: one figure of one design.
get() { awk -v k="$2" '$1 == k { print $2 }' "$work/$1.result"; }

echo
echo "live updates: push vs polling ($poll_ms ms), 50 s6 services, 1 s6-agent, 1 system-managerd," \
  "3 /events subscribers, $(nproc) cores"
row() { printf '%-46s %14s %14s   %s\n' "$@"; }
row "measure" "push" "polling" "target (push)"
row "1. s6-svc -k -> /events, p50 ms" "$(get push state_p50_ms)" "$(get poll state_p50_ms)" ""
row "   p99 ms ($(get push state_samples) = 20 trials x 3 subscribers)" \
  "$(get push state_p99_ms)" "$(get poll state_p99_ms)" "< 50"
row "   max ms" "$(get push state_max_ms)" "$(get poll state_max_ms)" ""
row "   events not seen in time (5 s + phase)" "$(get push state_missed)" "$(get poll state_missed)" "0"
row "2. log line -> SSE follower, p50 ms" "$(get push log_sse_p50_ms)" "$(get poll log_sse_p50_ms)" ""
row "   p99 ms ($(get push log_sse_samples) lines)" "$(get push log_sse_p99_ms)" "$(get poll log_sse_p99_ms)" "< 20"
row "   log line -> WebSocket follower, p50 ms" "$(get push log_ws_p50_ms)" "$(get poll log_ws_p50_ms)" ""
row "   p99 ms ($(get push log_ws_samples) lines)" "$(get push log_ws_p99_ms)" "$(get poll log_ws_p99_ms)" "< 20"
row "   lines not seen within 3 s" "$(get push log_missed)" "$(get poll log_missed)" "0"
row "3. idle CPU, daemon, % of a core" "$(get push idle_daemon_pct)" "$(get poll idle_daemon_pct)" ""
row "   agent, % of a core" "$(get push idle_agent_pct)" "$(get poll idle_agent_pct)" ""
push_idle=$(awk -v a="$(get push idle_daemon_pct)" -v b="$(get push idle_agent_pct)" \
  'BEGIN { if (a != "" && b != "") printf "%.4f", a + b }')
poll_idle=$(awk -v a="$(get poll idle_daemon_pct)" -v b="$(get poll idle_agent_pct)" \
  'BEGIN { if (a != "" && b != "") printf "%.4f", a + b }')
row "   daemon + agent, % of a core" "$push_idle" "$poll_idle" "< 0.05"
row "   same from /proc/PID/stat (10 ms ticks)" \
  "$(get push idle_daemon_stat_pct) + $(get push idle_agent_stat_pct)" \
  "$(get poll idle_daemon_stat_pct) + $(get poll idle_agent_stat_pct)" ""
row "   window s / events during it" "$(get push idle_seconds) / $(get push idle_events)" \
  "$(get poll idle_seconds) / $(get poll idle_events)" ""
row "4. changes made ($(get push flap_services) services flapping)" \
  "$(get push flap_changes) in $(get push flap_seconds) s" "$(get poll flap_changes) in $(get poll flap_seconds) s" ""
row "   events per subscriber (min..max)" "$(get push flap_events_min)..$(get push flap_events_max)" \
  "$(get poll flap_events_min)..$(get poll flap_events_max)" ""
row "   changes seen (ups, downs after an up), fewest" \
  "$(get push flap_seen_min)" "$(get poll flap_seen_min)" ""
row "   out of order (by pid, since)" "$(get push flap_reordered)" "$(get poll flap_reordered)" "0"
row "   up events with a pid s6 never had" "$(get push flap_unknown_pid)" "$(get poll flap_unknown_pid)" "0"
row "   repeated events (same state twice)" "$(get push flap_duplicates)" "$(get poll flap_duplicates)" ""
row "   last event != final state, of $(get push flap_final_checked)" \
  "$(get push flap_final_wrong)" "$(get poll flap_final_wrong)" "0"
row "   s6-svc commands that failed" "$(get push flap_command_failures)" "$(get poll flap_command_failures)" "0"
echo
echo "Idle CPU from the scheduler's ns counts (/proc/PID/task/*/schedstat); one 10 ms tick of"
echo "/proc/PID/stat is $(awk -v s="$idle_seconds" 'BEGIN { printf "%.3f", 100 * 0.01 / s }')% over this window. Each down or up makes two events"
echo "(s6 records the wanted state, then the transition). Logs: both designs use this agent."
if [ -n "$old_agent" ]; then
  echo "Old agent ($("$old_agent" --version 2>&1 | head -1), log followers read on a 100 ms tick), same daemon:"
  printf '  log line -> SSE p50 %s ms, p99 %s ms; -> WebSocket p50 %s ms, p99 %s ms (%s lines, %s missed)\n' \
    "$(get old log_sse_p50_ms)" "$(get old log_sse_p99_ms)" "$(get old log_ws_p50_ms)" \
    "$(get old log_ws_p99_ms)" "$(get old log_sse_samples)" "$(get old log_missed)"
else
  echo "The old agent's 100 ms log tick is not in this build, so its figure is not reproduced in this"
  echo "run (PUSH_BENCH_OLD_AGENT measures one, see this script's header)."
fi

# The push targets; any miss fails the run.
awk -v s99="$(get push state_p99_ms)" -v smiss="$(get push state_missed)" \
  -v l99="$(get push log_sse_p99_ms)" -v w99="$(get push log_ws_p99_ms)" -v lmiss="$(get push log_missed)" \
  -v idle="$push_idle" -v reord="$(get push flap_reordered)" -v unk="$(get push flap_unknown_pid)" \
  -v wrong="$(get push flap_final_wrong)" -v cmdfail="$(get push flap_command_failures)" 'BEGIN {
  fail = 0
  if (s99 == "" || l99 == "" || w99 == "" || idle == "" || wrong == "") { print "FAIL: figures missing"; fail = 1 }
  if (smiss > 0 || !(s99 < 50)) { print "FAIL: state change -> /events p99 is not under 50 ms"; fail = 1 }
  if (lmiss > 0 || !(l99 < 20) || !(w99 < 20)) { print "FAIL: log line -> follower p99 is not under 20 ms"; fail = 1 }
  if (!(idle < 0.05)) { print "FAIL: idle daemon + agent CPU is not under 0.05% of a core"; fail = 1 }
  if (reord > 0 || unk > 0 || wrong > 0 || cmdfail > 0) { print "FAIL: events lost or out of order"; fail = 1 }
  if (!fail) print "all push targets met"
  exit fail }'
