# changes.sh - a change made with kubectl reaches the next scheduling decision (sourced by e2e.sh):
# the delay from `kubectl taint` to names-mode nodegate's cache holding the taint, then a pod that
# the taint refuses, and the same pod placed once the taint is gone.
ns=changes
kubectl create namespace $ns >/dev/null
kubectl apply -f - >/dev/null <<EOF2
$(node_yaml fresh '{}')
EOF2
wait_cache fresh '.metadata.name == "fresh"' || fail "changes: nodegate's cache has node fresh"

# The delay, five times each way: from the start of the kubectl command (kubectl's own start-up,
# its round trip to the API server, the watch event, nodegate applying it) and from its exit.
declare -a from_start=() from_exit=()
for i in 1 2 3 4 5; do
    for op in add remove; do
        t0=$(date +%s%N)
        if [ $op = add ]; then
            kubectl taint node fresh "churn=$i:NoSchedule" >/dev/null
            t1=$(date +%s%N)
            wait_cached fresh "churn:NoSchedule" || fail "changes: the taint churn=$i reaches the cache"
        else
            kubectl taint node fresh churn:NoSchedule- >/dev/null
            t1=$(date +%s%N)
            wait_cache fresh '[(.spec.taints // [])[] | select(.key == "churn")] | length == 0' ||
                fail "changes: the taint's removal reaches the cache"
        fi
        from_start+=("$(ms_since "$t0")") from_exit+=("$(ms_since "$t1")")
    done
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
echo "# changes: kubectl taint to nodegate's cache, median of 10: $(median "${from_start[@]}") ms from the"\
     "command's start, $(median "${from_exit[@]}") ms after it returned (max $(printf '%s\n' "${from_exit[@]}" | sort -n | tail -1) ms)"
check "changes: every taint and removal reached the cache within 1 s of kubectl returning" "" \
    "$(for v in "${from_exit[@]}"; do [ "$v" -le 1000 ] || echo "$v ms"; done)"

# The next decision honours it: tainted, a pod that must go to fresh waits, with nodegate's reason.
check "changes: kubectl taint node fresh gate=closed:NoSchedule" "node/fresh tainted" \
    "$(kubectl taint node fresh gate=closed:NoSchedule 2>&1)"
# first_event NS POD REASON: waits for the pod's first event with that reason; prints its message.
first_event() {
    local end=$((SECONDS + WAIT_S)) msg=''
    while [ $SECONDS -lt $end ]; do
        msg=$(events "$1" "$2" "$3" | head -1)
        [ -n "$msg" ] && break
        sleep 0.1
    done
    echo "$msg"
}
pod_yaml to-fresh default-scheduler '  nodeSelector: {kubernetes.io/hostname: fresh}' | kubectl apply -n $ns -f - >/dev/null
check_has "changes: a pod scheduled right after kubectl taint waits, with nodegate's reason" \
    "untolerated taint {gate: closed}" "$(first_event $ns to-fresh FailedScheduling)"
check "changes: and stays unbound" "<pending>" "$(placed $ns e2e=to-fresh)"
kubectl delete pod -n $ns to-fresh --force --grace-period 0 >/dev/null 2>&1

# Removing the taint: the node's update makes kube-scheduler retry the waiting pod at once, from
# its own informer's copy of the node. In full mode nodegate judges that very copy. In names mode
# it judges its own cache, which follows the API server on a watch of its own and can be a
# millisecond behind the scheduler's: then that cycle is refused from the old taint, and the pod
# waits for the next cluster event (any event requeues a pod an extender refused) or the
# scheduler's 5-minute flush. Counted here over several rounds; the next event is a label.
removal_rounds() {   # removal_rounds SCHEDULER ROUNDS: sets AT_ONCE and LATER
    local sched=$1 r pod t0
    AT_ONCE=0 LATER=0
    for ((r = 1; r <= $2; r++)); do
        pod=$sched-$r
        kubectl taint node fresh gate=closed:NoSchedule --overwrite >/dev/null
        wait_cached fresh gate:NoSchedule || fail "changes: the cache has the taint again"
        pod_yaml "$pod" "$sched" '  nodeSelector: {kubernetes.io/hostname: fresh}' | kubectl apply -n $ns -f - >/dev/null
        [ -n "$(first_event $ns "$pod" FailedScheduling)" ] || fail "changes: $pod is refused while tainted"
        t0=$(date +%s%N)
        kubectl taint node fresh gate:NoSchedule- >/dev/null
        WAIT_S=3 wait_placed $ns "e2e=$pod" 1 >/dev/null
        if [ "$(placed $ns "e2e=$pod")" = fresh ]; then
            AT_ONCE=$((AT_ONCE + 1))
            echo "#   $pod: bound $(ms_since "$t0") ms after kubectl taint ... - returned"
        else
            kubectl label node fresh "round=$sched-$r" --overwrite >/dev/null
            [ "$(wait_placed $ns "e2e=$pod" 1)" = fresh ] && LATER=$((LATER + 1))
            echo "#   $pod: refused by the cycle the removal started, bound after the next event"
        fi
        kubectl delete pod -n $ns "$pod" --force --grace-period 0 >/dev/null 2>&1
    done
}
removal_rounds nodegate-full 3
check "changes: full mode: after kubectl taint ... -, the pod is bound by the cycle the update starts, 3 of 3" \
    "3 0" "$AT_ONCE $LATER"
removal_rounds default-scheduler 5
check "changes: names mode: after kubectl taint ... -, every pod is bound, at once or after the next event" \
    "5" "$((AT_ONCE + LATER))"
echo "# changes: names mode, taint removed: $AT_ONCE of 5 bound by the cycle the update started," \
     "$LATER refused from the cache a moment behind and bound after the next event"
delete_namespace $ns
kubectl delete node fresh >/dev/null
