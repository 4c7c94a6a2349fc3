#!/usr/bin/env bash
# build.sh - builds the control plane make e2e runs, from the Go module proxy into build/kube/bin:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, at the versions
# tests/kube/go.mod pins. The first build downloads and compiles (about 10 minutes on 2 CPUs);
# later ones come from Go's build cache and are skipped outright while go.mod and go.sum are
# unchanged (a stamp beside the binaries records their hash).
set -euo pipefail
cd "$(dirname "$0")"
OUT=${KUBE_BIN:-../../build/kube/bin}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
[ -x "$GO" ] || command -v "$GO" >/dev/null || { echo "build.sh: no Go toolchain (go on PATH or /usr/local/go/bin/go)" >&2; exit 2; }

stamp=$(cat go.mod go.sum tools.go build.sh | sha256sum | cut -c1-16)
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$stamp" ]; then
    exit 0
fi
mkdir -p "$OUT"
export GOFLAGS=-mod=readonly CGO_ENABLED=0
k8s=$("$GO" list -m -f '{{.Version}}' k8s.io/kubernetes)   # v1.37.2
major=${k8s#v}; major=${major%%.*}
minor=${k8s#v*.}; minor=${minor%%.*}
# The release's own build stamps its version into these variables (hack/lib/version.sh);
# without them every binary calls itself v0.0.0-master and kubectl warns about the skew.
ver=''
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ver+=" -X $pkg.gitVersion=$k8s -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ver+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
echo "building etcd and Kubernetes $k8s (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl) into $OUT"
start=$SECONDS
"$GO" build -trimpath -ldflags "-s -w$ver" -o "$OUT/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
"$GO" build -trimpath -ldflags "-s -w" -o "$OUT/etcd" go.etcd.io/etcd/server/v3
echo "built in $((SECONDS - start)) s"
echo "$stamp" >"$OUT/.stamp"
