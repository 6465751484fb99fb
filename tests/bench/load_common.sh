# Shared by load.sh and soak.sh: starts `system-managerd --demo` (a real s6-svscan, the demo
# services and the project's s6-agent) on a free loopback port, and reads its RSS.
# Sets $daemon (base URL) and $daemon_pid; cleans up on exit.
build=${1:-build}
bin=$(cd "$build/bin" && pwd)
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing (scripts/bootstrap installs it)" >&2; exit 2; }
done
[ -x "$bin/system-managerd" ] && [ -x "$bin/s6-agent" ] ||
  { echo "$0: build system-managerd and s6-agent into $bin first" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
daemon_pid=""
podman_dir=""
cleanup() {
  [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  [ -n "$podman_dir" ] && "$here/../../scripts/podman-service" stop "$podman_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# A real Docker Engine API (podman's) with one running container, so /docker routes answer 200.
if command -v podman >/dev/null && [ -z "${BENCH_NO_DOCKER:-}" ]; then
  podman_dir="$work/podman"
  export "$("$here/../../scripts/podman-service" start "$podman_dir" | grep '^DOCKER_HOST=')"
  "$here/../../scripts/podman-service" podman "$podman_dir" run -d --name web --network none \
    localhost/tiny:latest sh -c 'while true; do date; sleep 1; done' >/dev/null
fi
ulimit -n 8192 2>/dev/null || true # 1,000 clients plus the daemon's own sockets
"$bin/system-managerd" --demo --listen 127.0.0.1:0 -q >"$work/daemon.out" 2>"$work/daemon.log" &
daemon_pid=$!
for _ in $(seq 150); do
  grep -q "listening on" "$work/daemon.out" 2>/dev/null && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.1
done
daemon=$(grep -o 'http://[0-9.:]*' "$work/daemon.out" | head -1)
[ -n "$daemon" ] || { echo "$0: the daemon did not start" >&2; cat "$work/daemon.log" >&2; exit 1; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$daemon_pid/status"; }
fds() { ls "/proc/$daemon_pid/fd" | wc -l; }
