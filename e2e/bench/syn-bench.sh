#!/usr/bin/env bash
# SYN discovery benchmark: Portolan, masscan and zmap in turn, in the same lab, in the same run.
#
# The lab (../lab/lab.sh) answers for all of 198.18.0.0/16; listeners on 0.0.0.0 make OPEN_PORTS
# open on every one of its 65,536 addresses, so the expected result is known exactly and recall is
# measured over 65,536 x |OPEN_PORTS| open ports. Each tool scans 198.18.0.0/16 x 16 ports
# (1,048,576 probes, no retries) at RATE, and the script prints for each: probes/s while sending,
# wall time to a complete result, CPU seconds (user+sys), and recall of the open ports.
#
#   e2e/bench/syn-bench.sh [RATE ...]     default RATE: max (each tool as fast as it can), then 100000
#
# Needs root, masscan and zmap (apt-get install masscan zmap) and a built jar (./mvnw package).
# Results and their meaning: docs/benchmarks.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lab="$here/../lab/lab.sh"
name=ptlbench
ports="21,22,23,25,53,80,110,143,443,445,993,3306,5432,6379,8080,8443"
open_ports=(80 8080)
rates=("$@"); [ ${#rates[@]} -gt 0 ] || rates=(max 100000)
wait_secs=2
out=$(mktemp -d /tmp/portolan-bench.XXXXXX)
[ "$(id -u)" -eq 0 ] || { echo "syn-bench: needs root (namespaces and raw sockets)" >&2; exit 2; }
for t in masscan zmap; do command -v $t >/dev/null || { echo "syn-bench: $t is not installed (apt-get install $t)" >&2; exit 2; }; done
[ -f "$root/scanner/target/portolan.jar" ] || { echo "syn-bench: build first: ./mvnw -q package -DskipTests" >&2; exit 2; }

cleanup() { bash "$lab" down "$name" >/dev/null 2>&1 || true; rm -rf "$out"; }
trap cleanup EXIT
bash "$lab" down "$name" >/dev/null 2>&1 || true
bash "$lab" up "$name"
listen=(); for p in "${open_ports[@]}"; do listen+=("198.18.0.0:$p"); done
# 0.0.0.0 is outside lab.sh's listen check on purpose; start the wildcard listeners directly.
( ip netns exec "$name-t" python3 "$here/../lab/listen.py" $(for p in "${open_ports[@]}"; do echo "0.0.0.0:$p"; done) </dev/null >/dev/null 2>&1 & )
sleep 1
router_mac=$(ip netns exec "$name-t" cat /sys/class/net/veth0/address)
expected=$((65536 * ${#open_ports[@]}))
probes=$((65536 * 16))
ns=(ip netns exec "$name-s")
java_bin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java

# Runs a command under GNU time; prints "wall user sys".
timed() { /usr/bin/time -f "%e %U %S" -o "$out/time" "$@" >/dev/null 2>"$out/stderr" || { cat "$out/stderr" >&2; return 1; }; cat "$out/time"; }
# Counts distinct open ip:port pairs in a masscan/portolan list file.
count_list() { awk '$1=="open"{print $4":"$3}' "$1" | sort -u | wc -l; }

row() { # tool rate wall user sys send_seconds found
  local recall pps
  recall=$(awk -v f="$7" -v e="$expected" 'BEGIN{printf "%.3f%%", 100*f/e}')
  pps=$(awk -v p="$probes" -v s="$6" 'BEGIN{ if (s>0) printf "%.0f", p/s; else print "?" }')
  printf "| %-9s | %-7s | %9s | %8s s | %6.1f s | %8s | %s |\n" "$1" "$2" "$pps" "$3" "$(echo "$4 + $5" | bc)" "$recall" "$7/$expected"
}

echo
echo "lab: 198.18.0.0/16 x 16 ports = $probes probes; open: ports ${open_ports[*]} on every address = $expected; $(nproc) cores"
echo "| tool      | rate    | probes/s  | wall       | CPU      | recall   | found |"
echo "|-----------|---------|-----------|------------|----------|----------|-------|"
for rate in "${rates[@]}"; do
  r=$rate; [ "$rate" = max ] && r=100000000
  # Portolan (the jar as users run it); the send rate comes from its own summary line.
  t=$(timed "${ns[@]}" "$java_bin" --enable-native-access=ALL-UNNAMED -jar "$root/scanner/target/portolan.jar" \
      scan 198.18.0.0/16 -p "$ports" --rate "$r" --retries 0 --wait "$wait_secs" --seed 1 --no-validate -oL "$out/portolan.txt")
  send=$(sed -n 's/.* probes sent in \([0-9.]*\) s .*/\1/p' "$out/stderr" | tail -1)
  row portolan "$rate" $t "$send" "$(count_list "$out/portolan.txt")"

  # masscan, told the router so it does not depend on its own ARP.
  t=$(timed "${ns[@]}" masscan 198.18.0.0/16 -p "$ports" --rate "$r" --wait "$wait_secs" --retries 0 \
      --adapter veth0 --adapter-ip 198.19.0.2 --router-mac "$router_mac" -oL "$out/masscan.txt")
  wall=${t%% *}
  row masscan "$rate" $t "$(awk -v w="$wall" -v c="$wait_secs" 'BEGIN{print w-c}')" "$(count_list "$out/masscan.txt")"

  # zmap 2.x scans one port per run: 16 runs, their times added.
  zw=0; zu=0; zs=0; : > "$out/zmap.txt"; : > "$out/no-blacklist"  # zmap blacklists 198.18.0.0/15 by default
  for p in ${ports//,/ }; do
    t=$(timed "${ns[@]}" zmap 198.18.0.0/16 -p "$p" -r "$r" -c "$wait_secs" -i veth0 -S 198.19.0.2 -G "$router_mac" \
        -b "$out/no-blacklist" -O csv -f saddr,sport --output-filter="success = 1 && repeat = 0" -o "$out/zmap-$p.csv" --disable-syslog -q)
    read -r w u s <<<"$t"
    zw=$(echo "$zw + $w" | bc); zu=$(echo "$zu + $u" | bc); zs=$(echo "$zs + $s" | bc)
    tail -n +2 "$out/zmap-$p.csv" | awk -F, '{print "open tcp "$2" "$1}' >> "$out/zmap.txt"
  done
  row zmap "$rate" "$zw" "$zu" "$zs" "$(awk -v w="$zw" -v c="$wait_secs" 'BEGIN{print w-16*c}')" "$(count_list "$out/zmap.txt")"
done
