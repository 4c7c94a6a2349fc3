#!/usr/bin/env bash
# server.sh - every verb in both modes against the demo cluster, path prefixes, the node API,
# /healthz and /version, over real HTTP. Replies are deterministic bytes: compared exactly.
. "$(dirname "$0")/lib.sh"

DEMO=examples/demo-cluster.json
REQ=examples/requests
DS=examples/daemonset-walkthrough

# Why each demo node fails the example web pod (no tolerations beyond not-ready/unreachable).
DEMO_FAILED='{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }","gpu-1":"node(s) had untolerated taint {dedicated: gpu}","cordoned-1":"node(s) were unschedulable"}'
FILTER_NAMES_REPLY='{"Nodes":null,"NodeNames":["worker","spot-1"],"FailedNodes":{},"FailedAndUnresolvableNodes":'$DEMO_FAILED',"Error":""}'
# Scores: taint (PreferNoSchedule count, reversed) weight 3 + preferred zone eu-west-1b weight 2:
# worker (10,0)->6, gpu-1 (10,10)->10, spot-1 (0,10)->4; master and cordoned-1 score like worker.
PRIORITIZE_NAMES_REPLY='[{"Host":"worker","Score":6},{"Host":"gpu-1","Score":10},{"Host":"spot-1","Score":4}]'
PRIORITIZE_FULL_REPLY='[{"Host":"master","Score":6},{"Host":"worker","Score":6},{"Host":"gpu-1","Score":10},{"Host":"spot-1","Score":4},{"Host":"cordoned-1","Score":6}]'
POD_PLAIN='{"metadata":{"name":"p","namespace":"default","uid":"uid-p"},"spec":{"containers":[{"name":"c","image":"pause"}]}}'

# node_text FILE NAME: the exact bytes of one node object of the pretty-printed filter-full.json
# (items sit at six spaces of indent), from its "{" to its "}".
node_text() {
    awk -v want="\"name\": \"$2\"" '
        /^      \{$/ { buf = "{"; inside = 1; next }
        inside && /^      \}/ { if (index(buf, want)) printf "%s\n      }", buf; inside = 0; next }
        inside { buf = buf "\n" $0 }' "$1"
}

# expect_reply NAME METHOD PATH BODY WANT-STATUS WANT-BODY: one request, one check of
# "status body". BODY is inline JSON when it starts with "{", else a file ('' for none).
expect_reply() {
    local name=$1 method=$2 path=$3 body=$4 status=$5 want=$6
    if [ "${body:0:1}" = "{" ]; then req "$method" "$path" -d "$body"; else req "$method" "$path" "$body"; fi
    check "$name" "$status $want" "$STATUS $BODY"
}

test_filter() {
    expect_reply "filter names mode (example request)" POST /filter $REQ/filter-names.json 200 "$FILTER_NAMES_REPLY"
    check "filter reply is application/json" "application/json" "$(header Content-Type)"
    expect_reply "filter names mode: a name the cache lacks goes to FailedNodes" POST /filter \
        '{"Pod":'"$POD_PLAIN"',"Nodes":null,"NodeNames":["worker","ghost"]}' 200 \
        '{"Nodes":null,"NodeNames":["worker"],"FailedNodes":{"ghost":"node(s) were not found in the extender'"'"'s node cache"},"FailedAndUnresolvableNodes":{},"Error":""}'
    # keys are matched case-insensitively, as Go's decoder does; the reply keeps Go's names
    expect_reply "filter names mode with lowercase request keys" POST /filter \
        '{"pod":'"$POD_PLAIN"',"nodes":null,"nodeNames":["worker","master"]}' 200 \
        '{"Nodes":null,"NodeNames":["worker"],"FailedNodes":{},"FailedAndUnresolvableNodes":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }"},"Error":""}'

    local worker spot
    worker=$(node_text $REQ/filter-full.json worker)
    spot=$(node_text $REQ/filter-full.json spot-1)
    check_has "extracted the worker node object from filter-full.json" '"name": "worker"' "$worker"
    expect_reply "filter full mode echoes feasible node objects byte for byte" POST /filter $REQ/filter-full.json 200 \
        '{"Nodes":{"metadata":{},"items":['"$worker,$spot"']},"NodeNames":null,"FailedNodes":{},"FailedAndUnresolvableNodes":'"$DEMO_FAILED"',"Error":""}'
}

# Full mode built from compact node strings with odd spacing, escapes and braces inside strings:
# the reply must carry them untouched. None of these nodes is in the cache.
test_filter_full_verbatim() {
    local a b c d
    a='{"metadata":{"name":"a","labels":{"zone":"z1"}}}'
    b='{ "metadata" : { "labels" : {"zone":"z2"}, "name" : "b" } ,"spec":{"taints":[{"key":"k","value":"v","effect":"NoSchedule"}]} }'
    c=$'{"metadata":{"name":"c","annotations":{"note":"tab\\there \\"q\\" \\u00e9 }]{["}},\n\t"status":{"images":[{"names":["x"],"sizeBytes":1e3}]}}'
    d='{"metadata":{"name":"d"},"spec":{"unschedulable":true}}'
    expect_reply "filter full mode: request nodes echoed verbatim (spacing, escapes, braces in strings)" POST /filter \
        '{"Pod":'"$POD_PLAIN"',"Nodes":{"metadata":{},"items":['"$a,$b,$c,$d"']},"NodeNames":null}' 200 \
        '{"Nodes":{"metadata":{},"items":['"$a,$c"']},"NodeNames":null,"FailedNodes":{},"FailedAndUnresolvableNodes":{"b":"node(s) had untolerated taint {k: v}","d":"node(s) were unschedulable"},"Error":""}'
}

# A full-mode body of ~600 KB arrives in several upload chunks (the server reads 256 KiB at a
# time at most): node objects that straddle chunk boundaries must still be echoed exactly.
test_filter_full_large() {
    local i node pad items='' feasible='' failed='' sep='' fsep='' xsep=''
    printf -v pad '%0300d' 0
    for ((i = 0; i < 1500; i++)); do
        if ((i % 3 == 0)); then
            node='{"metadata":{"name":"n'$i'","labels":{"kubernetes.io/hostname":"n'$i'","pad":"'$pad'"}},"spec":{"taints":[{"key":"t","value":"'$i'","effect":"NoExecute"}]}}'
            failed+=$fsep'"n'$i'":"node(s) had untolerated taint {t: '$i'}"'
            fsep=,
        else
            node='{"metadata":{"name":"n'$i'","labels":{"kubernetes.io/hostname":"n'$i'","pad":"'$pad'"}}}'
            feasible+=$xsep$node
            xsep=,
        fi
        items+=$sep$node
        sep=,
    done
    printf '%s' '{"Pod":'"$POD_PLAIN"',"Nodes":{"metadata":{},"items":['"$items"']},"NodeNames":null}' >"$T/large.json"
    expect_reply "filter full mode, 1500 nodes in ~600 KB: 1000 echoed exactly" POST /filter "$T/large.json" 200 \
        '{"Nodes":{"metadata":{},"items":['"$feasible"']},"NodeNames":null,"FailedNodes":{},"FailedAndUnresolvableNodes":{'"$failed"'},"Error":""}'
}

test_prioritize() {
    expect_reply "prioritize names mode (example request)" POST /prioritize $REQ/prioritize-names.json 200 "$PRIORITIZE_NAMES_REPLY"
    expect_reply "prioritize full mode (filter-full.json's five nodes)" POST /prioritize $REQ/filter-full.json 200 "$PRIORITIZE_FULL_REPLY"
    # x1: in the preferred zone, untainted -> 10; x2: other zone, PreferNoSchedule -> 0.
    local pod='{"metadata":{"name":"p"},"spec":{"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":50,"preference":{"matchExpressions":[{"key":"topology.kubernetes.io/zone","operator":"In","values":["eu-west-1b"]}]}}]}}}}'
    expect_reply "prioritize full mode scores the request's own nodes, not the cache" POST /prioritize \
        '{"Pod":'"$pod"',"Nodes":{"metadata":{},"items":[{"metadata":{"name":"x1","labels":{"topology.kubernetes.io/zone":"eu-west-1b"}}},{"metadata":{"name":"x2","labels":{"topology.kubernetes.io/zone":"eu-west-1a"}},"spec":{"taints":[{"key":"s","effect":"PreferNoSchedule"}]}}]},"NodeNames":null}' \
        200 '[{"Host":"x1","Score":10},{"Host":"x2","Score":0}]'
}

test_preempt() {
    # master (taint) and cordoned-1 (unschedulable) cannot be made to fit by evicting pods.
    expect_reply "preempt with NodeNameToMetaVictims keeps only nodes where the pod can fit" POST /preempt \
        '{"Pod":'"$POD_PLAIN"',"NodeNameToVictims":null,"NodeNameToMetaVictims":{"worker":{"Pods":[{"UID":"v1"}],"NumPDBViolations":0},"master":{"Pods":[{"UID":"v2"}],"NumPDBViolations":2},"spot-1":{"Pods":[{"UID":"v3"},{"UID":"v4"}],"NumPDBViolations":1},"cordoned-1":{"Pods":[{"UID":"v5"}],"NumPDBViolations":0}}}' \
        200 '{"NodeNameToMetaVictims":{"worker":{"Pods":[{"UID":"v1"}],"NumPDBViolations":0},"spot-1":{"Pods":[{"UID":"v3"},{"UID":"v4"}],"NumPDBViolations":1}}}'
    local va vb vc
    va='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"default","uid":"uid-a"},"spec":{"nodeName":"spot-1","containers":[{"name":"c","image":"pause"}]},"status":{"phase":"Running"}}'
    vb='{"metadata":{"uid":"uid-b","name":"b"},"spec":{"nodeName":"spot-1"}}'
    vc='{"metadata":{"name":"c","uid":"uid-c"},"spec":{"nodeName":"gpu-1"}}'
    expect_reply "preempt with NodeNameToVictims answers with victim UIDs" POST /preempt \
        '{"Pod":'"$POD_PLAIN"',"NodeNameToVictims":{"spot-1":{"Pods":['"$va,$vb"'],"NumPDBViolations":1},"gpu-1":{"Pods":['"$vc"'],"NumPDBViolations":0}},"NodeNameToMetaVictims":null}' \
        200 '{"NodeNameToMetaVictims":{"spot-1":{"Pods":[{"UID":"uid-a"},{"UID":"uid-b"}],"NumPDBViolations":1}}}'
}

test_daemonset() {
    expect_reply "daemonset under a prefix, with a toleration" POST /scheduler/daemonset $DS/redis-ds-tolerating.json 200 \
        '{"shouldRun":["master","worker"],"shouldContinueRunning":["master","worker"],"reasons":{}}'
    expect_reply "daemonset with NodeNames (walkthrough's redis-ds)" POST /daemonset $DS/redis-ds.json 200 \
        '{"shouldRun":["worker"],"shouldContinueRunning":["master","worker"],"reasons":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }"}}'
    # Nodes a (clean), b (NoSchedule: stays if running), c (NoExecute: evicted); none is cached.
    local ds='{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent","namespace":"kube-system"},"spec":{"selector":{"matchLabels":{"app":"agent"}},"template":{"metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"name":"agent","image":"agent:1"}]}}}}'
    expect_reply "daemonset with Nodes" POST /daemonset \
        '{"DaemonSet":'"$ds"',"Nodes":{"metadata":{},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"},"spec":{"taints":[{"key":"k","value":"v","effect":"NoSchedule"}]}},{"metadata":{"name":"c"},"spec":{"taints":[{"key":"k","value":"v","effect":"NoExecute"}]}}]},"NodeNames":null}' \
        200 '{"shouldRun":["a"],"shouldContinueRunning":["a","b"],"reasons":{"b":"node(s) had untolerated taint {k: v}","c":"node(s) had untolerated taint {k: v}"}}'
}

# kube-scheduler appends the verb to urlPrefix: any prefix, and a trailing slash, must route the same.
test_prefixes() {
    expect_reply "prefix /scheduler/filter" POST /scheduler/filter $REQ/filter-names.json 200 "$FILTER_NAMES_REPLY"
    expect_reply "trailing slash /filter/" POST /filter/ $REQ/filter-names.json 200 "$FILTER_NAMES_REPLY"
    expect_reply "prefix /a/b/prioritize/" POST /a/b/prioritize/ $REQ/prioritize-names.json 200 "$PRIORITIZE_NAMES_REPLY"
    expect_reply "prefix /scheduler/preempt" POST /scheduler/preempt \
        '{"Pod":'"$POD_PLAIN"',"NodeNameToMetaVictims":{"master":{"Pods":[{"UID":"v"}],"NumPDBViolations":0}}}' 200 '{"NodeNameToMetaVictims":{}}'
    expect_reply "prefix /scheduler/healthz" GET /scheduler/healthz '' 200 '{"status":"ok"}'
    expect_reply "prefix /scheduler/nodes" GET /scheduler/nodes/ '' 200 '["master","worker","gpu-1","spot-1","cordoned-1"]'
}

test_health_version() {
    expect_reply "GET /healthz" GET /healthz '' 200 '{"status":"ok"}'
    expect_reply "GET /version" GET /version '' 200 '{"version":"'"$VERSION"'","abi":1,"plugin":"nodegate '"$VERSION"'"}'
    # the demo cluster: 5 nodes; 11 label keys with 19 values; 4 distinct taint lists
    req GET /stats
    check_has "GET /stats counts the demo cluster" \
        '{"nodes":5,"capacity":64,"label_keys":11,"label_values":19,"taint_lists":4,"index_bytes":' "$STATUS $BODY"
    check "GET /stats sizes are positive byte counts" 200 \
        "$([[ $BODY =~ \"index_bytes\":[1-9][0-9]*,\"string_bytes\":[1-9][0-9]*\}$ ]] && echo "$STATUS")"
}

# filter_one NAME: the filter verdict for one cached node, for a pod without tolerations.
filter_one() {
    req POST /filter -d '{"Pod":'"$POD_PLAIN"',"NodeNames":["'"$1"'"]}'
    echo "$STATUS $BODY"
}
FITS() { echo '200 {"Nodes":null,"NodeNames":["'"$1"'"],"FailedNodes":{},"FailedAndUnresolvableNodes":{},"Error":""}'; }

# The push API on a server with an empty cache: each update is checked through GET /nodes and
# through what a filter call then sees.
test_nodes_api() {
    start_server || return
    local n1t='{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"spec":{"taints":[{"key":"k","value":"v","effect":"NoSchedule"}]}}'
    expect_reply "nodes: empty cache without --nodes" GET /nodes '' 200 '[]'
    expect_reply "nodes: POST a Node" POST /nodes "$n1t" 200 '{"applied":1,"nodes":1}'
    expect_reply "nodes: GET after a Node" GET /nodes '' 200 '["n1"]'
    check "nodes: the posted taint applies to filter" \
        '200 {"Nodes":null,"NodeNames":[],"FailedNodes":{},"FailedAndUnresolvableNodes":{"n1":"node(s) had untolerated taint {k: v}"},"Error":""}' "$(filter_one n1)"
    expect_reply "nodes: POST a NodeList" POST /nodes \
        '{"apiVersion":"v1","kind":"NodeList","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"n2"}},{"metadata":{"name":"n3","labels":{"a":"b"}}}]}' \
        200 '{"applied":2,"nodes":3,"resourceVersion":"7"}'
    expect_reply "nodes: GET after a NodeList" GET /nodes '' 200 '["n1","n2","n3"]'
    expect_reply "nodes: watch ADDED" POST /nodes '{"type":"ADDED","object":{"metadata":{"name":"n4"}}}' 200 '{"applied":1,"nodes":4,"type":"ADDED"}'
    expect_reply "nodes: GET after ADDED" GET /nodes '' 200 '["n1","n2","n3","n4"]'
    expect_reply "nodes: watch MODIFIED (untaint n1)" POST /nodes '{"type":"MODIFIED","object":{"metadata":{"name":"n1"}}}' 200 '{"applied":1,"nodes":4,"type":"MODIFIED"}'
    expect_reply "nodes: GET after MODIFIED" GET /nodes '' 200 '["n1","n2","n3","n4"]'
    check "nodes: MODIFIED took effect (n1 now fits)" "$(FITS n1)" "$(filter_one n1)"
    expect_reply "nodes: watch DELETED" POST /nodes '{"type":"DELETED","object":{"metadata":{"name":"n2"}}}' 200 '{"applied":1,"nodes":3,"type":"DELETED"}'
    expect_reply "nodes: GET after DELETED" GET /nodes '' 200 '["n1","n3","n4"]'
    check "nodes: a DELETED node is unknown to filter" \
        '200 {"Nodes":null,"NodeNames":[],"FailedNodes":{"n2":"node(s) were not found in the extender'"'"'s node cache"},"FailedAndUnresolvableNodes":{},"Error":""}' "$(filter_one n2)"
    expect_reply "nodes: watch BOOKMARK applies nothing" POST /nodes '{"type":"BOOKMARK","object":{"kind":"Node","metadata":{"resourceVersion":"12"}}}' 200 '{"applied":0,"nodes":3,"type":"BOOKMARK","resourceVersion":"12"}'
    expect_reply "nodes: GET after BOOKMARK" GET /nodes '' 200 '["n1","n3","n4"]'
    # DESIGN: freed ids are reused, and GET /nodes lists in id order
    expect_reply "nodes: a new node takes the freed id" POST /nodes '{"metadata":{"name":"n5"}}' 200 '{"applied":1,"nodes":4}'
    expect_reply "nodes: GET lists in id order" GET /nodes '' 200 '["n1","n5","n3","n4"]'
    req DELETE /nodes/n3
    check "nodes: DELETE /nodes/n3" '200 {"applied":1,"nodes":3}' "$STATUS $BODY"
    req DELETE /nodes/n3
    check "nodes: DELETE /nodes/n3 again is 404 with an Error" '404 {"Error":"node \"n3\" is not in the node cache"}' "$STATUS $BODY"
    req DELETE /scheduler/nodes/n4
    check "nodes: DELETE under a prefix" '200 {"applied":1,"nodes":2}' "$STATUS $BODY"
    expect_reply "nodes: GET after DELETEs" GET /nodes '' 200 '["n1","n5"]'
    stop_server
}

# Each group gets its own server, so a crash in one verb does not fail every later check.
start_server --nodes "$DEMO" || finish
test_filter
test_filter_full_verbatim
test_filter_full_large
test_prioritize
test_preempt
test_prefixes
test_health_version
stop_server
if start_server --nodes "$DEMO"; then
    test_daemonset
    stop_server
fi
test_nodes_api

# Writes to the node cache from beyond loopback: refused with 403, reads still answered. The
# client reaches the server through this host's own non-loopback address (the packets stay on
# the host), so its peer address is not 127.x.
test_writes_from_loopback_only() {
    local ext
    ext=$(host_address)
    if [ -z "$ext" ]; then
        echo "#   no non-loopback IPv4 address on this host: the loopback-only check cannot run"
        return
    fi
    start_server --nodes "$DEMO" --listen 0.0.0.0:0 || return
    local loop=$URL
    URL=http://$ext:$PORT
    req POST /nodes -d '{"metadata":{"name":"intruder"}}'
    check_error_reply "POST /nodes from $ext (not loopback): 403" 403
    check_has "and the 403 says why" "accepted from this host's loopback only" "$BODY"
    req DELETE /nodes/worker
    check_error_reply "DELETE /nodes/worker from $ext: 403" 403
    CONTENT_TYPE=application/merge-patch+json req PATCH /nodes/worker -d '{"spec":{"unschedulable":true}}'
    check_error_reply "PATCH /nodes/worker from $ext: 403" 403
    req GET /nodes
    check "GET /nodes from $ext: reads are answered, the cache unchanged" \
        '200 ["master","worker","gpu-1","spot-1","cordoned-1"]' "$STATUS $BODY"
    URL=$loop
    req POST /nodes -d '{"metadata":{"name":"from-loopback"}}'
    check "POST /nodes from 127.0.0.1 on the same server: applied" "200" "$STATUS"
    stop_server
}
test_writes_from_loopback_only

# A node's name reaches the cache whole or not at all: a NUL escape is not a place to cut it, and
# a path too long to route is refused, not routed on its first 1023 bytes.
test_node_names_whole() {
    start_server --nodes "$DEMO" || return
    req DELETE "/nodes/worker%00anything"
    check_error_reply "DELETE /nodes/worker%00anything: 404, no node has that name" 404
    local long
    long=worker$(printf 'x%.0s' $(seq 1020))
    req DELETE "/nodes/$long"
    check_error_reply "DELETE /nodes/ with a 1,032-byte path: 414" 414
    check_has "and the 414 gives the limit" "over the limit of 1023" "$BODY"
    req GET /nodes/worker
    check "worker is still cached after both" "200" "$STATUS"
    req POST "/$(printf 'p%.0s' $(seq 1100))/filter" examples/requests/filter-names.json
    check_error_reply "a 1,100-byte URL prefix: 414, not 404" 414
    printf '{"kind":"NodeList","items":[{"metadata":{"name":"Worker_1"}}]}' >"$T/bad-name.json"
    req POST /nodes "$T/bad-name.json"
    check_error_reply "POST /nodes with a name that is not a DNS subdomain: 422" 422
    stop_server
}
test_node_names_whole
finish
