#!/usr/bin/env bash
# Benchmark of system-managerd (on demand, not a CTest test).
#
#   tests/bench/daemon_bench.sh [BUILD_DIR]        (default: build)
#
# Starts `system-managerd --demo` with 21 s6 services (the 4 demo services plus 17 extra ones,
# a real s6-svscan and the project's s6-agent), and nginx (nginx-light, one worker per core,
# answering GET / 's exact body from memory) on another loopback port as the physical-limit baseline. wrk then drives:
#   GET /                                      daemon and nginx
#   GET /containers/demo/services/web/status   one service status (one agent call)
#   GET /containers/demo/services/status       all 21 statuses (one agent call)
# and the daemon's RSS is read after 50,000 and 100,000 requests and after the whole run, the
# agent's after log reads by cursor and by tail and a few follows. Beside it, bench_rss_floor
# (tests/bench/rss_floor.cpp) loads the daemon's libraries and does nothing else: its RSS,
# measured in the same run, is the floor that library pages put under the daemon's.
# Targets (any miss fails the run, exit status 1): GET / >= 50% of nginx; one status >= 60%
# and all statuses >= 50% of GET /; daemon RSS <= 12 MB after 100,000 requests and grown by at
# most 1 MB from 50,000; agent RSS <= 2 MB; no non-2xx answer.
# BENCH_THREADS and BENCH_CONNECTIONS set wrk's -t and -c (default -t2 -c32). The four targets
# take turns for BENCH_ROUNDS rounds (5) of BENCH_DURATION (3s) each; figures are medians.
# The access log stays on (written to a file), as in production.
set -euo pipefail

build=${1:-build}
bin=$(cd "$build/bin" && pwd)
duration=${BENCH_DURATION:-3s} # per round
rounds=${BENCH_ROUNDS:-5}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "daemon_bench: $tool is missing (scripts/bootstrap installs it)" >&2; exit 2; }
done
[ -x "$bin/system-managerd" ] && [ -x "$bin/s6-agent" ] && [ -x "$bin/bench_rss_floor" ] ||
  { echo "daemon_bench: build system-managerd, s6-agent and bench_rss_floor into $bin first" >&2; exit 2; }

work=$(mktemp -d)
daemon_pid=""
nginx_pid=""
floor_pid=""
cleanup() {
  [ -n "$floor_pid" ] && kill "$floor_pid" 2>/dev/null || true
  [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# --- the daemon -----------------------------------------------------------------------------
SM_DEMO_EXTRA_SERVICES=17 "$bin/system-managerd" --demo --listen 127.0.0.1:0 \
  >"$work/daemon.out" 2>"$work/daemon.log" &
daemon_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/daemon.out" 2>/dev/null && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.1
done
daemon=$(grep -o 'http://[0-9.:]*' "$work/daemon.out" | head -1)
[ -n "$daemon" ] || { echo "daemon_bench: the daemon did not start" >&2; cat "$work/daemon.log" >&2; exit 1; }
services=$(curl -s "$daemon/containers/demo/services/status" | grep -o '"service":' | wc -l)
body=$(curl -s "$daemon/")

# --- nginx as the baseline ------------------------------------------------------------------
nginx_port=$((20000 + RANDOM % 20000))
mkdir -p "$work/nginx"
chmod a+rx "$work" "$work/nginx" # nginx's worker runs as an unprivileged user when started as root
escaped=${body//\\/\\\\}
escaped=${escaped//\'/\\\'}
cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type application/json; return 200 '$escaped'; }
  }
}
CONF
nginx -c "$work/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nginx_port/" >/dev/null && break; sleep 0.1; done

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/${1:-$daemon_pid}/status"; }
agent_pid=$(pgrep -P "$daemon_pid" -f s6-agent | head -1)
[ -n "$agent_pid" ] || { echo "daemon_bench: the demo's s6-agent is not running" >&2; exit 1; }

# Drives `url` in one-second wrk runs until `total` requests have been answered in all; gives
# up after 300 runs, or at once when a run got no answer (the daemon stopped answering).
total=0
drive_until() {
  local url=$1 target=$2 n runs=0
  while [ "$total" -lt "$target" ]; do
    n=$(wrk -t1 -c16 -d1s "$url" | awk '/requests in/ {print $1}')
    runs=$((runs + 1))
    if [ "${n:-0}" -eq 0 ] || [ "$runs" -gt 300 ]; then
      echo "daemon_bench: FAIL: $total of $target requests answered after $runs runs" >&2
      exit 1
    fi
    total=$((total + n))
  done
}

# --- memory: RSS at 0, 50k and 100k requests (all statuses: the heaviest route) ------------
all="$daemon/containers/demo/services/status"
rss0=$(rss_kb)
drive_until "$all" 50000
n50=$total
rss50=$(rss_kb)
drive_until "$all" 100000
n100=$total
rss100=$(rss_kb)

# --- throughput ------------------------------------------------------------------------------
# Each run also reads what the daemon and the agent spent of a core, and how much of the
# machine stayed idle: a target whose processes wait on each other leaves cores idle.
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
idle_ticks() { awk '/^cpu / {print $5 + $6}' /proc/stat; }
# wrk --latency prints "50%  1.23ms" lines; normalise every latency to milliseconds.
run() {
  local url=$1 out d0 a0 i0 t0 d1 a1 i1 t1
  d0=$(cpu_ticks "$daemon_pid") a0=$(cpu_ticks "$agent_pid") i0=$(idle_ticks) t0=$(date +%s%N)
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url")
  d1=$(cpu_ticks "$daemon_pid") a1=$(cpu_ticks "$agent_pid") i1=$(idle_ticks) t1=$(date +%s%N)
  local rps p50 p99 errors cpu
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  cpu=$(awk -v d=$((d1 - d0)) -v a=$((a1 - a0)) -v i=$((i1 - i0)) -v ns=$((t1 - t0)) \
    -v hz="$hz" -v cores="$(nproc)" 'BEGIN { s = ns / 1e9
      printf "%.0f %.0f %.0f", 100 * d / hz / s, 100 * a / hz / s, 100 * i / hz / s / cores }')
  printf '%s %s %s %s %s\n' "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "${errors:-0}" "$cpu"
}
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else print v }'
}

# The four targets take turns, round after round, so that a slow spell of this shared machine
# weighs on all of them alike; each figure is the median of its rounds, each error count the
# sum of them.
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
targets=("http://127.0.0.1:$nginx_port/" "$daemon/" "$daemon/containers/demo/services/web/status" "$all")
for round in $(seq "$rounds"); do
  for i in "${!targets[@]}"; do
    run "${targets[$i]}" >>"$work/round.$i"
  done
done
summary() { # rps p50 p99 errors daemon% agent% idle% of target $1
  local f=$work/round.$1
  printf '%s %s %s %s %s %s %s\n' "$(awk '{print $1}' "$f" | median | awk '{printf "%.0f", $1}')" \
    "$(awk '{print $2}' "$f" | median)" "$(awk '{print $3}' "$f" | median)" \
    "$(awk '{s += $4} END {print s}' "$f")" "$(awk '{print $5}' "$f" | median)" \
    "$(awk '{print $6}' "$f" | median)" "$(awk '{print $7}' "$f" | median)"
}
read -r n_rps n_p50 n_p99 n_err n_dcpu n_acpu n_idle < <(summary 0)
read -r r_rps r_p50 r_p99 r_err r_dcpu r_acpu r_idle < <(summary 1)
read -r s_rps s_p50 s_p99 s_err s_dcpu s_acpu s_idle < <(summary 2)
read -r a_rps a_p50 a_p99 a_err a_dcpu a_acpu a_idle < <(summary 3)
rss_end=$(rss_kb)

# --- the floor: the daemon's libraries loaded, nothing else ----------------------------------
"$bin/bench_rss_floor" >"$work/floor.out" &
floor_pid=$!
for _ in $(seq 100); do grep -q ready "$work/floor.out" 2>/dev/null && break; sleep 0.05; done
floor_rss=$(rss_kb "$floor_pid")
kill "$floor_pid" && wait "$floor_pid" 2>/dev/null || true

# --- the agent's memory after log reads: by cursor, by tail, and follows --------------------
logs="$daemon/containers/demo/services/chatter/logs"
wrk -t1 -c4 -d2s "$logs?cursor=0" >/dev/null
wrk -t1 -c4 -d2s "$logs?tail=1000" >/dev/null
follows=()
for _ in $(seq 8); do
  curl -sN --max-time 3 "$logs?follow=true&tail=100" >/dev/null &
  follows+=($!)
done
sleep 2
agent_rss_following=$(rss_kb "$agent_pid")
wait "${follows[@]}" 2>/dev/null || true
agent_rss=$(rss_kb "$agent_pid")
[ "$agent_rss_following" -gt "$agent_rss" ] && agent_rss=$agent_rss_following
logged=$(wc -l <"$work/daemon.log")

echo
echo "system-managerd benchmark: $services services, wrk -t$threads -c$connections, medians of $rounds rounds of $duration, $(nproc) cores"
row() { printf '%-30s %8s %7s %7s %8s %9s %8s %7s\n' "$@"; }
row "target" "req/s" "p50 ms" "p99 ms" "non-2xx" "daemon %" "agent %" "idle %"
row "nginx fixed JSON (baseline)" "$n_rps" "$n_p50" "$n_p99" "$n_err" "-" "-" "$n_idle"
row "daemon GET /" "$r_rps" "$r_p50" "$r_p99" "$r_err" "$r_dcpu" "$r_acpu" "$r_idle"
row "daemon one service status" "$s_rps" "$s_p50" "$s_p99" "$s_err" "$s_dcpu" "$s_acpu" "$s_idle"
row "daemon all $services statuses" "$a_rps" "$a_p50" "$a_p99" "$a_err" "$a_dcpu" "$a_acpu" "$a_idle"
echo "(daemon % and agent %: of one core; idle %: of all $(nproc) cores while wrk ran)"
echo
awk -v r="$r_rps" -v n="$n_rps" -v a="$a_rps" -v s="$s_rps" 'BEGIN {
  printf "GET / vs nginx:            %5.1f%%  (target >= 50%%)\n", 100 * r / n
  printf "one status vs GET /:       %5.1f%%  (target >= 60%%)\n", 100 * s / r
  printf "all statuses vs GET /:     %5.1f%%  (target >= 50%%)\n", 100 * a / r }'
echo "daemon RSS (target <= 12 MB after 100k requests, flat from 50k to 100k):"
echo "  at start                 $rss0 kB"
echo "  after $n50 requests   $rss50 kB"
echo "  after $n100 requests  $rss100 kB"
echo "  after the whole run      $rss_end kB"
echo "  floor: the same libraries loaded by a program doing nothing else: $floor_rss kB"
echo "agent RSS after cursor reads, tails and follows (target <= 2 MB): $agent_rss kB"
echo "access log lines written: $logged"

# The targets above; any miss fails the run.
awk -v r="$r_rps" -v n="$n_rps" -v a="$a_rps" -v s="$s_rps" -v rss="$rss100" -v rss50="$rss50" \
  -v agent="$agent_rss" -v errs="$((n_err + r_err + s_err + a_err))" 'BEGIN {
  fail = 0
  if (100 * r / n < 50) { print "FAIL: GET / is under 50% of nginx"; fail = 1 }
  if (100 * s / r < 60) { print "FAIL: one status is under 60% of GET /"; fail = 1 }
  if (100 * a / r < 50) { print "FAIL: all statuses are under 50% of GET /"; fail = 1 }
  if (rss > 12 * 1024) { print "FAIL: daemon RSS is over 12 MB after 100k requests"; fail = 1 }
  if (agent > 2 * 1024) { print "FAIL: agent RSS is over 2 MB"; fail = 1 }
  if (rss - rss50 > 1024) { print "FAIL: daemon RSS grew by more than 1 MB from 50k to 100k"; fail = 1 }
  if (errs > 0) { print "FAIL: non-2xx answers"; fail = 1 }
  if (!fail) print "all targets met"
  exit fail }'
