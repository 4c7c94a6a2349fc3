//go:build tools

// Package tools pins the control plane that make e2e runs: one Kubernetes release and the
// etcd server its API server is built against. Nothing here is nodegate code; tests/kube/build.sh
// builds these main packages from the Go module proxy, into build/kube/bin.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
