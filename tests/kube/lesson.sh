# lesson.sh - the classic lesson as a learner types it (sourced by e2e.sh): the redis-ds
# DaemonSet of examples/daemonset-walkthrough/ds.yml, as written, skips the tainted control-plane
# node until the taint is removed with kubectl, or until the pod tolerates it
# (ds-toleration.yml). Once with the taint of the lesson, node-role.kubernetes.io/master, and once
# with today's kubeadm's, node-role.kubernetes.io/control-plane. ds.yml names no scheduler, so its
# pods go to default-scheduler: nodegate in names mode.
DS_DIR=examples/daemonset-walkthrough

lesson() {   # lesson TAINT-KEY
    local key=$1 ns=lesson-${1##*/} taint=$1:NoSchedule
    kubectl create namespace "$ns" >/dev/null
    kubectl apply -f - >/dev/null <<EOF
$(node_yaml master '{"node-role.kubernetes.io/control-plane": ""}' "[{key: $key, effect: NoSchedule}]")
---
$(node_yaml worker '{}')
EOF
    wait_cached master "$taint" || fail "$key: nodegate's cache has master's taint"

    kubectl apply -n "$ns" -f "$DS_DIR/ds.yml" >/dev/null
    check "$key: kubectl apply -f ds.yml: one pod, bound to worker" "worker" "$(wait_placed "$ns" name=redis-ds 1)"

    check "$key: kubectl taint node master $taint-" "node/master untainted" \
        "$(kubectl taint node master "$taint-" 2>&1)"
    check "$key: a second pod, bound to master" "master worker" "$(wait_placed "$ns" name=redis-ds 2)"

    check "$key: kubectl taint node master $taint" "node/master tainted" "$(kubectl taint node master "$taint" 2>&1)"
    wait_cached master "$taint" || fail "$key: nodegate's cache has master's taint again"
    # NoSchedule keeps a running pod: the DaemonSet controller's shouldContinueRunning
    check "$key: the pod on master stays (NoSchedule evicts nothing)" "master worker" "$(wait_placed "$ns" name=redis-ds 2)"

    # The tolerating DaemonSet replaces both pods, one at a time (a rolling update).
    sed "s|node-role.kubernetes.io/master|$key|" "$DS_DIR/ds-toleration.yml" | kubectl apply -n "$ns" -f - >/dev/null
    check "$key: kubectl apply -f ds-toleration.yml: pods on both, of the new template" "master worker" \
        "$(wait_placed "$ns" name=redis-ds 2 "$(ds_generation "$ns" redis-ds)")"
    delete_namespace "$ns"
    kubectl delete node master worker >/dev/null
}

lesson node-role.kubernetes.io/master
lesson node-role.kubernetes.io/control-plane
