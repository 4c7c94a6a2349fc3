#!/usr/bin/env bash
# e2e.sh - make e2e: nodegate beside a real control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl, built by tests/kube/build.sh), on loopback.
# The judges are the real components: the DaemonSet and Deployment controllers make the pods,
# kube-scheduler's HTTP extender client calls nodegate, kubectl makes every change and reads every
# result. Schedulers, each its own kube-scheduler process (an extender applies to every profile of
# its process):
#   default-scheduler  names mode: nodegate watching the API server (nodeCacheCapable: true), the
#                      in-tree TaintToleration, NodeAffinity and NodeUnschedulable off
#   nodegate-full      full mode: a second nodegate without a node source (nodeCacheCapable: false)
#   nodegate-tls       full mode over HTTPS with mutual TLS: a third nodegate, and enableHTTPS with
#                      a tlsConfig (caFile, certFile, keyFile, serverName) in the extender entry
#   in-tree            the in-tree plugins, no extender: the reference for feasibility
# E2E_SCENARIOS="lesson changes" runs some scenarios only; E2E_RECORD_TO=DIR keeps what nodegate
# recorded, E2E_LOGS_TO=DIR every component's log.
. "$(dirname "$0")/../e2e/lib.sh"
. tests/kube/cluster.sh
trap 'stop_kube; cleanup' EXIT

for tool in jq openssl; do
    command -v $tool >/dev/null || { fail "setup: $tool is missing (make deps installs it)"; finish; }
done
[ -x "$KUBECTL" ] || { fail "setup: $KUBE_BIN is not built (tests/kube/build.sh)"; finish; }

start_control_plane || finish

# ---- nodegate as an operator deploys it: the RBAC of examples/deploy, a service-account token ----
check "kubectl apply -f examples/deploy/rbac.yaml" "" \
    "$(kubectl apply -f examples/deploy/rbac.yaml >/dev/null 2>"$T/err" || cat "$T/err")"
NODEGATE_SA=system:serviceaccount:kube-system:nodegate
check "nodegate's account may get, list and watch nodes, and change nothing" "yes yes yes no no" \
    "$(for v in "get nodes" "list nodes" "watch nodes" "patch nodes" "list pods"; do
           kubectl auth can-i $v --as "$NODEGATE_SA" 2>/dev/null; done | tr '\n' ' ' | sed 's/ $//')"
nodegate_kubeconfig "$K8S/nodegate.kubeconfig" || fail "kubectl create token nodegate"
RECORD=$T/record
start_server --kubeconfig "$K8S/nodegate.kubeconfig" --record "$RECORD" || finish
NAMES_URL=$URL
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/readyz")" = 200 ]; }
check "names-mode nodegate is ready: its first list of nodes is in" "ready" \
    "$(until_true "$WAIT_S" ready "$NAMES_URL" && echo ready || curl -s "$NAMES_URL/readyz")"
start_server --record "$RECORD-full" || finish
FULL_URL=$URL
# the cluster CA's certificates (cluster.sh): nodegate's serving one, kube-scheduler's for the client
PKI=$K8S/pki
SCHEME=https CURL_OPTS=(--cacert "$PKI/ca.crt" --cert "$PKI/scheduler.crt" --key "$PKI/scheduler.key")
start_server --record "$RECORD-tls" --tls-cert-file "$PKI/nodegate.crt" --tls-private-key-file "$PKI/nodegate.key" \
    --client-ca-file "$PKI/ca.crt" || finish
TLS_URL=$URL TLS_LOG=$SERVER_LOG
SCHEME=http CURL_OPTS=()

# The three schedulers. The in-tree plugins nodegate answers for are off at every extension point
# (multiPoint): disabling only their filters would leave NodeAffinity's PreFilter narrowing a
# DaemonSet pod to its pinned node before nodegate sees it.
NODEGATE_OFF='    multiPoint:
      disabled: [{name: TaintToleration}, {name: NodeAffinity}, {name: NodeUnschedulable}]'
extender() {   # extender URL CACHE-CAPABLE
    printf 'extenders:\n- urlPrefix: %s\n  filterVerb: filter\n  prioritizeVerb: prioritize\n' "$1"
    printf '  preemptVerb: preempt\n  weight: 5\n  nodeCacheCapable: %s\n  ignorable: false\n' "$2"
}
start_scheduler names "$(scheduler_yaml "percentageOfNodesToScore: 100
profiles:
- schedulerName: default-scheduler
  plugins:
$NODEGATE_OFF
$(extender "$NAMES_URL" true)")" || finish
start_scheduler full "$(scheduler_yaml "percentageOfNodesToScore: 100
profiles:
- schedulerName: nodegate-full
  plugins:
$NODEGATE_OFF
$(extender "$FULL_URL" false)")" || finish
start_scheduler tls "$(scheduler_yaml "percentageOfNodesToScore: 100
profiles:
- schedulerName: nodegate-tls
  plugins:
$NODEGATE_OFF
$(extender "$TLS_URL" false)
  enableHTTPS: true
  tlsConfig:
    caFile: $PKI/ca.crt
    certFile: $PKI/scheduler.crt
    keyFile: $PKI/scheduler.key
    serverName: nodegate.kube-system.svc")" || finish
start_scheduler in-tree "$(scheduler_yaml "percentageOfNodesToScore: 100
profiles:
- schedulerName: in-tree")" || finish

ALL_SCENARIOS="deploy lesson placement changes preemption sampling tls"
for scenario in ${E2E_SCENARIOS:-$ALL_SCENARIOS}; do
    echo "# scenario: $scenario"
    . "tests/kube/$scenario.sh"
done

# The node source followed the real API server through every scenario without one failure (a
# gzipped streaming list once failed its first later event here, recovered a second later).
check "names-mode nodegate's node source never failed nor relisted" "0 0" \
    "$(curl -s "$NAMES_URL/metrics" | awk '$1 ~ /^nodegate_node_source_errors_total/ {e += $2}
        $1 == "nodegate_relists_total" {r = $2} END {print e + 0, r + 0}')"
# --record kept what kube-scheduler sent (a pod with one feasible node gets no /prioritize: only
# placement has pods with several); a few of those requests are cases in tests/cases/.
SCENARIOS=" ${E2E_SCENARIOS:-$ALL_SCENARIOS} "
ran() { [[ $SCENARIOS == *" $1 "* ]]; }
want=$( (ran lesson || ran placement || ran changes || ran preemption) && printf 'filter '
    ran placement && printf 'prioritize '
    ran preemption && printf 'preempt ')
want=${want% }
[ -z "$want" ] || check "nodegate --record kept kube-scheduler's calls: $want" "$want" \
    "$(for verb in $want; do ls "$RECORD" | grep -q -- "-$verb.json$" && printf '%s ' "$verb"; done | sed 's/ $//')"
[ -n "${E2E_RECORD_TO:-}" ] && mkdir -p "$E2E_RECORD_TO" && cp -r "$RECORD" "$RECORD-full" "$E2E_RECORD_TO/"

# Clients first: the schedulers, then nodegate (each checked to exit 0 with a clean log), then the
# control plane, so that no watch is left for the API server to drain.
for name in "${KUBE_NAMES[@]}"; do [[ $name == kube-scheduler-* ]] && stop_component "$name"; done
for pid in "${SERVER_PIDS[@]}"; do stop_server "$pid"; done
stop_kube
check "every component stops on SIGTERM within 10 s" "" "$STOPPED_ALL"
[ -n "${E2E_LOGS_TO:-}" ] && mkdir -p "$E2E_LOGS_TO" && cp "$K8S"/*.log "$T"/server-*.log "$E2E_LOGS_TO/"
finish
