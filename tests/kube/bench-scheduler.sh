#!/usr/bin/env bash
# bench-scheduler.sh - make bench-scheduler: kube-scheduler's own throughput with nodegate, on the
# control plane make e2e builds (tests/kube/build.sh; cluster.sh starts it). A benchmark, not part
# of make e2e nor of CI: it prints figures and a ratio, and checks only that every run placed every
# pod where the rules allow.
#
# The cluster: BENCH_NODES (default 5,000) Node objects, no kubelet (tests/kube/bench_scheduler.jq:
# 3 control-plane nodes, databases' and GPU nodes tainted NoSchedule, spot nodes PreferNoSchedule,
# 2% cordoned, 2% under a NoExecute maintenance taint, three zones, EC2 names and labels, ~2.9 KB
# of JSON each). The pods: 1,000, created directly (no controller in the way), of two kinds:
#   300 DaemonSet-style  pinned by a required matchFields metadata.name In [node] term, with the
#                        DaemonSet controller's default tolerations (node-exporter 200, kube-proxy
#                        80 tolerating everything, the control plane included, a GPU plugin 20)
#   700 Deployment-style nodeSelectors, tolerations (Equal and Exists, NoSchedule and
#                        PreferNoSchedule), required (In, DoesNotExist) and preferred node affinity
# Each configuration schedules the same pods in a fresh namespace, one configuration at a time,
# nothing else scheduling meanwhile:
#   (a) in-tree      kube-scheduler with its TaintToleration, NodeAffinity, NodeUnschedulable
#   (b) names        those three off at every extension point (multiPoint), nodegate in names mode
#                    (nodeCacheCapable, its cache following the API server with --kubeconfig)
#   (c) go-names     the same with the baseline Go extender (GO_PEER, default
#                    ../shared/peers/go-extender; only when it and go are there), its cache a
#                    NodeList of the nodes (-nodes), as it has no API-server source
#   (d) full         as (b), nodegate in full mode (nodeCacheCapable: false)
#   (e) shipped      nodegate in names mode with examples/scheduler-config.yaml's plugin set: only
#                    the filter, preScore and score points of the three off, so NodeAffinity's
#                    PreFilter still narrows a pinned pod to its node before the extender
#   (f) floor        as (b), the extender answering each pod with what nodegate answered it, at
#                    no cost of its own: the bench plugin build/bench/libngfloor.so
#                    (bench/floor_plugin.c) serving the replies of a run of (b) with --record that
#                    comes first, untimed (its pods in namespace bench-fr). What (f) spends is the
#                    extender protocol's part, kube-scheduler's above all (encoding the pod and the
#                    names, decoding the replies); (f)/(a) is the most any extender answering as
#                    nodegate does can reach here, and (b)/(f) is nodegate's distance to it.
# nodegate runs --compact-replies in (b), (d) and (e), as the examples/deploy sidecars do: no
# filter reasons once a node passes.
# Every profile runs percentageOfNodesToScore: 100 (every node is filtered and scored, in (a) too,
# so the comparison is like for like), and clientConnection qps/burst SCHED_QPS/SCHED_BURST
# (default 1000/2000: kube-scheduler's defaults, 50/100, would throttle bindings and events).
#
# The measure: the pods are created first, with the configuration's schedulerName and no scheduler
# of that name running; then its kube-scheduler starts (at -v=2) and drains the queue. Its log
# stamps each binding ("Successfully bound pod to node", to the microsecond, with evaluatedNodes
# and feasibleNodes); pods/s is (pods - 1) / (last binding - first binding). Creating 1,000 pods
# takes kubectl about as long as (a) takes to schedule them, so timing from the first creation
# would measure kubectl and the API server's admission instead.
# Knobs: BENCH_NODES, BENCH_CONFIGS="a b c d e f", BENCH_TIMEOUT (seconds per configuration, default
# 900; a configuration cut short is measured over the pods it bound), SCHED_QPS, SCHED_BURST, GO_PEER, BENCH_KEEP=DIR (keeps metrics, pods and logs there).
. "$(dirname "$0")/../e2e/lib.sh"
. tests/kube/cluster.sh
trap 'stop_kube; cleanup' EXIT

N_NODES=${BENCH_NODES:-5000}
CONFIGS=${BENCH_CONFIGS:-a b c d e f}
TIMEOUT=${BENCH_TIMEOUT:-900}
SCHED_QPS=${SCHED_QPS:-1000} SCHED_BURST=${SCHED_BURST:-2000}
GO_PEER=${GO_PEER:-../shared/peers/go-extender}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
JQ=(jq -L tests/kube)

for tool in jq openssl curl; do
    command -v $tool >/dev/null || { fail "setup: $tool is missing (make deps installs it)"; finish; }
done
[ -x "$KUBECTL" ] || { fail "setup: $KUBE_BIN is not built (tests/kube/build.sh)"; finish; }

declare -A TITLE=([a]="(a) in-tree plugins, no extender" [b]="(b) nodegate, names mode"
    [c]="(c) Go extender, names mode" [d]="(d) nodegate, full mode"
    [e]="(e) nodegate, names mode, shipped plugin set" [f]="(f) floor: nodegate's answers at no cost"
    [fr]="(f) first: (b) again with --record, for (f)'s answers; not timed")
FLOOR_SO=$B/bench/libngfloor.so

# The baseline Go extender, built from its own folder with no network (standard library only).
GO_BIN=''
if [[ " $CONFIGS " == *" c "* ]]; then
    if [ -f "$GO_PEER/main.go" ] && { [ -x "$GO" ] || command -v "$GO" >/dev/null; }; then
        mkdir -p "$T/go-src" && cp "$GO_PEER"/*.go "$GO_PEER"/go.mod "$T/go-src/"
        if (cd "$T/go-src" && GOFLAGS=-mod=mod GOPROXY=off "$GO" build -o ../goextender .) >"$T/go-build.log" 2>&1; then
            GO_BIN=$T/goextender
        else
            fail "setup: the Go extender builds" "$(tail -3 "$T/go-build.log")"
        fi
    fi
    [ -n "$GO_BIN" ] || { echo "# (c) skipped: no Go extender at $GO_PEER, or no go"; CONFIGS=${CONFIGS/c/}; }
fi

start_control_plane || finish
kubectl apply -f examples/deploy/rbac.yaml >/dev/null || fail "kubectl apply -f examples/deploy/rbac.yaml"
nodegate_kubeconfig "$K8S/nodegate.kubeconfig" || fail "kubectl create token nodegate"
ADMIN_CURL=(--cacert "$K8S/pki/ca.crt" --cert "$K8S/pki/admin.crt" --key "$K8S/pki/admin.key")

# ---- the nodes: generated, then created by 8 kubectl processes at once ----
"${JQ[@]}" -n -c --argjson n "$N_NODES" 'include "bench_scheduler"; nodes($n)' >"$T/nodes.json"
chunks=8
for ((c = 0; c < chunks; c++)); do
    jq -c --argjson c $c --argjson k $chunks '{apiVersion: "v1", kind: "List", items: [to_entries[] | select(.key % $k == $c) | .value]}' \
        "$T/nodes.json" >"$T/nodes-$c.json"
done
t0=$(date +%s%N)
pids=()
for ((c = 0; c < chunks; c++)); do kubectl create -f "$T/nodes-$c.json" >/dev/null 2>"$T/nodes-$c.err" & pids+=($!); done
wait "${pids[@]}"   # these only: the control plane's components are this shell's jobs too
echo "# $N_NODES nodes created in $(ms_since "$t0") ms ($(jq -c '[.[] | .metadata.labels.pool // "control-plane"] | group_by(.) | map({(.[0]): length}) | add' "$T/nodes.json"); cordoned and maintenance are in general)"
got=$(kubectl get nodes -o name | wc -l)
check "all $N_NODES nodes are in the API server" "$N_NODES" "$got"
[ "$got" = "$N_NODES" ] || { cat "$T"/nodes-*.err | head -5; finish; }
kubectl get nodes -o json >"$T/nodelist.json"   # the Go extender's cache, and the check's nodes

# ---- the pods: one set, the schedulerName filled in per configuration ----
"${JQ[@]}" -c 'include "bench_scheduler"; pods(.)' "$T/nodes.json" >"$T/pods.json"
N_PODS=$(jq length "$T/pods.json")
echo "# $N_PODS pods: $(jq -c 'map(.metadata.labels.app) | group_by(.) | map({(.[0]): length}) | add' "$T/pods.json")"

# ---- the schedulers ----
OFF_ALL='  plugins:
    multiPoint:
      disabled: [{name: TaintToleration}, {name: NodeAffinity}, {name: NodeUnschedulable}]'
OFF_SHIPPED='  plugins:
    filter:
      disabled: [{name: TaintToleration}, {name: NodeAffinity}, {name: NodeUnschedulable}]
    score:
      disabled: [{name: TaintToleration}, {name: NodeAffinity}]
    preScore:
      disabled: [{name: TaintToleration}, {name: NodeAffinity}]'
sched_config() {   # sched_config PROFILE PLUGINS EXTENDER-URL CACHE-CAPABLE [PREEMPT-VERB]
    printf 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n'
    printf 'clientConnection:\n  kubeconfig: %s\n  qps: %s\n  burst: %s\n' "$K8S/scheduler.kubeconfig" "$SCHED_QPS" "$SCHED_BURST"
    printf 'leaderElection:\n  leaderElect: false\npercentageOfNodesToScore: 100\n'
    printf 'profiles:\n- schedulerName: %s\n%s\n' "$1" "$2"
    [ -n "$3" ] || return 0
    printf 'extenders:\n- urlPrefix: %s\n  filterVerb: filter\n  prioritizeVerb: prioritize\n' "$3"
    [ -z "${5:-}" ] || printf '  preemptVerb: %s\n' "$5"
    printf '  weight: 5\n  nodeCacheCapable: %s\n  ignorable: false\n  httpTimeout: 30s\n' "$4"
}

cpu_ticks() { [ -n "${1:-}" ] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pid_of() {   # pid_of COMPONENT: the pid of a component cluster.sh started
    local i
    for i in "${!KUBE_NAMES[@]}"; do [ "${KUBE_NAMES[$i]}" = "$1" ] && echo "${KUBE_PIDS[$i]}"; done
}
now_ns() { date +%s%N; }
# a metric's sum over the samples whose name and labels match REGEX (awk)
msum() { awk -v re="$2" '$1 ~ re {s += $2} END {printf "%.6f", s + 0}' "$1"; }

# The bindings, from kube-scheduler's own log at -v=2: one "Successfully bound pod to node" line
# each, stamped to the microsecond, with the nodes it evaluated and found feasible.
BOUND_RE='"Successfully bound pod to node"'
bound_in() { grep -c "$BOUND_RE" "$1"; }
# bind_secs LOG: the seconds of the day of each binding (klog's "I1201 17:30:16.602589"), in order
bind_secs() { grep "$BOUND_RE" "$1" | awk '{split($2, t, ":"); printf "%.6f\n", t[1] * 3600 + t[2] * 60 + t[3]}'; }

# create_pods NS SCHEDULER: the pods, by 4 kubectl processes at once; sets CREATE_MS.
create_pods() {
    local c t0 pids=()
    for ((c = 0; c < 4; c++)); do
        jq -c --arg s "$2" --argjson c $c '{apiVersion: "v1", kind: "List",
            items: [to_entries[] | select(.key % 4 == $c) | .value | .spec.schedulerName = $s]}' "$T/pods.json" >"$T/pods-$c.json"
    done
    t0=$(now_ns)
    for ((c = 0; c < 4; c++)); do kubectl create -n "$1" -f "$T/pods-$c.json" >/dev/null 2>>"$T/pods.err" & pids+=($!); done
    wait "${pids[@]}"
    CREATE_MS=$(ms_since "$t0")
}

declare -A RATE=() SECS=() BOUND=() PINNED=() PREF=() WHERE=() CPU=() EVAL=()
run_config() {
    local id=$1 ns=bench-$1 sched=bench-$1 url='' ext_pid='' ext_kind='' plugins=$OFF_ALL cache=true preempt=preempt
    echo "# ${TITLE[$id]}"
    kubectl create namespace "$ns" >/dev/null
    until_ok 60 "the namespace $ns has its default ServiceAccount" kube-controller-manager \
        kubectl get serviceaccount default -n "$ns" || return 1
    create_pods "$ns" "$sched"
    local n
    n=$(kubectl get pods -n "$ns" -o name | wc -l)
    echo "#   $n pods created in $CREATE_MS ms (4 kubectl create at once), none scheduled yet"
    [ "$n" = "$N_PODS" ] || { fail "($id): all $N_PODS pods are created" "$(tail -3 "$T/pods.err")"; return 1; }

    case $id in
    a) plugins='' ;;
    b | e | fr)
        local record=()
        [ $id = fr ] && record=(--record "$T/record") && mkdir -p "$T/record"
        start_server --kubeconfig "$K8S/nodegate.kubeconfig" --compact-replies "${record[@]}" || return 1
        url=$URL ext_pid=$SERVER_PID ext_kind=nodegate
        [ $id = e ] && plugins=$OFF_SHIPPED
        until_true 60 nodegate_has "$url" || { fail "($id): nodegate's cache holds the $N_NODES nodes"; return 1; } ;;
    c)
        local port
        port=$(free_port)
        "$GO_BIN" -addr "127.0.0.1:$port" -nodes "$T/nodelist.json" 2>"$T/go-$id.log" &
        ext_pid=$! url=http://127.0.0.1:$port ext_kind=go preempt=''
        until_true 60 curl -sf "$url/healthz" || { fail "($id): the Go extender answers" "$(tail -3 "$T/go-$id.log")"; return 1; } ;;
    d)
        start_server --compact-replies || return 1
        url=$URL ext_pid=$SERVER_PID ext_kind=nodegate cache=false ;;
    f)
        answers_of "$T/record" >"$T/answers.jsonl"
        [ -s "$T/answers.jsonl" ] || { fail "(f): its recording pass left answers"; return 1; }
        memo_hits "$T/record" filter
        memo_hits "$T/record" prioritize
        start_server --plugin "$FLOOR_SO" --nodes "$T/answers.jsonl" || return 1
        url=$URL ext_pid=$SERVER_PID ext_kind=floor ;;
    esac

    local p=$T/run-$id api etcd ext0 api0 etcd0 s0 ext1 api1 etcd1 s1 spid first last log=$K8S/kube-scheduler-$id.log
    api=$(pid_of kube-apiserver) etcd=$(pid_of etcd)
    start_scheduler "$id" "$(sched_config "$sched" "$plugins" "$url" "$cache" "$preempt")" -v=2 || return 1
    spid=$(pid_of "kube-scheduler-$id")
    local end=$((SECONDS + TIMEOUT))
    until [ "$(bound_in "$log")" -gt 0 ] || [ $SECONDS -ge $end ]; do sleep 0.02; done
    s0=$(cpu_ticks "$spid") ext0=$(cpu_ticks "$ext_pid") api0=$(cpu_ticks "$api") etcd0=$(cpu_ticks "$etcd")
    until [ "$(bound_in "$log")" -ge "$N_PODS" ] || [ $SECONDS -ge $end ]; do sleep 0.1; done
    s1=$(cpu_ticks "$spid") ext1=$(cpu_ticks "$ext_pid") api1=$(cpu_ticks "$api") etcd1=$(cpu_ticks "$etcd")

    curl -sk "$SCHED_METRICS" >"$p.sched-metrics"
    [ "$ext_kind" = nodegate ] && curl -s "$url/metrics" >"$p.ext-metrics"
    kubectl get pods -n "$ns" -o json >"$p.pods.json"
    jq -c --slurpfile nl "$T/nodelist.json" -L tests/kube 'include "bench_scheduler"; {nodes: $nl[0].items, pods: .items} | verdict' \
        "$p.pods.json" >"$p.verdict"

    bind_secs "$log" >"$p.binds"
    BOUND[$id]=$(jq .bound "$p.verdict")
    if [ "$(wc -l <"$p.binds")" -gt 1 ]; then
        SECS[$id]=$(awk 'NR == 1 {a = $1} {b = $1} END {d = b - a; if (d < 0) d += 86400; printf "%.2f", d}' "$p.binds")
        RATE[$id]=$(awk -v s="${SECS[$id]}" -v n="$(wc -l <"$p.binds")" 'BEGIN {printf "%.1f", (n - 1) / s}')
    else
        SECS[$id]=- RATE[$id]=0
    fi
    EVAL[$id]=$(grep "$BOUND_RE" "$log" | sed -n 's/.* evaluatedNodes=\([0-9]*\) feasibleNodes=\([0-9]*\).*/\1 \2/p' |
        awk '{e[$1]++; f += $2} END {for (k in e) printf "%s pods evaluated %s nodes; ", e[k], k; printf "%.0f feasible on average", f / NR}')
    PINNED[$id]=$(jq -r .pinned "$p.verdict")
    PREF[$id]=$(jq -r '"\(.web_in_1a) of 200 web pods in eu-west-1a, \(.batch_on_spot) of 100 batch pods on spot nodes"' "$p.verdict")
    local bound=${BOUND[$id]}
    # CPU per pod, ms (clock ticks are 10 ms)
    CPU[$id]=$(awk -v s=$((s1 - s0)) -v e=$((ext1 - ext0)) -v a=$((api1 - api0)) -v d=$((etcd1 - etcd0)) -v n="$bound" \
        'BEGIN {printf "%.1f %.1f %.1f %.1f", s * 10 / n, e * 10 / n, a * 10 / n, d * 10 / n}')

    # Where the scheduling cycle goes, per pod (ms): the algorithm (filter and score, extenders
    # included), its framework extension points, the extender's share (the algorithm less those),
    # and the extender's own time per call as it measures it.
    local m=$p.sched-metrics prof="profile=\"$sched\"" ep
    local alg algn
    alg=$(msum "$m" '^scheduler_scheduling_algorithm_duration_seconds_sum')
    algn=$(msum "$m" '^scheduler_scheduling_algorithm_duration_seconds_count')
    local -a eps=()
    for ep in PreFilter Filter PreScore Score; do
        eps+=("$(msum "$m" "^scheduler_framework_extension_point_duration_seconds_sum\\{extension_point=\"$ep\",$prof")")
    done
    local att attn sli slin
    att=$(msum "$m" "^scheduler_scheduling_attempt_duration_seconds_sum\\{$prof")
    attn=$(msum "$m" "^scheduler_scheduling_attempt_duration_seconds_count\\{$prof")
    sli=$(msum "$m" '^scheduler_pod_scheduling_sli_duration_seconds_sum')
    slin=$(msum "$m" '^scheduler_pod_scheduling_sli_duration_seconds_count')
    local ngf=0 ngfn=0 ngp=0 ngpn=0
    if [ -f "$p.ext-metrics" ]; then
        ngf=$(msum "$p.ext-metrics" '^nodegate_request_duration_seconds_sum\{verb="filter"')
        ngfn=$(msum "$p.ext-metrics" '^nodegate_request_duration_seconds_count\{verb="filter"')
        ngp=$(msum "$p.ext-metrics" '^nodegate_request_duration_seconds_sum\{verb="prioritize"')
        ngpn=$(msum "$p.ext-metrics" '^nodegate_request_duration_seconds_count\{verb="prioritize"')
    fi
    WHERE[$id]=$(awk -v alg="$alg" -v algn="$algn" -v pf="${eps[0]}" -v f="${eps[1]}" -v ps="${eps[2]}" -v sc="${eps[3]}" \
        -v att="$att" -v attn="$attn" -v sli="$sli" -v slin="$slin" -v ngf="$ngf" -v ngfn="$ngfn" -v ngp="$ngp" -v ngpn="$ngpn" \
        -v ext="$ext_kind" 'function ms(s, n) { return n > 0 ? s * 1000 / n : 0 }
        BEGIN {
            printf "attempt (cycle to bound) %.2f ms; algorithm %.2f ms = PreFilter %.2f + Filter %.2f + PreScore %.2f + Score %.2f + extender %.2f",
                ms(att, attn), ms(alg, algn), ms(pf, algn), ms(f, algn), ms(ps, algn), ms(sc, algn), ms(alg - pf - f - ps - sc, algn)
            if (ext == "nodegate")
                printf "; nodegate answers %d filter calls in %.3f ms, %d prioritize in %.3f ms", ngfn, ms(ngf, ngfn), ngpn, ms(ngp, ngpn)
            printf "; queue to bound (SLI) %.0f ms", ms(sli, slin)
        }')
    echo "#   $bound of $N_PODS bound in ${SECS[$id]} s from the first binding to the last: ${RATE[$id]} pods/s"
    echo "#   ${EVAL[$id]}"
    echo "#   per pod: ${WHERE[$id]}"
    echo "#   CPU per pod (ms): kube-scheduler, extender, kube-apiserver, etcd: ${CPU[$id]}"
    echo "#   ${PREF[$id]}; $(jq .nodes_used "$p.verdict") nodes used"

    # A configuration cut short by BENCH_TIMEOUT is a figure, not a failure: its bound pods are
    # checked as the others' are, and compared with (a)'s same pods.
    [ "$bound" = "$N_PODS" ] || echo "#   cut short after $TIMEOUT s (BENCH_TIMEOUT): $bound of $N_PODS pods bound, the figures are theirs"
    check "($id): every bound pod is on a node its taints, tolerations, cordon, selector and affinity allow" "" \
        "$(jq -r '.refused[:5] | join(", ")' "$p.verdict")"
    if [ "$id" != a ] && [ -n "${PINNED[a]:-}" ]; then
        local mine theirs
        mine=$(tr ' ' '\n' <<<"${PINNED[$id]}" | grep -v '=-$')
        theirs=$(tr ' ' '\n' <<<"${PINNED[a]}" | grep -F -f <(sed 's/=.*/=/' <<<"$mine"))
        check "($id): its $(wc -l <<<"$mine") bound pinned (DaemonSet-style) pods are on the same nodes as in (a)" "$theirs" "$mine"
        [ "$bound" = "$N_PODS" ] && check "($id): preferred affinity wins as in (a)" "${PREF[a]}" "${PREF[$id]}"
    fi

    [ -n "${BENCH_KEEP:-}" ] && mkdir -p "$BENCH_KEEP" && cp "$p".* "$K8S/kube-scheduler-$id.log" "$K8S/$id.yaml" "$BENCH_KEEP/" 2>/dev/null
    stop_component "kube-scheduler-$id"
    case $ext_kind in
    nodegate | floor) stop_server "$ext_pid" ;;
    go) kill "$ext_pid" 2>/dev/null; wait "$ext_pid" 2>/dev/null ;;
    esac
    # the pods go at once (deletecollection, grace period 0: no kubelet to confirm), then the namespace
    curl -sf "${ADMIN_CURL[@]}" -X DELETE "$APISERVER/api/v1/namespaces/$ns/pods?gracePeriodSeconds=0" >/dev/null ||
        fail "($id): the pods are deleted"
    delete_namespace "$ns"
}
nodegate_has() { [ "$(metric_at "$1/metrics" nodegate_nodes)" = "$N_NODES" ]; }
# memo_hits DIR VERB: of the recorded calls, how many a reply memo could have answered: the same
# placement constraints (what nodegate reads of the pod) as an earlier call's and the same
# NodeNames, in the same order or as a set.
memo_hits() {
    local files=("$1"/*-"$2".json) n same set
    [ -f "${files[0]}" ] || return 0
    n=${#files[@]}
    local pod='.Pod.spec | {nodeName, nodeSelector, affinity: .affinity.nodeAffinity, tolerations}'
    same=$(jq -c "[($pod), .NodeNames] | tostring" "${files[@]}" | sort -u | wc -l)
    set=$(jq -c "[($pod), (.NodeNames | sort)] | tostring" "${files[@]}" | sort -u | wc -l)
    echo "#   memo: of the recording's $n $2 calls, $((n - same)) repeat an earlier one's placement constraints and NodeNames in order, $((n - set)) as a set"
}
# answers_of DIR: (f)'s answers from a --record directory, a JSON line per filter and prioritize
# call: its pod (the first name in the body, kube-scheduler's Pod.metadata.name) and its reply.
answers_of() {
    local verb f pod
    for verb in filter prioritize; do
        for f in "$1"/*-$verb.json; do
            [ -f "$f" ] && [ -f "${f%.json}.reply.json" ] || continue
            pod=$(head -c 512 "$f" | sed -n 's/^{"Pod":{"metadata":{"name":"\([^"]*\)".*/\1/p')
            [ -n "$pod" ] || continue
            printf '{"verb":"%s","pod":"%s","reply":' "$verb" "$pod"
            cat "${f%.json}.reply.json"
            printf '}\n'
        done
    done
}

for id in $CONFIGS; do
    [ "$id" = f ] && { run_config fr || echo "# (fr) did not run to the end"; }
    run_config "$id" || echo "# ($id) did not run to the end"
done

# ---- the table ----
echo
echo "kube-scheduler $(version_of "$KUBE_BIN/kube-scheduler" --version | awk '{print $2}'), $N_NODES nodes, $N_PODS pods," \
     "percentageOfNodesToScore 100, client qps $SCHED_QPS burst $SCHED_BURST, $(nproc) CPUs"
printf '%-46s %6s %8s %8s %10s   %s\n' configuration pods seconds pods/s "ratio (a)" "CPU ms/pod: scheduler extender apiserver etcd"
for id in $CONFIGS; do
    [ -n "${RATE[$id]:-}" ] || continue
    printf '%-46s %6s %8s %8s %10s   %s\n' "${TITLE[$id]}" "${BOUND[$id]}" "${SECS[$id]}" "${RATE[$id]}" \
        "$(awk -v r="${RATE[$id]}" -v a="${RATE[a]:-0}" 'BEGIN {if (a > 0) printf "%.2f", r / a; else print "-"}')" "${CPU[$id]}"
done
ratio() { awk -v x="$1" -v y="$2" 'BEGIN {printf "%.2f", x / y}'; }
if [ -n "${RATE[a]:-}" ] && [ -n "${RATE[b]:-}" ]; then
    echo "(b)/(a) = $(ratio "${RATE[b]}" "${RATE[a]}") (target 0.9 or more)"
fi
if [ -n "${RATE[a]:-}" ] && [ -n "${RATE[b]:-}" ] && [ "${RATE[f]:-0}" != 0 ]; then
    echo "(f)/(a) = $(ratio "${RATE[f]}" "${RATE[a]}"): the most the extender protocol allows here; (b)/(f) = $(ratio "${RATE[b]}" "${RATE[f]}"): nodegate's distance to it"
fi

for name in "${KUBE_NAMES[@]}"; do [[ $name == kube-scheduler-* ]] && stop_component "$name"; done
for pid in "${SERVER_PIDS[@]}"; do stop_server "$pid"; done
stop_kube
finish
