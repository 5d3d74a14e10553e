#!/usr/bin/env bash
# A real multi-node Docker Swarm on one machine, for tests and benchmarks:
# N dockerd instances, each with its own data root, exec root and socket,
# joined over the loopback addresses 127.0.0.1 .. 127.0.0.N (the engines
# listen for swarm traffic on PORT, PORT+1, ...). Nodes share no images: a
# service's image must come from a registry every node reaches (a loopback one).
#
#   swarm-nodes.sh start PREFIX N PORT   starts PREFIX1..PREFIXN; prints each DOCKER_HOST, one a line
#   swarm-nodes.sh stop PREFIX N         leaves the swarm, stops the engines, removes their roots
#   swarm-nodes.sh stop-node PREFIX I    leaves nothing: kills node I's engine (a machine that died)
#
# Keep PREFIX short (/run/sw16-): containerd's socket path must fit in 108 bytes.
# Needs root and dockerd.
set -euo pipefail

cmd="${1:-}"
prefix="${2:-}"
count="${3:-3}"
if [[ -z "$cmd" || -z "$prefix" ]]; then
  echo "usage: swarm-nodes.sh start|stop|stop-node PREFIX N [PORT]" >&2
  exit 2
fi

sock() { echo "$prefix$1/docker.sock"; }
dk() { local i="$1"; shift; DOCKER_HOST="unix://$(sock "$i")" timeout 60 docker "$@"; }

answers() {
  [[ -S "$(sock "$1")" ]] && curl --silent --fail --max-time 2 --unix-socket "$(sock "$1")" http://localhost/_ping >/dev/null 2>&1
}

stop_engine() {
  local root="$prefix$1" pid
  [[ -f "$root/docker.pid" ]] || return 0
  pid="$(cat "$root/docker.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

start_engine() {
  local root="$prefix$1"
  mkdir -p "$root"
  rm -f "$(sock "$1")" "$root/docker.pid"
  setsid nohup dockerd \
    --host "unix://$(sock "$1")" \
    --data-root "$root/data" --exec-root "$root/exec" --pidfile "$root/docker.pid" \
    --iptables=false --bridge=none --max-download-attempts=1 \
    >>"$root/dockerd.log" 2>&1 </dev/null &
  local deadline=$((SECONDS + 30))
  until answers "$1"; do
    if ((SECONDS >= deadline)); then
      echo "swarm-nodes: engine $1 did not answer; see $root/dockerd.log" >&2
      tail -n 20 "$root/dockerd.log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}

case "$cmd" in
  start)
    port="${4:?PORT}"
    for i in $(seq "$count"); do start_engine "$i" & done
    wait
    dk 1 swarm init --listen-addr "127.0.0.1:$port" --advertise-addr 127.0.0.1 >/dev/null
    # A node that stops answering is marked down within seconds, not the default 5 s heartbeat times three.
    dk 1 swarm update --dispatcher-heartbeat 1s --task-history-limit 3 >/dev/null
    token="$(dk 1 swarm join-token -q worker)"
    for i in $(seq 2 "$count"); do
      dk "$i" swarm join --token "$token" --listen-addr "127.0.0.$i:$((port + i - 1))" \
        --advertise-addr "127.0.0.$i" "127.0.0.1:$port" >/dev/null
    done
    for i in $(seq "$count"); do echo "unix://$(sock "$i")"; done
    ;;
  stop-node)
    stop_engine "$count"
    ;;
  stop)
    # Workers leave first, the manager last; a node that already died is skipped.
    for i in $(seq "$count" -1 1); do
      if answers "$i"; then dk "$i" swarm leave --force >/dev/null 2>&1 || true; fi
    done
    for i in $(seq "$count"); do stop_engine "$i" & done
    wait
    for i in $(seq "$count"); do
      # The engine's network namespaces (the ingress sandbox) stay mounted after it stops.
      for ns in "$prefix$i"/exec/netns/*; do [[ -e "$ns" ]] && umount "$ns" 2>/dev/null || true; done
      rm -rf "$prefix$i"
    done
    ;;
  *)
    echo "usage: swarm-nodes.sh start|stop|stop-node PREFIX N [PORT]" >&2
    exit 2
    ;;
esac
