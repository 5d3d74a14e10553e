#!/usr/bin/env bash
# Start a Docker engine for the integration tests, unless one already answers.
#
# Idempotent: if the engine behind $DOCKER_HOST (a unix:// socket) or
# /var/run/docker.sock answers /_ping, nothing is done. Otherwise dockerd is
# started in the background with settings that suit a test machine:
#   --iptables=false --bridge=none  leave no docker0 bridge or nft tables behind
#                                   (containers that need loopback services use
#                                   host networking anyway);
#   --max-download-attempts=1       a failing pull fails in seconds instead of
#                                   ~80 s of engine-internal retries.
# Needs root (dockerd does). Log: /tmp/stigmer-dockerd.log (override with
# STIGMER_DOCKERD_LOG).
#
# A private engine beside the default one: STIGMER_DOCKERD_ROOT=/run/se-a
# gives it its own data root, exec root, pid file and socket under that
# folder (keep the path short: containerd's socket path must fit in 108
# bytes), so that two test runs on one machine cannot see each other's
# images and containers. Point the tests at it with
# DOCKER_HOST=unix://$STIGMER_DOCKERD_ROOT/docker.sock.
set -euo pipefail

root="${STIGMER_DOCKERD_ROOT:-}"
default_log=/tmp/stigmer-dockerd.log
[[ -n "$root" ]] && default_log="$root/dockerd.log"
log_file="${STIGMER_DOCKERD_LOG:-$default_log}"
wait_seconds="${STIGMER_DOCKERD_WAIT:-20}"

# Resolve the socket the tests will use: a private root's socket, else a
# unix:// DOCKER_HOST, else the default.
socket=/var/run/docker.sock
if [[ -n "$root" ]]; then
  mkdir -p "$root"
  socket="$root/docker.sock"
elif [[ -n "${DOCKER_HOST:-}" ]]; then
  if [[ "$DOCKER_HOST" == unix://* ]]; then
    socket="${DOCKER_HOST#unix://}"
  else
    echo "start-dockerd: DOCKER_HOST=$DOCKER_HOST is not a unix socket; not starting a local engine" >&2
    exit 1
  fi
fi

# curl asks the socket directly; without curl, the docker CLI does the same.
engine_answers() {
  [[ -S "$socket" ]] || return 1
  if command -v curl >/dev/null 2>&1; then
    curl --silent --fail --max-time 2 --unix-socket "$socket" http://localhost/_ping >/dev/null 2>&1
  else
    DOCKER_HOST="unix://$socket" timeout 5 docker info >/dev/null 2>&1
  fi
}

if engine_answers; then
  echo "start-dockerd: engine already answers on $socket"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "start-dockerd: dockerd not found; install it with: apt-get install -y docker.io" >&2
  exit 1
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "start-dockerd: dockerd needs root; run: sudo bash scripts/start-dockerd.sh" >&2
  exit 1
fi

# A stale socket or pid file from a killed engine makes dockerd refuse to start.
pidfile=/var/run/docker.pid
private_args=()
if [[ -n "$root" ]]; then
  pidfile="$root/docker.pid"
  private_args=(--data-root "$root/data" --exec-root "$root/exec" --pidfile "$pidfile")
fi
if [[ -f "$pidfile" ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  rm -f "$pidfile"
fi
[[ -S "$socket" ]] && rm -f "$socket"

# setsid + nohup: the engine must outlive this script and the shell that ran it.
setsid nohup dockerd \
  --host "unix://$socket" \
  --iptables=false --bridge=none --max-download-attempts=1 \
  "${private_args[@]}" \
  >>"$log_file" 2>&1 </dev/null &
dockerd_pid=$!

deadline=$((SECONDS + wait_seconds))
until engine_answers; do
  if ! kill -0 "$dockerd_pid" 2>/dev/null; then
    echo "start-dockerd: dockerd exited during start; last lines of $log_file:" >&2
    tail -n 20 "$log_file" >&2 || true
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "start-dockerd: engine did not answer on $socket within ${wait_seconds}s; see $log_file" >&2
    exit 1
  fi
  sleep 0.1
done
echo "start-dockerd: dockerd (pid $dockerd_pid) answers on $socket; log: $log_file"
