#!/usr/bin/env bash
# compact.sh - --compact-replies over HTTP: a filter reply in which a node passes carries no
# reasons, one in which none passes is the full one; prioritize and /explain are unchanged; the
# flag's forms and refusals,
# and its option merged with --feature-gates and with an API-server source's completeCache.
# Every expected reply is worked out by hand from examples/demo-cluster.json (see each check).
. "$(dirname "$0")/lib.sh"
DEMO=examples/demo-cluster.json
ALL='"NodeNames":["master","worker","gpu-1","spot-1","cordoned-1"]'

test_help_and_refusals() {
    run_once --help
    check_has "--help lists --compact-replies" "  --compact-replies       filter replies that kube-scheduler reads the same (default false)" "$OUT"
    check_has "--help says what is left out, and why it reads the same" "no reasons once a node passes (it reads them only when none does)" "$OUT"
    refuses '--compact-replies: invalid value "maybe" (want true or false)' --compact-replies=maybe
    refuses '--compact-replies: invalid value "" (want true or false)' --compact-replies=
    refuses 'unexpected argument "true"' --compact-replies true   # a bool flag takes =VALUE only, as pflag's
    refuses 'unknown flag --compact' --compact
}

# The demo cluster's web pod (examples/requests/*-names.json) passes worker and spot-1; master
# and gpu-1 have untolerated NoSchedule taints, cordoned-1 is cordoned.
test_filter() {
    start_server --nodes "$DEMO" --compact-replies || return
    req POST /filter examples/requests/filter-names.json
    check "filter, names mode, two nodes pass: the names, both maps {}" \
        '200 {"Nodes":null,"NodeNames":["worker","spot-1"],"FailedNodes":{},"FailedAndUnresolvableNodes":{},"Error":""}' \
        "$STATUS $BODY"
    # a DaemonSet-style pod pinned to worker (matchFields), no tolerations: one name, nothing else
    req POST /filter -d '{"Pod":{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["worker"]}]}]}}}}},'"$ALL"'}'
    check "filter, a pinned pod: its one node, both maps {}" \
        '200 {"Nodes":null,"NodeNames":["worker"],"FailedNodes":{},"FailedAndUnresolvableNodes":{},"Error":""}' \
        "$STATUS $BODY"
    # no node passes: the reasons, as without the flag (the first failing check of each node)
    req POST /filter -d '{"Pod":{"spec":{}},"NodeNames":["master","gpu-1","cordoned-1","ghost"]}'
    check "filter, no node passes: the full reply, every reason" \
        '200 {"Nodes":null,"NodeNames":[],"FailedNodes":{"ghost":"node(s) were not found in the extender'"'"'s node cache"},"FailedAndUnresolvableNodes":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }","gpu-1":"node(s) had untolerated taint {dedicated: gpu}","cordoned-1":"node(s) were unschedulable"},"Error":""}' \
        "$STATUS $BODY"
    # full mode: the request's own nodes; worker and spot-1 pass and are echoed, the maps are {}
    req POST /filter examples/requests/filter-full.json
    check "filter, full mode: the passing nodes echoed, both maps {}" \
        '200 ["worker","spot-1"] {} {}' \
        "$STATUS $(jq -c '[.Nodes.items[].metadata.name]' <<<"$BODY") $(jq -c .FailedNodes <<<"$BODY") $(jq -c .FailedAndUnresolvableNodes <<<"$BODY")"
    check "filter, full mode: keys in the usual order" "Nodes NodeNames FailedNodes FailedAndUnresolvableNodes Error" \
        "$(jq -r 'keys_unsorted | join(" ")' <<<"$BODY")"
    local compact_explain
    req POST /explain examples/requests/filter-names.json
    compact_explain=$BODY
    stop_server
    for flags in "" "--compact-replies=false"; do
        # shellcheck disable=SC2086 # the empty one is no flag at all
        start_server --nodes "$DEMO" $flags || return
        req POST /filter examples/requests/filter-names.json
        check "filter without the flag${flags:+ ($flags)}: the reasons of the three refused nodes" \
            '200 {"Nodes":null,"NodeNames":["worker","spot-1"],"FailedNodes":{},"FailedAndUnresolvableNodes":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }","gpu-1":"node(s) had untolerated taint {dedicated: gpu}","cordoned-1":"node(s) were unschedulable"},"Error":""}' \
            "$STATUS $BODY"
        req POST /explain examples/requests/filter-names.json
        check "/explain answers as with --compact-replies${flags:+ ($flags)}" "$compact_explain" "$BODY"
        stop_server
    done
}

# Prioritize lists every host, with or without the flag: one left out would lose its random
# tie-break (prioritizeNodes draws a Randomizer only for the hosts an extender lists).
# prioritize-names.json: worker, gpu-1, spot-1, preferring zone eu-west-1b (weight 50); weights 3
# (TaintToleration) and 2 (NodeAffinity), halves rounded up:
#   taint: PreferNoSchedule untolerated 0, 0, 1 (spot-1) -> 10, 10, 0
#   affinity: 0, 50, 50 (gpu-1 and spot-1 in eu-west-1b) -> 0, 10, 10
#   combined: 30/5 = 6, 50/5 = 10, 20/5 = 4.
test_prioritize() {
    local flags
    for flags in --compact-replies ""; do
        start_server --nodes "$DEMO" $flags || return
        req POST /prioritize examples/requests/prioritize-names.json
        check "prioritize${flags:+ with $flags}: every host, the scores as they are" \
            '200 [{"Host":"worker","Score":6},{"Host":"gpu-1","Score":10},{"Host":"spot-1","Score":4}]' "$STATUS $BODY"
        stop_server
    done
}

# The option goes with the others: the gate (sla Gt 900 tolerates sla=950 only with it on), and
# an API-server source's completeCache (a full-mode /preempt drops a node the cluster lacks;
# with --nodes, ghost would pass through).
test_merged_options() {
    start_server --feature-gates TaintTolerationComparisonOperators=true --compact-replies || return
    req POST /nodes -d '{"kind":"NodeList","items":[{"metadata":{"name":"sla-node"},"spec":{"taints":[{"key":"sla","value":"950","effect":"NoSchedule"}]}},{"metadata":{"name":"plain"}}]}'
    req POST /filter -d '{"Pod":{"spec":{"tolerations":[{"key":"sla","operator":"Gt","value":"900","effect":"NoSchedule"}]}},"NodeNames":["sla-node","plain","ghost"]}'
    check "with --feature-gates: the gate on and the maps {}" \
        '200 {"Nodes":null,"NodeNames":["sla-node","plain"],"FailedNodes":{},"FailedAndUnresolvableNodes":{},"Error":""}' \
        "$STATUS $BODY"
    stop_server
    start_fake --nodes "$DEMO" || return
    kubeconfig "$T/kc" "$FURL" "    {}"
    start_server --kubeconfig "$T/kc" --compact-replies || return
    until_true 20 curl -sf "$URL/readyz" || fail "the cache follows the fake API server" "$(cat "$SERVER_LOG")"
    req POST /filter examples/requests/filter-names.json
    check "with --kubeconfig: the maps {}" \
        '200 {"Nodes":null,"NodeNames":["worker","spot-1"],"FailedNodes":{},"FailedAndUnresolvableNodes":{},"Error":""}' \
        "$STATUS $BODY"
    req POST /preempt -d '{"Pod":{"spec":{}},"NodeNameToVictims":{"worker":{"Pods":[{"metadata":{"name":"v","namespace":"d","uid":"u-w"}}],"NumPDBViolations":0},"ghost":{"Pods":[{"metadata":{"name":"g","namespace":"d","uid":"u-g"}}],"NumPDBViolations":0}},"NodeNameToMetaVictims":null}'
    check "with --kubeconfig: completeCache too, /preempt drops ghost" \
        '200 {"NodeNameToMetaVictims":{"worker":{"Pods":[{"UID":"u-w"}],"NumPDBViolations":0}}}' "$STATUS $BODY"
    stop_server
}

test_help_and_refusals
test_filter
test_prioritize
test_merged_options
finish
