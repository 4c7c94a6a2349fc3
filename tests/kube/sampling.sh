# sampling.sh - kube-scheduler's sampling, and the setting in the shipped config that turns it off
# (sourced by e2e.sh). schedule_one.go's numFeasibleNodesToFind: with 100 nodes or more, a cycle
# stops filtering once it has max(100, N * (50 - N/125) / 100) feasible nodes (at least 5% of N),
# and only those reach the extender; the next cycle starts where this one stopped. Of 200 nodes,
# 100 per cycle: with the in-tree taint and affinity filters off every node passes the in-tree
# filters, so each cycle sends 100 nodes of the scheduler's own list order. A first pod that fits
# every node shows which 100 the first cycle looks at, and 3 of them are labelled. The cycles
# after it would alternate between the other 100 and these, were the order fixed; it is not quite
# (in one run of five no cycle of 6 missed the 3), so the pods are many: a cycle whose 100 hold
# none of the 3 refuses its pod, which happens every other cycle if the halves alternate and in
# one cycle of 8 if the order were drawn anew each time, so of 60 cycles one refuses, save for a
# chance below 1 in 3,000.
# Both schedulers here run examples/scheduler-config.yaml as shipped (full mode, against the
# full-mode nodegate), one of them without its percentageOfNodesToScore: 100.
ns=sampling
N=200
kubectl create namespace $ns >/dev/null
for ((i = 0; i < N; i++)); do
    name=$(printf 's-%03d' $i)
    node_yaml "$name" '{}'
    echo ---
done >"$K8S/sampling-nodes.yaml"
kubectl apply -f "$K8S/sampling-nodes.yaml" >/dev/null
wait_cache s-199 '.metadata.name == "s-199"' || fail "sampling: the $N nodes reach the API server's watchers"

# shipped SCHEDULER-NAME [drop-percentage]: examples/scheduler-config.yaml for this cluster.
shipped() {
    sed -e "s|kubeconfig: /etc/kubernetes/scheduler.conf|kubeconfig: $K8S/scheduler.kubeconfig|" \
        -e "s|urlPrefix: \"http://127.0.0.1:8888\"|urlPrefix: \"$FULL_URL\"|" \
        -e "s|schedulerName: default-scheduler|schedulerName: $1|" \
        -e 's|^kind: KubeSchedulerConfiguration$|&\nleaderElection:\n  leaderElect: false|' \
        ${2:+-e '/^percentageOfNodesToScore:/d'} examples/scheduler-config.yaml
}
deployment() {   # deployment NAME SCHEDULER REPLICAS [NODE-SELECTOR]
    cat <<EOF2
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1}
spec:
  replicas: $3
  selector: {matchLabels: {e2e: $1}}
  template:
    metadata: {labels: {e2e: $1}}
    spec:
      schedulerName: $2
      nodeSelector: ${4:-{sample: fit\}}
      containers: [{name: pause, image: registry.k8s.io/pause:3.10}]
EOF2
}
attempts() {   # attempts METRICS-URL PROFILE RESULT
    metric_at "$1" "scheduler_schedule_attempts_total{profile=\"$2\",result=\"$3\"}"
}
# names_sent FIRST-RECORD: how many nodes each full-mode filter request from then on carried.
names_sent() {
    local f
    for f in $(ls "$RECORD-full"/*-filter.json | sort | tail -n +"$1"); do jq '.Nodes.items | length' "$f"; done |
        sort -n | uniq -c | awk '{printf "%s%d calls with %d", (NR > 1 ? ", " : ""), $1, $2}'
}
REPLICAS=60
for setting in ${SAMPLING_SETTINGS:-default 100}; do
    sched=e2e-sampling-$setting
    start_scheduler "sampling-$setting" "$(shipped $sched ${setting/100/})" || continue
    if [ $setting = default ]; then   # the probe: which half does this scheduler's first cycle see?
        deployment probe $sched 1 '{}' | kubectl apply -n $ns -f - >/dev/null
        [ "$(wc -w <<<"$(wait_placed $ns e2e=probe 1)")" = 1 ] || fail "sampling: the probe pod is bound"
        FIT=$(jq -r '[.Nodes.items[].metadata.name] | sort | .[:3] | join(" ")' \
            "$(ls "$RECORD-full"/*-filter.json | sort | tail -1)")
        # shellcheck disable=SC2086
        kubectl label node $FIT sample=fit >/dev/null
        wait_cache "${FIT##* }" '.metadata.labels.sample == "fit"' || fail "sampling: the labels reach the watchers"
        echo "# sampling: the first cycle looked at 100 nodes; 3 of them now fit: $FIT"
    fi
    first=$(($(ls "$RECORD-full"/*-filter.json 2>/dev/null | wc -l) + 1))
    t0=$(date +%s%N)
    deployment "$sched" "$sched" $REPLICAS | kubectl apply -n $ns -f - >/dev/null
    got=$(wait_placed $ns "e2e=$sched" $REPLICAS)
    took=$(ms_since "$t0")
    refused=$(attempts "$SCHED_METRICS" $sched unschedulable) scheduled=$(attempts "$SCHED_METRICS" $sched scheduled)
    echo "# sampling, percentageOfNodesToScore $setting: $REPLICAS pods that fit 3 of $N nodes:" \
         "${scheduled:-0} scheduled and ${refused:-0} refused attempts, all bound in $took ms;" \
         "nodes per filter call: $(names_sent "$first")"
    if [ $setting = default ]; then
        check "sampling: by default a cycle sends nodegate 100 of the $N nodes" "yes" \
            "$(names_sent "$first" | grep -q ' with 100' && echo yes)"
        check "sampling: by default some cycles refuse a pod that fits 3 nodes" "yes" \
            "$(awk -v r="${refused:-0}" 'BEGIN {print ((r > 0) ? "yes" : "no: 0 refused attempts")}')"
    else
        check "sampling: percentageOfNodesToScore: 100 sends nodegate every node, every call" \
            "$REPLICAS calls with $N" "$(names_sent "$first")"
        check "sampling: percentageOfNodesToScore: 100 refuses none" "0" "${refused:-0}"
    fi
    check "sampling ($setting): all $REPLICAS pods end on the 3 fitting nodes" "yes" \
        "$([ "$(wc -w <<<"$got")" = $REPLICAS ] && [ -z "$(tr ' ' '\n' <<<"$got" | grep -vxF -f <(tr ' ' '\n' <<<"$FIT"))" ] && echo yes)"
    kubectl delete deployment -n $ns "$sched" >/dev/null
    stop_component "kube-scheduler-sampling-$setting"
done
delete_namespace $ns
kubectl delete -f "$K8S/sampling-nodes.yaml" >/dev/null
