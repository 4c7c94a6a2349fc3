# placement.sh - placement rules on 20 labelled, tainted and cordoned nodes (sourced by e2e.sh).
# Each case is a Deployment whose pod template carries the placement fields under test, made once
# per scheduler, each in its own namespace:
#   place-names    default-scheduler  nodegate in names mode decides taints, affinity, cordons
#   place-full     nodegate-full      nodegate in full mode decides them
#   place-in-tree  in-tree            the upstream TaintToleration, NodeAffinity and
#                                     NodeUnschedulable plugins decide them: the reference
# The nodes each case may run on are written here, worked out from the Kubernetes rules (one line
# of reasoning per case), not taken from a run. A case runs as many replicas as it has allowed
# nodes (at least 1): every pod must be bound, and only to an allowed node; a case with one allowed
# node must land there; a case with none stays Pending with a FailedScheduling event whose
# per-node reasons are, for nodegate's schedulers, nodegate's own (kube-scheduler puts the
# extender's FailedAndUnresolvableNodes messages into the event), counted for all 20 nodes. Then
# the three must agree on every case. A case with a preferred node runs one replica, which must
# land there: nodegate's score (extender weight 5) and the in-tree scores both favour it by far
# more than anything else that scores (the other pods' default requests move a node by ~2.5 of 100
# per pod).
# How replicas spread is shown ("#    on ...") but not checked. In full mode they spread less:
# for an extender that is not nodeCacheCapable, kube-scheduler replaces each node the extender
# returns by a new NodeInfo holding only the returned Node (pkg/scheduler/extender.go: Filter,
# framework.NewNodeInfo + SetNode), with no pods, so the in-tree scores that count a node's pods
# or requests (PodTopologySpread's hostname spreading, NodeResourcesFit, BalancedAllocation) see
# every node empty.
PLACE_NS=(place-names place-full place-in-tree)
declare -A PLACE_SCHED=([place-names]=default-scheduler [place-full]=nodegate-full [place-in-tree]=in-tree)
declare -A PLACE_SAYS=([place-names]="default-scheduler (names mode)" [place-full]="nodegate-full (full mode)"
    [place-in-tree]="in-tree")

# ---- the nodes: name, labels, taints (in the node's order), cordoned with kubectl ----
# gpu is a count (Gt/Lt compare it as an integer: 16 > 3 although "16" < "3" as text; "many" is
# not an integer). A pod's tolerations always include the DefaultTolerationSeconds admission's
# not-ready and unreachable NoExecute Exists tolerations, so notready-c takes any pod.
PLACE_NODES=(
    'web-a      {"zone":"a","tier":"web","disk":"ssd","gpu":"0"}'
    'web-b      {"zone":"b","tier":"web","disk":"hdd","gpu":"0"}'
    'web-c      {"zone":"c","tier":"web","disk":"ssd","gpu":"1"}'
    'db-a       {"zone":"a","tier":"db","disk":"ssd"}                [{key: dedicated, value: db, effect: NoSchedule}]'
    'db-b       {"zone":"b","tier":"db","disk":"ssd"}                [{key: dedicated, value: db, effect: NoSchedule}]'
    'dbml-c     {"zone":"c","tier":"db","disk":"ssd","gpu":"4"}      [{key: dedicated, value: db, effect: NoSchedule}, {key: accel, value: gpu, effect: NoExecute}]'
    'ml-a       {"zone":"a","tier":"ml","disk":"ssd","gpu":"4"}      [{key: accel, value: gpu, effect: NoExecute}]'
    'ml-b       {"zone":"b","tier":"ml","disk":"ssd","gpu":"8"}      [{key: accel, value: gpu, effect: NoExecute}]'
    'gpu-2      {"zone":"c","disk":"hdd","gpu":"2"}'
    'gpu-16     {"zone":"b","disk":"ssd","gpu":"16"}'
    'odd-b      {"zone":"b","disk":"hdd","gpu":"many"}'
    'batch-a    {"zone":"a","tier":"batch","disk":"hdd"}'
    'spot-b     {"zone":"b","tier":"batch","disk":"hdd"}             [{key: spot, value: "true", effect: PreferNoSchedule}]'
    'spot-c     {"zone":"c","tier":"batch","disk":"hdd"}             [{key: spot, value: "true", effect: PreferNoSchedule}]'
    'maint-c    {"zone":"c","tier":"ops","disk":"ssd"}               [{key: maint, effect: NoSchedule}]'
    'drain-a    {"zone":"a","tier":"ops","disk":"hdd"}               [{key: maint, effect: NoExecute}]'
    'cordon-a   {"zone":"a","tier":"web","disk":"ssd"}'
    'cordon-b   {"zone":"b","disk":"hdd","gpu":"0"}'
    'notready-c {"zone":"c","disk":"hdd"}                            [{key: node.kubernetes.io/not-ready, effect: NoExecute}]'
    'bare       {}'
)
PLACE_CORDONED="cordon-a cordon-b"
# For a pod that tolerates nothing more than the defaults: cordon-a, cordon-b are cordoned;
# db-a, db-b, dbml-c (dedicated=db:NoSchedule first), ml-a, ml-b (accel=gpu:NoExecute), maint-c
# (maint:NoSchedule), drain-a (maint:NoExecute) are tainted; these 11 are open:
OPEN="web-a web-b web-c gpu-2 gpu-16 odd-b batch-a spot-b spot-c notready-c bare"

# ---- the cases ----
declare -a CASES=()
declare -A TITLE=() ALLOWED=() PREFER=() SPEC=() WHY_NG=() WHY_IT=()
# place ID TITLE ALLOWED [--prefer NODE] SPEC-LINE...: a case; ALLOWED is "-" for none; SPEC-LINEs
# go into the pod template's spec as they are (flow YAML).
place() {
    local id=$1
    CASES+=("$id") TITLE[$id]=$2 ALLOWED[$id]=${3/#-/}
    shift 3
    if [ "${1:-}" = --prefer ]; then PREFER[$id]=$2; shift 2; fi
    SPEC[$id]=$( (($#)) && printf '%s\n' "$@")
}
required() {   # required TERM...: a required node affinity with these terms (ORed)
    local IFS=,
    echo "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [$*]}}}"
}
preferred() {  # preferred WEIGHTED-TERM...
    local IFS=,
    echo "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [$*]}}"
}
# fit_msg REASON...: the start of kube-scheduler's FailedScheduling message (FitError.Error) when
# no node fits: "0/20 nodes are available: " and the "COUNT reason" entries sorted as Go's
# sort.Strings sorts them (bytes), then "."; the preemption text that follows is not compared.
fit_msg() {
    local sorted
    sorted=$(printf '%s\n' "$@" | LC_ALL=C sort | paste -sd '|' | sed 's/|/, /g')
    echo "0/20 nodes are available: $sorted."
}
UNSCHED="node(s) were unschedulable"
AFFINITY="node(s) didn't match Pod's node affinity/selector"
NG_DB="node(s) had untolerated taint {dedicated: db}" NG_ACCEL="node(s) had untolerated taint {accel: gpu}"
NG_MAINT="node(s) had untolerated taint {maint: }"
IT_TAINT="node(s) had untolerated taint(s)"   # in-tree 1.37: one text for every taint
# The reasons when only the defaults are tolerated and no open node matches: the first failing
# check of each node, in kube-scheduler's order (cordon, taints in node order, then selector).
NG_NONE=("2 $UNSCHED" "3 $NG_DB" "2 $NG_ACCEL" "2 $NG_MAINT" "11 $AFFINITY")
IT_NONE=("2 $UNSCHED" "7 $IT_TAINT" "11 $AFFINITY")
none_why() {   # none_why ID: the case fails on every node for the reasons above
    WHY_NG[$1]=$(fit_msg "${NG_NONE[@]}") WHY_IT[$1]=$(fit_msg "${IT_NONE[@]}")
}

place plain "no placement fields" "$OPEN"
# every open node; notready-c's NoExecute taint is tolerated by the admission's default toleration

# nodeSelector
place sel-ssd "nodeSelector disk=ssd" "web-a web-c gpu-16" \
    'nodeSelector: {disk: ssd}'
# the ssd nodes that are open; db-*, dbml-c, ml-*, maint-c tainted, cordon-a cordoned
place sel-web-b "nodeSelector zone=b, tier=web" "web-b" \
    'nodeSelector: {zone: b, tier: web}'
# both labels must match: web-b only (cordon-a is tier=web but zone a)
place sel-none "nodeSelector disk=nvme" - \
    'nodeSelector: {disk: nvme}'
none_why sel-none

# tolerations: Equal and Exists; NoSchedule, NoExecute, PreferNoSchedule; key-only taints
place tol-db-equal "toleration dedicated=db:NoSchedule (Equal), tier=db" "db-a db-b" \
    'nodeSelector: {tier: db}' \
    'tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]'
# dbml-c's second taint accel=gpu:NoExecute stays untolerated
place tol-db-value "toleration dedicated=cache:NoSchedule (Equal, wrong value), tier=db" - \
    'nodeSelector: {tier: db}' \
    'tolerations: [{key: dedicated, operator: Equal, value: cache, effect: NoSchedule}]'
none_why tol-db-value   # the value differs: dedicated=db untolerated, as with no toleration
place tol-db-ml "tolerations dedicated:NoSchedule (Exists) + accel=gpu:NoExecute (Equal), tier=db" "db-a db-b dbml-c" \
    'nodeSelector: {tier: db}' \
    'tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}, {key: accel, operator: Equal, value: gpu, effect: NoExecute}]'
place tol-db-on-dbml "toleration dedicated=db:NoSchedule, on dbml-c (dedicated=db, then accel=gpu)" - \
    'nodeSelector: {kubernetes.io/hostname: dbml-c}' \
    'tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]'
# dbml-c's first untolerated taint is now its second one, accel=gpu; db-a, db-b pass the taints
# and fail on the selector
WHY_NG[tol-db-on-dbml]=$(fit_msg "2 $UNSCHED" "3 $NG_ACCEL" "2 $NG_MAINT" "13 $AFFINITY")
WHY_IT[tol-db-on-dbml]=$(fit_msg "2 $UNSCHED" "5 $IT_TAINT" "13 $AFFINITY")
place tol-ml "toleration accel:NoExecute (Exists), tier=ml" "ml-a ml-b" \
    'nodeSelector: {tier: ml}' \
    'tolerations: [{key: accel, operator: Exists, effect: NoExecute}]'
place tol-ml-effect "toleration accel:NoSchedule (Exists, wrong effect), tier=ml" - \
    'nodeSelector: {tier: ml}' \
    'tolerations: [{key: accel, operator: Exists, effect: NoSchedule}]'
none_why tol-ml-effect   # a NoSchedule toleration does not tolerate accel=gpu:NoExecute
place tol-maint "toleration maint (Exists, every effect), tier=ops" "maint-c drain-a" \
    'nodeSelector: {tier: ops}' \
    'tolerations: [{key: maint, operator: Exists}]'
# an empty effect matches both maint:NoSchedule and maint:NoExecute
place tol-maint-equal "toleration maint=\"\":NoSchedule (Equal, no value), tier=ops" "maint-c" \
    'nodeSelector: {tier: ops}' \
    'tolerations: [{key: maint, operator: Equal, effect: NoSchedule}]'
# Equal with an empty value matches the key-only taint's empty value; drain-a's is NoExecute
place tol-maint-drain "toleration maint:NoSchedule, on drain-a (maint:NoExecute)" - \
    'nodeSelector: {kubernetes.io/hostname: drain-a}' \
    'tolerations: [{key: maint, operator: Exists, effect: NoSchedule}]'
# maint-c's taint is tolerated now, so maint-c fails on the selector instead
WHY_NG[tol-maint-drain]=$(fit_msg "2 $UNSCHED" "3 $NG_DB" "2 $NG_ACCEL" "1 $NG_MAINT" "12 $AFFINITY")
WHY_IT[tol-maint-drain]=$(fit_msg "2 $UNSCHED" "6 $IT_TAINT" "12 $AFFINITY")
place tol-all "toleration of everything ({operator: Exists}), zone=a" "web-a db-a ml-a batch-a drain-a cordon-a" \
    'nodeSelector: {zone: a}' \
    'tolerations: [{operator: Exists}]'
# an empty key and effect tolerate every taint, and the cordon's unschedulable taint too
place tol-all-noschedule "toleration of every NoSchedule taint ({operator: Exists, effect: NoSchedule}), zone=a" "web-a db-a batch-a cordon-a" \
    'nodeSelector: {zone: a}' \
    'tolerations: [{operator: Exists, effect: NoSchedule}]'
# ml-a (accel=gpu) and drain-a (maint) are NoExecute; the cordon's taint is NoSchedule
place tol-all-none "toleration of everything, disk=nvme" - \
    'nodeSelector: {disk: nvme}' \
    'tolerations: [{operator: Exists}]'
WHY_NG[tol-all-none]=$(fit_msg "20 $AFFINITY") WHY_IT[tol-all-none]=$(fit_msg "20 $AFFINITY")
place pns-avoid "PreferNoSchedule spot=true on spot-b, spot-c; tier=batch, 1 replica" "batch-a spot-b spot-c" --prefer batch-a \
    'nodeSelector: {tier: batch}'
# PreferNoSchedule filters nothing, but the untainted batch-a scores best
place pns-only "PreferNoSchedule only: nodeSelector hostname=spot-c" "spot-c" \
    'nodeSelector: {kubernetes.io/hostname: spot-c}'
place pns-tolerated "toleration spot=true:PreferNoSchedule (Equal), tier=batch" "batch-a spot-b spot-c" \
    'nodeSelector: {tier: batch}' \
    'tolerations: [{key: spot, operator: Equal, value: "true", effect: PreferNoSchedule}]'
place pns-vs-pref "PreferNoSchedule against preferred zone=c (weight 10), tier=batch, 1 replica" "batch-a spot-b spot-c" --prefer batch-a \
    'nodeSelector: {tier: batch}' \
    "$(preferred '{weight: 10, preference: {matchExpressions: [{key: zone, operator: In, values: [c]}]}}')"
# spot-c is preferred but untolerated-PreferNoSchedule: taint weight 3 beats affinity weight 2,
# in-tree (300 against 200) and in nodegate's weighted mean (6 against 4)

# required node affinity, every operator
place aff-in "required disk In [ssd] and zone In [b, c]" "web-c gpu-16" \
    "$(required '{matchExpressions: [{key: disk, operator: In, values: [ssd]}, {key: zone, operator: In, values: [b, c]}]}')"
# ssd in b or c: web-c, gpu-16 open; db-b, dbml-c, ml-b, maint-c tainted
place aff-notin "required zone NotIn [a, b]" "web-c gpu-2 spot-c notready-c bare" \
    "$(required '{matchExpressions: [{key: zone, operator: NotIn, values: [a, b]}]}')"
# zone c and no zone at all (bare); dbml-c, maint-c tainted
place aff-exists "required gpu Exists" "web-a web-b web-c gpu-2 gpu-16 odd-b" \
    "$(required '{matchExpressions: [{key: gpu, operator: Exists}]}')"
# any value, "many" too; dbml-c, ml-* tainted, cordon-b cordoned
place aff-dne "required tier DoesNotExist" "gpu-2 gpu-16 odd-b notready-c bare" \
    "$(required '{matchExpressions: [{key: tier, operator: DoesNotExist}]}')"
# no tier label: cordon-b is cordoned
place aff-gt "required gpu Gt 3" "gpu-16" \
    "$(required '{matchExpressions: [{key: gpu, operator: Gt, values: ["3"]}]}')"
# 4 (dbml-c, ml-a), 8 (ml-b) are tainted; 16 is compared as a number
place aff-gt-tol "required gpu Gt 3, toleration accel:NoExecute for 60 s" "ml-a ml-b gpu-16" \
    "$(required '{matchExpressions: [{key: gpu, operator: Gt, values: ["3"]}]}')" \
    'tolerations: [{key: accel, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]'
# dbml-c keeps dedicated=db:NoSchedule; tolerationSeconds plays no part in scheduling
place aff-lt "required gpu Lt 3" "web-a web-b web-c gpu-2" \
    "$(required '{matchExpressions: [{key: gpu, operator: Lt, values: ["3"]}]}')"
# 0, 0, 1, 2; cordon-b's 0 is cordoned; 16 is not less than 3, "many" not a number
place aff-or "required (zone In [a] and tier In [batch]) or (disk In [hdd] and zone In [c])" "batch-a gpu-2 spot-c notready-c" \
    "$(required '{matchExpressions: [{key: zone, operator: In, values: [a]}, {key: tier, operator: In, values: [batch]}]}' \
        '{matchExpressions: [{key: disk, operator: In, values: [hdd]}, {key: zone, operator: In, values: [c]}]}')"
# terms ORed, expressions ANDed
place aff-fields "required matchFields metadata.name In [web-b] (a DaemonSet pod's pin)" "web-b" \
    "$(required '{matchFields: [{key: metadata.name, operator: In, values: [web-b]}]}')"
place aff-fields-notin "required matchFields metadata.name NotIn [web-a], tier=web" "web-b web-c" \
    'nodeSelector: {tier: web}' \
    "$(required '{matchFields: [{key: metadata.name, operator: NotIn, values: [web-a]}]}')"
# nodeSelector and required affinity are ANDed; cordon-a is cordoned
place aff-fields-tainted "required matchFields metadata.name In [db-a], tainted dedicated=db" - \
    "$(required '{matchFields: [{key: metadata.name, operator: In, values: [db-a]}]}')"
# nodegate reports each node's own first failure; the in-tree NodeAffinity's PreFilter narrows the
# search to db-a and reports the other 19 as not passing it
WHY_NG[aff-fields-tainted]=$(fit_msg "${NG_NONE[@]}")
WHY_IT[aff-fields-tainted]=$(fit_msg "1 $IT_TAINT" "19 node(s) didn't satisfy plugin(s) [NodeAffinity]")

# preferred node affinity
place pref-zone "preferred zone In [c] (weight 10), tier=web, 1 replica" "web-a web-b web-c" --prefer web-c \
    'nodeSelector: {tier: web}' \
    "$(preferred '{weight: 10, preference: {matchExpressions: [{key: zone, operator: In, values: [c]}]}}')"
# cordon-a is tier=web but cordoned
place pref-sum "preferred disk=ssd (10) and zone=b (30), tier=web, 1 replica" "web-a web-b web-c" --prefer web-b \
    'nodeSelector: {tier: web}' \
    "$(preferred '{weight: 10, preference: {matchExpressions: [{key: disk, operator: In, values: [ssd]}]}}' \
        '{weight: 30, preference: {matchExpressions: [{key: zone, operator: In, values: [b]}]}}')"
# web-a 10, web-b 30, web-c 10
place pref-fields "preferred matchFields metadata.name In [web-a] (weight 50), tier=web, 1 replica" "web-a web-b web-c" --prefer web-a \
    'nodeSelector: {tier: web}' \
    "$(preferred '{weight: 50, preference: {matchFields: [{key: metadata.name, operator: In, values: [web-a]}]}}')"

# spec.nodeName: no scheduler sees such a pod (kube-scheduler only takes pods with no node), so
# the API alone places it, on a node whose NoSchedule taint it does not tolerate. It is here to
# show that honestly, not as a decision of anyone's.
place nodename "spec.nodeName db-a (no toleration; no scheduler involved)" "db-a" \
    'nodeName: db-a'

# kubectl cordon
place cordon "nodeSelector hostname=cordon-b (cordoned)" - \
    'nodeSelector: {kubernetes.io/hostname: cordon-b}'
none_why cordon
place cordon-tol "nodeSelector hostname=cordon-b, toleration node.kubernetes.io/unschedulable:NoSchedule" "cordon-b" \
    'nodeSelector: {kubernetes.io/hostname: cordon-b}' \
    'tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]'
place cordon-true "hostname=cordon-b, toleration node.kubernetes.io/unschedulable=true:NoSchedule (Equal)" - \
    'nodeSelector: {kubernetes.io/hostname: cordon-b}' \
    'tolerations: [{key: node.kubernetes.io/unschedulable, operator: Equal, value: "true", effect: NoSchedule}]'
none_why cordon-true   # the cordon's taint has no value: "true" does not equal ""
place notready "nodeSelector hostname=notready-c (not-ready:NoExecute)" "notready-c" \
    'nodeSelector: {kubernetes.io/hostname: notready-c}'
# tolerated by the default toleration every pod gets at admission
# The cases whose pods may run on a cordoned node: they tolerate its unschedulable taint.
CORDON_TOLERANT="cordon-tol tol-all tol-all-noschedule"

# ---- helpers ----
words() { wc -w <<<"$1" | tr -d ' '; }
replicas_of() { local n; n=$(words "${ALLOWED[$1]}"); [ -n "${PREFER[$1]:-}" ] && n=1; echo $((n > 0 ? n : 1)); }
deployment() {   # deployment NS ID
    local ns=$1 id=$2
    cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $id, namespace: $ns}
spec:
  replicas: $(replicas_of "$id")
  selector: {matchLabels: {case: $id}}
  template:
    metadata: {labels: {case: $id}}
    spec:
      schedulerName: ${PLACE_SCHED[$ns]}
      terminationGracePeriodSeconds: 0
      containers: [{name: pause, image: registry.k8s.io/pause:3.10}]
$(sed 's/^/      /' <<<"${SPEC[$id]}")
---
EOF
}
# place_snapshot: reads every case's pods (PODS_OF[ns/id]: "node pod" lines, node "<pending>")
# and the FailedScheduling messages (MSGS_OF[ns/pod]: distinct messages, one a line).
declare -A PODS_OF=() MSGS_OF=()
place_snapshot() {
    local ns id node pod msg
    PODS_OF=() MSGS_OF=()
    while IFS=$'\t' read -r ns id node pod; do
        PODS_OF[$ns/$id]+="$node $pod"$'\n'
    done < <(kubectl get pods -A -l case -o json | jq -r '.items[] | select(.metadata.deletionTimestamp == null) |
        [.metadata.namespace, .metadata.labels.case, .spec.nodeName // "<pending>", .metadata.name] | @tsv')
    while IFS=$'\t' read -r ns pod msg; do
        MSGS_OF[$ns/$pod]+="$msg"$'\n'
    done < <(kubectl get events -A --field-selector reason=FailedScheduling -o json |
        jq -r '[.items[] | [.involvedObject.namespace, .involvedObject.name, .message]] | unique | .[] | @tsv')
}
nodes_of() { awk 'NF {print $1}' <<<"${PODS_OF[$1]:-}" | sort | paste -sd ' '; }
# settled NS ID: the case is where it will stay: every replica bound, or (none allowed) its pod
# Pending with a FailedScheduling event
settled() {
    local got want pod
    got=$(nodes_of "$1/$2") want=$(replicas_of "$2")
    [ "$(words "$got")" -eq "$want" ] || return 1
    if [ -n "${ALLOWED[$2]}" ]; then
        [[ "$got" != *"<pending>"* ]]
    else
        pod=$(awk 'NF {print $2; exit}' <<<"${PODS_OF[$1/$2]}")
        [ -n "${MSGS_OF[$1/$pod]:-}" ]
    fi
}
in_set() { [[ " $2 " == *" $1 "* ]]; }   # in_set WORD "WORDS"
# verdict NS ID: "placed" when every pod is bound to an allowed node, "Pending" when none is
# bound, else what went wrong
verdict() {
    local nodes n bad='' pending=0
    nodes=$(nodes_of "$1/$2")
    for n in $nodes; do
        if [ "$n" = "<pending>" ]; then pending=$((pending + 1))
        elif ! in_set "$n" "${ALLOWED[$2]}"; then bad+=" $n"; fi
    done
    if [ -n "$bad" ]; then echo "bound outside the allowed set:$bad"
    elif [ "$pending" -eq 0 ] && [ -n "$nodes" ]; then echo placed
    elif [ "$pending" -eq "$(words "$nodes")" ]; then echo Pending
    else echo "$pending of $(words "$nodes") Pending"; fi
}

# ---- the cluster ----
place_nodes_yaml() {   # every node but the last, which is made after the cordons
    local line name labels taints
    for line in "${PLACE_NODES[@]}"; do
        read -r name labels taints <<<"$line"
        [ "$name" = bare ] && continue
        node_yaml "$name" "$labels" "${taints:-[]}"
        echo ---
    done
}
kubectl apply -f - >/dev/null <<<"$(place_nodes_yaml)"
# shellcheck disable=SC2086 # the names are words
check "kubectl cordon $PLACE_CORDONED" "node/cordon-a cordoned
node/cordon-b cordoned" "$(kubectl cordon $PLACE_CORDONED 2>&1)"
kubectl apply -f - >/dev/null <<<"$(node_yaml bare '{}')"
# bare comes last: a cache that has it has the cordons too
for n in $PLACE_CORDONED; do
    wait_cache "$n" '.spec.unschedulable == true' || fail "nodegate's cache has $n cordoned"
done
wait_cache bare '.metadata.name == "bare"' || fail "nodegate's cache has node bare"
check "nodegate's names cache holds the 20 nodes, and nothing else" \
    "$(for line in "${PLACE_NODES[@]}"; do echo "${line%% *}"; done | LC_ALL=C sort | paste -sd ' ')" \
    "$(curl -sf "$NAMES_URL/nodes" | jq -r '.[]' | LC_ALL=C sort | paste -sd ' ')"
wait_schedulers_nodes 20 || fail "every kube-scheduler's cache holds the 20 nodes"

for ns in "${PLACE_NS[@]}"; do kubectl create namespace "$ns" >/dev/null; done
place_start=$SECONDS
kubectl apply -f - >/dev/null <<<"$(for ns in "${PLACE_NS[@]}"; do for id in "${CASES[@]}"; do deployment "$ns" "$id"; done; done)" ||
    fail "kubectl apply: the ${#CASES[@]} Deployments in ${PLACE_NS[*]}"
place_end=$((SECONDS + WAIT_S))
while [ $SECONDS -lt $place_end ]; do
    place_snapshot
    unsettled=0
    for ns in "${PLACE_NS[@]}"; do
        for id in "${CASES[@]}"; do settled "$ns" "$id" || unsettled=$((unsettled + 1)); done
    done
    [ "$unsettled" -eq 0 ] && break
    sleep 0.25
done
echo "# placement: $((${#CASES[@]} * 3)) Deployments settled in $((SECONDS - place_start)) s ($unsettled not)"

# ---- the checks ----
for id in "${CASES[@]}"; do
    t=${TITLE[$id]} allowed=${ALLOWED[$id]} n=$(replicas_of "$id") verdicts=''
    for ns in "${PLACE_NS[@]}"; do
        who=${PLACE_SAYS[$ns]} got=$(nodes_of "$ns/$id") v=$(verdict "$ns" "$id")
        verdicts+=" $v"
        if [ "$id" = nodename ]; then
            check "$t: the API binds it on $allowed, in $ns" "$allowed" "$got"
        elif [ -n "${PREFER[$id]:-}" ]; then
            check "$t: $who puts its one replica on the preferred ${PREFER[$id]}" "${PREFER[$id]}" "$got"
        elif [ "$(words "$allowed")" -eq 1 ]; then
            check "$t: $who binds it on $allowed, the one node it fits" "$allowed" "$got"
        elif [ -n "$allowed" ]; then
            if [ "$v" = placed ]; then
                pass "$t: $who binds $n/$n within {$allowed}"
                echo "#    on $got"
            else
                fail "$t: $who binds $n/$n within {$allowed}" "verdict: $v" "placed:  $got"
            fi
        else
            check "$t: $who leaves it Pending" "<pending>" "$got"
            pod=$(awk 'NF {print $2; exit}' <<<"${PODS_OF[$ns/$id]:-}")
            msgs=$(sed 's/ preemption: .*//' <<<"${MSGS_OF[$ns/$pod]:-}" | sed '/^$/d' | sort -u)
            if [ "$ns" = place-in-tree ]; then
                check "$t: in-tree's FailedScheduling event gives the in-tree reasons for all 20 nodes" \
                    "${WHY_IT[$id]}" "$msgs"
            else
                check "$t: $who's FailedScheduling event gives nodegate's reasons for all 20 nodes" \
                    "${WHY_NG[$id]}" "$msgs"
            fi
        fi
    done
    [ -n "$allowed" ] && want=placed || want=Pending
    agree="the three schedulers agree: $want${allowed:+ within {$allowed\}}"
    [ "$id" = nodename ] && agree="bound on $allowed in all three namespaces"
    check "$t: $agree" " $want $want $want" "$verdicts"
done

# The cordons, across every case: a pod on a cordoned node comes from a case tolerating
# node.kubernetes.io/unschedulable:NoSchedule (or from spec.nodeName, and none names one).
on_cordoned=$(for key in "${!PODS_OF[@]}"; do
    awk -v c=" $PLACE_CORDONED " -v id="${key#*/}" 'NF && index(c, " " $1 " ") {print id}' <<<"${PODS_OF[$key]}"
done | sort -u | paste -sd ' ')
tolerant_only=$(for id in $on_cordoned; do in_set "$id" "$CORDON_TOLERANT" || echo "$id"; done | paste -sd ' ')
check "kubectl cordon: no scheduler puts a pod on cordon-a or cordon-b unless it tolerates the cordon" "" "$tolerant_only"
# spec.nodeName: bound by the API, so no scheduler reports having scheduled it (a "Scheduled"
# event), while each scheduler reports its pod of sel-web-b
check "spec.nodeName: no scheduler scheduled its pods; each scheduled sel-web-b's (Scheduled events)" \
    "nodename 0, sel-web-b 3" \
    "$(kubectl get events -A --field-selector reason=Scheduled -o json | jq -r '[.items[].involvedObject |
        select(.namespace | startswith("place-")) | .name] as $n |
        "nodename \([$n[] | select(startswith("nodename-"))] | length), sel-web-b \([$n[] | select(startswith("sel-web-b-"))] | length)"')"

delete_namespace "${PLACE_NS[@]}"
# shellcheck disable=SC2046
kubectl delete node $(for line in "${PLACE_NODES[@]}"; do echo "${line%% *}"; done) >/dev/null
wait_cache bare '. == null' || fail "nodegate's cache drops the placement nodes"
