#!/usr/bin/env bash
# A Docker engine on a machine without network, for tests and benchmarks of
# the "no network" path: a network namespace of its own with only loopback,
# where every DNS name is answered "no such host" (scripts/nxdomain-dns.mjs
# on 127.0.0.1:53) and nothing else answers. No packet can leave it: there is
# no interface but lo. The engine's socket is a file, so clients outside the
# namespace reach it as usual.
#
#   offline-engine.sh start ROOT   starts it; prints DOCKER_HOST (unix://ROOT/docker.sock)
#   offline-engine.sh stop ROOT    stops it and removes ROOT and the namespace
#   offline-engine.sh netns ROOT   prints the namespace's path (for nsenter --net=...)
#
# Needs root, iproute2, util-linux (nsenter, unshare) and dockerd. `ip netns
# exec` is not used: it remounts /sys, and dockerd then finds no cgroups.
set -euo pipefail

cmd="${1:-}"
root="${2:-}"
if [[ -z "$cmd" || -z "$root" ]]; then
  echo "usage: offline-engine.sh start|stop|netns ROOT" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ns="stigmer-off-$(basename "$root")"
netns="/run/netns/$ns"

stop() {
  for pidfile in "$root/dockerd.pid" "$root/dns.pid"; do
    [[ -f "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$root"
}

case "$cmd" in
  netns)
    echo "$netns"
    ;;
  stop)
    stop
    ;;
  start)
    for tool in ip nsenter unshare dockerd node curl; do
      command -v "$tool" >/dev/null || { echo "offline-engine: $tool not found" >&2; exit 1; }
    done
    mkdir -p "$root"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$root/resolv.conf"
    nsenter --net="$netns" node "$here/nxdomain-dns.mjs" 53 > "$root/dns.log" 2>&1 &
    echo $! > "$root/dns.pid"
    # dockerd resolves through /etc/resolv.conf: give it the namespace's own, in a mount namespace of its own.
    nsenter --net="$netns" unshare --mount --propagation private sh -c \
      "mount --bind '$root/resolv.conf' /etc/resolv.conf && exec dockerd \
        --data-root '$root/data' --exec-root '$root/exec' --pidfile '$root/dockerd.pid' \
        -H 'unix://$root/docker.sock' --iptables=false --bridge=none --max-download-attempts=1" \
      > "$root/dockerd.log" 2>&1 &
    for _ in $(seq 200); do
      if grep -q ready "$root/dns.log" 2>/dev/null &&
        curl --silent --fail --max-time 2 --unix-socket "$root/docker.sock" http://localhost/_ping >/dev/null 2>&1; then
        echo "unix://$root/docker.sock"
        exit 0
      fi
      sleep 0.1
    done
    echo "offline-engine: the engine did not answer within 20 s; see $root/dockerd.log and $root/dns.log" >&2
    tail -5 "$root/dockerd.log" "$root/dns.log" >&2 || true
    stop
    exit 1
    ;;
  *)
    echo "usage: offline-engine.sh start|stop|netns ROOT" >&2
    exit 2
    ;;
esac
