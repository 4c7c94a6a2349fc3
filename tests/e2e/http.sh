#!/usr/bin/env bash
# http.sh - the transport kube-scheduler and other clients lean on: keep-alive, chunked uploads
# (curl's and byte-sized ones), Expect: 100-continue, pipelining, many concurrent clients while
# the node cache changes, and clients that vanish mid-request.
. "$(dirname "$0")/lib.sh"

DEMO=examples/demo-cluster.json
REQ=examples/requests
PREEMPT='{"Pod":{"metadata":{"name":"p","uid":"u"}},"NodeNameToVictims":null,"NodeNameToMetaVictims":{"worker":{"Pods":[{"UID":"v1"}],"NumPDBViolations":0},"master":{"Pods":[{"UID":"v2"}],"NumPDBViolations":0}}}'

# reference NAME PATH BODY-ARGS...: one plain request; its reply bytes are kept in $T/ref-NAME.
reference() {
    local name=$1
    shift
    req POST "$@"
    cp "$BODY_FILE" "$T/ref-$name"
    check "reference $name: 200" 200 "$STATUS"
}

# chunked_request PATH FILE SIZE: writes a raw HTTP request whose body is FILE in SIZE-byte chunks.
chunked_request() {
    local LC_ALL=C path=$1 body size=$3 i c
    body=$(<"$2")
    {
        printf 'POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' "$path"
        printf 'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
        for ((i = 0; i < ${#body}; i += size)); do
            c=${body:i:size}
            printf '%x\r\n%s\r\n' "${#c}" "$c"
        done
        printf '0\r\n\r\n'
    } >"$T/chunked.http"
}

test_keepalive() {
    local out
    out=$(curl -s -g -o "$T/k1" -o "$T/k2" -o "$T/k3" -w '%{num_connects} %{http_code},' \
        "$URL/healthz" "$URL/version" "$URL/nodes")
    check "keep-alive: three GETs on one connection" "1 200,0 200,0 200," "$out"
    out=$(curl -s -g -H 'Content-Type: application/json' --data-binary "@$REQ/filter-names.json" \
        -o "$T/k1" -o "$T/k2" -o "$T/k3" -w '%{num_connects} %{http_code},' "$URL/filter" "$URL/scheduler/filter" "$URL/filter/")
    check "keep-alive: three POSTs on one connection" "1 200,0 200,0 200," "$out"
    check "keep-alive: the replies are the plain ones" "same same same" \
        "$(cmp -s "$T/k1" "$T/ref-filter" && echo same) $(cmp -s "$T/k2" "$T/ref-filter" && echo same) $(cmp -s "$T/k3" "$T/ref-filter" && echo same)"
    # a 400 must not cost kube-scheduler its connection
    out=$(curl -s -g -o /dev/null -w '%{num_connects} %{http_code},' -d '{"Pod":' "$URL/filter" \
        --next -o "$T/k1" -w '%{num_connects} %{http_code},' --data-binary "@$REQ/filter-names.json" "$URL/filter")
    check "keep-alive: the connection survives a 400" "1 400,0 200," "$out"
    check "keep-alive: the reply after the 400 is the plain one" same "$(cmp -s "$T/k1" "$T/ref-filter" && echo same)"
}

test_chunked() {
    local name file
    for name in filter filter-full prioritize; do
        file=$REQ/$name-names.json
        [ "$name" = filter-full ] && file=$REQ/filter-full.json
        req POST "/${name%-full}" "$file" -H 'Transfer-Encoding: chunked'
        check "chunked upload (curl) of $(basename "$file"): same reply" "200 same" \
            "$STATUS $(cmp -s "$BODY_FILE" "$T/ref-$name" && echo same)"
    done
    # 7-byte chunks split every token and the full-mode node objects many times over
    chunked_request /filter $REQ/filter-full.json 7
    raw_request "$T/chunked.http"
    check "chunked upload in 7-byte chunks of filter-full.json: same reply" "200 $(<"$T/ref-filter-full")" "$RAW_STATUS $RAW_BODY"
    chunked_request /filter $REQ/filter-names.json 1
    raw_request "$T/chunked.http"
    check "chunked upload in 1-byte chunks of filter-names.json: same reply" "200 $(<"$T/ref-filter")" "$RAW_STATUS $RAW_BODY"
}

test_expect_continue() {
    req POST /filter "$REQ/filter-names.json" -H 'Expect: 100-continue'
    check_has "Expect: 100-continue gets a 100 Continue" "HTTP/1.1 100 Continue" "$HEADERS"
    check "Expect: 100-continue then the same reply" "200 same" "$STATUS $(cmp -s "$BODY_FILE" "$T/ref-filter" && echo same)"
}

test_pipelining() {
    printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >"$T/pipe.http"
    raw_request "$T/pipe.http"
    check "pipelined GETs: two replies in order" "2 ok-then-version" \
        "$(grep -o 'HTTP/1.1 200' "$T/raw.reply" | wc -l) $(tr -d '\r\n' <"$T/raw.reply" | grep -q '{"status":"ok"}.*{"version":' && echo ok-then-version)"
}

# client K VERB-PATH BODY-ARGS...: 50 requests in one curl (URL globbing, so one kept-alive
# connection unless the args say Connection: close); statuses to cK.status, bodies to cK-1..50.
client() {
    local k=$1 path=$2
    shift 2
    curl -s -H 'Content-Type: application/json' "$@" -o "$T/conc/c$k-#1" -w '%{http_code}\n' \
        "$URL$path?n=[1-50]" >"$T/conc/c$k.status" 2>/dev/null
}

# writer: 25 times adds and deletes a node no reader asks about.
writer() {
    local i
    for ((i = 0; i < 25; i++)); do
        curl -s -o /dev/null -w '%{http_code}\n' -d '{"metadata":{"name":"churn","labels":{"i":"'$i'"}}}' "$URL/nodes"
        curl -s -o /dev/null -w '%{http_code}\n' -X DELETE "$URL/nodes/churn"
    done >"$T/conc/writer.status"
}

# count_same REF FILES...: how many FILES have exactly REF's bytes.
count_same() {
    local ref
    ref=$(md5sum <"$1" | cut -d' ' -f1)
    shift
    md5sum "$@" | cut -d' ' -f1 | grep -c -x "$ref"
}

test_concurrency() {
    mkdir -p "$T/conc"
    req GET /nodes
    local nodes_before=$BODY k pids=()
    for k in 1 2 3; do client $k /filter --data-binary "@$REQ/filter-names.json" & pids+=($!); done
    client 4 /prioritize --data-binary "@$REQ/prioritize-names.json" & pids+=($!)
    client 5 /filter --data-binary "@$REQ/filter-full.json" & pids+=($!)
    client 6 /preempt --data-binary "$PREEMPT" & pids+=($!)
    # and two clients that open a new connection per request
    for k in 7 8; do client $k /filter -H 'Connection: close' --data-binary "@$REQ/filter-names.json" & pids+=($!); done
    writer & pids+=($!)
    wait "${pids[@]}"
    check "concurrency: 8 clients x 50 requests, all 200" 400 "$(cat "$T"/conc/c?.status | grep -c -x 200)"
    check "concurrency: node updates meanwhile, all 200" 50 "$(grep -c -x 200 "$T/conc/writer.status")"
    check "concurrency: every filter-names reply identical" 250 \
        "$(count_same "$T/ref-filter" "$T"/conc/c[12378]-*)"
    check "concurrency: every prioritize reply identical" 50 "$(count_same "$T/ref-prioritize" "$T"/conc/c4-*)"
    check "concurrency: every full-mode filter reply identical" 50 "$(count_same "$T/ref-filter-full" "$T"/conc/c5-*)"
    check "concurrency: every preempt reply identical" 50 "$(count_same "$T/ref-preempt" "$T"/conc/c6-*)"
    req GET /nodes
    check "concurrency: the node cache is back as it was" "$nodes_before" "$BODY"
}

# wait_log PATTERN COUNT: polls the server log (bounded) until PATTERN has COUNT matching lines.
wait_log() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(grep -c -E "$1" "$SERVER_LOG")" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}

# hang_up FILE: sends FILE's bytes on a new connection and closes it without reading a reply.
hang_up() {
    local fd
    { exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 0
    cat "$1" >&"$fd"
    exec {fd}>&-
}

# Clients that go away mid-request: the server must free the half-fed call (ASan's leak check
# at exit sees it) and keep serving.
test_disconnects() {
    local aborted_before
    aborted_before=$(grep -c '(aborted)' "$SERVER_LOG")
    printf 'POST /filter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n{"Pod":{"metadata":' >"$T/cut.http"
    hang_up "$T/cut.http"
    head -c 900 "$REQ/filter-full.json" | {
        printf 'POST /filter HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n384\r\n'
        cat
    } >"$T/cut-chunked.http"
    hang_up "$T/cut-chunked.http"
    check "disconnects mid-body (Content-Length and chunked) are logged as aborted" 0 \
        "$(wait_log '\(aborted\)' $((aborted_before + 2)); echo $?)"
    printf 'POST /filter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le' >"$T/cut-headers.http"
    hang_up "$T/cut-headers.http"
    req GET /healthz
    local health="$STATUS $BODY"
    req POST /filter "$REQ/filter-names.json"
    check "after the disconnects the server still serves the same bytes" "200 {\"status\":\"ok\"} 200 same" \
        "$health $STATUS $(cmp -s "$BODY_FILE" "$T/ref-filter" && echo same)"
}

start_server --nodes "$DEMO" --threads 4 --log-level debug || finish
reference filter /filter "$REQ/filter-names.json"
reference filter-full /filter "$REQ/filter-full.json"
reference prioritize /prioritize "$REQ/prioritize-names.json"
reference preempt /preempt -d "$PREEMPT"
test_keepalive
test_chunked
test_expect_continue
test_pipelining
test_concurrency
test_disconnects
finish
