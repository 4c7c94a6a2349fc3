#!/usr/bin/env bash
# fakeapi.sh - the fake kube-apiserver (build/tests/fake-apiserver) speaks the protocol the node
# source relies on: consistent paginated lists, expired continue tokens, watches replaying
# history and going live, ERROR 410 after a compaction, the streaming list's initial-events-end
# bookmark, 422 without WatchList, injected faults, token auth and TLS with client certificates.
# Watches end by themselves (small timeoutSeconds) and live events wait on /fake/watches, so no
# check sleeps for luck; every curl has --max-time.
. "$(dirname "$0")/lib.sh"

CURL=(curl -s -g --max-time 10)

if [ ! -x "$FAKE_BIN" ]; then
    fail "setup: $FAKE_BIN is missing (make unit builds it)"
    finish
fi


# get URL [CURL-ARGS...]: sets STATUS, BODY, HEADERS (as lib.sh's req does, for any URL).
get() {
    local url=$1
    shift
    : >"$T/h"
    STATUS=$("${CURL[@]}" -D "$T/h" -o "$T/b" -w '%{http_code}' "$@" "$url")
    BODY=$(<"$T/b")
    HEADERS=$(tr -d '\r' <"$T/h")
}

# first KEY TEXT: the first "KEY":"value" string value in TEXT (the list's own metadata comes
# before its items).
first() {
    grep -o "\"$1\":\"[^\"]*\"" <<<"$2" | head -1 | sed 's/^"[^"]*":"//; s/"$//'
}

# names TEXT: the metadata.name of every node in a list or watch output, space-separated.
names() {
    grep -o '"metadata":{"name":"[^"]*"' <<<"$1" | sed 's/.*"name":"//; s/"$//' | tr '\n' ' ' | sed 's/ $//'
}

# types FILE: the "type" of each watch event line, space-separated.
types() {
    sed -n 's/^{"type":"\([A-Z]*\)".*/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

test_pagination() {
    get "$FURL/api/v1/nodes?limit=2"
    local rv tok page=1 all pages=''
    rv=$(first resourceVersion "$BODY")
    tok=$(first continue "$BODY")
    all=$(names "$BODY")
    pages="$STATUS:$(grep -o '"remainingItemCount":[0-9]*' <<<"$BODY")"
    check "first page: RV 1000, 2 of 5 nodes, a continue token" "1000 node-00000 node-00001 yes" \
        "$rv $all $([ -n "$tok" ] && echo yes)"
    # the truth changes between pages; the next pages still show the first page's snapshot
    "${CURL[@]}" -o /dev/null -X PUT "$FURL/fake/nodes" -d '{"metadata":{"name":"node-00003","labels":{"new":"1"}}}'
    local rvs=$rv
    while [ -n "$tok" ] && [ $page -lt 10 ]; do
        get "$FURL/api/v1/nodes?limit=2&continue=$tok"
        page=$((page + 1))
        rvs+=" $(first resourceVersion "$BODY")"
        tok=$(first continue "$BODY")
        all+=" $(names "$BODY")"
        pages+=" $STATUS:$(grep -o '"remainingItemCount":[0-9]*' <<<"$BODY")"
        [[ $BODY == *'"name":"node-00003"'* ]] && OLD3=$BODY
    done
    check "limit=2 walks all 5 nodes in 3 pages, in name order" \
        "node-00000 node-00001 node-00002 node-00003 node-00004" "$all"
    check "every page has the first page's RV" "1000 1000 1000" "$rvs"
    check "remainingItemCount while more remain, none on the last page" \
        '200:"remainingItemCount":3 200:"remainingItemCount":1 200:' "$pages"
    check_has "a later page shows the snapshot, not the change made meanwhile" \
        '"name":"node-00003","uid"' "${OLD3:-}"
    get "$FURL/api/v1/nodes"
    check "an unpaginated list: the change, at RV 1001, and no continue" "1001 no-continue has-new-label" \
        "$(first resourceVersion "$BODY") $([[ $BODY != *'"continue"'* ]] && echo no-continue) $(
            [[ $BODY == *'"labels":{"new":"1"}'* ]] && echo has-new-label)"
}

test_expired_continue() {
    get "$FURL/api/v1/nodes?limit=2"
    local tok
    tok=$(first continue "$BODY")
    "${CURL[@]}" -o /dev/null -X POST "$FURL/fake/fault" -d '{"fault":"expire-continue"}'
    get "$FURL/api/v1/nodes?limit=2&continue=$tok"
    check "an expired continue: 410 Expired" "410 Expired 410" \
        "$STATUS $(first reason "$BODY") $(grep -o '"code":[0-9]*' <<<"$BODY" | sed 's/.*://')"
    check_has "its message is kube's" '"message":"The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."' "$BODY"
    check_has "and, as kube, a token to go on inconsistently" '"metadata":{"continue":"' "$BODY"
    get "$FURL/api/v1/nodes?limit=2&continue=%21%21"
    check "a continue that does not decode: 400 BadRequest" "400 BadRequest" "$STATUS $(first reason "$BODY")"
}

test_watch_replay() {
    get "$FURL/api/v1/nodes"
    local rv
    rv=$(first resourceVersion "$BODY")
    "${CURL[@]}" -o /dev/null -X PUT "$FURL/fake/nodes" -d '{"metadata":{"name":"node-00001","labels":{"pool":"b"}}}'
    "${CURL[@]}" -o /dev/null -X DELETE "$FURL/fake/nodes/node-00004"
    "${CURL[@]}" -N -D "$T/wh" -o "$T/w" "$FURL/api/v1/nodes?watch=true&resourceVersion=$rv&timeoutSeconds=1"
    local rc=$?
    check "a watch from the list's RV replays the PUT and the DELETE, then ends cleanly" \
        "0 MODIFIED DELETED node-00001 node-00004" "$rc $(types "$T/w") $(names "$(<"$T/w")")"
    check "their RVs follow the list's" "$((rv + 1)) $((rv + 2))" \
        "$(grep -o '"resourceVersion":"[0-9]*"' "$T/w" | sed 's/.*:"//; s/"//' | tr '\n' ' ' | sed 's/ $//')"
    check_has "events carry kind and apiVersion" '{"type":"MODIFIED","object":{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-00001"' "$(<"$T/w")"
    HEADERS=$(tr -d '\r' <"$T/wh")
    check "a watch is a chunked application/json 200" "200 application/json chunked" \
        "$(sed -n 's/^HTTP\/1.1 \([0-9]*\).*/\1/p' <<<"$HEADERS") $(header Content-Type) $(header Transfer-Encoding)"
    # live: the PUT comes once the watch is open (/fake/watches waits for it)
    "${CURL[@]}" -N -o "$T/w2" "$FURL/api/v1/nodes?watch=1&resourceVersion=$((rv + 2))&timeoutSeconds=2" &
    local cpid=$!
    "${CURL[@]}" -o /dev/null "$FURL/fake/watches?atLeast=1&timeoutSeconds=5"
    "${CURL[@]}" -o /dev/null -X PUT "$FURL/fake/nodes" -d '{"metadata":{"name":"node-00009"}}'
    wait "$cpid"
    check "a live event reaches an open watch" "ADDED node-00009" "$(types "$T/w2") $(names "$(<"$T/w2")")"
}

test_compact() {
    "${CURL[@]}" -N -o "$T/w" "$FURL/api/v1/nodes?watch=true&resourceVersion=1001&timeoutSeconds=8" &
    local cpid=$!
    "${CURL[@]}" -o /dev/null "$FURL/fake/watches?atLeast=1&timeoutSeconds=5"
    get "$FURL/fake/compact" -X POST
    local now
    now=$(first resourceVersion "$BODY")
    wait "$cpid"
    local rc=$?
    check "compaction ends an open watch with ERROR 410 Expired, cleanly" "0 ERROR" "$rc $(tail -1 "$T/w" | sed -n 's/^{"type":"\([A-Z]*\)".*/\1/p')"
    check_has "the ERROR's Status" '"object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: '"$now ($now)"'","reason":"Expired","code":410}}' "$(tail -1 "$T/w")"
    "${CURL[@]}" -N -o "$T/w" "$FURL/api/v1/nodes?watch=true&resourceVersion=1001&timeoutSeconds=5"
    check "a watch from before the compaction: 200 and one ERROR line" \
        "ERROR|too old resource version: 1001 ($now)" \
        "$(types "$T/w")|$(first message "$(<"$T/w")")"
}

test_streaming_list() {
    "${CURL[@]}" -N -o "$T/w" \
        "$FURL/api/v1/nodes?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1"
    get "$FURL/fake/nodes"
    local rv n
    rv=$(first resourceVersion "$BODY")
    n=$(names "$BODY" | wc -w)
    check "streaming list: an ADDED per node, then one BOOKMARK" "$n ADDED, then BOOKMARK" \
        "$(grep -c '^{"type":"ADDED"' "$T/w") ADDED, then $(tail -1 "$T/w" | sed -n 's/^{"type":"\([A-Z]*\)".*/\1/p')"
    check "the bookmark marks the end of the initial events at the state's RV" \
        '{"type":"BOOKMARK","object":{"kind":"Node","apiVersion":"v1","metadata":{"resourceVersion":"'"$rv"'","creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}},"spec":{},"status":{"daemonEndpoints":{"kubeletEndpoint":{"Port":0}},"nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"","osImage":"","containerRuntimeVersion":"","kubeletVersion":"","kubeProxyVersion":"","operatingSystem":"","architecture":""}}}}' \
        "$(tail -1 "$T/w")"
    get "$FURL/api/v1/nodes?watch=true&sendInitialEvents=true&timeoutSeconds=1"
    check "sendInitialEvents without resourceVersionMatch=NotOlderThan: 422 Invalid" "422 Invalid" \
        "$STATUS $(first reason "$BODY")"
}

test_faults() {
    "${CURL[@]}" -o /dev/null -X POST "$FURL/fake/fault" -d '{"fault":"status","code":503,"retryAfter":2,"match":"list"}'
    get "$FURL/api/v1/nodes?limit=500"
    check "a status fault: 503 ServiceUnavailable with Retry-After" "503 ServiceUnavailable 2" \
        "$STATUS $(first reason "$BODY") $(header Retry-After)"
    get "$FURL/api/v1/nodes?limit=500"
    check "the fault hits once (count 1)" "200" "$STATUS"

    "${CURL[@]}" -o /dev/null -X POST "$FURL/fake/fault" -d '{"fault":"malformed"}'
    "${CURL[@]}" -N -o "$T/w" "$FURL/api/v1/nodes?watch=true&resourceVersion=$(first resourceVersion "$BODY")&timeoutSeconds=1"
    check "malformed: one line of broken JSON first" '{"type":"MODIFIED","object":{"metadata":' "$(head -1 "$T/w")"

    "${CURL[@]}" -o /dev/null -X POST "$FURL/fake/fault" -d '{"fault":"drop"}'
    "${CURL[@]}" -N -o "$T/w" "$FURL/api/v1/nodes?watch=true&resourceVersion=$(first resourceVersion "$BODY")&timeoutSeconds=5" &
    local cpid=$!
    "${CURL[@]}" -o /dev/null "$FURL/fake/watches?atLeast=1&timeoutSeconds=5"
    "${CURL[@]}" -o /dev/null -X POST "$FURL/fake/modify?count=1&name=node-0000"
    wait "$cpid"
    local rc=$?
    check "drop: half an event, then the connection is cut (curl 18: partial transfer)" "18 half-event" \
        "$rc $([ -s "$T/w" ] && [ "$(tail -c 1 "$T/w")" != '}' ] && [ "$(wc -l <"$T/w")" -eq 0 ] && echo half-event)"

    "${CURL[@]}" -o /dev/null -X POST "$FURL/fake/fault" -d '{"fault":"stall"}'
    : >"$T/w"   # curl makes no file when nothing comes
    curl -s -N --max-time 1 -D "$T/wh" -o "$T/w" "$FURL/api/v1/nodes?watch=true&timeoutSeconds=1"
    rc=$?
    check "stall: 200 headers, then nothing, past timeoutSeconds (curl 28: timed out)" "28 200 0" \
        "$rc $(sed -n 's/^HTTP\/1.1 \([0-9]*\).*/\1/p' "$T/wh") $(wc -c <"$T/w")"
    get "$FURL/fake/watches?atMost=0&timeoutSeconds=5"
    check "the stalled watch is gone once the client hangs up" "200" "$STATUS"

    "${CURL[@]}" -o /dev/null -X POST "$FURL/fake/fault" -d '{"fault":"drop-list"}'
    curl -s --max-time 5 -o "$T/l" "$FURL/api/v1/nodes"
    rc=$?
    get "$FURL/api/v1/nodes"
    check "drop-list: half the body, then cut (curl 18: partial transfer)" "18 $(($(wc -c <"$T/b") / 2))" \
        "$rc $(wc -c <"$T/l")"
}

test_errors_and_log() {
    get "$FURL/api/v1/pods"
    check "another path: 404 Status NotFound" \
        '404 {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}' \
        "$STATUS $BODY"
    get "$FURL/api/v1/nodes" -X POST -d '{}'
    check "another method: 405 MethodNotAllowed" "405 MethodNotAllowed" "$STATUS $(first reason "$BODY")"
    get "$FURL/fake/requests"
    check_has "the request log has the client's query" '"query":"limit=2"' "$BODY"
    check_has "and its user agent" '"query":"limit=500","userAgent":"curl/' "$BODY"
    "${CURL[@]}" -o /dev/null -X DELETE "$FURL/fake/requests"
    get "$FURL/fake/requests"
    check "DELETE /fake/requests clears it" "[ ]" "$(tr '\n' ' ' <<<"$BODY" | sed 's/ *$//')"
}

test_no_watch_list() {
    start_fake --generate 2 --no-watch-list || return
    get "$FURL/api/v1/nodes?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
    check "--no-watch-list: sendInitialEvents is 422 Invalid, as kube words it" \
        '422 {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ListOptions.meta.k8s.io \"\" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled","reason":"Invalid","details":{"group":"meta.k8s.io","kind":"ListOptions","causes":[{"reason":"FieldValueForbidden","message":"Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled","field":"sendInitialEvents"}]},"code":422}' \
        "$STATUS $BODY"
    "${CURL[@]}" -N -o "$T/w" "$FURL/api/v1/nodes?watch=true&allowWatchBookmarks=true&timeoutSeconds=1"
    check "--no-watch-list: a watch without RV sends ADDED for each node, no bookmark" "ADDED ADDED" "$(types "$T/w")"
    stop_server "$FPID"
}

test_token() {
    printf 's3cret\n' >"$T/token"
    start_fake --generate 1 --token-file "$T/token" || return
    get "$FURL/api/v1/nodes"
    check "--token-file: no token is 401 Unauthorized" \
        '401 {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}' \
        "$STATUS $BODY"
    get "$FURL/api/v1/nodes" -H 'Authorization: Bearer wrong'
    check "a wrong token is 401" "401" "$STATUS"
    get "$FURL/api/v1/nodes" -H 'Authorization: Bearer s3cret'
    check "the file's token is 200" "200" "$STATUS"
    printf '  rotated \n' >"$T/token"
    get "$FURL/api/v1/nodes" -H 'Authorization: Bearer s3cret'
    local old=$STATUS
    get "$FURL/api/v1/nodes" -H 'Authorization: Bearer rotated'
    check "the file is re-read: the old token 401, the new one (trimmed) 200" "401 200" "$old $STATUS"
    get "$FURL/fake/requests"
    check_has "the log says token" '"auth":"token","status":200' "$BODY"
    stop_server "$FPID"
}

test_tls() {
    if ! command -v openssl >/dev/null; then
        fail "TLS: openssl is missing (make deps installs it)"
        return
    fi
    local d=$T/pki
    mkdir -p "$d"
    {
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 1 -subj /CN=fake-ca
        openssl req -newkey rsa:2048 -nodes -keyout "$d/srv.key" -out "$d/srv.csr" -subj /CN=127.0.0.1
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/srv.ext"
        openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -out "$d/srv.crt" \
            -days 1 -extfile "$d/srv.ext"
        openssl req -newkey rsa:2048 -nodes -keyout "$d/cli.key" -out "$d/cli.csr" -subj "/CN=nodegate"
        printf 'extendedKeyUsage=clientAuth\n' >"$d/cli.ext"
        openssl x509 -req -in "$d/cli.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -out "$d/cli.crt" \
            -days 1 -extfile "$d/cli.ext"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/other.key" -out "$d/other.crt" -days 1 -subj /CN=other
    } >"$d/openssl.log" 2>&1
    check "openssl made a CA, a server and two client certificates" "ok" \
        "$([ -s "$d/cli.crt" ] && [ -s "$d/srv.crt" ] && [ -s "$d/other.crt" ] && echo ok || cat "$d/openssl.log")"
    start_fake --generate 2 --tls-cert "$d/srv.crt" --tls-key "$d/srv.key" --client-ca "$d/ca.crt" || return
    get "$FURL/api/v1/nodes" --cacert "$d/ca.crt"
    check "TLS with --client-ca: no client certificate is 401" "401 Unauthorized" "$STATUS $(first reason "$BODY")"
    get "$FURL/api/v1/nodes" --cacert "$d/ca.crt" --cert "$d/other.crt" --key "$d/other.key"
    check "a certificate the CA did not sign is 401" "401" "$STATUS"
    get "$FURL/api/v1/nodes" --cacert "$d/ca.crt" --cert "$d/cli.crt" --key "$d/cli.key"
    check "a client certificate the CA signed is 200, over a verified server certificate" "200 node-00000 node-00001" \
        "$STATUS $(names "$BODY")"
    get "$FURL/fake/requests" --cacert "$d/ca.crt"
    check_has "the log says cert" '"auth":"cert","status":200' "$BODY"
    stop_server "$FPID"
}

test_flags() {
    local rc
    timeout 5 "$FAKE_BIN" --generate x >/dev/null 2>"$T/err"
    rc=$?
    check "a bad flag value: exit 2 and one line naming it" "2 1 yes" \
        "$rc $(wc -l <"$T/err") $(grep -q -- '--generate x' "$T/err" && echo yes)"
    timeout 5 "$FAKE_BIN" --bogus >/dev/null 2>"$T/err"
    rc=$?
    check "an unknown flag: exit 2" "2" "$rc"
    timeout 5 "$FAKE_BIN" --client-ca x >/dev/null 2>"$T/err"
    rc=$?
    check "--client-ca without TLS: exit 2" "2" "$rc"
    timeout 5 "$FAKE_BIN" --help >"$T/out" 2>&1
    rc=$?
    check "--help: exit 0 with the usage" "0 yes" "$rc $(grep -q -- '--no-watch-list' "$T/out" && echo yes)"
}

if start_fake --generate 5 --node-bytes 3000; then
    MAIN=$FPID
    test_pagination
    test_expired_continue
    test_watch_replay
    test_compact
    test_streaming_list
    test_faults
    test_errors_and_log
    stop_server "$MAIN"
fi
test_no_watch_list
test_token
test_tls
test_flags
finish
