#!/usr/bin/env bash
# metrics.sh - GET /metrics checked by promtool and against the requests this suite sent (counts
# by verb and code, the histogram, byte totals, the cache's gauges), concurrent requests summed
# exactly over the worker threads' shards, and /livez and /readyz without an API-server source.
# (With a source, /readyz, the source's families and the node API's 409 are in
# tests/unit/test_server.c, over a fake source, until harness/kube/source.c lands.)
. "$(dirname "$0")/lib.sh"

DEMO=examples/demo-cluster.json
REQ=examples/requests
BAD_FILTER='{"Pod":{"spec":{"tolerations":"x"}},"NodeNames":[]}'
NEW_NODE='{"metadata":{"name":"edge-1","labels":{"pool":"edge"}}}'

size() { wc -c <"$1" | tr -d ' '; }

# scrape: GET /metrics into $T/metrics. metric SERIES: the value of one sample, written exactly
# as the exposition writes its name and labels ("" when absent).
scrape() {
    req GET /metrics
    cp "$BODY_FILE" "$T/metrics"
}
metric() {
    awk -v s="$1" 'index($0, s " ") == 1 { print substr($0, length(s) + 2); exit }' "$T/metrics"
}

test_metrics_values() {
    start_server --nodes "$DEMO" --threads 2 || return
    local i sent=0 replied=0 nodes_in=0
    for i in 1 2 3; do
        req POST /filter $REQ/filter-names.json
        sent=$((sent + $(size $REQ/filter-names.json)))
        replied=$((replied + $(size "$BODY_FILE")))
    done
    check "three filters answered 200" "200" "$STATUS"
    req POST /filter -d "$BAD_FILTER"
    check "a bad filter answered 400" "400" "$STATUS"
    sent=$((sent + ${#BAD_FILTER}))
    replied=$((replied + $(size "$BODY_FILE")))
    req POST /prioritize $REQ/prioritize-names.json
    req POST /nodes -d "$NEW_NODE"
    nodes_in=$((nodes_in + ${#NEW_NODE}))
    req DELETE /nodes/edge-1
    req DELETE /nodes/ghost
    check "DELETE of an unknown node answered 404" "404" "$STATUS"
    req GET /healthz   # not a verb: not counted
    req GET /stats
    local stats=$BODY
    scrape
    check "GET /metrics: 200, the text format's Content-Type" "200 text/plain; version=0.0.4; charset=utf-8" \
        "$STATUS $(header Content-Type)"
    local said
    said=$(promtool check metrics <"$T/metrics" 2>&1)
    check "promtool check metrics finds nothing to say" "0 ''" "$? '$said'"

    check "requests_total: 3 filters with 200" 3 "$(metric 'nodegate_requests_total{verb="filter",code="200"}')"
    check "requests_total: 1 filter with 400" 1 "$(metric 'nodegate_requests_total{verb="filter",code="400"}')"
    check "requests_total: 1 prioritize with 200" 1 "$(metric 'nodegate_requests_total{verb="prioritize",code="200"}')"
    check "requests_total: POST /nodes and DELETE /nodes/NAME with 200 count as verb nodes" 2 \
        "$(metric 'nodegate_requests_total{verb="nodes",code="200"}')"
    check "requests_total: the DELETE with 404" 1 "$(metric 'nodegate_requests_total{verb="nodes",code="404"}')"
    check "requests_total: nothing for preempt yet" "" "$(metric 'nodegate_requests_total{verb="preempt",code="200"}')"
    check "the histogram counts every filter" 4 "$(metric 'nodegate_request_duration_seconds_count{verb="filter"}')"
    check "the +Inf bucket equals the count" 4 \
        "$(metric 'nodegate_request_duration_seconds_bucket{verb="filter",le="+Inf"}')"
    check "a verb with no requests has its histogram at 0" "0 0" \
        "$(metric 'nodegate_request_duration_seconds_count{verb="daemonset"}') $(metric 'nodegate_request_duration_seconds_bucket{verb="daemonset",le="10"}')"
    local sum
    sum=$(metric 'nodegate_request_duration_seconds_sum{verb="filter"}')
    check "the filter durations sum to more than 0 and less than 4 s" yes \
        "$(awk -v s="$sum" 'BEGIN { print (s > 0 && s < 4) ? "yes" : "no: " s }')"
    check "request_bytes_total{filter}: the bodies sent" "$sent" "$(metric 'nodegate_request_bytes_total{verb="filter"}')"
    check "response_bytes_total{filter}: the replies received" "$replied" \
        "$(metric 'nodegate_response_bytes_total{verb="filter"}')"
    check "request_bytes_total{nodes}: the POST /nodes body" "$nodes_in" "$(metric 'nodegate_request_bytes_total{verb="nodes"}')"
    check "request_bytes_total{preempt}: 0" 0 "$(metric 'nodegate_request_bytes_total{verb="preempt"}')"

    check "nodegate_nodes: the demo cluster's 5 nodes" 5 "$(metric nodegate_nodes)"
    local ib sb
    ib=$(sed -n 's/.*"index_bytes":\([0-9]*\).*/\1/p' <<<"$stats")
    sb=$(sed -n 's/.*"string_bytes":\([0-9]*\).*/\1/p' <<<"$stats")
    check "nodegate_index_bytes: /stats index_bytes + string_bytes" "$((ib + sb))" "$(metric nodegate_index_bytes)"
    check "nodegate_index_string_bytes: /stats string_bytes" "$sb" "$(metric nodegate_index_string_bytes)"
    check "nodegate_build_info: the plugin's version and the ABI" 1 \
        "$(metric "nodegate_build_info{version=\"$VERSION\",abi=\"1\"}")"
    check "no API-server source: nodegate_cache_synced 1" 1 "$(metric nodegate_cache_synced)"
    check "no API-server source: no watch, relist, error or timestamp families" "" \
        "$(grep -E 'nodegate_(watch_events|relists|node_source_errors|last_node_event)' "$T/metrics")"
    check "HELP and TYPE for every family" "$(grep -c '^# HELP' "$T/metrics")" "$(grep -c '^# TYPE' "$T/metrics")"

    req POST /filter $REQ/filter-names.json -H 'Transfer-Encoding: chunked'
    scrape
    check "a chunked filter counts too" 4 "$(metric 'nodegate_requests_total{verb="filter",code="200"}')"
    check "its body bytes are counted as received" "$((sent + $(size $REQ/filter-names.json)))" \
        "$(metric 'nodegate_request_bytes_total{verb="filter"}')"
    stop_server
}

# 60 filters over 6 connections at once on 4 threads: the shards sum to exactly 60.
test_metrics_concurrent() {
    start_server --nodes "$DEMO" --threads 4 || return
    local i urls=() pids=()
    for i in $(seq 10); do urls+=("$URL/filter" -o /dev/null); done
    for i in $(seq 6); do   # one connection each, kept alive over its 10 requests
        curl -s --max-time 20 -H 'Content-Type: application/json' --data-binary @$REQ/filter-names.json "${urls[@]}" &
        pids+=($!)
    done
    wait "${pids[@]}"   # not a bare wait: the server is a child too
    scrape
    check "60 concurrent filters on 4 threads: 60 counted" 60 \
        "$(metric 'nodegate_requests_total{verb="filter",code="200"}')"
    check "  and 60 in the histogram" 60 "$(metric 'nodegate_request_duration_seconds_count{verb="filter"}')"
    check "  and their bytes" "$((60 * $(size $REQ/filter-names.json)))" \
        "$(metric 'nodegate_request_bytes_total{verb="filter"}')"
    stop_server
}

test_livez_readyz() {
    start_server --nodes "$DEMO" || return
    req GET /livez
    check "GET /livez: 200 ok as text" "200 ok text/plain; charset=utf-8" "$STATUS $BODY $(header Content-Type)"
    req GET '/livez?verbose'
    check "GET /livez?verbose: kube's check list" $'200 [+]ping ok\nlivez check passed' "$STATUS $BODY"
    req GET /readyz
    check "GET /readyz without an API-server source: ready at once" "200 ok text/plain; charset=utf-8" \
        "$STATUS $BODY $(header Content-Type)"
    req GET '/scheduler/readyz?verbose=true'
    check "GET /readyz?verbose: ping and node-cache pass" $'200 [+]ping ok\n[+]node-cache ok\nreadyz check passed' \
        "$STATUS $BODY"
    req GET /healthz
    check "GET /healthz answers as before" '200 {"status":"ok"}' "$STATUS $BODY"
    req POST /readyz -d '{}'
    check "POST /readyz: 405, Allow: GET" "405 GET" "$STATUS $(header Allow)"
    stop_server
}

# --cache-stale-after takes Go durations; what it is refused for is in flags.sh.
test_stale_flag_accepted() {
    local d
    for d in 90s 1h30m 2.5m 500ms; do
        start_server --nodes "$DEMO" --cache-stale-after "$d" || continue
        req GET /readyz
        check "--cache-stale-after $d is accepted; ready without a source" "200 ok" "$STATUS $BODY"
        stop_server
    done
}

test_metrics_values
test_metrics_concurrent
test_livez_readyz
test_stale_flag_accepted
finish
