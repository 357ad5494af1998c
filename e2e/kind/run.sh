#!/usr/bin/env bash
# Portolan end to end on a kind cluster (needs Docker, kind, kubectl and helm; not run in CI, which
# has no Docker engine — e2e/src/test/.../EndToEndInLabIT is the test that runs everywhere).
#
#   e2e/kind/run.sh          build the image, create the cluster, install the chart, scan, check
#   e2e/kind/run.sh check    only apply the policy again and check (cluster already up)
#   e2e/kind/run.sh down     delete the cluster
#
# What it checks: the chart installs and its pods become ready under the restricted RBAC; the
# operator resolves the pod selector and splits the run over the two workers' agents; the agents'
# raw SYN probes and validation reach pods across nodes; the report names nginx on 80 and OpenSSH
# on 2222 with their versions, and flags 2222 as a violation of the policy's expectations.
# Everything stays inside the kind cluster: the policy's scope is two pod IPs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cluster=portolan-e2e
release=portolan
ns=portolan-system
image=portolan:kind
kubectl="kubectl --context kind-$cluster"

say() { printf '\n== %s\n' "$*"; }
die() { echo "kind e2e: $*" >&2; exit 1; }

# Bounded wait: wait_for SECONDS DESCRIPTION COMMAND...
wait_for() {
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${secs}s waiting for $what"
    sleep 3
  done
}

need() { command -v "$1" >/dev/null || die "needs $1 on PATH"; }

up() {
  for tool in docker kind kubectl helm; do need "$tool"; done
  say "build the jars and the image"
  (cd "$root" && ./mvnw -q package -DskipTests)
  docker build -t "$image" "$root"

  say "create the cluster"
  if ! kind get clusters | grep -x "$cluster" >/dev/null; then
    kind create cluster --config "$here/cluster.yaml" --wait 120s
  fi
  # With Docker's containerd image store, `kind load docker-image` can fail with "content digest
  # not found" (kind#3795); loading a saved archive works everywhere.
  docker save "$image" -o "$root/e2e/kind/.image.tar"
  kind load image-archive "$root/e2e/kind/.image.tar" --name "$cluster"
  rm -f "$root/e2e/kind/.image.tar"

  say "install the chart"
  $kubectl create namespace "$ns" --dry-run=client -o yaml | $kubectl apply -f -
  # The agents use the node's network and NET_RAW: the namespace must allow it.
  $kubectl label namespace "$ns" pod-security.kubernetes.io/enforce=privileged --overwrite
  helm --kube-context "kind-$cluster" upgrade --install "$release" "$root/charts/portolan" \
    --namespace "$ns" --set image.tag=kind --set image.pullPolicy=Never \
    --set guard.allowedCidrs='{10.244.0.0/16}' --wait --timeout 5m
  $kubectl -n "$ns" rollout status deploy/"$release"-operator --timeout=180s
  $kubectl -n "$ns" rollout status ds/"$release"-scanner --timeout=180s

  say "start the targets"
  $kubectl apply -f "$here/targets.yaml"
  $kubectl -n portolan-targets rollout status deploy/web --timeout=300s
  $kubectl -n portolan-targets rollout status deploy/ssh --timeout=300s
}

report_json() {
  $kubectl -n portolan-targets get scanreports -l 'portolan.dev/policy=kind-e2e,!portolan.dev/page' -o json
}

accepted() {
  $kubectl -n portolan-targets get scanpolicy kind-e2e \
    -o jsonpath='{.status.conditions[?(@.type=="Accepted")].status}' | grep -qx True
}

finished() {
  report_json | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
sys.exit(0 if items and items[0].get("status", {}).get("phase") in ("Succeeded", "PartiallySucceeded", "Failed") else 1)'
}

check_report() {
  report_json | WEB="$web_ip" SSH="$ssh_ip" python3 -c '
import json, os, sys
report = json.load(sys.stdin)["items"][0]
status, spec = report["status"], report["spec"]
problems = []
def expect(ok, what):
    if not ok: problems.append(what)
expect(status.get("phase") == "Succeeded", "phase is %s (%s)" % (status.get("phase"), status.get("message")))
shards = status.get("shards", {})
expect(len({s.get("node") for s in shards.values()}) == 2, "two agents ran a shard each: %s" % shards)
found = {(f["ip"], f["port"]): f for f in status.get("findings", [])}
expect(set(found) == {(os.environ["WEB"], 80), (os.environ["SSH"], 2222)}, "findings are web:80 and ssh:2222, got %s" % sorted(found))
web, ssh = found.get((os.environ["WEB"], 80), {}), found.get((os.environ["SSH"], 2222), {})
expect(web.get("service") == "http" and web.get("product") == "nginx" and web.get("version", "").startswith("1.27"), "nginx 1.27 on 80: %s" % web)
expect(ssh.get("service") == "ssh" and ssh.get("product") == "OpenSSH" and ssh.get("version"), "OpenSSH with a version on 2222: %s" % ssh)
violations = status.get("violations", [])
expect([(v.get("ip"), v.get("port")) for v in violations] == [(os.environ["SSH"], 2222)], "one violation, ssh:2222: %s" % violations)
expect(spec.get("audit", {}).get("purpose", "").startswith("Portolan kind"), "the audit record names the purpose: %s" % spec.get("audit"))
for p in problems: print("FAIL:", p)
print(json.dumps({"phase": status.get("phase"), "summary": status.get("summary"), "findings": list(found.values()), "violations": violations}, indent=2))
sys.exit(1 if problems else 0)'
}

check() {
  need python3
  say "apply the policy"
  $kubectl -n portolan-targets delete scanpolicy kind-e2e --ignore-not-found --wait=true --timeout=120s
  $kubectl apply -f "$here/policy.yaml"
  wait_for 60 "the policy to be accepted" accepted

  say "wait for the report"
  wait_for 300 "a finished report" finished

  web_ip=$($kubectl -n portolan-targets get pod -l app=web -o jsonpath='{.items[0].status.podIP}')
  ssh_ip=$($kubectl -n portolan-targets get pod -l app=ssh -o jsonpath='{.items[0].status.podIP}')
  say "check the report (web $web_ip, ssh $ssh_ip)"
  # The phase can be final a moment before the last page's findings are aggregated: the check is
  # retried (bounded) before it fails.
  local tries=0
  until check_report; do
    tries=$((tries + 1))
    [ "$tries" -lt 10 ] || die "the report does not match the targets (see FAIL lines above)"
    sleep 3
  done
  say "kind end to end: passed"
}

down() {
  need kind
  kind delete cluster --name "$cluster"
}

case "${1:-all}" in
  all) up; check ;;
  up) up ;;
  check) check ;;
  down) down ;;
  *) die "usage: run.sh [all|up|check|down]" ;;
esac
