#!/usr/bin/env bash
# A real Kubernetes API server for the CRD tests, without Docker: apiextensions-apiserver (CRDs and
# custom resources only) on a real etcd, everything on 127.0.0.1. Facts behind it: shared/REAL-API.md.
#
#   real-api.sh build       build apiextensions-apiserver, etcd and kubectl into the cache (root; ~7 min,
#                           ~5 GB of disk while building, ~180 MB after). Skipped when the cache already
#                           holds three binaries that run (PORTOLAN_REAL_API_REBUILD=1 forces a rebuild).
#   real-api.sh start DIR   certificates, etcd, apiserver; waits until ready (<= 60 s); writes
#                           DIR/kubeconfig (client certs embedded; for fabric8 and kubectl), DIR/pids,
#                           DIR/env (ports, for scripts) and DIR/*.log; prints the kubeconfig path.
#   real-api.sh stop DIR    kills what start started, waits (bounded), removes DIR's etcd data.
#                           Always safe to call, twice or on a DIR that never started.
#   real-api.sh check       start in a temporary dir, CRD + custom resource + status with kubectl, stop.
#   real-api.sh kubectl DIR ARGS...  kubectl from the cache, with DIR's kubeconfig and a private cache dir.
#
# Environment: PORTOLAN_REAL_API_CACHE  the binaries' directory (default e2e/real-api/.cache/bin)
#              PORTOLAN_REAL_API_MIRROR Debian mirror for the build (default: the URIs: line of
#                                       /etc/apt/sources.list.d/debian.sources)
#              TMPDIR                   where the throwaway build chroot goes (default /var/tmp)
# Exit codes: 0 ok; 1 something ran and failed (logs are shown); 2 a step cannot be done here
# (not root, no packages, no disk, no binaries): one line on stderr, for CI to report and go on.
#
# kubectl against this server (kubectl 1.36; `check` exercises every line below):
# - The server has no root discovery (/api and /apis answer 404), so plain kubectl fails in every command
#   that maps a kind to a resource (apply, create -f, get KIND, patch, wait...) with "couldn't get current
#   server API group list: the server could not find the requested resource"; --validate=false does not
#   help.
# - The group endpoints do answer (/apis/GROUP, /apis/GROUP/VERSION). `real-api.sh kubectl DIR ARGS...`
#   writes them into kubectl's discovery cache (DIR/kube-cache/discovery/127.0.0.1_PORT/: servergroups.json
#   and GROUP/VERSION/serverresources.json, for every CRD's group, rewritten before each call) and runs
#   kubectl with --kubeconfig DIR/kubeconfig --cache-dir DIR/kube-cache. Then ordinary kubectl works:
#     kubectl apply --server-side -f crd.yaml                          (CRDs: client-side validated too)
#     kubectl wait --for=condition=Established crd/NAME --timeout=30s
#     kubectl apply --server-side --validate=false -f cr.yaml           (custom resources: see below)
#     kubectl get KIND [NAME] [-n NS] [-o yaml|jsonpath=...]  (printer columns shown); label; annotate
#     kubectl patch KIND NAME -n NS --type=merge -p '{"spec":...}'
#     kubectl apply --server-side --validate=false --field-manager=M [--force-conflicts] -f cr.yaml
#                   (another manager's field without --force-conflicts: "Apply failed with 1 conflict")
#     kubectl patch KIND NAME -n NS --subresource=status --type=merge -p '{"status":...}'
#     kubectl apply --server-side --validate=false --subresource=status --field-manager=M [--force-conflicts] -f s.yaml
#     kubectl delete KIND NAME -n NS
#   Custom resources need --validate=false (or =ignore): the server publishes no OpenAPI for CRD groups
#   (/openapi/v2 is 404, /openapi/v3 lists only apiextensions.k8s.io), so kubectl's own validation
#   fails with "failed to download openapi". The server still enforces the CRD schema (422 "Invalid
#   value"); only unknown fields are then pruned silently instead of refused (fieldValidation=Ignore).
# - Without the cache, raw requests with full API paths work (bodies must be JSON: kubectl sends the file
#   as it is, as application/json, and YAML is refused with 400):
#     kubectl get     --raw /apis/G/V/namespaces/NS/PLURAL[/NAME]
#     kubectl create  --raw /apis/G/V/namespaces/NS/PLURAL -f obj.json              (POST)
#     kubectl create  --raw /apis/apiextensions.k8s.io/v1/customresourcedefinitions -f crd.json
#     kubectl replace --raw /apis/G/V/namespaces/NS/PLURAL/NAME[/status] -f obj.json (PUT; carry the
#                     current metadata.resourceVersion)
#     kubectl delete  --raw /apis/G/V/namespaces/NS/PLURAL/NAME
#   kubectl has no raw PATCH; curl with DIR/env's client certificate can send one by hand.
# - `kubectl version` prints the server as v0.0.0-master (built without version stamps) and exits 1;
#   `kubectl get --raw /version` says 1.36.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${PORTOLAN_REAL_API_CACHE:-$here/.cache/bin}
bins=(apiextensions-apiserver etcd kubectl)

say() { echo "real-api: $*" >&2; }

# Clean-ups run on any exit, last pushed first: every command pushes what it must undo if it fails.
cleanups=()
cleanup_push() { cleanups+=("$1"); }
cleanup_pop() { unset 'cleanups[${#cleanups[@]}-1]'; }
run_cleanups() {
  local i
  for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[i]}" >/dev/null 2>&1 || true; done
  cleanups=()
}
trap run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
die() { echo "real-api: $*" >&2; exit 2; }
fail() { echo "real-api: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- build

# Each binary answers a harmless question within 20 s.
binaries_run() {
  local b
  for b in "${bins[@]}"; do [ -x "$cache/$b" ] || return 1; done
  timeout 20 "$cache/etcd" --version >/dev/null 2>&1 || return 1
  timeout 20 "$cache/kubectl" version --client >/dev/null 2>&1 || return 1
  timeout 20 "$cache/apiextensions-apiserver" --help >/dev/null 2>&1 || return 1
}

debian_mirror() {
  if [ -n "${PORTOLAN_REAL_API_MIRROR:-}" ]; then echo "$PORTOLAN_REAL_API_MIRROR"; return; fi
  local f=/etc/apt/sources.list.d/debian.sources uri
  [ -r "$f" ] || return 1
  # The first URIs: line that is not the security archive.
  uri=$(sed -n 's/^[Uu][Rr][Ii][Ss]:[[:space:]]*//p' "$f" | tr '[:blank:]' '\n' \
        | grep -v -e '^$' -e 'security' | head -n1)
  [ -n "$uri" ] && echo "$uri"
}

# Mount points at or below $1, deepest first.
mounts_under() {
  local root=$1
  awk -v r="$root" '{ gsub(/\\040/, " ", $5); if ($5 == r || index($5, r "/") == 1) print $5 }' \
    /proc/self/mountinfo | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-
}

# Removes the build chroot, never through a mount: unmount what is left, refuse if that fails.
remove_chroot() {
  local root=$1 m left
  [ -n "$root" ] && [ -d "$root" ] || return 0
  case "$root" in /|/tmp|/var/tmp|/usr|/work) return 1 ;; esac
  for m in $(mounts_under "$root"); do
    say "unmounting $m before removing the chroot"
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  left=$(mounts_under "$root")
  if [ -n "$left" ]; then
    echo "real-api: still mounted under $root, not removing it: $left" >&2
    return 1
  fi
  rm -rf --one-file-system "$root"
}

# Runs a shell command in the chroot with a clean environment, bounded by $1 seconds.
in_chroot() {
  local secs=$1; shift
  timeout --kill-after=30 "$secs" chroot "$root" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    /bin/sh -ec "$1"
}

cmd_build() {
  if [ "${PORTOLAN_REAL_API_REBUILD:-0}" != 1 ] && binaries_run; then
    say "cache $cache already holds ${bins[*]}, and they run: nothing to build"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "build needs root (debootstrap and chroot)"
  command -v chroot >/dev/null || die "build needs chroot(8)"

  local start=$SECONDS mirror work free_kb
  mirror=$(debian_mirror) || die "no Debian mirror: set PORTOLAN_REAL_API_MIRROR (no URIs: line in /etc/apt/sources.list.d/debian.sources)"

  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap on the host"
    timeout 300 apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends debootstrap \
      >/dev/null 2>&1 || die "cannot install debootstrap on the host (apt-get install debootstrap failed)"
  fi

  work=${TMPDIR:-/var/tmp}
  mkdir -p "$work" "$cache"
  free_kb=$(df -Pk "$work" | awk 'NR==2 { print $4 }')
  [ "${free_kb:-0}" -ge $((6 * 1024 * 1024)) ] \
    || die "need 6 GB free in $work for the build chroot, have $((free_kb / 1024)) MB (set TMPDIR)"

  root=$(mktemp -d "$work/portolan-real-api-build.XXXXXX")
  chmod 0755 "$root"  # the chroot's /: apt's _apt user must reach its download directories
  local log=$root.log
  : >"$log"
  # The chroot goes whatever happens (the log too: its tail is shown when a step fails).
  cleanup_push "remove_chroot '$root'; rm -f '$log'"
  step_fail() { tail -n 25 "$log" >&2; die "$1"; }

  say "[1/6] debootstrap --variant=minbase sid from $mirror into $root (a few minutes)"
  timeout --kill-after=30 1800 debootstrap --variant=minbase sid "$root" "$mirror" >>"$log" 2>&1 \
    || step_fail "debootstrap of Debian sid failed (mirror $mirror): cannot build the real API server here"
  # debootstrap unmounts what it mounted; make sure.
  [ -z "$(mounts_under "$root")" ] || say "warning: debootstrap left mounts under $root: $(mounts_under "$root" | tr '\n' ' ')"

  say "[2/6] apt-get install golang-go golang-k8s-apiextensions-apiserver-dev kubectl (in the chroot)"
  cat >"$root/etc/apt/apt.conf.d/99portolan" <<'EOF'
// The archive is a frozen snapshot whose sid Release file has expired.
Acquire::Check-Valid-Until "false";
Acquire::Check-Date "false";
Acquire::Languages "none";
EOF
  [ -s "$root/etc/resolv.conf" ] || cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  in_chroot 900 'apt-get update -q' >>"$log" 2>&1 || step_fail "apt-get update in the sid chroot failed"
  in_chroot 1800 'apt-get install -y -q --no-install-recommends golang-go golang-k8s-apiextensions-apiserver-dev kubectl' \
    >>"$log" 2>&1 \
    || step_fail "sid packages golang-go, golang-k8s-apiextensions-apiserver-dev or kubectl unavailable (apt-get install failed)"

  say "[3/6] apt-get download etcd-server; dpkg-deb -x (its post-install script needs /proc)"
  in_chroot 900 'rm -rf /tmp/dl /tmp/etcd; mkdir -p /tmp/dl /tmp/etcd; chown _apt /tmp/dl; cd /tmp/dl
                 apt-get download etcd-server; dpkg-deb -x etcd-server_*.deb /tmp/etcd
                 test -x /tmp/etcd/usr/bin/etcd' >>"$log" 2>&1 \
    || step_fail "sid package etcd-server unavailable (apt-get download etcd-server failed)"

  say "[4/6] go build k8s.io/apiextensions-apiserver in GOPATH mode (several minutes)"
  local goroot=/usr/lib/go-1.27
  if [ ! -x "$root$goroot/bin/go" ]; then
    goroot=$(cd "$root/usr/lib" && ls -d go-1.* 2>/dev/null | sort -V | tail -n1)
    [ -n "$goroot" ] || step_fail "no Go toolchain under /usr/lib/go-* in the chroot"
    goroot=/usr/lib/$goroot
    say "note: $goroot instead of /usr/lib/go-1.27"
  fi
  in_chroot 2400 "cd /tmp && GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOTOOLCHAIN=local \
      CGO_ENABLED=0 GOROOT=$goroot GOCACHE=/tmp/go-cache GOFLAGS= \
      $goroot/bin/go build -trimpath -ldflags='-s -w' -o /tmp/apiextensions-apiserver k8s.io/apiextensions-apiserver" \
    >>"$log" 2>&1 || step_fail "go build k8s.io/apiextensions-apiserver failed in the sid chroot"

  local used_mb
  used_mb=$(du -sxm "$root" | cut -f1)
  say "[5/6] copying the binaries to $cache (the chroot holds $used_mb MB)"
  {
    echo "# built $(date -u +%FT%TZ) from Debian sid at $mirror ($goroot)"
    in_chroot 60 "dpkg-query -W -f='\${Package} \${Version}\n' golang-go golang-k8s-apiextensions-apiserver-dev kubectl"
    echo "etcd-server $(cd "$root/tmp/dl" && ls etcd-server_*.deb | sed 's/^etcd-server_//; s/_[^_]*\.deb$//; s/%3a/:/')"
  } >"$cache/VERSIONS.new" 2>>"$log" || step_fail "cannot read the package versions in the chroot"
  install -m 0755 "$root/tmp/apiextensions-apiserver" "$cache/apiextensions-apiserver.new"
  install -m 0755 "$root/tmp/etcd/usr/bin/etcd" "$cache/etcd.new"
  install -m 0755 "$root/usr/bin/kubectl" "$cache/kubectl.new"
  local b
  for b in "${bins[@]}" VERSIONS; do mv -f "$cache/$b.new" "$cache/$b"; done

  say "[6/6] removing the chroot"
  cleanup_pop
  remove_chroot "$root" || die "could not remove the build chroot $root (something is still mounted)"
  rm -f "$log"

  binaries_run || fail "the built binaries do not run on this host"
  say "built in $((SECONDS - start)) s (peak chroot $used_mb MB); $(du -sm "$cache" | cut -f1) MB in $cache:"
  sed 's/^/real-api:   /' "$cache/VERSIONS" >&2
}

# ---------------------------------------------------------------------------------------- start/stop

need_binaries() {
  local b
  for b in "${bins[@]}"; do
    [ -x "$cache/$b" ] || die "no $b in $cache: run '$0 build' first"
  done
}

# A TCP port nothing listens on (any address), not among those already chosen ($@).
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    case " $* " in *" $p "*) continue ;; esac
    if [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then echo "$p"; return 0; fi
  done
  return 1
}

# Is PID alive and one of ours (its command line mentions DIR)?
ours() {
  local pid=$1 dir=$2
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/"
}

make_certs() {
  local d=$1
  (
    cd "$d"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.crt \
      -subj "/CN=portolan-real-api-ca" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >server.ext
    openssl x509 -req -sha256 -days 3650 -in server.csr -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
      -extfile server.ext -out server.crt
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout client.key -out client.csr -subj "/O=system:masters/CN=admin"
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >client.ext
    openssl x509 -req -sha256 -days 3650 -in client.csr -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
      -extfile client.ext -out client.crt
    rm -f server.csr client.csr server.ext client.ext
  ) >/dev/null 2>&1
}

write_kubeconfig() {
  local d=$1 port=$2
  umask 077
  cat >"$d/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: real-api
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $(base64 -w0 <"$d/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(base64 -w0 <"$d/client.crt")
    client-key-data: $(base64 -w0 <"$d/client.key")
contexts:
- name: real-api
  context:
    cluster: real-api
    user: admin
current-context: real-api
EOF
}

# GET over TLS with the client certificate; prints the HTTP status code.
http_code() {
  local d=$1 url=$2
  curl -s --noproxy '*' --max-time 3 --cacert "$d/ca.crt" --cert "$d/client.crt" --key "$d/client.key" \
    -o /dev/null -w '%{http_code}' "$url" 2>/dev/null || true
}

show_logs() {
  local d=$1 f
  for f in "$d/etcd.log" "$d/apiserver.log"; do
    [ -s "$f" ] || continue
    echo "---- last lines of $f" >&2
    tail -n 15 "$f" >&2
  done
}

cmd_start() {
  local d=${1:-}
  [ -n "$d" ] || die "usage: $0 start DIR"
  need_binaries
  command -v openssl >/dev/null || die "start needs openssl"
  command -v curl >/dev/null || die "start needs curl"
  command -v ss >/dev/null || die "start needs ss (iproute2)"
  mkdir -p "$d"
  d=$(cd "$d" && pwd)
  if [ -s "$d/pids" ]; then
    local name pid
    while read -r name pid; do
      if ours "$pid" "$d"; then die "$name (pid $pid) from $d is still running: '$0 stop $d' first"; fi
    done <"$d/pids"
  fi
  rm -rf "$d/etcd" "$d/pids"

  local cport pport mport sport
  if ! { cport=$(free_port) && pport=$(free_port "$cport") && mport=$(free_port "$cport" "$pport") \
          && sport=$(free_port "$cport" "$pport" "$mport"); }; then
    fail "no free loopback port found"
  fi

  make_certs "$d" || fail "openssl could not make the certificates in $d"
  write_kubeconfig "$d" "$sport"

  # Started in the caller's process group (so killing the group kills them too), detached from its
  # terminal and output. If start itself fails, it stops what it started.
  cleanup_push "cmd_stop '$d'"
  local etcd_url="http://127.0.0.1:$cport"
  "$cache/etcd" --name portolan --data-dir "$d/etcd" \
    --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "portolan=http://127.0.0.1:$pport" --initial-cluster-state new \
    --listen-metrics-urls "http://127.0.0.1:$mport" --log-outputs stderr --log-level warn \
    </dev/null >"$d/etcd.log" 2>&1 &
  echo "etcd $!" >"$d/pids"

  local i ok=""
  for i in $(seq 1 60); do
    if curl -s --noproxy '*' --max-time 2 "$etcd_url/health" 2>/dev/null | grep -q '"health":"true"'; then
      ok=1; break
    fi
    ours "$(awk '$1=="etcd"{print $2}' "$d/pids")" "$d" || break
    sleep 0.5
  done
  [ -n "$ok" ] || { show_logs "$d"; fail "etcd did not become healthy on $etcd_url within 30 s"; }

  "$cache/apiextensions-apiserver" \
    --etcd-servers="$etcd_url" \
    --bind-address=127.0.0.1 --secure-port="$sport" \
    --tls-cert-file="$d/server.crt" --tls-private-key-file="$d/server.key" \
    --client-ca-file="$d/ca.crt" \
    --authentication-skip-lookup \
    --kubeconfig="$d/kubeconfig" \
    --authentication-kubeconfig="$d/kubeconfig" \
    --authorization-kubeconfig="$d/kubeconfig" \
    --enable-priority-and-fairness=false \
    --disable-admission-plugins=NamespaceLifecycle,MutatingAdmissionPolicy,MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook \
    --cert-dir="$d/certs" \
    </dev/null >"$d/apiserver.log" 2>&1 &
  echo "apiserver $!" >>"$d/pids"

  local t0=$SECONDS code=""
  ok=""
  for i in $(seq 1 120); do
    code=$(http_code "$d" "https://127.0.0.1:$sport/readyz?exclude=informer-sync")
    if [ "$code" = 200 ]; then ok=1; break; fi
    ours "$(awk '$1=="apiserver"{print $2}' "$d/pids")" "$d" || break
    [ $((SECONDS - t0)) -lt 60 ] || break
    sleep 0.5
  done
  [ -n "$ok" ] || { show_logs "$d"; fail "apiserver not ready on https://127.0.0.1:$sport within 60 s (last /readyz: ${code:-none})"; }

  cat >"$d/env" <<EOF
REAL_API_URL=https://127.0.0.1:$sport
REAL_API_KUBECONFIG=$d/kubeconfig
REAL_API_CA=$d/ca.crt
REAL_API_CLIENT_CERT=$d/client.crt
REAL_API_CLIENT_KEY=$d/client.key
REAL_API_ETCD=$etcd_url
EOF
  cleanup_pop
  say "ready at https://127.0.0.1:$sport (etcd $etcd_url) in $((SECONDS - t0)) s"
  echo "$d/kubeconfig"
}

# Ends one process of ours: SIGTERM, up to 10 s, then SIGKILL, up to 5 s; then reaps it (when it is
# our child) and waits up to 5 s for whoever else reaps it, so that no zombie outlives stop.
stop_pid() {
  local pid=$1 d=$2 name=$3 i
  ours "$pid" "$d" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do ours "$pid" "$d" || break; sleep 0.1; done
  if ours "$pid" "$d"; then
    say "$name (pid $pid) did not stop within 10 s of SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do ours "$pid" "$d" || break; sleep 0.1; done
  fi
  ours "$pid" "$d" && { say "$name (pid $pid) survived SIGKILL"; return 1; }
  wait "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ] || break
    sleep 0.1
  done
}

cmd_stop() {
  local d=${1:-}
  [ -n "$d" ] || die "usage: $0 stop DIR"
  [ -d "$d" ] || return 0
  d=$(cd "$d" && pwd)
  local name pid rc=0
  if [ -s "$d/pids" ]; then
    # The apiserver first, then etcd (the file lists etcd first).
    while read -r name pid; do
      stop_pid "$pid" "$d" "$name" || rc=1
    done < <(tac "$d/pids")
    [ "$rc" = 0 ] && rm -f "$d/pids"
  fi
  rm -rf "$d/etcd" "$d/kube-cache"
  return "$rc"
}

# --------------------------------------------------------------------------------------------- check

# GET with the client certificate; fails on HTTP errors. (The server pretty-prints JSON for a user agent
# called curl; this one gets it compact.)
api_get() {
  local d=$1 path=$2
  # shellcheck disable=SC1091
  ( . "$d/env"
    curl -sf --noproxy '*' --max-time 10 -A portolan-real-api --cacert "$REAL_API_CA" \
      --cert "$REAL_API_CLIENT_CERT" --key "$REAL_API_CLIENT_KEY" "$REAL_API_URL$path" )
}

# Writes kubectl's discovery cache for DIR's server from the group endpoints (the root ones are 404).
seed_discovery() {
  local d=$1 url host dd tmp crds groups g gj gv list=""
  url=$(sed -n 's/^REAL_API_URL=//p' "$d/env")
  host=$(printf '%s' "${url#https://}" | sed 's/[^A-Za-z0-9_./]/_/g')
  dd=$d/kube-cache/discovery/$host
  mkdir -p "$d/kube-cache/discovery"
  tmp=$(mktemp -d "$d/kube-cache/discovery/.seed.XXXXXX")
  crds=$(api_get "$d" /apis/apiextensions.k8s.io/v1/customresourcedefinitions) || { rm -rf "$tmp"; return 1; }
  groups=$({ echo apiextensions.k8s.io; printf '%s' "$crds" | grep -o '"group": *"[^"]*"' | cut -d'"' -f4; } | sort -u)
  for g in $groups; do
    gj=$(api_get "$d" "/apis/$g") || continue  # a CRD not established yet
    list+=",$gj"
    for gv in $(printf '%s' "$gj" | grep -o '"groupVersion": *"[^"]*"' | cut -d'"' -f4 | sort -u); do
      mkdir -p "$tmp/$gv"
      api_get "$d" "/apis/$gv" >"$tmp/$gv/serverresources.json" || rm -rf "${tmp:?}/$gv"
    done
  done
  printf '{"kind":"APIGroupList","apiVersion":"v1","groups":[%s]}\n' "${list#,}" >"$tmp/servergroups.json"
  rm -rf "$dd"
  mv "$tmp" "$dd" 2>/dev/null || rm -rf "$tmp"
}

# kubectl for DIR's server, with discovery seeded, bounded in time.
kc() {
  local d=$1; shift
  seed_discovery "$d" || fail "cannot read the CRDs of the server in $d"
  timeout 60 "$cache/kubectl" --kubeconfig "$d/kubeconfig" --cache-dir "$d/kube-cache" --request-timeout=30s "$@"
}

# Runs kc and requires its output to match an extended regexp: expect DIR REGEXP WHAT KUBECTL-ARGS...
expect() {
  local d=$1 pat=$2 what=$3 out; shift 3
  out=$(kc "$d" "$@" 2>&1) || true
  if ! printf '%s' "$out" | tr -d '\n' | grep -qE -- "$pat"; then
    echo "real-api: check: $what: kubectl $* gave:" >&2
    printf '%s\n' "$out" | head -n 15 >&2
    exit 1
  fi
  say "check: $what: kubectl $*"
}

cmd_check() {
  need_binaries
  local d t0=$SECONDS
  d=$(mktemp -d "${TMPDIR:-/tmp}/portolan-real-api-check.XXXXXX")
  cleanup_push "cmd_stop '$d'; rm -rf '$d'"
  cmd_start "$d" >/dev/null
  # shellcheck disable=SC1091
  . "$d/env"

  # Everything that start started listens on 127.0.0.1 only.
  local pids listen code
  pids=$(awk '{ print $2 }' "$d/pids" | paste -sd'|')
  listen=$(ss -Htlnp 2>/dev/null | grep -E "pid=($pids)," | awk '{ print $4 }' | sort -u | tr '\n' ' ' || true)
  [ -n "$listen" ] || fail "check: cannot see the servers' listening sockets"
  if printf '%s' "$listen" | tr ' ' '\n' | grep -v '^$' | grep -qv '^127\.0\.0\.1:'; then
    fail "check: something listens beyond 127.0.0.1: $listen"
  fi
  say "check: listening only on $listen"
  code=$(curl -s --noproxy '*' --max-time 3 --cacert "$REAL_API_CA" -o /dev/null -w '%{http_code}' \
    "$REAL_API_URL/apis/apiextensions.k8s.io" || true)
  say "check: GET /apis -> $(http_code "$d" "$REAL_API_URL/apis"), /api -> $(http_code "$d" "$REAL_API_URL/api"), /apis/apiextensions.k8s.io -> $(http_code "$d" "$REAL_API_URL/apis/apiextensions.k8s.io") ($code without the client certificate)"

  # The CRD, by server-side apply.
  kc "$d" apply --server-side -f - >/dev/null <<'EOF' || fail "check: kubectl apply --server-side of the CRD failed"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.check.portolan.dev
spec:
  group: check.portolan.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Phase, type: string, jsonPath: .status.phase}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties: {size: {type: integer, minimum: 1}}
          status:
            type: object
            properties: {phase: {type: string}}
EOF
  say "check: CRD applied: kubectl apply --server-side -f -"
  expect "$d" 'condition met' "CRD established" wait --for=condition=Established crd/widgets.check.portolan.dev --timeout=30s

  # A custom resource. The first write to a new CRD can take a moment: a few bounded tries.
  local out="" w1='apiVersion: check.portolan.dev/v1
kind: Widget
metadata: {name: w1, namespace: check}
spec: {size: 3}'
  for _ in $(seq 1 10); do
    out=$(printf '%s\n' "$w1" | kc "$d" apply --server-side --validate=false -f - 2>&1) && break
    out=""; sleep 1
  done
  [ -n "$out" ] || fail "check: kubectl apply --server-side --validate=false of the custom resource failed"
  say "check: custom resource applied: kubectl apply --server-side --validate=false -f -"
  expect "$d" '^3$' "read back" get widget w1 -n check -o 'jsonpath={.spec.size}'
  expect "$d" 'NAME +SIZE +PHASE.*w1 +3' "printer columns" get widgets -n check
  expect "$d" '"size": *3' "read back raw" get --raw /apis/check.portolan.dev/v1/namespaces/check/widgets/w1
  expect "$d" 'Invalid value.*greater than or equal to 1' "schema enforced (422)" \
    patch widget w1 -n check --type=merge -p '{"spec":{"size":0}}'
  out=$(printf '%s\n' "${w1/size: 3/size: 4}" \
    | kc "$d" apply --server-side --validate=false --field-manager=other -f - 2>&1) \
    && fail "check: a conflicting server-side apply without --force-conflicts was accepted"
  printf '%s' "$out" | grep -q 'conflict' || fail "check: unexpected refusal: $out"
  say "check: field-manager conflict (409): kubectl apply --server-side --validate=false --field-manager=other -f -"

  # Status: merge patch, then server-side apply by another field manager.
  expect "$d" 'patched' "status merge patch" \
    patch widget w1 -n check --subresource=status --type=merge -p '{"status":{"phase":"Ready"}}'
  expect "$d" '^Ready$' "status read back" get widget w1 -n check -o 'jsonpath={.status.phase}'
  out=$(printf '%s\n' 'apiVersion: check.portolan.dev/v1' 'kind: Widget' 'metadata: {name: w1, namespace: check}' \
      'status: {phase: Done}' \
    | kc "$d" apply --server-side --validate=false --subresource=status --field-manager=check-status --force-conflicts -f - 2>&1) \
    || fail "check: kubectl apply --server-side --subresource=status failed: $out"
  say "check: status applied: kubectl apply --server-side --validate=false --subresource=status --field-manager=check-status --force-conflicts -f -"
  expect "$d" '^Done$' "status read back" get widget w1 -n check -o 'jsonpath={.status.phase}'
  expect "$d" 'check-status' "status field manager recorded" \
    get widget w1 -n check --show-managed-fields -o 'jsonpath={.metadata.managedFields[*].manager}'
  expect "$d" '^1$' "generation unchanged by status writes" get widget w1 -n check -o 'jsonpath={.metadata.generation}'

  # The raw forms, which need no discovery at all.
  printf '%s' '{"apiVersion":"check.portolan.dev/v1","kind":"Widget","metadata":{"name":"w2"},"spec":{"size":2}}' >"$d/w2.json"
  expect "$d" '"name": *"w2"' "raw create (POST)" create --raw /apis/check.portolan.dev/v1/namespaces/check/widgets -f "$d/w2.json"
  local rv
  rv=$(kc "$d" get widget w1 -n check -o 'jsonpath={.metadata.resourceVersion}') || fail "check: no resourceVersion"
  printf '{"apiVersion":"check.portolan.dev/v1","kind":"Widget","metadata":{"name":"w1","namespace":"check","resourceVersion":"%s"},"spec":{"size":3},"status":{"phase":"Replaced"}}' \
    "$rv" >"$d/w1-status.json"
  expect "$d" '"phase": *"Replaced"' "raw status replace (PUT)" \
    replace --raw /apis/check.portolan.dev/v1/namespaces/check/widgets/w1/status -f "$d/w1-status.json"
  expect "$d" 'deleted' "delete" delete widget w1 -n check --timeout=30s
  expect "$d" '"name": *"w2"|"status": *"Success"' "raw delete" delete --raw /apis/check.portolan.dev/v1/namespaces/check/widgets/w2

  local pidlist p
  pidlist=$(awk '{ print $2 }' "$d/pids")
  cmd_stop "$d"
  for p in $pidlist; do
    [ -d "/proc/$p" ] && fail "check: pid $p still exists after stop"
  done
  cleanup_pop
  rm -rf "$d"
  say "check: OK in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------------------------- main

cmd=${1:-}
case "$cmd" in
  build) cmd_build ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  check) cmd_check ;;
  kubectl)
    shift; [ -n "${1:-}" ] || die "usage: $0 kubectl DIR ARGS..."
    need_binaries; d=$(cd "$1" && pwd); shift
    [ -s "$d/env" ] || die "$d has no running server ('$0 start $d' first)"
    seed_discovery "$d" || fail "cannot read the CRDs of the server in $d (is it running?)"
    exec "$cache/kubectl" --kubeconfig "$d/kubeconfig" --cache-dir "$d/kube-cache" "$@" ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2 ;;
esac
