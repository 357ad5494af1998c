#!/usr/bin/env bash
# The Portolan lab: two network namespaces joined by a veth pair (and, if asked, node namespaces), nothing else.
#
#   NAME-s  the scanner's side: veth 198.19.0.2/24, a route to 198.18.0.0/16 via 198.19.0.1
#   NAME-t  the targets' side:  veth 198.19.0.1/24, and the whole of 198.18.0.0/16 is local
#           (ip route add local), so every address answers: SYN-ACK where something listens,
#           RST elsewhere. tcp_syncookies=2 keeps a /16 sweep from filling the SYN queue.
#
# Only the benchmarking range 198.18.0.0/15 is used, no namespace gets a default route, and nothing
# connects the lab to the host's own network: packets cannot leave it.
#
#   NAME-nN optional "nodes" (N = 1..8, `lab.sh node NAME N`): each joined to NAME-t by a veth pair of
#           its own, veth0 198.19.N.2/24 here and vethnN 198.19.N.1/24 in NAME-t, with a route to
#           198.18.0.0/16 via 198.19.N.1: several scanner agents on separate "machines" that share
#           the targets' network, which also plays the cluster's network (an API server listening
#           in NAME-t is reachable from node N at 198.19.N.1, outside the scanned 198.18.0.0/16).
#
#   lab.sh up NAME                 create the lab
#   lab.sh node NAME N             add node namespace NAME-nN (after up)
#   lab.sh down NAME               kill everything running in it and delete it, nodes included (always safe to run)
#   lab.sh listen NAME ADDR:PORT...  start a listener in NAME-t (background; killed by down)
#   lab.sh drop NAME CIDR          silently drop packets to CIDR in NAME-t (a filtered range)
#   lab.sh isolate NAME ADDR [PORT...]  silently drop TCP to ADDR in NAME-t except to the PORTs (at most
#                                  15): a NetworkPolicy as a CNI enforces it, allowed ports through
#   lab.sh loss NAME PERCENT       drop PERCENT% of packets at random each way in NAME-t
set -euo pipefail

die() { echo "lab.sh: $*" >&2; exit 2; }
need_name() {
  [[ "${1:-}" =~ ^ptl[a-z0-9]{1,8}$ ]] || die "lab names are 'ptl' + 1-8 lowercase letters or digits (got '${1:-}')"
}
# Refuses any address outside the lab range: the lab never touches another network.
need_lab_cidr() {
  [[ "$1" =~ ^198\.(18|19)\.[0-9]{1,3}\.[0-9]{1,3}(/(1[5-9]|2[0-9]|3[0-2]))?$ ]] \
    || die "'$1' is outside the lab range 198.18.0.0/15"
}

cmd=${1:-}; name=${2:-}
case "$cmd" in
  up)
    need_name "$name"
    s="$name-s"; t="$name-t"
    ip netns add "$s"
    ip netns add "$t"
    ip link add "$name-a" netns "$s" type veth peer name "$name-b" netns "$t"
    ip -n "$s" link set lo up
    ip -n "$t" link set lo up
    ip -n "$s" link set "$name-a" name veth0
    ip -n "$t" link set "$name-b" name veth0
    ip -n "$s" addr add 198.19.0.2/24 dev veth0
    ip -n "$t" addr add 198.19.0.1/24 dev veth0
    ip -n "$s" link set veth0 up
    ip -n "$t" link set veth0 up
    ip -n "$s" route add 198.18.0.0/16 via 198.19.0.1 dev veth0
    ip -n "$t" route add local 198.18.0.0/16 dev lo
    ip netns exec "$t" sysctl -qw net.ipv4.tcp_syncookies=2
    ip netns exec "$t" sysctl -qw net.ipv4.tcp_max_syn_backlog=65536
    ip netns exec "$t" sysctl -qw net.core.somaxconn=65535 2>/dev/null || true
    # Our own scanner sends RSTs the kernel does not rate-limit; let the targets' do the same.
    ip netns exec "$t" sysctl -qw net.ipv4.icmp_ratelimit=0
    ;;
  node)
    need_name "$name"
    n=${3:-}
    [[ "$n" =~ ^[1-8]$ ]] || die "node takes a number 1-8 (got '$n')"
    t="$name-t"; nn="$name-n$n"
    ip netns list | grep -qw "^$t" || die "no lab $name (lab.sh up $name first)"
    need_lab_cidr "198.19.$n.2/24"
    ip netns add "$nn"
    ip link add "$name-n${n}a" netns "$nn" type veth peer name "$name-n${n}b" netns "$t"
    ip -n "$nn" link set lo up
    ip -n "$nn" link set "$name-n${n}a" name veth0
    ip -n "$t" link set "$name-n${n}b" name "vethn$n"
    ip -n "$nn" addr add "198.19.$n.2/24" dev veth0
    ip -n "$t" addr add "198.19.$n.1/24" dev "vethn$n"
    ip -n "$nn" link set veth0 up
    ip -n "$t" link set "vethn$n" up
    ip -n "$nn" route add 198.18.0.0/16 via "198.19.$n.1" dev veth0
    ;;
  down)
    need_name "$name"
    for ns in "$name-s" "$name-t" "$name"-n{1..8}; do
      if ip netns list | grep -qw "^$ns"; then
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
      fi
    done
    ;;
  listen)
    need_name "$name"; shift 2
    [ $# -ge 1 ] || die "listen needs ADDR:PORT..."
    for ap in "$@"; do need_lab_cidr "${ap%:*}"; done
    here=$(cd "$(dirname "$0")" && pwd)
    ip netns exec "$name-t" python3 "$here/listen.py" "$@" </dev/null >/dev/null 2>&1 &
    # Wait (bounded) until every listener is up.
    for _ in $(seq 1 100); do
      up=0
      for ap in "$@"; do
        ip netns exec "$name-t" ss -Hltn "src ${ap%:*} and sport = :${ap##*:}" | grep -q LISTEN && up=$((up+1))
      done
      [ "$up" -eq $# ] && exit 0
      sleep 0.05
    done
    die "listeners did not come up: $*"
    ;;
  drop)
    need_name "$name"; need_lab_cidr "${3:-}"
    ip netns exec "$name-t" iptables -w 5 -I INPUT -d "$3" -j DROP
    ;;
  isolate)
    need_name "$name"; need_lab_cidr "${3:-}"
    addr=$3; shift 3
    [ $# -le 15 ] || die "isolate takes at most 15 ports"
    for p in "$@"; do [[ "$p" =~ ^[0-9]{1,5}$ ]] || die "ports are numbers (got '$p')"; done
    if [ $# -eq 0 ]; then
      ip netns exec "$name-t" iptables -w 5 -A INPUT -d "$addr" -p tcp -j DROP
    else
      ip netns exec "$name-t" iptables -w 5 -A INPUT -d "$addr" -p tcp -m multiport ! --dports "$(IFS=,; echo "$*")" -j DROP
    fi
    ;;
  loss)
    need_name "$name"
    pct=${3:-}
    [[ "$pct" =~ ^[0-9]{1,2}$ ]] || die "loss takes a whole percentage 0-99"
    p=$(printf '0.%02d' "$pct")
    ip netns exec "$name-t" iptables -w 5 -I INPUT -m statistic --mode random --probability "$p" -j DROP
    ip netns exec "$name-t" iptables -w 5 -I OUTPUT -m statistic --mode random --probability "$p" -j DROP
    ;;
  *)
    sed -n '2,25p' "$0" >&2
    exit 2
    ;;
esac
