#!/usr/bin/env bash
# errors.sh - every way a request can be refused: status, Allow header, a JSON {"Error"} body,
# and after each refusal the server still serves the same bytes; refused node updates change
# nothing. Optionally the JSONTestSuite parsing corpus, if a checkout has it.
. "$(dirname "$0")/lib.sh"

DEMO=examples/demo-cluster.json
GOOD=examples/requests/filter-names.json
# Small enough for the --max-body 1000 server too.
SMALL='{"Pod":{"metadata":{"name":"p"}},"Nodes":null,"NodeNames":["master","worker","gpu-1","spot-1","cordoned-1"]}'
JSONTESTSUITE=/work/shared/testdata/jsontestsuite/test_parsing

# remember_good: records what a good filter and GET /nodes return now, for still_serves.
remember_good() {
    if [ -n "${GOOD_BODY_FILE:-}" ]; then req POST /filter "$GOOD_BODY_FILE"; else req POST /filter -d "$SMALL"; fi
    GOOD_REPLY="$STATUS $BODY"
    req GET /nodes
    GOOD_NODES="$STATUS $BODY"
}

# still_serves AFTER: one check that /healthz, a good filter and GET /nodes answer exactly as before.
still_serves() {
    local health
    req GET /healthz
    health="$STATUS $BODY"
    if [ -n "${GOOD_BODY_FILE:-}" ]; then req POST /filter "$GOOD_BODY_FILE"; else req POST /filter -d "$SMALL"; fi
    local filter="$STATUS $BODY"
    req GET /nodes
    check "  then still serves the same bytes (after $1)" \
        "200 {\"status\":\"ok\"} | $GOOD_REPLY | $GOOD_NODES" "$health | $filter | $STATUS $BODY"
}

# refused NAME STATUS METHOD PATH [BODY-ARGS...]: the request gets STATUS with a JSON Error (kept
# in ERR_BODY), then the server still serves.
refused() {
    local name=$1 status=$2
    shift 2
    req "$@"
    ERR_BODY=$BODY
    check_error_reply "$name: $status with a JSON Error" "$status"
    still_serves "$name"
}

test_405() {
    local spec method path allow
    for spec in "GET /filter POST" "DELETE /prioritize POST" "POST /healthz GET" "PUT /nodes GET, POST" \
        "DELETE /version GET" "PATCH /scheduler/preempt POST"; do
        read -r method path allow <<<"$spec"
        req "$method" "$path"
        check_error_reply "$method $path: 405 with a JSON Error" 405
        check "$method $path: Allow: $allow" "$allow" "$(header Allow)"
    done
    still_serves "the 405s"
}

test_404() {
    refused "unknown path /nope" 404 GET /nope
    refused "unknown verb under a known one /filter/extra" 404 POST /filter/extra -d "$SMALL"
    refused "root path /" 404 GET /
}

# Error texts quote the URL: it must come back escaped, and as UTF-8 (RFC 8259 8.1), whatever
# bytes the client put in it (bytes outside printable ASCII come back percent-encoded).
test_error_text() {
    refused "404 for a URL with a quote, a backslash and a control byte" 404 GET '/no%22pe%5C%01'
    check_has "  the URL is escaped in the Error" 'no endpoint at /no\"pe\\%01' "$ERR_BODY"
    command -v iconv >/dev/null || { echo "skip UTF-8 checks: no iconv"; return; }
    req GET /no%FFpe
    check "404 for a URL with a non-UTF-8 byte (%FF): the reply is valid UTF-8" "404 utf-8" \
        "$STATUS $(iconv -f UTF-8 -t UTF-8 <"$BODY_FILE" >/dev/null 2>&1 && echo utf-8 || echo "invalid UTF-8: $(LC_ALL=C tr -c ' -~' '?' <"$BODY_FILE")")"
    req DELETE /nodes/%FF
    check "DELETE /nodes/%FF: the 404 reply is valid UTF-8" "404 utf-8" \
        "$STATUS $(iconv -f UTF-8 -t UTF-8 <"$BODY_FILE" >/dev/null 2>&1 && echo utf-8 || echo "invalid UTF-8: $(LC_ALL=C tr -c ' -~' '?' <"$BODY_FILE")")"
    # Go's decoder reads a byte that is not UTF-8 as U+FFFD: not an error in itself (the pod's
    # name), but "a\ufffd" is no node name, and the 400 names it as Go reads it
    req POST /filter -d $'{"Pod":{"metadata":{"name":"\xff\xfe"}},"NodeNames":["a\xff"]}'
    check "invalid UTF-8 in strings: read as U+FFFD, a name so read is a 400 naming it, the reply valid UTF-8" "400 utf-8" \
        "$STATUS $(iconv -f UTF-8 -t UTF-8 <"$BODY_FILE" >/dev/null 2>&1 && grep -q $'Invalid value: \\\\"a\xef\xbf\xbd\\\\"' "$BODY_FILE" && echo utf-8 || echo "not as Go reads it: $(LC_ALL=C tr -c ' -~' '?' <"$BODY_FILE")")"
    still_serves "URLs with odd bytes"
}

test_400() {
    local deep
    refused "malformed JSON" 400 POST /filter -d '{"Pod":'
    refused "ill-typed field (tolerations is a string)" 400 POST /filter -d '{"Pod":{"spec":{"tolerations":"x"}},"NodeNames":["worker"]}'
    refused "missing Pod" 400 POST /filter -d '{"Nodes":null,"NodeNames":["worker"]}'
    refused "trailing garbage" 400 POST /filter -d '{"Pod":{},"NodeNames":["worker"]} x'
    refused "empty body" 400 POST /filter
    refused "a body that is not an object" 400 POST /filter -d '["Pod"]'
    printf -v deep '%0200d' 0
    deep=${deep//0/[}${deep//0/]}
    refused "200-deep nesting inside the Pod" 400 POST /filter -d '{"Pod":{"spec":{"x":'"$deep"'}},"NodeNames":[]}'
    refused "200-deep nesting at the top" 400 POST /filter -d "${deep//[/\{\"a\":}"
    refused "malformed JSON to /prioritize" 400 POST /prioritize -d '{"Pod":{'
    refused "malformed JSON to /preempt" 400 POST /preempt -d '{"Pod":{},"NodeNameToMetaVictims":{'
    refused "malformed JSON to /daemonset" 400 POST /daemonset -d '{"DaemonSet":nul'
}

test_422() {
    # preferred term 1 has operator In with no values: well-formed JSON, invalid pod spec
    refused "invalid preferred affinity term to /prioritize" 422 POST /prioritize \
        -d '{"Pod":{"spec":{"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["z1"]}]}},{"weight":3,"preference":{"matchExpressions":[{"key":"disktype","operator":"In","values":[]}]}}]}}}},"NodeNames":["worker"]}'
    check_has "  the 422 names the bad term" "preferredDuringSchedulingIgnoredDuringExecution[1]" "$ERR_BODY"
}

# Refused node updates: all or nothing, so the cache (GET /nodes) and filter replies stay the same.
test_nodes_refused() {
    refused "NodeList with an invalid taint effect" 422 POST /nodes \
        -d '{"kind":"NodeList","items":[{"metadata":{"name":"z1"}},{"metadata":{"name":"worker"}},{"metadata":{"name":"z2"},"spec":{"taints":[{"key":"k","effect":"Sometimes"}]}}]}'
    check_has "  the 422 names the node and the field" 'node \"z2\": spec.taints[0].effect' "$ERR_BODY"
    refused "NodeList with a node without a name" 422 POST /nodes \
        -d '{"kind":"NodeList","items":[{"metadata":{"name":"z1"}},{"metadata":{"labels":{}}}]}'
    refused "Node with labels that are not an object" 400 POST /nodes -d '{"metadata":{"name":"master","labels":["x"]}}'
    refused "watch event of an unknown type" 400 POST /nodes -d '{"type":"RENAMED","object":{"metadata":{"name":"master"}}}'
    refused "malformed node update" 400 POST /nodes -d '{"kind":"NodeList","items":[{"metadata":{"name":"z1"}},'
    refused "DELETE of an unknown node" 404 DELETE /nodes/ghost
}

# --max-body: the declared size is refused up front, a chunked body once it grows past the limit;
# a body of exactly the limit is fine.
test_413() {
    start_server --nodes "$DEMO" --max-body 1000 || return
    GOOD_BODY_FILE=
    remember_good
    check "limit server: the small good filter works" "200" "$STATUS"
    head -c 2000 /dev/zero | tr '\0' ' ' >"$T/2000"
    refused "2000-byte body with Content-Length over --max-body 1000" 413 POST /filter "$T/2000"
    req POST /filter "$T/2000" -H 'Expect: 100-continue'
    check "Expect: 100-continue with a Content-Length over --max-body: 413, no 100 Continue" "413 no-100" \
        "$STATUS $(grep -q '^HTTP/1.1 100' <<<"$HEADERS" && echo got-100 || echo no-100)"
    refused "2000-byte chunked body over --max-body 1000" 413 POST /filter "$T/2000" -H 'Transfer-Encoding: chunked'
    refused "chunked realistic filter (2143 bytes) over --max-body 1000" 413 POST /filter "$GOOD" -H 'Transfer-Encoding: chunked'
    local padded
    printf -v padded '%-1000s' "$SMALL"
    req POST /filter -d "$padded"
    check "a body of exactly --max-body bytes is accepted" "$GOOD_REPLY" "$STATUS $BODY"
    req POST /filter -d "$padded" -H 'Transfer-Encoding: chunked'
    check "a chunked body of exactly --max-body bytes is accepted" "$GOOD_REPLY" "$STATUS $BODY"
    req POST /filter -d "$padded "
    check_error_reply "a body of --max-body + 1 bytes: 413" 413
    stop_server
}

# JSONTestSuite (nst/JSONTestSuite) thrown at /filter in one curl process over kept-alive
# connections: n_* must all get 400; i_* and y_* an answer below 500 (y_ documents are valid JSON
# but not ExtenderArgs, so 400 is right for most); and the server must survive them all.
test_jsontestsuite() {
    [ -d "$JSONTESTSUITE" ] || return 0
    local f cfg=$T/jts.curl bad_n bad_other sep=
    : >"$cfg"
    for f in "$JSONTESTSUITE"/*.json; do
        printf '%surl = "%s/filter"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %s\\n"\n' \
            "$sep" "$URL" "$f" "$(basename "$f")" >>"$cfg"
        sep=$'next\n'
    done
    curl -s --max-time 60 -K "$cfg" >"$T/jts.out"
    # count the answers too: a curl that stopped early must not pass for want of bad lines
    local n_total n_ok o_total o_ok
    n_total=$(find "$JSONTESTSUITE" -name 'n_*.json' | wc -l)
    o_total=$(find "$JSONTESTSUITE" -name '[iy]_*.json' | wc -l)
    n_ok=$(grep -c '^400 n_' "$T/jts.out")
    o_ok=$(grep -c -E '^[24][0-9][0-9] [iy]_' "$T/jts.out")
    bad_n=$(grep ' n_' "$T/jts.out" | grep -v '^400 ' | head -5 | tr '\n' ' ')
    bad_other=$(grep -E ' [iy]_' "$T/jts.out" | grep -v -E '^[24][0-9][0-9] ' | head -5 | tr '\n' ' ')
    check "JSONTestSuite: every n_* file gets 400" "$n_total of $n_total" "$n_ok of $n_total${bad_n:+; e.g. $bad_n}"
    check "JSONTestSuite: every i_*/y_* file gets an answer below 500" "$o_total of $o_total" "$o_ok of $o_total${bad_other:+; e.g. $bad_other}"
    still_serves "JSONTestSuite"
}

start_server --nodes "$DEMO" || finish
GOOD_BODY_FILE=$GOOD
remember_good
check "good filter before any error" "200" "$STATUS"
test_405
test_404
test_error_text
test_400
test_422
test_nodes_refused
test_jsontestsuite
stop_server
test_413
finish
