# preemption.sh - kube-scheduler's preemption calls nodegate's /preempt, and nodegate keeps it from
# evicting anything on a node the preemptor does not tolerate (sourced by e2e.sh).
# Two 1-CPU nodes, each full with a low-priority pod of 800m: pa with victim-a (priority 100),
# pb with victim-b (priority 0), pb tainted dedicated=batch:NoSchedule, which only victim-b
# tolerates. The preemptor (priority 1000, 500m, no toleration) fits neither. With the in-tree
# TaintToleration off, kube-scheduler's dry run finds both nodes would fit once their victim is
# gone, and left to itself it would pick pb: its victim has the lower priority
# (pickOneNodeForPreemption). nodegate's /preempt drops pb, an untolerated taint no eviction
# removes, so pa's victim is evicted and the preemptor is bound to pa.
ns=preemption
kubectl create namespace $ns >/dev/null
kubectl apply -f - >/dev/null <<EOF2
$(NODE_CPU=1 node_yaml pa '{}')
---
$(NODE_CPU=1 node_yaml pb '{}' '[{key: dedicated, value: batch, effect: NoSchedule}]')
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: e2e-low}
value: 0
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: e2e-mid}
value: 100
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: e2e-high}
value: 1000
EOF2
wait_cached pb dedicated:NoSchedule || fail "preemption: nodegate's cache has pb's taint"
WANT_CPU='    resources: {requests: {cpu: %s}}\n'
victim() {   # victim NAME NODE CLASS [TOLERATIONS]
    pod_yaml "$1" default-scheduler "$(printf "$WANT_CPU" 800m)
  priorityClassName: $3
  terminationGracePeriodSeconds: 0
  nodeSelector: {kubernetes.io/hostname: $2}
${4:-}" | kubectl apply -n $ns -f - >/dev/null
}
victim victim-a pa e2e-mid
victim victim-b pb e2e-low '  tolerations: [{key: dedicated, operator: Equal, value: batch, effect: NoSchedule}]'
check "preemption: the victims are bound, one on each node" "pa pb" "$(wait_placed $ns 'e2e in (victim-a,victim-b)' 2)"

preempts() { metric_at "$NAMES_URL/metrics" 'nodegate_requests_total{verb="preempt",code="200"}'; }
before=$(preempts)
pod_yaml preemptor default-scheduler "$(printf "$WANT_CPU" 500m)
  priorityClassName: e2e-high" | kubectl apply -n $ns -f - >/dev/null
check "preemption: the preemptor is bound to pa, the node it tolerates" "pa" "$(wait_placed $ns e2e=preemptor 1)"
check "preemption: victim-a was evicted (Preempted)" "" "$(kubectl get pod -n $ns victim-a -o name 2>/dev/null)"
check "preemption: victim-b on the tainted pb was left alone" "pb" "$(placed $ns e2e=victim-b)"
check "preemption: nodegate's /preempt was called" "yes" \
    "$(awk -v a="${before:-0}" -v b="$(preempts)" 'BEGIN {print ((b > a) ? "yes" : "no: " a " -> " b)}')"
reply=$(ls "$RECORD"/*-preempt.reply.json 2>/dev/null | tail -1)
victims='.NodeNameToMetaVictims // .NodeNameToVictims | keys'
check "preemption: kube-scheduler offered both nodes as candidates" '["pa","pb"]' \
    "$(jq -c "$victims" "${reply%.reply.json}.json" 2>/dev/null)"
check "preemption: nodegate's reply kept pa's victim and dropped pb" '["pa"]' "$(jq -c "$victims" "$reply" 2>/dev/null)"
delete_namespace $ns
kubectl delete node pa pb >/dev/null
kubectl delete priorityclass e2e-low e2e-mid e2e-high >/dev/null
