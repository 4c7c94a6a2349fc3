#!/usr/bin/env bash
# edges.sh - HTTP framing edges answered as RFC 9112 says, with a JSON {"Error": ...} body, and
# the connection closed where the next request's start cannot be known; a chunked upload over
# --max-body cut off at the limit; libmicrohttpd's own lines under --log-level.
. "$(dirname "$0")/lib.sh"

REQ=examples/requests

# edge NAME WANT-STATUS HEADERS [BODY]: one raw POST /filter with these header lines, which must
# get WANT-STATUS with a JSON error body, on a connection the server then closes.
edge() {
    printf 'POST /filter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n%s\r\n%s' "$3" "${4:-}" >"$T/edge.http"
    raw_request "$T/edge.http"
    local shape="not-json-error: $RAW_BODY"
    [[ "$RAW_BODY" =~ $ERROR_JSON ]] && shape=json-error
    check "$1" "$2 json-error closed" "$RAW_STATUS $shape $RAW_CLOSED"
}

test_framing() {
    # RFC 9112 section 6.3: an ambiguous length is a 400, and the connection cannot be reused
    edge "two different Content-Length values: 400" 400 $'Content-Length: 2\r\nContent-Length: 3\r\n' '{}'
    edge "one Content-Length line listing two values: 400" 400 $'Content-Length: 2\r\nContent-Length: 2, 3\r\n' '{}'
    edge "Transfer-Encoding and Content-Length together: 400" 400 \
        $'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n' $'0\r\n\r\n'
    # section 6.1: chunked must be the final coding; a coding the server does not know is a 501
    edge "Transfer-Encoding: gzip (chunked not final): 400" 400 $'Transfer-Encoding: gzip\r\n' '{}'
    edge "Transfer-Encoding: chunked, gzip: 400" 400 $'Transfer-Encoding: chunked, gzip\r\n' $'0\r\n\r\n'
    edge "Transfer-Encoding: chunked twice: 400" 400 $'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n' $'0\r\n\r\n'
    edge "Transfer-Encoding: gzip, chunked: 501" 501 $'Transfer-Encoding: gzip, chunked\r\n' $'0\r\n\r\n'
    # section 3.2: exactly one Host in an HTTP/1.1 request
    printf 'GET /healthz HTTP/1.1\r\n\r\n' >"$T/nohost.http"
    raw_request "$T/nohost.http"
    check "an HTTP/1.1 request without Host: 400 JSON" "400 json-error" \
        "$RAW_STATUS $([[ "$RAW_BODY" =~ $ERROR_JSON ]] && echo json-error || echo "$RAW_BODY")"
    printf 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' >"$T/twohosts.http"
    raw_request "$T/twohosts.http"
    check "two Host headers: 400 JSON" "400 json-error" \
        "$RAW_STATUS $([[ "$RAW_BODY" =~ $ERROR_JSON ]] && echo json-error || echo "$RAW_BODY")"
    # what stays valid: the same length twice, a chunked body, HTTP/1.0 without Host
    local body
    body=$(<"$REQ/filter-names.json")
    printf 'POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
        "${#body}" "${#body}" "$body" >"$T/same.http"
    raw_request "$T/same.http"
    check "the same Content-Length twice is one length: 200" 200 "$RAW_STATUS"
    printf 'GET /healthz HTTP/1.0\r\n\r\n' >"$T/http10.http"
    raw_request "$T/http10.http"
    check "HTTP/1.0 without Host: 200" 200 "$RAW_STATUS"
}

# A query of 3,600 arguments: libmicrohttpd alone ran out of its connection pool indexing them
# and sent nothing. The target is over the 1023-byte limit: 414, JSON. One of 1023 bytes made of
# 1,014 empty arguments fits the pool and is answered.
test_query_arguments() {
    local q i
    q=a0=1
    for ((i = 1; i < 3600; i++)); do q+="&a$i=1"; done
    printf 'GET /healthz?%s HTTP/1.1\r\nHost: x\r\n\r\n' "$q" >"$T/args.http"
    raw_request "$T/args.http"
    check "3,600 query arguments: 414 JSON" "414 json-error" \
        "$RAW_STATUS $([[ "$RAW_BODY" =~ $ERROR_JSON ]] && echo json-error || echo "$(show "$RAW_BODY")")"
    printf -v q '%*s' 1014 ''
    printf 'GET /healthz?%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "${q// /&}" >"$T/args.http"
    raw_request "$T/args.http"
    check "a 1023-byte target of 1,014 query arguments is answered" "200" "$RAW_STATUS"
}

# A chunked upload has no declared length: it is cut off once the running total passes the limit.
test_chunked_over_limit() {
    local out
    out=$(head -c 314572800 /dev/zero | curl -s -o "$T/413.body" -w '%{http_code} %{size_upload}' --max-time 20 \
        -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @- "$URL/filter")
    local status=${out% *} sent=${out#* }
    check "a 300 MiB chunked upload over --max-body 1 MiB: 413 JSON" "413 json-error" \
        "$status $([[ "$(<"$T/413.body")" =~ $ERROR_JSON ]] && echo json-error || cat "$T/413.body")"
    check "... cut off at the limit: under 16 MiB sent, not 300" "cut off" \
        "$([ "${sent:-0}" -lt 16777216 ] && echo cut off || echo "sent $sent bytes")"
}

start_server --max-body 1048576 --log-level debug || finish
test_framing
test_query_arguments
test_chunked_over_limit
stop_server

# libmicrohttpd's own lines are the server's, timestamped, at info level (so --log-level error
# hides them), not its raw stderr text.
start_server || finish
printf 'POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n' >"$T/badlength.http"
raw_request "$T/badlength.http"
check "libmicrohttpd's 400 for Content-Length: -1 is still sent" 400 "$RAW_STATUS"
check_has "... and its line is a timestamped info line of the server's" \
    "Z info libmicrohttpd: Failed to parse \`Content-Length' header" "$(<"$SERVER_LOG")"
check "... as every line of the log is" 0 "$(grep -c -v -E '^[0-9-]{10}T[0-9:.]{12}Z (error|info|debug) ' "$SERVER_LOG")"
finish
