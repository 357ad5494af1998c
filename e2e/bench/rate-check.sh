#!/usr/bin/env bash
# Rate accuracy and smoothness, measured where it matters: at the target. For each rate, Portolan
# scans the lab for a fixed number of probes while tcpdump in the target namespace records every
# SYN; the script prints the achieved rate (probes over the first-to-last SYN interval), its error
# against the asked rate, and the largest burst seen in any 10 ms window.
#
#   e2e/bench/rate-check.sh [RATE:PROBES ...]   default: 10:100 100:500 1000:5000 10000:50000 100000:300000
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lab="$here/../lab/lab.sh"
name=ptlrate
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=(10:100 100:500 1000:5000 10000:50000 100000:300000)
[ "$(id -u)" -eq 0 ] || { echo "rate-check: needs root" >&2; exit 2; }
command -v tcpdump >/dev/null || { echo "rate-check: needs tcpdump (apt-get install tcpdump)" >&2; exit 2; }
out=$(mktemp -d /tmp/portolan-rate.XXXXXX)
cleanup() { bash "$lab" down "$name" >/dev/null 2>&1 || true; rm -rf "$out"; }
trap cleanup EXIT
bash "$lab" down "$name" >/dev/null 2>&1 || true
bash "$lab" up "$name"
java_bin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java

echo "| asked pps | probes | achieved pps | error | largest burst in 10 ms |"
echo "|-----------|--------|--------------|-------|------------------------|"
for c in "${cases[@]}"; do
  rate=${c%%:*}; probes=${c##*:}
  # probes = hosts x ports within 198.18.0.0/16
  k=$(( (probes + 65535) / 65536 )); hosts=$(( probes / k )); probes=$(( hosts * k ))
  last=$(( hosts - 1 ))
  range="198.18.0.0-198.18.$(( last / 256 )).$(( last % 256 ))"
  ip netns exec "$name-t" tcpdump -i veth0 -n -s 64 -B 65536 -w "$out/syn.pcap" 'tcp[tcpflags] == tcp-syn' 2>/dev/null &
  dump=$!
  sleep 1
  ip netns exec "$name-s" "$java_bin" --enable-native-access=ALL-UNNAMED -jar "$root/scanner/target/portolan.jar" \
    scan "$range" -p "80-$(( 79 + k ))" --rate "$rate" --retries 0 --wait 0.5 --no-validate -q -oL /dev/null
  sleep 1
  kill -INT "$dump"; wait "$dump" 2>/dev/null || true
  tcpdump -r "$out/syn.pcap" -n -tt 2>/dev/null | awk -v asked="$rate" -v want="$probes" '
    { t[NR] = $1 }
    END {
      n = NR; if (n < 2) { printf "| %s | %s | (%d SYNs captured) | | |\n", asked, want, n; exit }
      achieved = (n - 1) / (t[n] - t[1]);
      burst = 0; j = 1;
      for (i = 1; i <= n; i++) { while (t[i] - t[j] > 0.010) j++; if (i - j + 1 > burst) burst = i - j + 1 }
      printf "| %s | %d of %s | %.1f | %+.2f%% | %d |\n", asked, n, want, achieved, 100 * (achieved - asked) / asked, burst
    }'
done
