#!/usr/bin/env bash
# A Kubernetes API server with the core API, RBAC, admission and CRDs, on a real etcd, built from
# Debian's packages (no Docker): Portolan's real-API test tier. Kubernetes' own server libraries
# (generic API machinery, apiextensions, admission with ValidatingAdmissionPolicy, TokenRequest)
# behind "coreapi", a small stand-in for kube-apiserver written for this purpose; what it has and
# lacks: e2e/kubeapi/README.md. Everything binds to 127.0.0.1.
#
#   kubeapi.sh build         build coreapi, etcd and kubectl into the cache (root; ~4.5 min, ~5 GB of
#                            disk while building in a throwaway Debian sid chroot, ~180 MB kept).
#                            Skipped when the cache holds all three (PORTOLAN_KUBEAPI_REBUILD=1 forces).
#   kubeapi.sh start DIR     certificates, etcd, server on free loopback ports; waits until ready;
#                            writes DIR/admin.kubeconfig (system:masters), DIR/env (ports) and logs.
#   kubeapi.sh stop DIR      kills exactly what start started (by PID), removes DIR's etcd data.
#                            Always safe to call, twice or on a DIR that never started.
#   kubeapi.sh verify DIR    the server's own self-test (49 checks) against a started DIR.
#   kubeapi.sh kubectl DIR ARGS...   kubectl from the cache with DIR's admin kubeconfig.
#   kubeapi.sh token DIR NS SA       a service account token (TokenRequest), printed.
#
# Environment: PORTOLAN_KUBEAPI_CACHE   the binaries' directory (default e2e/kubeapi/.cache/bin)
#              PORTOLAN_KUBEAPI_MIRROR  Debian mirror for the build (default: from apt's sources)
#              TMPDIR                   where the build chroot goes (default /var/tmp)
#              KUBEAPI_EXTRA_FLAGS      extra server flags; KUBEAPI_ETCD_EXTRA extra etcd flags
# Exit codes: 0 ok; 1 something ran and failed (logs shown); 2 a step cannot be done here (not root,
# no binaries, no disk): one line on stderr, for CI to report loudly and go on.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${PORTOLAN_KUBEAPI_CACHE:-$here/.cache/bin}
GO_PKGS="golang-go golang-k8s-apiextensions-apiserver-dev golang-k8s-apiserver-dev golang-k8s-client-go-dev
  golang-k8s-api-dev golang-k8s-apimachinery-dev golang-k8s-component-base-dev golang-k8s-kube-openapi-dev
  golang-k8s-sigs-structured-merge-diff-v6-dev golang-github-golang-jwt-jwt-v5-dev golang-github-spf13-cobra-dev kubectl"

# Per server directory (start/stop/verify/kubectl): set by use_dir.
use_dir() {
  [ -n "${1:-}" ] || cannot "give the server's directory: $0 ${CMD:-start} DIR"
  mkdir -p "$1"
  RUN=$(cd "$1" && pwd)
  PKI=$RUN/pki
  KUBECONFIG_OUT=$RUN/admin.kubeconfig
  if [ -s "$RUN/env" ]; then
    # shellcheck disable=SC1091
    . "$RUN/env"
  fi
  PORT=${PORT:-}
  ETCD_PORT=${ETCD_PORT:-}
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

cannot() { echo "kubeapi: $*" >&2; exit 2; }

log() { printf '[kubeapi %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
KUBEAPI_HOME=${TMPDIR:-/var/tmp}/portolan-kubeapi-build
ROOT=$KUBEAPI_HOME/sid-root
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1fs", b-a}'; }

debian_mirror() {
  local m=""
  [ -r /etc/apt/sources.list.d/debian.sources ] &&
    m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  [ -z "$m" ] && [ -r /etc/apt/sources.list ] &&
    m=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if($i ~ /^https?:/){print $i; exit}}' /etc/apt/sources.list)
  [ -n "$m" ] || die "cannot find the Debian mirror in the apt configuration"
  echo "$m"
}

# Re-checks, every build, that Debian still ships no kube-apiserver source (cheap: one 2.4 MB .deb).
probe_debian_kubernetes() {
  local d=$ROOT/build/probe
  rm -rf "$d"; mkdir -p "$d"
  chroot "$ROOT" sh -c 'cd /build/probe && chown _apt . && apt-get download -qq golang-k8s-kubectl-dev >/dev/null 2>&1 && dpkg-deb -x golang-k8s-kubectl-dev_*.deb x' ||
    { log "probe: could not fetch golang-k8s-kubectl-dev (skipped)"; return 0; }
  local ver excl
  ver=$(dpkg-deb -f "$d"/golang-k8s-kubectl-dev_*.deb Version 2>/dev/null || true)
  excl=$(awk '/^Files-Excluded:/{f=1; sub(/^Files-Excluded:/,"")} f&&/^$/{exit} f' "$d"/x/usr/share/doc/golang-k8s-kubectl-dev/copyright |
    tr -s ' \n' '\n\n' | grep -xE 'cmd/kube-(apiserver|controller-manager|scheduler)|pkg|plugin|vendor' | tr '\n' ' ' || true)
  log "probe: Debian src:kubernetes $ver Files-Excluded contains: ${excl:-<none of cmd/kube-*, pkg, plugin, vendor>}"
  if [ -z "$excl" ]; then
    log "probe: NOTE the kubernetes +ds tarball may now include the kube-apiserver source: see kubeapi-NOTES.md"
  fi
  rm -rf "$d"
}

# ---------------------------------------------------------------- build
# What the binaries were built from: this script (the server's Go source is in it). A cache built
# from another version is rebuilt by build and refused by start, never used silently.
source_stamp() {
  echo "source $(sha256sum "$here/kubeapi.sh" | cut -c1-16)"
}

cmd_build() {
  if [ "${PORTOLAN_KUBEAPI_REBUILD:-0}" != 1 ] && [ -x "$BIN/coreapi" ] && [ -x "$BIN/etcd" ] && [ -x "$BIN/kubectl" ] \
    && "$BIN/etcd" --version >/dev/null 2>&1 && grep -qx "$(source_stamp)" "$BIN/VERSIONS" 2>/dev/null; then
    log "build: binaries already in $BIN (delete them to rebuild)"; return 0
  fi
  [ "$(id -u)" = 0 ] || cannot "build needs root (debootstrap and chroot)"
  local avail; avail=$(df -Pk "${TMPDIR:-/var/tmp}" | awk 'NR==2{print $4}')
  [ "${avail:-0}" -ge 6000000 ] || cannot "build needs about 6 GB free in ${TMPDIR:-/var/tmp}, found $((avail / 1024)) MB"
  local t0 t; t0=$(now)
  mkdir -p "$BIN"

  t=$(now)
  if ! command -v debootstrap >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  log "step host-debootstrap-install: $(since "$t") ($(dpkg-query -W -f='${Version}' debootstrap))"

  local mirror; mirror=${PORTOLAN_KUBEAPI_MIRROR:-$(debian_mirror)}
  t=$(now)
  if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    rm -rf "$ROOT"
    mkdir -p "$KUBEAPI_HOME"
    debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
      sid "$ROOT" "$mirror" > "$KUBEAPI_HOME/debootstrap.log" 2>&1 ||
      { tail -20 "$KUBEAPI_HOME/debootstrap.log"; die "debootstrap sid failed"; }
  fi
  log "step debootstrap-sid: $(since "$t")"

  t=$(now)
  # the archive here may be a frozen snapshot whose sid Release file is already "expired"
  echo 'Acquire::Check-Valid-Until "false";' > "$ROOT/etc/apt/apt.conf.d/99no-check-valid-until"
  chroot "$ROOT" apt-get update -qq
  # shellcheck disable=SC2086
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $GO_PKGS > "$KUBEAPI_HOME/apt.log" 2>&1 ||
    { tail -20 "$KUBEAPI_HOME/apt.log"; die "apt-get install in chroot failed"; }
  # etcd-server is NOT apt-installed: its postinst needs /proc (systemd-tmpfiles) -> fetch + unpack only
  mkdir -p "$ROOT/build/debs" && rm -rf "$ROOT/build/debs/"*
  chroot "$ROOT" sh -c 'cd /build/debs && chown _apt . && apt-get download -qq etcd-server && dpkg-deb -x etcd-server_*.deb x'
  log "step apt-install-in-chroot: $(since "$t")"
  probe_debian_kubernetes

  t=$(now)
  mkdir -p "$ROOT/build/gopath/src/coreapi"
  write_go_source > "$ROOT/build/gopath/src/coreapi/main.go"
  local goroot; goroot=$(chroot "$ROOT" sh -c 'readlink -f /usr/lib/go')
  local kver; kver=$(chroot "$ROOT" dpkg-query -W -f='${Version}' golang-k8s-apiserver-dev | sed -E 's/^[0-9]+://; s/-[^-]*$//')
  local V=k8s.io/component-base/version
  # GOPATH mode against Debian's /usr/share/gocode; no /proc in the chroot: GOROOT is given explicitly
  chroot "$ROOT" env HOME=/root PATH=/usr/bin:/bin GOROOT="$goroot" GOTELEMETRY=off GOTOOLCHAIN=local \
    GOPROXY=off GOFLAGS= GO111MODULE=off GOPATH=/build/gopath:/usr/share/gocode GOCACHE=/build/gocache CGO_ENABLED=0 \
    "$goroot/bin/go" build -trimpath \
    -ldflags="-s -w -X $V.gitVersion=v1.${kver#0.}+coreapi -X $V.gitMajor=1 -X $V.gitMinor=$(echo "$kver" | cut -d. -f2) -X $V.gitTreeState=clean" \
    -o /build/coreapi coreapi 2>&1 | grep -v 'telemetry sidecar' >&2 || true
  [ -x "$ROOT/build/coreapi" ] || die "go build failed"
  log "step go-build: $(since "$t")"

  cp "$ROOT/build/coreapi" "$BIN/"
  cp "$ROOT/build/debs/x/usr/bin/etcd" "$BIN/"
  cp "$ROOT/usr/bin/kubectl" "$BIN/"
  {
    echo "built $(date -u +%FT%TZ) from Debian sid (coreapi stand-in, NOT kube-apiserver)"
    # shellcheck disable=SC2086
    chroot "$ROOT" dpkg-query -W -f='${Package} ${Version}\n' $GO_PKGS "golang-1.*-go" 2>/dev/null
    echo "etcd-server $(basename "$ROOT"/build/debs/etcd-server_*.deb .deb | cut -d_ -f2)"
    chroot "$ROOT" env GOROOT="$goroot" "$goroot/bin/go" version 2>/dev/null || true
    source_stamp
  } > "$BIN/VERSIONS"
  log "chroot disk use: $(du -sh "$ROOT" | cut -f1); bin: $(du -sh "$BIN" | cut -f1)"
  if [ "${KUBEAPI_KEEP_CHROOT:-0}" != 1 ]; then
    # nothing was ever mounted under $ROOT, so a plain rm is safe; refuse if something is
    if grep -q " $ROOT" /proc/mounts; then die "something is mounted under $ROOT, not deleting"; fi
    rm -rf "$ROOT"
  fi
  log "build done in $(since "$t0"); versions:"; cat "$BIN/VERSIONS" >&2
}

write_go_source() {
cat <<'EOF_GO'
// coreapi: a stand-in "core" Kubernetes API server built ONLY from Debian's golang-k8s-*-dev
// libraries (k8s.io/apiserver, k8s.io/api, k8s.io/client-go, k8s.io/apiextensions-apiserver).
//
// Debian does not ship the kube-apiserver source (k8s.io/kubernetes/pkg/... is excluded from the
// +ds tarball), so this program re-creates the *storage* side of the built-in API: every kind of
// the served group versions is stored as-is in etcd through k8s.io/apiserver's generic registry,
// chained in front of the real apiextensions-apiserver (CRDs, CEL, conversion), with the real
// admission plugins of k8s.io/apiserver (NamespaceLifecycle, ValidatingAdmissionPolicy, webhooks),
// a small RBAC authorizer, (Self)SubjectAccessReview and SelfSubjectReview.
// NOT re-created: defaulting and validation of built-in types (beyond metadata), any controller,
// Service IP allocation, service-account tokens, Pod Security admission.
package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/spf13/cobra"

	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextclientset "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apiextinformers "k8s.io/apiextensions-apiserver/pkg/client/informers/externalversions"
	"k8s.io/apiextensions-apiserver/pkg/cmd/server/options"
	"k8s.io/apiserver/pkg/endpoints/discovery"
	"k8s.io/client-go/tools/cache"
	extopenapi "k8s.io/apiextensions-apiserver/pkg/generated/openapi"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	"k8s.io/apiserver/pkg/authentication/request/union"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/client-go/util/keyutil"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/admission"
	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
	"k8s.io/component-base/cli"
	"k8s.io/klog/v2"
	openapicommon "k8s.io/kube-openapi/pkg/common"
	openapiutil "k8s.io/kube-openapi/pkg/util"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// ------------------------------------------------------------------ scheme

// served group -> version (one version per group: the internal "hub" type IS the versioned type)
var servedGroups = []schema.GroupVersion{
	{Group: "", Version: "v1"},
	{Group: "apps", Version: "v1"},
	{Group: "batch", Version: "v1"},
	{Group: "autoscaling", Version: "v2"},
	{Group: "policy", Version: "v1"},
	{Group: "coordination.k8s.io", Version: "v1"},
	{Group: "events.k8s.io", Version: "v1"},
	{Group: "rbac.authorization.k8s.io", Version: "v1"},
	{Group: "networking.k8s.io", Version: "v1"},
	{Group: "discovery.k8s.io", Version: "v1"},
	{Group: "admissionregistration.k8s.io", Version: "v1"},
	{Group: "scheduling.k8s.io", Version: "v1"},
	{Group: "storage.k8s.io", Version: "v1"},
	{Group: "node.k8s.io", Version: "v1"},
	{Group: "certificates.k8s.io", Version: "v1"},
	{Group: "authorization.k8s.io", Version: "v1"},
	{Group: "authentication.k8s.io", Version: "v1"},
}

// kinds that are not persisted resources (options, virtual types) or not served here
var skipKinds = map[string]bool{
	"List": true, "Binding": true, "RangeAllocation": true, "SerializedReference": true,
	"ComponentStatus": true, "Eviction": true, "Scale": true, "TokenRequest": true, "TokenReview": true,
	"SubjectAccessReview": true, "SelfSubjectAccessReview": true, "LocalSubjectAccessReview": true,
	"SelfSubjectRulesReview": true, "SelfSubjectReview": true,
}

var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"IngressClass": true, "ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true, "PriorityClass": true,
	"StorageClass": true, "CSIDriver": true, "CSINode": true, "VolumeAttachment": true,
	"RuntimeClass": true, "CertificateSigningRequest": true, "IPAddress": true, "ServiceCIDR": true,
	"VolumeAttributesClass": true, "ClusterTrustBundle": true,
}

var (
	Scheme         = runtime.NewScheme()
	Codecs         = serializer.NewCodecFactory(Scheme)
	ParameterCodec = runtime.NewParameterCodec(Scheme)
	// group version -> kind -> type, for the persisted kinds
	servedKinds = map[schema.GroupVersion]map[string]reflect.Type{}
)

func isList(kind string) bool { return strings.HasSuffix(kind, "List") }

func buildScheme() {
	for _, gv := range servedGroups {
		internal := schema.GroupVersion{Group: gv.Group, Version: runtime.APIVersionInternal}
		metav1.AddToGroupVersion(Scheme, gv)
		kinds := clientgoscheme.Scheme.KnownTypes(gv)
		servedKinds[gv] = map[string]reflect.Type{}
		for kind, t := range kinds {
			if !strings.HasPrefix(t.PkgPath(), "k8s.io/api/") {
				continue // metav1 options etc. are registered by AddToGroupVersion
			}
			Scheme.AddKnownTypeWithName(gv.WithKind(kind), reflect.New(t).Interface().(runtime.Object))
			Scheme.AddKnownTypeWithName(internal.WithKind(kind), reflect.New(t).Interface().(runtime.Object))
			if !isList(kind) && !skipKinds[kind] && !strings.HasSuffix(kind, "Options") {
				if _, hasList := kinds[kind+"List"]; hasList {
					servedKinds[gv][kind] = t
				}
			}
		}
		if err := Scheme.SetVersionPriority(gv); err != nil {
			panic(err)
		}
	}
	unversioned := schema.GroupVersion{Group: "", Version: "v1"}
	Scheme.AddUnversionedTypes(unversioned, &metav1.Status{}, &metav1.APIVersions{}, &metav1.APIGroupList{},
		&metav1.APIGroup{}, &metav1.APIResourceList{})
	// field selectors that clients commonly use
	must(Scheme.AddFieldLabelConversionFunc(corev1.SchemeGroupVersion.WithKind("Pod"), func(l, v string) (string, string, error) {
		switch l {
		case "metadata.name", "metadata.namespace", "spec.nodeName", "spec.schedulerName", "status.phase",
			"spec.serviceAccountName", "status.podIP", "spec.restartPolicy":
			return l, v, nil
		}
		return "", "", fmt.Errorf("field label not supported: %s", l)
	}))
	must(Scheme.AddFieldLabelConversionFunc(corev1.SchemeGroupVersion.WithKind("Event"), func(l, v string) (string, string, error) {
		switch l {
		case "metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace",
			"involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
			"involvedObject.fieldPath", "reason", "reportingComponent", "source", "type":
			return l, v, nil
		}
		return "", "", fmt.Errorf("field label not supported: %s", l)
	}))
	must(Scheme.AddFieldLabelConversionFunc(corev1.SchemeGroupVersion.WithKind("Secret"), func(l, v string) (string, string, error) {
		switch l {
		case "metadata.name", "metadata.namespace", "type":
			return l, v, nil
		}
		return "", "", fmt.Errorf("field label not supported: %s", l)
	}))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// OpenAPI: k8s.io/kubernetes/pkg/generated/openapi is not in Debian. Server-side apply needs a
// type converter built from OpenAPI, so every type gets a schemaless "object" definition
// (x-kubernetes-preserve-unknown-fields): SSA then works like for a schemaless CRD (maps merge
// per key, lists are atomic).
func openAPIDefinitions(ref openapicommon.ReferenceCallback) map[string]openapicommon.OpenAPIDefinition {
	// apiextensions' generated definitions bring the real meta/v1, runtime and version types
	defs := extopenapi.GetOpenAPIDefinitions(ref)
	for _, t := range Scheme.AllKnownTypes() {
		obj := reflect.New(t).Interface()
		name := openapiutil.GetCanonicalTypeName(obj)
		if _, ok := defs[name]; ok {
			continue
		}
		s := spec.Schema{}
		s.Type = []string{"object"}
		s.Description = "schemaless stand-in definition of " + t.Name()
		s.AddExtension("x-kubernetes-preserve-unknown-fields", true)
		defs[name] = openapicommon.OpenAPIDefinition{Schema: s}
	}
	return defs
}

// ------------------------------------------------------------------ generic strategy

type strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	gv         schema.GroupVersion
	kind       string
	namespaced bool
	hasStatus  bool
	statusOnly bool // the /status subresource strategy
}

func toMap(obj runtime.Object) map[string]interface{} {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		panic(err)
	}
	return m
}

func fromMap(m map[string]interface{}, obj runtime.Object) {
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, obj); err != nil {
		panic(err)
	}
}

// specOf returns everything but metadata, status and type meta
func specOf(m map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range m {
		if k != "metadata" && k != "status" && k != "apiVersion" && k != "kind" {
			out[k] = v
		}
	}
	return out
}

func (s strategy) NamespaceScoped() bool          { return s.namespaced }
func (s strategy) AllowCreateOnUpdate() bool      { return false }
func (s strategy) AllowUnconditionalUpdate() bool { return true }
func (s strategy) Canonicalize(obj runtime.Object) {}
func (s strategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string { return nil }
func (s strategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	return nil
}

func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	m := toMap(obj)
	if s.hasStatus && s.kind != "Node" {
		delete(m, "status")
	}
	if s.kind == "Namespace" {
		m["status"] = map[string]interface{}{"phase": "Active"}
	}
	if s.kind == "Pod" {
		m["status"] = map[string]interface{}{"phase": "Pending"}
	}
	applyDefaults(s.kind, m)
	fromMapReset(m, obj)
	if a, err := meta.Accessor(obj); err == nil {
		if generationKinds[s.kind] {
			a.SetGeneration(1)
		} else {
			a.SetGeneration(0)
		}
	}
}

// kinds whose kube-apiserver strategy maintains metadata.generation
var generationKinds = map[string]bool{"Pod": true, "Deployment": true, "StatefulSet": true, "DaemonSet": true,
	"ReplicaSet": true, "ReplicationController": true, "Job": true, "CronJob": true, "PodDisruptionBudget": true,
	"Ingress": true, "NetworkPolicy": true, "ValidatingAdmissionPolicy": true, "MutatingAdmissionPolicy": true}

// fromMapReset decodes into a zeroed object (FromUnstructured does not clear absent fields)
func fromMapReset(m map[string]interface{}, obj runtime.Object) {
	v := reflect.ValueOf(obj).Elem()
	v.Set(reflect.Zero(v.Type()))
	fromMap(m, obj)
}

func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	nm, om := toMap(obj), toMap(old)
	if s.statusOnly {
		// the status subresource changes status (and metadata) only
		for k := range specOf(nm) {
			delete(nm, k)
		}
		for k, v := range specOf(om) {
			nm[k] = v
		}
		fromMapReset(nm, obj)
		if a, err := meta.Accessor(obj); err == nil {
			oa, _ := meta.Accessor(old)
			a.SetGeneration(oa.GetGeneration())
		}
		return
	}
	if s.hasStatus {
		if st, ok := om["status"]; ok {
			nm["status"] = st
		} else {
			delete(nm, "status")
		}
	}
	applyDefaults(s.kind, nm)
	fromMapReset(nm, obj)
	a, err1 := meta.Accessor(obj)
	oa, err2 := meta.Accessor(old)
	if err1 == nil && err2 == nil {
		a.SetGeneration(oa.GetGeneration())
		if generationKinds[s.kind] && !apiequality.Semantic.DeepEqual(specOf(nm), specOf(om)) {
			a.SetGeneration(oa.GetGeneration() + 1)
		}
	}
}

func (s strategy) validateMeta(obj runtime.Object) field.ErrorList {
	a, err := meta.Accessor(obj)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("metadata"), err)}
	}
	om, ok := a.(*metav1.ObjectMeta)
	if !ok {
		return nil
	}
	var nameFn apivalidation.ValidateNameFunc = apivalidation.NameIsDNSSubdomain
	if s.kind == "Namespace" {
		nameFn = apivalidation.ValidateNamespaceName
	}
	return apivalidation.ValidateObjectMeta(om, s.namespaced, nameFn, field.NewPath("metadata"))
}

func (s strategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return s.validateMeta(obj)
}

func (s strategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	a, _ := meta.Accessor(obj)
	oa, _ := meta.Accessor(old)
	om, ok1 := a.(*metav1.ObjectMeta)
	oom, ok2 := oa.(*metav1.ObjectMeta)
	if ok1 && ok2 {
		return apivalidation.ValidateObjectMetaUpdate(om, oom, field.NewPath("metadata"))
	}
	return nil
}

func (s strategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	if !s.hasStatus {
		return nil
	}
	v := fieldpath.APIVersion(s.gv.String())
	if s.statusOnly {
		return map[fieldpath.APIVersion]*fieldpath.Set{v: fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
	}
	return map[fieldpath.APIVersion]*fieldpath.Set{v: fieldpath.NewSet(fieldpath.MakePathOrDie("status"))}
}

// ------------------------------------------------------------------ defaults
// The real defaulting code (k8s.io/kubernetes/pkg/apis/*/v1/defaults.go) is not in Debian. These are
// the defaults that clients and the admission plugins of k8s.io/apiserver depend on.

func obj(m map[string]interface{}, k string) map[string]interface{} {
	if v, ok := m[k].(map[string]interface{}); ok {
		return v
	}
	return nil
}

func ensureObj(m map[string]interface{}, k string) map[string]interface{} {
	if v := obj(m, k); v != nil {
		return v
	}
	v := map[string]interface{}{}
	m[k] = v
	return v
}

func def(m map[string]interface{}, k string, v interface{}) {
	if m == nil {
		return
	}
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

func list(m map[string]interface{}, k string) []interface{} {
	if v, ok := m[k].([]interface{}); ok {
		return v
	}
	return nil
}

func defaultMatchResources(mr map[string]interface{}) {
	if mr == nil {
		return
	}
	def(mr, "namespaceSelector", map[string]interface{}{})
	def(mr, "objectSelector", map[string]interface{}{})
	def(mr, "matchPolicy", "Equivalent")
	for _, k := range []string{"resourceRules", "excludeResourceRules"} {
		for _, r := range list(mr, k) {
			if rm, ok := r.(map[string]interface{}); ok {
				def(rm, "scope", "*")
			}
		}
	}
}

func defaultPodSpec(ps map[string]interface{}) {
	if ps == nil {
		return
	}
	def(ps, "restartPolicy", "Always")
	def(ps, "dnsPolicy", "ClusterFirst")
	def(ps, "schedulerName", "default-scheduler")
	def(ps, "terminationGracePeriodSeconds", int64(30))
	def(ps, "securityContext", map[string]interface{}{})
	for _, k := range []string{"containers", "initContainers"} {
		for _, c := range list(ps, k) {
			cm, ok := c.(map[string]interface{})
			if !ok {
				continue
			}
			def(cm, "terminationMessagePath", "/dev/termination-log")
			def(cm, "terminationMessagePolicy", "File")
			img, _ := cm["image"].(string)
			if strings.HasSuffix(img, ":latest") || !strings.Contains(img[strings.LastIndex(img, "/")+1:], ":") {
				def(cm, "imagePullPolicy", "Always")
			} else {
				def(cm, "imagePullPolicy", "IfNotPresent")
			}
			for _, p := range list(cm, "ports") {
				if pm, ok := p.(map[string]interface{}); ok {
					def(pm, "protocol", "TCP")
				}
			}
		}
	}
}

func applyDefaults(kind string, m map[string]interface{}) {
	spec := obj(m, "spec")
	switch kind {
	case "ValidatingAdmissionPolicy", "MutatingAdmissionPolicy":
		def(spec, "failurePolicy", "Fail")
		defaultMatchResources(obj(spec, "matchConstraints"))
		if kind == "MutatingAdmissionPolicy" {
			def(spec, "reinvocationPolicy", "Never")
		}
	case "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicyBinding":
		defaultMatchResources(obj(spec, "matchResources"))
	case "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration":
		for _, w := range list(m, "webhooks") {
			wm, ok := w.(map[string]interface{})
			if !ok {
				continue
			}
			def(wm, "namespaceSelector", map[string]interface{}{})
			def(wm, "objectSelector", map[string]interface{}{})
			def(wm, "matchPolicy", "Equivalent")
			def(wm, "failurePolicy", "Fail")
			def(wm, "timeoutSeconds", int64(10))
			if kind == "MutatingWebhookConfiguration" {
				def(wm, "reinvocationPolicy", "Never")
			}
			for _, r := range list(wm, "rules") {
				if rm, ok := r.(map[string]interface{}); ok {
					def(rm, "scope", "*")
				}
			}
			if cc := obj(wm, "clientConfig"); cc != nil {
				def(obj(cc, "service"), "port", int64(443))
			}
		}
	case "Pod":
		defaultPodSpec(spec)
	case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController":
		def(spec, "replicas", int64(1))
		def(spec, "revisionHistoryLimit", int64(10))
		if kind == "Deployment" {
			def(spec, "progressDeadlineSeconds", int64(600))
			if st := obj(spec, "strategy"); st == nil || st["type"] == nil {
				spec["strategy"] = map[string]interface{}{"type": "RollingUpdate",
					"rollingUpdate": map[string]interface{}{"maxSurge": "25%", "maxUnavailable": "25%"}}
			}
		}
		if spec != nil {
			defaultPodSpec(obj(obj(spec, "template"), "spec"))
		}
	case "DaemonSet", "Job":
		if spec != nil {
			defaultPodSpec(obj(obj(spec, "template"), "spec"))
		}
	case "Service":
		def(spec, "type", "ClusterIP")
		def(spec, "sessionAffinity", "None")
		for _, p := range list(spec, "ports") {
			if pm, ok := p.(map[string]interface{}); ok {
				def(pm, "protocol", "TCP")
				def(pm, "targetPort", pm["port"])
			}
		}
	}
	_ = ensureObj
}

// ------------------------------------------------------------------ storage

type statusREST struct{ store *genericregistry.Store }

func (r *statusREST) New() runtime.Object { return r.store.New() }
func (r *statusREST) Destroy()            {}
func (r *statusREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}
func (r *statusREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc,
	updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}
func (r *statusREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return r.store.GetResetFields()
}
func (r *statusREST) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.store.ConvertToTable(ctx, object, tableOptions)
}

var statusKinds = map[string]bool{
	"Pod": true, "Node": true, "Namespace": true, "Service": true, "PersistentVolumeClaim": true,
	"PersistentVolume": true, "ReplicationController": true, "ResourceQuota": true,
	"Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true, "Job": true, "CronJob": true,
	"HorizontalPodAutoscaler": true, "PodDisruptionBudget": true, "Ingress": true,
	"ValidatingAdmissionPolicy": true, "MutatingAdmissionPolicy": true, "CertificateSigningRequest": true,
	"NetworkPolicy": false, "VolumeAttachment": true, "ServiceCIDR": true,
}

func podAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	p := obj.(*corev1.Pod)
	f := generic.ObjectMetaFieldsSet(&p.ObjectMeta, true)
	f["spec.nodeName"] = p.Spec.NodeName
	f["spec.schedulerName"] = p.Spec.SchedulerName
	f["spec.serviceAccountName"] = p.Spec.ServiceAccountName
	f["spec.restartPolicy"] = string(p.Spec.RestartPolicy)
	f["status.phase"] = string(p.Status.Phase)
	f["status.podIP"] = p.Status.PodIP
	return labels.Set(p.Labels), f, nil
}

func eventAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	e := obj.(*corev1.Event)
	f := generic.ObjectMetaFieldsSet(&e.ObjectMeta, true)
	f["involvedObject.kind"] = e.InvolvedObject.Kind
	f["involvedObject.namespace"] = e.InvolvedObject.Namespace
	f["involvedObject.name"] = e.InvolvedObject.Name
	f["involvedObject.uid"] = string(e.InvolvedObject.UID)
	f["involvedObject.apiVersion"] = e.InvolvedObject.APIVersion
	f["involvedObject.resourceVersion"] = e.InvolvedObject.ResourceVersion
	f["involvedObject.fieldPath"] = e.InvolvedObject.FieldPath
	f["reason"] = e.Reason
	f["reportingComponent"] = e.ReportingController
	f["source"] = e.Source.Component
	f["type"] = e.Type
	return labels.Set(e.Labels), f, nil
}

func secretAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	s := obj.(*corev1.Secret)
	f := generic.ObjectMetaFieldsSet(&s.ObjectMeta, true)
	f["type"] = string(s.Type)
	return labels.Set(s.Labels), f, nil
}

var namespacedStores []*genericregistry.Store
var saStore *genericregistry.Store

func newStore(gv schema.GroupVersion, kind string, t reflect.Type, optsGetter generic.RESTOptionsGetter) (map[string]rest.Storage, error) {
	resource, singular := meta.UnsafeGuessKindToResource(gv.WithKind(kind))
	if kind == "Endpoints" {
		resource.Resource, singular.Resource = "endpoints", "endpoints"
	}
	listT := clientgoscheme.Scheme.KnownTypes(gv)[kind+"List"]
	namespaced := !clusterScoped[kind]
	st := strategy{ObjectTyper: Scheme, NameGenerator: names.SimpleNameGenerator, gv: gv, kind: kind,
		namespaced: namespaced, hasStatus: statusKinds[kind]}
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return reflect.New(t).Interface().(runtime.Object) },
		NewListFunc:               func() runtime.Object { return reflect.New(listT).Interface().(runtime.Object) },
		DefaultQualifiedResource:  schema.GroupResource{Group: gv.Group, Resource: resource.Resource},
		SingularQualifiedResource: schema.GroupResource{Group: gv.Group, Resource: singular.Resource},
		CreateStrategy:            st,
		UpdateStrategy:            st,
		DeleteStrategy:            st,
		ResetFieldsStrategy:       st,
		TableConvertor:            rest.NewDefaultTableConvertor(schema.GroupResource{Group: gv.Group, Resource: resource.Resource}),
	}
	if kind == "Event" && gv.Group == "" {
		store.TTLFunc = func(runtime.Object, uint64, bool) (uint64, error) { return 3600, nil }
	}
	so := &generic.StoreOptions{RESTOptions: optsGetter}
	switch {
	case kind == "Pod" && gv.Group == "":
		so.AttrFunc = podAttrs
	case kind == "Event" && gv.Group == "":
		so.AttrFunc = eventAttrs
	case kind == "Secret" && gv.Group == "":
		so.AttrFunc = secretAttrs
	}
	if namespaced {
		namespacedStores = append(namespacedStores, store)
	}
	if kind == "ServiceAccount" && gv.Group == "" {
		saStore = store
	}
	if kind == "Namespace" && gv.Group == "" {
		// no serviceaccount controller: every new namespace gets its "default" ServiceAccount here
		store.AfterCreate = func(obj runtime.Object, _ *metav1.CreateOptions) {
			ns := obj.(*corev1.Namespace).Name
			go func() {
				if saStore == nil {
					return
				}
				ctx := genericapirequest.WithNamespace(context.Background(), ns)
				_, err := saStore.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns}},
					rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
				if err != nil && !apierrors.IsAlreadyExists(err) {
					klog.Infof("namespace %s: default serviceaccount: %v", ns, err)
				}
			}()
		}
		// no namespace controller: delete what the namespace held right after the namespace itself
		store.AfterDelete = func(obj runtime.Object, _ *metav1.DeleteOptions) {
			ns := obj.(*corev1.Namespace).Name
			go func() {
				ctx := genericapirequest.WithNamespace(context.Background(), ns)
				for _, st := range namespacedStores {
					if _, err := st.DeleteCollection(ctx, rest.ValidateAllObjectFunc, &metav1.DeleteOptions{},
						&metainternalversion.ListOptions{}); err != nil {
						klog.Infof("namespace %s cleanup of %s: %v", ns, st.DefaultQualifiedResource, err)
					}
				}
			}()
		}
	}
	if err := store.CompleteWithOptions(so); err != nil {
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	var out map[string]rest.Storage
	if gv.Group == "" || gv.Group == "apps" || gv.Group == "batch" || gv.Group == "autoscaling" || gv.Group == "policy" ||
		gv.Group == "networking.k8s.io" || gv.Group == "certificates.k8s.io" || gv.Group == "scheduling.k8s.io" || gv.Group == "storage.k8s.io" {
		out = map[string]rest.Storage{resource.Resource: &storeWithNames{Store: store, short: shortNames[kind], cats: categories[kind]}}
	} else {
		out = map[string]rest.Storage{resource.Resource: store}
	}
	if st.hasStatus {
		statusStore := *store
		sst := st
		sst.statusOnly = true
		statusStore.UpdateStrategy = sst
		statusStore.ResetFieldsStrategy = sst
		out[resource.Resource+"/status"] = &statusREST{store: &statusStore}
	}
	return out, nil
}

var shortNames = map[string][]string{"Namespace": {"ns"}, "Node": {"no"}, "Pod": {"po"}, "Service": {"svc"},
	"ConfigMap": {"cm"}, "Event": {"ev"}, "Endpoints": {"ep"}, "PersistentVolumeClaim": {"pvc"}, "PersistentVolume": {"pv"},
	"ServiceAccount": {"sa"}, "ReplicationController": {"rc"}, "ResourceQuota": {"quota"}, "LimitRange": {"limits"},
	"Deployment": {"deploy"}, "DaemonSet": {"ds"}, "ReplicaSet": {"rs"}, "StatefulSet": {"sts"}, "CronJob": {"cj"},
	"HorizontalPodAutoscaler": {"hpa"}, "PodDisruptionBudget": {"pdb"}, "Ingress": {"ing"}, "NetworkPolicy": {"netpol"},
	"CertificateSigningRequest": {"csr"}, "PriorityClass": {"pc"}, "StorageClass": {"sc"}}

var categories = map[string][]string{"Pod": {"all"}, "Service": {"all"}, "ReplicationController": {"all"},
	"Deployment": {"all"}, "DaemonSet": {"all"}, "ReplicaSet": {"all"}, "StatefulSet": {"all"}, "Job": {"all"},
	"CronJob": {"all"}, "HorizontalPodAutoscaler": {"all"}}

// storeWithNames adds kubectl short names (ns, po, deploy, ...) and the "all" category
type storeWithNames struct {
	*genericregistry.Store
	short, cats []string
}

func (s *storeWithNames) ShortNames() []string { return s.short }
func (s *storeWithNames) Categories() []string { return s.cats }

// ------------------------------------------------------------------ RBAC authorizer

type rbacAuthorizer struct {
	crb rbaclisters.ClusterRoleBindingLister
	cr  rbaclisters.ClusterRoleLister
	rb  rbaclisters.RoleBindingLister
	r   rbaclisters.RoleLister
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v || x == "*" {
			return true
		}
	}
	return false
}

func ruleAllows(a authorizer.Attributes, rule rbacv1.PolicyRule) bool {
	if !has(rule.Verbs, a.GetVerb()) {
		return false
	}
	if !a.IsResourceRequest() {
		for _, u := range rule.NonResourceURLs {
			if u == "*" || u == a.GetPath() || (strings.HasSuffix(u, "*") && strings.HasPrefix(a.GetPath(), strings.TrimSuffix(u, "*"))) {
				return true
			}
		}
		return false
	}
	if !has(rule.APIGroups, a.GetAPIGroup()) {
		return false
	}
	res := a.GetResource()
	if a.GetSubresource() != "" {
		res = res + "/" + a.GetSubresource()
	}
	ok := false
	for _, r := range rule.Resources {
		if r == "*" || r == res || (a.GetSubresource() != "" && (r == "*/"+a.GetSubresource() || r == a.GetResource()+"/*")) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	return len(rule.ResourceNames) == 0 || (a.GetName() != "" && has(rule.ResourceNames, a.GetName()))
}

func subjectMatches(u user.Info, s rbacv1.Subject, bindingNS string) bool {
	switch s.Kind {
	case rbacv1.UserKind:
		return u.GetName() == s.Name
	case rbacv1.GroupKind:
		return has2(u.GetGroups(), s.Name)
	case rbacv1.ServiceAccountKind:
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		return u.GetName() == "system:serviceaccount:"+ns+":"+s.Name
	}
	return false
}

func has2(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

var discoveryPaths = []string{"/api", "/apis", "/version", "/healthz", "/livez", "/readyz", "/openapi"}

func (z *rbacAuthorizer) Authorize(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	u := a.GetUser()
	if u == nil {
		return authorizer.DecisionNoOpinion, "no user", nil
	}
	if has2(u.GetGroups(), user.SystemPrivilegedGroup) {
		return authorizer.DecisionAllow, "system:masters", nil
	}
	// built-in equivalents of system:discovery, system:public-info-viewer and system:basic-user
	if !a.IsResourceRequest() && a.GetVerb() == "get" {
		for _, p := range discoveryPaths {
			if a.GetPath() == p || strings.HasPrefix(a.GetPath(), p+"/") {
				return authorizer.DecisionAllow, "discovery", nil
			}
		}
	}
	if a.IsResourceRequest() && a.GetVerb() == "create" &&
		((a.GetAPIGroup() == "authorization.k8s.io" && (a.GetResource() == "selfsubjectaccessreviews" || a.GetResource() == "selfsubjectrulesreviews")) ||
			(a.GetAPIGroup() == "authentication.k8s.io" && a.GetResource() == "selfsubjectreviews")) {
		return authorizer.DecisionAllow, "basic-user", nil
	}
	crbs, _ := z.crb.List(labels.Everything())
	for _, b := range crbs {
		if b.RoleRef.Kind != "ClusterRole" {
			continue
		}
		for _, s := range b.Subjects {
			if subjectMatches(u, s, "") {
				if role, err := z.cr.Get(b.RoleRef.Name); err == nil {
					for _, rule := range role.Rules {
						if ruleAllows(a, rule) {
							return authorizer.DecisionAllow, "RBAC: allowed by ClusterRoleBinding " + b.Name, nil
						}
					}
				}
			}
		}
	}
	if ns := a.GetNamespace(); ns != "" {
		rbs, _ := z.rb.RoleBindings(ns).List(labels.Everything())
		for _, b := range rbs {
			for _, s := range b.Subjects {
				if !subjectMatches(u, s, ns) {
					continue
				}
				var rules []rbacv1.PolicyRule
				if b.RoleRef.Kind == "ClusterRole" {
					if role, err := z.cr.Get(b.RoleRef.Name); err == nil {
						rules = role.Rules
					}
				} else if role, err := z.r.Roles(ns).Get(b.RoleRef.Name); err == nil {
					rules = role.Rules
				}
				for _, rule := range rules {
					if ruleAllows(a, rule) {
						return authorizer.DecisionAllow, "RBAC: allowed by RoleBinding " + ns + "/" + b.Name, nil
					}
				}
			}
		}
	}
	return authorizer.DecisionNoOpinion, "no RBAC rule allows this", nil
}

// rulesFor answers SelfSubjectRulesReview (kubectl auth can-i --list, operator SDK permission checks)
func (z *rbacAuthorizer) rulesFor(u user.Info, ns string) authzv1.SubjectRulesReviewStatus {
	st := authzv1.SubjectRulesReviewStatus{}
	add := func(rules []rbacv1.PolicyRule) {
		for _, r := range rules {
			if len(r.NonResourceURLs) > 0 {
				st.NonResourceRules = append(st.NonResourceRules, authzv1.NonResourceRule{Verbs: r.Verbs, NonResourceURLs: r.NonResourceURLs})
			} else {
				st.ResourceRules = append(st.ResourceRules, authzv1.ResourceRule{Verbs: r.Verbs, APIGroups: r.APIGroups,
					Resources: r.Resources, ResourceNames: r.ResourceNames})
			}
		}
	}
	if has2(u.GetGroups(), user.SystemPrivilegedGroup) {
		add([]rbacv1.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}},
			{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}})
		return st
	}
	add([]rbacv1.PolicyRule{
		{Verbs: []string{"create"}, APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"selfsubjectaccessreviews", "selfsubjectrulesreviews"}},
		{Verbs: []string{"create"}, APIGroups: []string{"authentication.k8s.io"}, Resources: []string{"selfsubjectreviews"}},
		{Verbs: []string{"get"}, NonResourceURLs: []string{"/api", "/api/*", "/apis", "/apis/*", "/version", "/healthz", "/livez", "/readyz", "/openapi", "/openapi/*"}}})
	crbs, _ := z.crb.List(labels.Everything())
	for _, b := range crbs {
		for _, s := range b.Subjects {
			if subjectMatches(u, s, "") {
				if role, err := z.cr.Get(b.RoleRef.Name); err == nil {
					add(role.Rules)
				}
				break
			}
		}
	}
	if ns != "" {
		rbs, _ := z.rb.RoleBindings(ns).List(labels.Everything())
		for _, b := range rbs {
			for _, s := range b.Subjects {
				if !subjectMatches(u, s, ns) {
					continue
				}
				if b.RoleRef.Kind == "ClusterRole" {
					if role, err := z.cr.Get(b.RoleRef.Name); err == nil {
						add(role.Rules)
					}
				} else if role, err := z.r.Roles(ns).Get(b.RoleRef.Name); err == nil {
					add(role.Rules)
				}
				break
			}
		}
	}
	return st
}

// ------------------------------------------------------------------ review APIs

type reviewREST struct {
	kind  string
	authz authorizer.Authorizer
}

func (r *reviewREST) New() runtime.Object {
	switch r.kind {
	case "SelfSubjectAccessReview":
		return &authzv1.SelfSubjectAccessReview{}
	case "LocalSubjectAccessReview":
		return &authzv1.LocalSubjectAccessReview{}
	case "SelfSubjectReview":
		return &authnv1.SelfSubjectReview{}
	case "SelfSubjectRulesReview":
		return &authzv1.SelfSubjectRulesReview{}
	}
	return &authzv1.SubjectAccessReview{}
}
func (r *reviewREST) Destroy()               {}
func (r *reviewREST) NamespaceScoped() bool  { return r.kind == "LocalSubjectAccessReview" }
func (r *reviewREST) GetSingularName() string { return strings.ToLower(r.kind) }

func attrsFrom(u user.Info, ra *authzv1.ResourceAttributes, nra *authzv1.NonResourceAttributes) authorizer.AttributesRecord {
	rec := authorizer.AttributesRecord{User: u}
	if ra != nil {
		rec.Verb, rec.Namespace, rec.APIGroup, rec.APIVersion = ra.Verb, ra.Namespace, ra.Group, ra.Version
		rec.Resource, rec.Subresource, rec.Name, rec.ResourceRequest = ra.Resource, ra.Subresource, ra.Name, true
	} else if nra != nil {
		rec.Verb, rec.Path = nra.Verb, nra.Path
	}
	return rec
}

func (r *reviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	requester, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user in request")
	}
	decide := func(rec authorizer.AttributesRecord) authzv1.SubjectAccessReviewStatus {
		d, reason, err := r.authz.Authorize(ctx, rec)
		st := authzv1.SubjectAccessReviewStatus{Allowed: d == authorizer.DecisionAllow, Denied: d == authorizer.DecisionDeny, Reason: reason}
		if err != nil {
			st.EvaluationError = err.Error()
		}
		return st
	}
	switch o := obj.(type) {
	case *authzv1.SelfSubjectAccessReview:
		o.Status = decide(attrsFrom(requester, o.Spec.ResourceAttributes, o.Spec.NonResourceAttributes))
		return o, nil
	case *authzv1.SubjectAccessReview:
		u := &user.DefaultInfo{Name: o.Spec.User, UID: o.Spec.UID, Groups: o.Spec.Groups}
		o.Status = decide(attrsFrom(u, o.Spec.ResourceAttributes, o.Spec.NonResourceAttributes))
		return o, nil
	case *authzv1.LocalSubjectAccessReview:
		ns := genericapirequest.NamespaceValue(ctx)
		if o.Spec.ResourceAttributes != nil {
			o.Spec.ResourceAttributes.Namespace = ns
		}
		u := &user.DefaultInfo{Name: o.Spec.User, UID: o.Spec.UID, Groups: o.Spec.Groups}
		o.Status = decide(attrsFrom(u, o.Spec.ResourceAttributes, o.Spec.NonResourceAttributes))
		return o, nil
	case *authzv1.SelfSubjectRulesReview:
		if z, ok := r.authz.(*rbacAuthorizer); ok {
			o.Status = z.rulesFor(requester, o.Spec.Namespace)
		}
		return o, nil
	case *authnv1.SelfSubjectReview:
		extra := map[string]authnv1.ExtraValue{}
		for k, v := range requester.GetExtra() {
			extra[k] = v
		}
		o.Status.UserInfo = authnv1.UserInfo{Username: requester.GetName(), UID: requester.GetUID(), Groups: requester.GetGroups(), Extra: extra}
		return o, nil
	}
	return nil, apierrors.NewBadRequest(fmt.Sprintf("unexpected object %T", obj))
}

// ------------------------------------------------------------------ service-account tokens

type saTokens struct {
	key    *rsa.PrivateKey
	issuer string
	sa     *genericregistry.Store
}

type saClaims struct {
	jwt.RegisteredClaims
	K8s struct {
		Namespace      string `json:"namespace"`
		ServiceAccount struct {
			Name string `json:"name"`
			UID  string `json:"uid"`
		} `json:"serviceaccount"`
	} `json:"kubernetes.io"`
}

type tokenREST struct{ t *saTokens }

func (r *tokenREST) New() runtime.Object { return &authnv1.TokenRequest{} }
func (r *tokenREST) Destroy()            {}
func (r *tokenREST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind {
	return authnv1.SchemeGroupVersion.WithKind("TokenRequest")
}

func (r *tokenREST) Create(ctx context.Context, name string, o runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	req := o.(*authnv1.TokenRequest)
	saObj, err := r.t.sa.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	sa := saObj.(*corev1.ServiceAccount)
	exp := int64(3600)
	if req.Spec.ExpirationSeconds != nil {
		exp = *req.Spec.ExpirationSeconds
	}
	if exp < 600 {
		return nil, apierrors.NewBadRequest("spec.expirationSeconds must be at least 600")
	}
	aud := req.Spec.Audiences
	if len(aud) == 0 {
		aud = []string{r.t.issuer}
	}
	now := time.Now()
	c := saClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: r.t.issuer, Subject: "system:serviceaccount:" + sa.Namespace + ":" + sa.Name,
		Audience: aud, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Duration(exp) * time.Second))}}
	c.K8s.Namespace = sa.Namespace
	c.K8s.ServiceAccount.Name = sa.Name
	c.K8s.ServiceAccount.UID = string(sa.UID)
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, c).SignedString(r.t.key)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	out := req.DeepCopy()
	out.Name, out.Namespace = sa.Name, sa.Namespace
	out.Spec.Audiences = aud
	out.Spec.ExpirationSeconds = &exp
	out.Status = authnv1.TokenRequestStatus{Token: signed, ExpirationTimestamp: metav1.NewTime(c.ExpiresAt.Time)}
	return out, nil
}

// AuthenticateToken accepts the tokens made above (signature, issuer, expiry; any audience)
func (t *saTokens) AuthenticateToken(ctx context.Context, token string) (*authenticator.Response, bool, error) {
	c := &saClaims{}
	_, err := jwt.ParseWithClaims(token, c, func(*jwt.Token) (interface{}, error) { return &t.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(t.issuer))
	if err != nil {
		return nil, false, nil // not ours: let the next authenticator try
	}
	ns := c.K8s.Namespace
	return &authenticator.Response{Audiences: authenticator.Audiences(c.Audience), User: &user.DefaultInfo{
		Name: c.Subject, UID: c.K8s.ServiceAccount.UID,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, user.AllAuthenticated}}}, true, nil
}

// ------------------------------------------------------------------ OpenAPI v3 merge
// Each server of the chain serves its own /openapi/v3; kube-apiserver merges them in the aggregator
// (not in Debian). Merge here: the discovery document is the union, a group document is served by
// whichever server has it (the core stand-in first, then apiextensions: CRDs).
func mergeOpenAPIV3(core http.Handler, ext func() http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p != "/openapi/v3" && p != "/openapi/v3/" && !strings.HasPrefix(p, "/openapi/v3/") {
			core.ServeHTTP(w, r)
			return
		}
		if p == "/openapi/v3" || p == "/openapi/v3/" {
			paths := map[string]interface{}{}
			for _, h := range []http.Handler{ext(), core} {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r.Clone(r.Context()))
				if rec.Code != http.StatusOK {
					continue
				}
				var doc struct {
					Paths map[string]interface{} `json:"paths"`
				}
				if json.Unmarshal(rec.Body.Bytes(), &doc) == nil {
					for k, v := range doc.Paths {
						paths[k] = v
					}
				}
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]interface{}{"paths": paths})
			return
		}
		rec := httptest.NewRecorder()
		core.ServeHTTP(rec, r)
		// kube-openapi's handler answers an unknown group with 200 and an empty body
		if rec.Code == http.StatusNotFound || (rec.Code == http.StatusOK && rec.Body.Len() == 0) {
			ext().ServeHTTP(w, r)
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// ------------------------------------------------------------------ server

func run(ctx context.Context, o *options.CustomResourceDefinitionsServerOptions) error {
	buildScheme()
	extCfg, err := o.Config()
	if err != nil {
		return err
	}
	gc := extCfg.GenericConfig
	// Set while o.Config() initialised the admission plugins (see main).
	authz := gc.Authorization.Authorizer.(*rbacAuthorizer)

	var tokens *saTokens
	if saKeyFile != "" {
		keys, err := keyutil.PrivateKeyFromFile(saKeyFile)
		if err != nil {
			return fmt.Errorf("--service-account-signing-key-file: %w", err)
		}
		rk, ok := keys.(*rsa.PrivateKey)
		if !ok {
			return fmt.Errorf("--service-account-signing-key-file: only RSA keys are supported")
		}
		tokens = &saTokens{key: rk, issuer: saIssuer}
		gc.Authentication.Authenticator = union.New(bearertoken.New(tokens), gc.Authentication.Authenticator)
	}

	// core server: a shallow copy of the apiextensions config (as kube-apiserver does the other way round)
	coreCfg := *gc
	coreCfg.PostStartHooks = map[string]genericapiserver.PostStartHookConfigEntry{}
	coreCfg.Serializer = Codecs
	coreCfg.OpenAPIConfig = nil
	coreCfg.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(openAPIDefinitions, openapinamer.NewDefinitionNamer(Scheme))
	coreCfg.OpenAPIV3Config.Info.Title = "coreapi (Debian stand-in)"
	coreCfg.EnableDiscovery = true
	var extHandler http.Handler
	coreCfg.BuildHandlerChainFunc = func(apiHandler http.Handler, c *genericapiserver.Config) http.Handler {
		return genericapiserver.DefaultBuildHandlerChain(mergeOpenAPIV3(apiHandler, func() http.Handler { return extHandler }), c)
	}
	etcd := *o.RecommendedOptions.Etcd
	var gvs []schema.GroupVersion
	gvs = append(gvs, servedGroups...)
	etcd.StorageConfig.Codec = Codecs.LegacyCodec(gvs...)
	etcd.StorageConfig.StorageObjectCountTracker = gc.StorageObjectCountTracker
	etcd.StorageConfig.Prefix = "/registry/core-standin"
	optsGetter := etcd.CreateRESTOptionsGetter(&genericoptions.SimpleStorageFactory{StorageConfig: etcd.StorageConfig}, gc.ResourceTransformers)
	coreCfg.RESTOptionsGetter = optsGetter

	extServer, err := extCfg.Complete().New(genericapiserver.NewEmptyDelegate())
	if err != nil {
		return err
	}
	coreCfg.AggregatedDiscoveryGroupManager = extServer.GenericAPIServer.AggregatedDiscoveryGroupManager
	extHandler = extServer.GenericAPIServer.UnprotectedHandler()
	completed := coreCfg.Complete()
	core, err := completed.New("coreapi", extServer.GenericAPIServer)
	if err != nil {
		return err
	}

	for _, gv := range servedGroups {
		info := genericapiserver.NewDefaultAPIGroupInfo(gv.Group, Scheme, ParameterCodec, Codecs)
		m := map[string]rest.Storage{}
		kinds := make([]string, 0)
		for k := range servedKinds[gv] {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, kind := range kinds {
			storages, err := newStore(gv, kind, servedKinds[gv][kind], optsGetter)
			if err != nil {
				return err
			}
			for k, v := range storages {
				m[k] = v
			}
			if kind == "ServiceAccount" && gv.Group == "" && tokens != nil {
				if sw, ok := storages["serviceaccounts"].(*storeWithNames); ok {
					tokens.sa = sw.Store
					m["serviceaccounts/token"] = &tokenREST{t: tokens}
				}
			}
		}
		switch gv.Group {
		case "authorization.k8s.io":
			m["selfsubjectaccessreviews"] = &reviewREST{kind: "SelfSubjectAccessReview", authz: authz}
			m["subjectaccessreviews"] = &reviewREST{kind: "SubjectAccessReview", authz: authz}
			m["localsubjectaccessreviews"] = &reviewREST{kind: "LocalSubjectAccessReview", authz: authz}
			m["selfsubjectrulesreviews"] = &reviewREST{kind: "SelfSubjectRulesReview", authz: authz}
		case "authentication.k8s.io":
			m["selfsubjectreviews"] = &reviewREST{kind: "SelfSubjectReview", authz: authz}
		}
		if len(m) == 0 {
			continue
		}
		info.VersionedResourcesStorageMap[gv.Version] = m
		if gv.Group == "" {
			if err := core.InstallLegacyAPIGroup(genericapiserver.DefaultLegacyAPIPrefix, &info); err != nil {
				return fmt.Errorf("install core group: %w", err)
			}
		} else if err := core.InstallAPIGroup(&info); err != nil {
			return fmt.Errorf("install %s: %w", gv, err)
		}
	}
	// legacy (non-aggregated) /apis also lists apiextensions.k8s.io; CRD groups are in aggregated discovery
	core.DiscoveryGroupManager.AddGroup(metav1.APIGroup{Name: "apiextensions.k8s.io",
		Versions:         []metav1.GroupVersionForDiscovery{{GroupVersion: "apiextensions.k8s.io/v1", Version: "v1"}},
		PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: "apiextensions.k8s.io/v1", Version: "v1"}})

	core.AddPostStartHookOrDie("coreapi-bootstrap", func(hc genericapiserver.PostStartHookContext) error {
		cs, err := kubernetes.NewForConfig(hc.LoopbackClientConfig)
		if err != nil {
			return err
		}
		go bootstrap(hc, cs)
		ec, err := apiextclientset.NewForConfig(hc.LoopbackClientConfig)
		if err != nil {
			return err
		}
		f := apiextinformers.NewSharedInformerFactory(ec, 0)
		inf := f.Apiextensions().V1().CustomResourceDefinitions()
		sync := func(interface{}) { syncCRDGroups(core.DiscoveryGroupManager, inf.Lister()) }
		_, _ = inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: sync,
			UpdateFunc: func(_, n interface{}) { sync(n) }, DeleteFunc: sync})
		f.Start(hc.Done())
		return nil
	})
	return core.PrepareRun().RunWithContext(ctx)
}

// syncCRDGroups lists the groups of established CRDs in the legacy /apis document (the aggregator
// does this in kube-apiserver; kubectl reads the aggregated document, which apiextensions fills itself)
var crdGroupsListed = map[string]bool{}

func syncCRDGroups(gm discovery.GroupManager, lister interface {
	List(labels.Selector) ([]*apiextensionsv1.CustomResourceDefinition, error)
}) {
	crds, err := lister.List(labels.Everything())
	if err != nil {
		return
	}
	groups := map[string][]string{}
	for _, crd := range crds {
		established := false
		for _, c := range crd.Status.Conditions {
			if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
				established = true
			}
		}
		if !established || crd.DeletionTimestamp != nil {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Served {
				groups[crd.Spec.Group] = append(groups[crd.Spec.Group], v.Name)
			}
		}
	}
	for g := range crdGroupsListed {
		if _, ok := groups[g]; !ok {
			gm.RemoveGroup(g)
			delete(crdGroupsListed, g)
		}
	}
	for g, vs := range groups {
		sort.Slice(vs, func(i, j int) bool { return vs[i] > vs[j] }) // stand-in for kube version priority
		ag := metav1.APIGroup{Name: g}
		for _, v := range vs {
			ag.Versions = append(ag.Versions, metav1.GroupVersionForDiscovery{GroupVersion: g + "/" + v, Version: v})
		}
		ag.PreferredVersion = ag.Versions[0]
		gm.AddGroup(ag)
		crdGroupsListed[g] = true
	}
}

func schemaGroupKinds(gvs []schema.GroupVersion) []schema.GroupKind {
	var out []schema.GroupKind
	for _, gv := range gvs {
		out = append(out, schema.GroupKind{Group: gv.Group})
	}
	return out
}

// bootstrap creates what a fresh kube-apiserver creates: the system namespaces and cluster-admin.
func bootstrap(ctx context.Context, cs kubernetes.Interface) {
	for i := 0; i < 60; i++ {
		ok := true
		for _, ns := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
			_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
			if err != nil && !apierrors.IsAlreadyExists(err) {
				ok = false
				klog.Infof("bootstrap namespace %s: %v", ns, err)
			}
		}
		_, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin"},
			Rules: []rbacv1.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}},
				{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			ok = false
			klog.Infof("bootstrap cluster-admin: %v", err)
		}
		if ok {
			klog.Infof("coreapi bootstrap done")
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}


var saKeyFile, saIssuer string

func main() {
	ctx := genericapiserver.SetupSignalContext()
	o := options.NewCustomResourceDefinitionsServerOptions(os.Stdout, os.Stderr)
	o.RecommendedOptions.Authorization = nil // replaced by the RBAC authorizer above
	// The admission plugins take the authorizer when o.Config() initialises them, so it must be in
	// the config by then: set afterwards, ValidatingAdmissionPolicy's CEL `authorizer` checks ran
	// against no authorizer and allowed everything. The extra initialisers run first.
	extra := o.RecommendedOptions.ExtraAdmissionInitializers
	o.RecommendedOptions.ExtraAdmissionInitializers = func(c *genericapiserver.RecommendedConfig) ([]admission.PluginInitializer, error) {
		rbacInf := c.SharedInformerFactory.Rbac().V1()
		c.Authorization.Authorizer = &rbacAuthorizer{crb: rbacInf.ClusterRoleBindings().Lister(), cr: rbacInf.ClusterRoles().Lister(),
			rb: rbacInf.RoleBindings().Lister(), r: rbacInf.Roles().Lister()}
		if extra == nil {
			return nil, nil
		}
		return extra(c)
	}
	cmd := &cobra.Command{
		Use:   "coreapi",
		Short: "stand-in core Kubernetes API server (Debian libraries only) + apiextensions",
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return o.ServerRunOptions.ComponentGlobalsRegistry.Set()
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return run(c.Context(), o)
		},
	}
	cmd.SetContext(ctx)
	o.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&saKeyFile, "service-account-signing-key-file", "", "RSA private key (PEM) that signs TokenRequest tokens; enables serviceaccounts/token and bearer-token authentication of those tokens")
	cmd.Flags().StringVar(&saIssuer, "service-account-issuer", "https://kubernetes.default.svc.cluster.local", "iss claim of service-account tokens")
	os.Exit(cli.Run(cmd))
}
EOF_GO
}

# ---------------------------------------------------------------- certs + kubeconfig
make_pki() {
  # The keys do not depend on the ports (the serving certificate names 127.0.0.1), so one set made
  # per cache is reused by every start: four RSA keys cost seconds each time otherwise.
  local cached=$BIN/../pki
  if [ ! -s "$PKI/admin.crt" ] && [ -s "$cached/admin.crt" ] && [ -s "$cached/sa.key" ]; then
    mkdir -p "$PKI" && cp "$cached"/* "$PKI"/
  fi
  if [ ! -s "$PKI/admin.crt" ] || [ ! -s "$PKI/sa.key" ]; then
    make_keys
    { mkdir -p "$cached" && cp "$PKI"/* "$cached"/; } 2>/dev/null || true
  fi
  write_kubeconfig
}

make_keys() {
  command -v openssl >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
  mkdir -p "$PKI"; (
    cd "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=kubeapi-test-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt 2>/dev/null
    # client cert in group system:masters: always allowed, like in kube-apiserver
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=admin" 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile client.ext -out admin.crt 2>/dev/null
    # service-account token signing key (TokenRequest / kubectl create token)
    openssl genrsa -out sa.key 2048 2>/dev/null
    rm -f ./*.csr ./*.ext
  )
}

write_kubeconfig() {
  cat > "$KUBECONFIG_OUT" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kubeapi
  cluster:
    server: $SERVER
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(base64 -w0 "$PKI/admin.crt")
    client-key-data: $(base64 -w0 "$PKI/admin.key")
contexts:
- name: kubeapi
  context: {cluster: kubeapi, user: admin, namespace: default}
current-context: kubeapi
KC
  chmod 600 "$KUBECONFIG_OUT" "$PKI"/*.key
}

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ---------------------------------------------------------------- start
cmd_start() {
  [ -x "$BIN/coreapi" ] || cannot "no binaries in $BIN: run '$0 build' first (as root)"
  grep -qx "$(source_stamp)" "$BIN/VERSIONS" 2>/dev/null ||
    cannot "the binaries in $BIN were built from another version of $here/kubeapi.sh: run '$0 build' (as root) to rebuild them"
  alive "$RUN/apiserver.pid" && { log "already running (pid $(cat "$RUN/apiserver.pid"))"; return 0; }
  PORT=$(free_port); ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); ETCD_METRICS_PORT=$(free_port)
  SERVER=https://127.0.0.1:$PORT
  printf 'PORT=%s\nETCD_PORT=%s\nSERVER=%s\n' "$PORT" "$ETCD_PORT" "$SERVER" > "$RUN/env"
  rm -rf "$PKI"
  local t0 t; t0=$(now)
  mkdir -p "$RUN"; make_pki

  t=$(now)
  alive "$RUN/etcd.pid" && stop_pid "$RUN/etcd.pid"
  rm -rf "$RUN/etcd-data"
  # shellcheck disable=SC2086
  nohup "$BIN/etcd" --name kubeapi --data-dir "$RUN/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "kubeapi=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "http://127.0.0.1:$ETCD_METRICS_PORT" \
    --log-level warn ${KUBEAPI_ETCD_EXTRA:-} > "$RUN/etcd.log" 2>&1 < /dev/null &
  echo $! > "$RUN/etcd.pid"
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"' && break
    alive "$RUN/etcd.pid" || { tail -5 "$RUN/etcd.log"; die "etcd exited"; }
    sleep 0.1
  done
  log "step etcd-ready: $(since "$t")"

  t=$(now)
  # --kubeconfig / --authentication-kubeconfig: the server's informers (admission, RBAC) and its
  # TokenReview client point back at this server itself with the admin (system:masters) cert.
  # shellcheck disable=SC2086
  nohup "$BIN/coreapi" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --secure-port="$PORT" \
    --tls-cert-file="$PKI/server.crt" --tls-private-key-file="$PKI/server.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authentication-skip-lookup \
    --kubeconfig="$KUBECONFIG_OUT" \
    --authentication-kubeconfig="$KUBECONFIG_OUT" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --enable-priority-and-fairness=false \
    ${KUBEAPI_EXTRA_FLAGS:-} > "$RUN/apiserver.log" 2>&1 < /dev/null &
  echo $! > "$RUN/apiserver.pid"
  for _ in $(seq 1 300); do
    [ "$(curl -s --cacert "$PKI/ca.crt" -o /dev/null -w '%{http_code}' "$SERVER/readyz" 2>/dev/null)" = 200 ] && break
    alive "$RUN/apiserver.pid" || { tail -20 "$RUN/apiserver.log"; die "server exited"; }
    sleep 0.1
  done
  [ "$(curl -s --cacert "$PKI/ca.crt" -o /dev/null -w '%{http_code}' "$SERVER/readyz")" = 200 ] ||
    die "server not ready after 30s (see $RUN/apiserver.log)"
  # the bootstrap hook creates default/kube-system/kube-public/kube-node-lease right after start
  for _ in $(seq 1 50); do
    "$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" get ns kube-node-lease >/dev/null 2>&1 && break; sleep 0.1
  done
  log "step apiserver-ready: $(since "$t") (start total $(since "$t0"))"
  log "READY: $SERVER  KUBECONFIG=$KUBECONFIG_OUT  (pids etcd=$(cat "$RUN/etcd.pid") coreapi=$(cat "$RUN/apiserver.pid"))"
}

# ---------------------------------------------------------------- stop / clean
stop_pid() {
  local f=$1 pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$f"
}
cmd_stop() {
  stop_pid "$RUN/apiserver.pid"; stop_pid "$RUN/etcd.pid"
  rm -rf "$RUN/etcd-data"; log "stopped"
}
cmd_kubectl() { exec "$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"; }
cmd_token() {
  [ $# -eq 2 ] || cannot "usage: $0 token DIR NAMESPACE SERVICEACCOUNT"
  "$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" -n "$1" create token "$2" --duration=2h
}

# ---------------------------------------------------------------- verify
cmd_verify() {
  [ -s "$KUBECONFIG_OUT" ] || die "not started"
  local K=("$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT")
  local C=(curl -s --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key")
  local fails=0 out ns=kubeapi-selftest
  local tmp; tmp=$(mktemp -d)
  check() { if [ "$2" = "$3" ]; then log "PASS $1"; else log "FAIL $1: got '$2' want '$3'"; fails=$((fails+1)); fi; }
  contains() { if printf '%s' "$2" | grep -q -- "$3"; then log "PASS $1"; else log "FAIL $1: '$3' not in: $(printf '%s' "$2" | head -c 300)"; fails=$((fails+1)); fi; }
  info() { log "info: $*"; }
  "${K[@]}" delete ns "$ns" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  "${K[@]}" delete crd gadgets.kubeapi-selftest.example.com --ignore-not-found >/dev/null 2>&1 || true
  "${K[@]}" delete node selftest-node-1 validatingadmissionpolicy/selftest-max-replicas validatingadmissionpolicybinding/selftest-max-replicas --ignore-not-found >/dev/null 2>&1 || true
  sleep 0.5

  # 1 discovery + system namespaces
  check "1 kubectl get ns (system namespaces)" "$("${K[@]}" get ns -o name | grep -cE '^namespace/(default|kube-system|kube-public|kube-node-lease)$')" 4
  out=$("${K[@]}" api-resources -o name 2>&1 | tr '\n' ' ')
  for r in pods nodes services events leases.coordination.k8s.io events.events.k8s.io deployments.apps daemonsets.apps \
           roles.rbac.authorization.k8s.io validatingadmissionpolicies.admissionregistration.k8s.io customresourcedefinitions.apiextensions.k8s.io; do
    contains "1 api-resources has $r" "$out" " $r "
  done
  check "1 kubectl version (server)" "$("${K[@]}" version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["major"])')" 1
  # 2 namespace + default serviceaccount + NamespaceLifecycle admission
  check "2 create namespace" "$("${K[@]}" create ns "$ns" -o name)" "namespace/$ns"
  for _ in $(seq 1 20); do "${K[@]}" -n "$ns" get sa default >/dev/null 2>&1 && break; sleep 0.1; done
  check "2 default serviceaccount created" "$("${K[@]}" -n "$ns" get sa default -o name 2>&1)" "serviceaccount/default"
  contains "2 NamespaceLifecycle rejects unknown namespace" "$("${K[@]}" -n no-such-ns create cm x 2>&1)" 'namespaces "no-such-ns" not found'
  # 3 Node by hand (with status), Pod stays Pending, pods/status, field selector
  cat > "$tmp/node.yaml" <<Y
apiVersion: v1
kind: Node
metadata: {name: selftest-node-1, labels: {kubernetes.io/hostname: selftest-node-1}}
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
  allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
  conditions: [{type: Ready, status: "True", reason: KubeletReady, message: by hand, lastHeartbeatTime: "2026-01-01T00:00:00Z", lastTransitionTime: "2026-01-01T00:00:00Z"}]
Y
  check "3 create Node" "$("${K[@]}" create -f "$tmp/node.yaml" -o name)" "node/selftest-node-1"
  check "3 Node status kept on create" "$("${K[@]}" get node selftest-node-1 -o jsonpath='{.status.allocatable.cpu}')" 4
  check "3 create Pod" "$("${K[@]}" -n "$ns" run p1 --image=busybox:1.36 --restart=Never -o name -- sleep 1)" "pod/p1"
  check "3 Pod Pending + defaults" "$("${K[@]}" -n "$ns" get pod p1 -o jsonpath='{.status.phase} {.spec.schedulerName} {.spec.containers[0].imagePullPolicy}')" "Pending default-scheduler IfNotPresent"
  "${C[@]}" -o /dev/null -X PATCH -H 'Content-Type: application/apply-patch+yaml' --data-binary \
    $'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\nstatus:\n  phase: Running\n  podIP: 10.0.0.7\n' \
    "$SERVER/api/v1/namespaces/$ns/pods/p1/status?fieldManager=fake-kubelet&force=true"
  check "3 SSA pods/status by a second manager" "$("${K[@]}" -n "$ns" get pod p1 -o jsonpath='{.status.phase} {.status.podIP} {.spec.containers[0].image}')" "Running 10.0.0.7 busybox:1.36"
  check "3 field selector status.phase" "$("${K[@]}" -n "$ns" get pods --field-selector=status.phase=Running -o name)" "pod/p1"
  "${K[@]}" -n "$ns" run p2 --image=busybox:1.36 --restart=Never --overrides='{"spec":{"nodeName":"selftest-node-1"}}' -- sleep 1 >/dev/null
  check "3 field selector spec.nodeName (pod placed by hand)" "$("${K[@]}" -n "$ns" get pods --field-selector=spec.nodeName=selftest-node-1 -o name)" "pod/p2"
  # 4 Lease (leader election) with optimistic concurrency
  printf 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: lock, namespace: %s}\nspec: {holderIdentity: a, leaseDurationSeconds: 15}\n' "$ns" > "$tmp/lease.yaml"
  check "4 create Lease" "$("${K[@]}" create -f "$tmp/lease.yaml" -o name)" "lease.coordination.k8s.io/lock"
  local rv; rv=$("${K[@]}" -n "$ns" get lease lock -o jsonpath='{.metadata.resourceVersion}')
  check "4 Lease update with current resourceVersion" "$("${C[@]}" -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    -d "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"lock\",\"namespace\":\"$ns\",\"resourceVersion\":\"$rv\"},\"spec\":{\"holderIdentity\":\"b\"}}" \
    "$SERVER/apis/coordination.k8s.io/v1/namespaces/$ns/leases/lock")" 200
  check "4 Lease update with stale resourceVersion -> 409" "$("${C[@]}" -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    -d "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"lock\",\"namespace\":\"$ns\",\"resourceVersion\":\"$rv\"},\"spec\":{\"holderIdentity\":\"c\"}}" \
    "$SERVER/apis/coordination.k8s.io/v1/namespaces/$ns/leases/lock")" 409
  # 5 Events (core/v1 with involvedObject field selector, events.k8s.io/v1)
  printf 'apiVersion: v1\nkind: Event\nmetadata: {name: p1.1, namespace: %s}\ninvolvedObject: {kind: Pod, name: p1, namespace: %s}\nreason: Testing\nmessage: hello\ntype: Normal\nsource: {component: selftest}\n' "$ns" "$ns" > "$tmp/ev.yaml"
  check "5 create core/v1 Event" "$("${K[@]}" create -f "$tmp/ev.yaml" -o name)" "event/p1.1"
  check "5 events --field-selector involvedObject.name" "$("${K[@]}" -n "$ns" get events --field-selector involvedObject.name=p1 -o name)" "event/p1.1"
  printf 'apiVersion: events.k8s.io/v1\nkind: Event\nmetadata: {name: e2, namespace: %s}\neventTime: "2026-01-01T00:00:00.000000Z"\nreportingController: selftest\nreportingInstance: x\naction: Test\nreason: Testing\nregarding: {kind: Pod, name: p1, namespace: %s}\ntype: Normal\n' "$ns" "$ns" > "$tmp/ev2.yaml"
  check "5 create events.k8s.io/v1 Event" "$("${K[@]}" create -f "$tmp/ev2.yaml" -o name)" "event.events.k8s.io/e2"
  # 6 CRD with a CEL rule
  cat > "$tmp/crd.yaml" <<Y
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.kubeapi-selftest.example.com}
spec:
  group: kubeapi-selftest.example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations: [{rule: "self.size <= 8 || self.color != 'red'", message: "red gadgets are at most 8"}]
            properties: {size: {type: integer, maximum: 10}, color: {type: string}}
          status: {type: object, properties: {phase: {type: string}}}
Y
  check "6 kubectl apply CRD (client-side validation via merged /openapi/v3)" "$("${K[@]}" apply -f "$tmp/crd.yaml" -o name)" "customresourcedefinition.apiextensions.k8s.io/gadgets.kubeapi-selftest.example.com"
  "${K[@]}" wait --for=condition=Established crd/gadgets.kubeapi-selftest.example.com --timeout=30s >/dev/null
  for _ in $(seq 1 50); do "${K[@]}" -n "$ns" get gadgets >/dev/null 2>&1 && break; sleep 0.2; done
  check "6 create CR" "$(printf 'apiVersion: kubeapi-selftest.example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: %s}\nspec: {size: 3, color: red}\n' "$ns" | "${K[@]}" apply -f - -o name)" "gadget.kubeapi-selftest.example.com/g1"
  contains "6 CEL rule -> rejected with message" "$(printf 'apiVersion: kubeapi-selftest.example.com/v1\nkind: Gadget\nmetadata: {name: g2, namespace: %s}\nspec: {size: 9, color: red}\n' "$ns" | "${K[@]}" apply -f - 2>&1)" "red gadgets are at most 8"
  for _ in $(seq 1 30); do "${C[@]}" "$SERVER/apis" | grep -q '"kubeapi-selftest.example.com"' && break; sleep 0.1; done
  contains "6 legacy /apis lists the CRD group" "$("${C[@]}" "$SERVER/apis" | python3 -c 'import json,sys; print(" ".join(g["name"] for g in json.load(sys.stdin)["groups"]))')" "kubeapi-selftest.example.com"
  # 7 server-side apply on a core object: two managers, conflict, force
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1, namespace: %s}\ndata: {a: "1"}\n' "$ns" | "${K[@]}" apply --server-side --field-manager=mgr-a -f - >/dev/null
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1, namespace: %s}\ndata: {b: "2"}\n' "$ns" | "${K[@]}" apply --server-side --field-manager=mgr-b -f - >/dev/null
  check "7 SSA two managers keep both keys" "$("${K[@]}" -n "$ns" get cm cm1 -o jsonpath='{.data.a}{.data.b}')" 12
  contains "7 SSA conflict without force" "$(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1, namespace: %s}\ndata: {a: "9"}\n' "$ns" | "${K[@]}" apply --server-side --field-manager=mgr-b -f - 2>&1)" 'conflict with "mgr-a"'
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1, namespace: %s}\ndata: {a: "9", b: "2"}\n' "$ns" | "${K[@]}" apply --server-side --force-conflicts --field-manager=mgr-b -f - >/dev/null
  check "7 SSA force takes ownership" "$("${K[@]}" -n "$ns" get cm cm1 -o jsonpath='{.data.a}')" 9
  # 8 ValidatingAdmissionPolicy (CEL) on Deployments
  cat > "$tmp/vap.yaml" <<Y
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: selftest-max-replicas}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE","UPDATE"], resources: ["deployments"]}]
  validations: [{expression: "object.spec.replicas <= 5", message: "at most 5 replicas"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: selftest-max-replicas}
spec:
  policyName: selftest-max-replicas
  validationActions: [Deny]
  matchResources: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: $ns}}}
Y
  "${K[@]}" apply -f "$tmp/vap.yaml" >/dev/null
  "${K[@]}" label ns "$ns" kubernetes.io/metadata.name="$ns" --overwrite >/dev/null
  for _ in $(seq 1 50); do
    "${K[@]}" -n "$ns" create deployment probe --image=nginx --replicas=9 --dry-run=server >/dev/null 2>&1 || break; sleep 0.2
  done
  check "8 Deployment within the policy" "$("${K[@]}" -n "$ns" create deployment d1 --image=nginx:1.27 --replicas=3 -o name)" "deployment.apps/d1"
  contains "8 ValidatingAdmissionPolicy denies replicas=9" "$("${K[@]}" -n "$ns" create deployment d2 --image=nginx:1.27 --replicas=9 2>&1)" "at most 5 replicas"
  # 9 metadata.generation: spec change bumps it, status change does not
  "${K[@]}" -n "$ns" patch deploy d1 --type=merge -p '{"spec":{"replicas":4}}' >/dev/null
  "${C[@]}" -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"status":{"replicas":4,"observedGeneration":2}}' \
    "$SERVER/apis/apps/v1/namespaces/$ns/deployments/d1/status"
  check "9 generation/observedGeneration/status" "$("${K[@]}" -n "$ns" get deploy d1 -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.spec.replicas}')" "2 2 4"
  # 10 RBAC + auth can-i --as + impersonation + TokenRequest
  "${K[@]}" -n "$ns" create sa bot >/dev/null
  check "10 can-i before RoleBinding" "$("${K[@]}" auth can-i list pods -n "$ns" --as="system:serviceaccount:$ns:bot" 2>/dev/null | cut -c1-2 || true)" no
  "${K[@]}" -n "$ns" create role pod-reader --verb=get,list,watch --resource=pods >/dev/null
  "${K[@]}" -n "$ns" create rolebinding bot-pod-reader --role=pod-reader --serviceaccount="$ns:bot" >/dev/null
  for _ in $(seq 1 30); do [ "$("${K[@]}" auth can-i list pods -n "$ns" --as="system:serviceaccount:$ns:bot" 2>/dev/null)" = yes ] && break; sleep 0.1; done
  check "10 can-i after RoleBinding" "$("${K[@]}" auth can-i list pods -n "$ns" --as="system:serviceaccount:$ns:bot" 2>/dev/null || true)" yes
  check "10 can-i delete pods (not granted)" "$("${K[@]}" auth can-i delete pods -n "$ns" --as="system:serviceaccount:$ns:bot" 2>/dev/null | cut -c1-2 || true)" no
  contains "10 SelfSubjectRulesReview (can-i --list)" "$("${K[@]}" auth can-i --list -n "$ns" --as="system:serviceaccount:$ns:bot" 2>&1)" "pods .*\[get list watch\]"
  contains "10 impersonated request denied in another namespace" "$("${K[@]}" get pods -n default --as="system:serviceaccount:$ns:bot" 2>&1)" "Forbidden"
  local tok; tok=$("${K[@]}" -n "$ns" create token bot --duration=10m 2>&1)
  local TK=("$BIN/kubectl" --kubeconfig=/dev/null --server="$SERVER" --certificate-authority="$PKI/ca.crt" --token="$tok")
  contains "10 kubectl create token -> whoami" "$("${TK[@]}" auth whoami 2>&1)" "system:serviceaccount:$ns:bot"
  check "10 token can list pods in its namespace" "$("${TK[@]}" -n "$ns" get pods -o name 2>&1 | wc -l | tr -d ' ')" 2
  contains "10 token cannot list secrets" "$("${TK[@]}" -n "$ns" get secrets 2>&1)" "Forbidden"
  # 11 watch
  rv=$("${C[@]}" "$SERVER/api/v1/namespaces/$ns/configmaps" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')
  "${C[@]}" -N --max-time 4 "$SERVER/api/v1/namespaces/$ns/configmaps?watch=true&resourceVersion=$rv" > "$tmp/watch" & local wpid=$!
  sleep 0.5
  "${K[@]}" -n "$ns" create cm w1 >/dev/null; "${K[@]}" -n "$ns" label cm w1 x=y >/dev/null; "${K[@]}" -n "$ns" delete cm w1 >/dev/null
  wait "$wpid" || true
  check "11 watch events" "$(python3 -c "import json; print([json.loads(l)['type'] for l in open('$tmp/watch')])")" "['ADDED', 'MODIFIED', 'DELETED']"
  # informational: what is not there
  "${K[@]}" label ns "$ns" pod-security.kubernetes.io/enforce=restricted --overwrite >/dev/null
  if "${K[@]}" -n "$ns" run priv --image=busybox:1.36 --restart=Never --privileged -o name >/dev/null 2>&1; then
    info "Pod Security admission is NOT enforced (k8s.io/pod-security-admission is not in Debian): privileged pod admitted"
  else info "privileged pod rejected"; fi
  sleep 1
  info "Deployment d1 has $("${K[@]}" -n "$ns" get rs,pods -l app=d1 -o name 2>/dev/null | wc -l) ReplicaSets/Pods: there is no kube-controller-manager"
  info "Service clusterIP: '$("${K[@]}" -n "$ns" create service clusterip s1 --tcp=80:8080 -o jsonpath='{.spec.clusterIP}')' (no IP allocation)"
  # cleanup (also checks that namespace deletion removes its content)
  "${K[@]}" delete crd gadgets.kubeapi-selftest.example.com >/dev/null
  "${K[@]}" delete validatingadmissionpolicybinding/selftest-max-replicas validatingadmissionpolicy/selftest-max-replicas node/selftest-node-1 >/dev/null
  "${K[@]}" delete ns "$ns" >/dev/null
  sleep 1
  check "12 namespace deletion removes its objects" "$("${C[@]}" "$SERVER/api/v1/namespaces/$ns/configmaps" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')" 0
  rm -rf "$tmp"
  if [ "$fails" = 0 ]; then log "verify: all checks passed"; else die "verify: $fails check(s) failed"; fi
}

CMD=${1:-}
case "$CMD" in
  build) cmd_build ;;
  start) use_dir "${2:-}"; cmd_start; echo "$KUBECONFIG_OUT" ;;
  stop) use_dir "${2:-}"; cmd_stop ;;
  verify) use_dir "${2:-}"; SERVER=${SERVER:-}; [ -n "$SERVER" ] || cannot "not started: $2"; cmd_verify ;;
  kubectl) use_dir "${2:-}"; shift 2; cmd_kubectl "$@" ;;
  token) use_dir "${2:-}"; shift 2; cmd_token "$@" ;;
  *) echo "usage: $0 build | start DIR | stop DIR | verify DIR | kubectl DIR ARGS... | token DIR NS SA" >&2; exit 2 ;;
esac
