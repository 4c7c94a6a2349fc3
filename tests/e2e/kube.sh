#!/usr/bin/env bash
# kube.sh - names mode in a cluster: nodegate-server --kubeconfig against the fake API server
# (build/tests/fake-apiserver). After every fault (ERROR 410, HTTP 410, an expired continue
# token, a connection dropped mid-event, a stalled watch, 5xx and 429 bursts, a 401 until the
# token file changes, TLS with client certificates) the cache must equal the fake's truth:
# names, labels, taints and unschedulable, nothing lost, nothing stale.
. "$(dirname "$0")/lib.sh"

unset KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT
for tool in jq openssl; do
    command -v $tool >/dev/null || { fail "setup: $tool is missing (make deps installs it)"; finish; }
done
# Bounds for waiting on a condition, never a sleep for luck: a poll every 0.05 s, given up after,
# or at once when the server has died (alive).
CONVERGE_S=30
alive() { kill -0 "$SERVER_PID" 2>/dev/null; }

declare -a FAKE_PIDS=()
cleanup_fakes() { local p; for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; }
trap 'cleanup_fakes; cleanup' EXIT

# start_fake NAME [FLAGS...]: sets FAKE (its base URL, http or https) and FAKE_PID.
start_fake() {
    local name=$1 i scheme=http
    shift
    [[ " $* " == *" --tls-cert "* ]] && scheme=https
    rm -f "$T/$name.port"
    "$FAKE_BIN" --port-file "$T/$name.port" "$@" 2>"$T/$name.log" &
    FAKE_PID=$!
    FAKE_PIDS+=("$FAKE_PID")
    for ((i = 0; i < 400; i++)); do
        [ -s "$T/$name.port" ] && break
        sleep 0.05
    done
    FAKE=$scheme://127.0.0.1:$(cat "$T/$name.port" 2>/dev/null)
    [ -s "$T/$name.port" ] || fail "fake $name starts" "$(cat "$T/$name.log")"
}
ctl() {   # ctl METHOD PATH [BODY]: a control call to the fake (/fake/ needs no credentials)
    curl -s -k --max-time 40 -X "$1" ${3:+--data-binary "$3"} "$FAKE$2"
}


# What both sides hold of each node, sorted by name, in one canonical form.
NORMALIZE='[.items[] | {name: .metadata.name, labels: (.metadata.labels // {}),
  taints: [(.spec.taints // [])[] | {key, value: (.value // ""), effect: (.effect // "")}],
  unschedulable: (.spec.unschedulable // false)}] | sort_by(.name)'
truth() { ctl GET /fake/nodes | jq -S "$NORMALIZE"; }
cache() { curl -s --max-time 10 "$URL/nodes?full=true" | jq -S "$NORMALIZE" 2>/dev/null; }

# converge NAME: the cache equals the truth within CONVERGE_S.
converge() {
    local i want got
    want=$(truth)
    for ((i = 0; i < CONVERGE_S * 20; i++)); do
        got=$(cache)
        [ "$got" = "$want" ] && { pass "$1: the cache equals the truth ($(jq length <<<"$want") nodes)"; return; }
        alive || break
        sleep 0.05
    done
    fail "$1: the cache equals the truth" "$(diff <(echo "$want") <(echo "$got") | head -20)"
}

# metric NAME-WITH-LABELS: one sample's value from /metrics ("" when absent).
metric() { metric_at "$URL/metrics" "$1"; }
# wait_metric NAME-WITH-LABELS MIN: polls until the counter reaches MIN; echoes its value.
wait_metric() {
    local i v=''
    for ((i = 0; i < CONVERGE_S * 20; i++)); do
        v=$(metric "$1")
        [ -n "$v" ] && awk -v v="$v" -v m="$2" 'BEGIN {exit !(v >= m)}' && break
        alive || break
        sleep 0.05
    done
    echo "${v:-absent}"
}
# wait_ready WANT-STATUS: polls /readyz until it answers WANT-STATUS.
wait_ready() {
    local i s=''
    for ((i = 0; i < CONVERGE_S * 20; i++)); do
        s=$(curl -s --max-time 5 -o "$T/readyz" -w '%{http_code}' "$URL/readyz")
        [ "$s" = "$1" ] && break
        alive || break
        sleep 0.05
    done
    echo "$s $(cat "$T/readyz")"
}
# watches_started N: waits (in the fake, on a condition variable) until N watches have started.
watches_started() { ctl GET "/fake/watches?startedAtLeast=$1&timeoutSeconds=$CONVERGE_S" >/dev/null; }
started() { ctl GET /fake/watches | jq .started; }

node() {   # node NAME [LABELS-JSON] [SPEC-JSON]: a Node as the API server would hold it
    printf '{"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":%s},"spec":%s}' \
        "$1" "${2:-{\}}" "${3:-{\}}"
}

cat >"$T/truth.json" <<'EOF'
{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[
 {"metadata":{"name":"master","labels":{"kubernetes.io/hostname":"master","node-role.kubernetes.io/control-plane":""}},
  "spec":{"taints":[{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}]}},
 {"metadata":{"name":"worker-1","labels":{"kubernetes.io/hostname":"worker-1","zone":"a"}}},
 {"metadata":{"name":"worker-2","labels":{"kubernetes.io/hostname":"worker-2","zone":"b"}},
  "spec":{"taints":[{"key":"spot","value":"true","effect":"PreferNoSchedule"}]}},
 {"metadata":{"name":"cordoned","labels":{"kubernetes.io/hostname":"cordoned"}},"spec":{"unschedulable":true}}
]}
EOF
echo tok-1 >"$T/fake-token"
echo tok-1 >"$T/token"

# ---- A: streaming list, watch events, the node API refused, bookmarks, ERROR 410 ----
start_fake a --nodes "$T/truth.json" --token-file "$T/fake-token"
kubeconfig "$T/kc-a" "$FAKE" "    tokenFile: token"
start_server --kubeconfig "$T/kc-a" --watch-stall-timeout 2s --cache-stale-after 2s
check_has "readyz: ready once the first list is in" "200" "$(wait_ready 200)"
converge "streaming list"
check_has "the first list is a streaming list (sendInitialEvents)" "sendInitialEvents=true" \
    "$(ctl GET /fake/requests | jq -r '.[].query' | head -1)"
check "the streaming list asks for no gzip" "" "$(ctl GET /fake/requests | jq -r '.[0].acceptEncoding')"
check "metrics: cache synced" "1" "$(metric nodegate_cache_synced)"
check "metrics: 4 nodes" "4" "$(metric nodegate_nodes)"

ctl PUT /fake/nodes "$(node worker-1 '{"kubernetes.io/hostname":"worker-1","zone":"c","gpu":"a100"}' \
    '{"taints":[{"key":"dedicated","value":"gpu","effect":"NoSchedule"}]}')" >/dev/null
ctl PUT /fake/nodes "$(node new-1 '{"kubernetes.io/hostname":"new-1"}')" >/dev/null
ctl DELETE /fake/nodes/worker-2 >/dev/null
ctl PUT /fake/nodes "$(node cordoned '{"kubernetes.io/hostname":"cordoned"}')" >/dev/null   # uncordoned
converge "watch: MODIFIED, ADDED, DELETED"

req POST /nodes -d "$(node intruder)"
check_error_reply "POST /nodes while the API server owns the cache" 409
req DELETE /nodes/master
check_error_reply "DELETE /nodes/NAME while the API server owns the cache" 409
converge "the refused writes changed nothing"

check_has "a filter answers from the watched cache" '"NodeNames":["new-1"]' \
    "$(curl -s --max-time 10 -X POST --data-binary '{"Pod":{"metadata":{"name":"p"},"spec":{}},"NodeNames":["master","worker-1","new-1"]}' "$URL/filter")"
check_has "full-mode /preempt drops a node the cluster does not have" '{"NodeNameToMetaVictims":{"new-1"' \
    "$(curl -s --max-time 10 -X POST --data-binary '{"Pod":{"metadata":{"name":"p"},"spec":{}},"NodeNameToVictims":{"new-1":{"Pods":[{"metadata":{"uid":"u1"}}]},"ghost":{"Pods":[{"metadata":{"uid":"u2"}}]}}}' "$URL/preempt")"

before=$(metric 'nodegate_watch_events_total{type="BOOKMARK"}')   # the streaming list's end is one
ctl POST /fake/bookmark >/dev/null
check "a BOOKMARK is counted" "$((before + 1))" "$(wait_metric 'nodegate_watch_events_total{type="BOOKMARK"}' $((before + 1)))"

ctl POST /fake/compact >/dev/null     # the open watch gets ERROR 410: relist
ctl DELETE /fake/nodes/new-1 >/dev/null
ctl PUT /fake/nodes "$(node after-compact '{"kubernetes.io/hostname":"after-compact"}')" >/dev/null
check "ERROR 410 relists" "1" "$(wait_metric nodegate_relists_total 1)"
converge "relist after ERROR 410"

# HTTP 410 on the relist's own request, then a relist that works
ctl POST /fake/fault '{"fault":"gone","match":"watch"}' >/dev/null
ctl POST /fake/compact >/dev/null
ctl PUT /fake/nodes "$(node after-gone '{"kubernetes.io/hostname":"after-gone"}')" >/dev/null
check "HTTP 410 relists again" "2" "$(wait_metric nodegate_relists_total 2)"
converge "relist after HTTP 410"

# a connection dropped in the middle of an event: reconnect from the last resourceVersion
ctl POST /fake/fault '{"fault":"drop"}' >/dev/null
n=$(started)
ctl POST /fake/compact >/dev/null
watches_started $((n + 1))
wait_metric nodegate_relists_total 3 >/dev/null
ctl PUT /fake/nodes "$(node master '{"kubernetes.io/hostname":"master","dropped":"mid-event"}' \
    '{"taints":[{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}]}')" >/dev/null
check "the drop is counted" "1" "$(wait_metric 'nodegate_node_source_errors_total{reason="connect"}' 1)"
converge "reconnect after a connection dropped mid-event"
check_has "the reconnect resumed from a resourceVersion" "resourceVersion=" \
    "$(ctl GET /fake/requests | jq -r '.[].query' | grep -v sendInitialEvents | tail -1)"

# a watch that stays silent past --watch-stall-timeout is torn down and restarted
ctl POST /fake/fault '{"fault":"stall"}' >/dev/null
ctl POST /fake/compact >/dev/null
ctl PUT /fake/nodes "$(node during-stall '{"kubernetes.io/hostname":"during-stall"}')" >/dev/null
check "the stall is counted" "1" "$(wait_metric 'nodegate_node_source_errors_total{reason="stalled"}' 1)"
converge "restart after a stalled watch"

# 5xx and 429 (Retry-After) bursts: backoff, then the cache catches up
ctl POST /fake/fault '{"fault":"status","code":503,"count":2}' >/dev/null
ctl POST /fake/fault '{"fault":"status","code":429,"retryAfter":1}' >/dev/null
ctl POST /fake/compact >/dev/null
ctl PUT /fake/nodes "$(node after-burst '{"kubernetes.io/hostname":"after-burst"}')" >/dev/null
check "5xx are counted" "2" "$(wait_metric 'nodegate_node_source_errors_total{reason="server_error"}' 2)"
check "429 is counted" "1" "$(wait_metric 'nodegate_node_source_errors_total{reason="throttled"}' 1)"
converge "after 5xx and 429 bursts"
check "one log line per change of state, not per retry" "1" \
    "$(grep -c 'node source failing: .*HTTP 503' "$SERVER_LOG")"

# a malformed event: reconnect, nothing half-applied
ctl POST /fake/fault '{"fault":"malformed"}' >/dev/null
ctl POST /fake/compact >/dev/null
ctl PUT /fake/nodes "$(node after-malformed '{"kubernetes.io/hostname":"after-malformed"}')" >/dev/null
check "the malformed event is counted" "1" "$(wait_metric 'nodegate_node_source_errors_total{reason="malformed"}' 1)"
converge "after a malformed event"

# 401 until the token file changes: bound tokens rotate, and the new one is read
echo tok-2 >"$T/fake-token"
ctl POST /fake/compact >/dev/null
check "401 is counted" "1" "$(wait_metric 'nodegate_node_source_errors_total{reason="unauthorized"}' 1)"
check_has "readyz: 503 once the source has failed past --cache-stale-after" "503" "$(wait_ready 503)"
check_has "readyz says why" "401" "$(cat "$T/readyz")"
ctl PUT /fake/nodes "$(node after-rotation '{"kubernetes.io/hostname":"after-rotation"}')" >/dev/null
echo tok-2 >"$T/token"
check_has "readyz: ready again with the rotated token" "200" "$(wait_ready 200)"
converge "after the token file changed"
curl -s --max-time 10 "$URL/metrics" >"$T/metrics.txt"
if command -v promtool >/dev/null; then
    out=$(promtool check metrics <"$T/metrics.txt" 2>&1)
    check "promtool check metrics with the node source's metrics" "" "$out"
else
    fail "promtool is missing (make deps installs the prometheus package)"
fi
stop_server

# ---- B: no streaming list: LIST pages of 500, an expired continue token, a dropped page ----
start_fake b --generate 1200 --no-watch-list
kubeconfig "$T/kc-b" "$FAKE" "    {}"
ctl POST /fake/fault '{"fault":"gone","match":"continue"}' >/dev/null
start_server --kubeconfig "$T/kc-b" --watch-stall-timeout 2s
check_has "readyz: ready after paginated LIST" "200" "$(wait_ready 200)"
converge "paginated LIST after an expired continue token"
check "LIST pages of 500 with continue tokens" "limit=500 limit=500&continue limit=500 limit=500&continue limit=500&continue" \
    "$(ctl GET /fake/requests | jq -r '.[] | select(.query | test("watch") | not) | .query' | sed 's/continue=.*/continue/' | tr '\n' ' ' | sed 's/ $//')"
# client-go's transport asks for gzip; so do LIST pages. Watches do not: kube-apiserver gzips a
# streaming list's watch, and libcurl 7.88 fails that stream at its first later event.
check "LIST pages ask for gzip, watches do not" "gzip list, none watch" \
    "$(ctl GET /fake/requests | jq -r '[(.[] | select(.query | test("watch") | not) | .acceptEncoding) | test("gzip")] | all |
        if . then "gzip list" else "no gzip list" end' ), $(ctl GET /fake/requests | jq -r '[.[] |
        select(.query | test("watch=true")) | .acceptEncoding] | if all(. == "") then "none watch" else "gzip watch" end')"
check "the expired continue token is counted" "1" "$(metric 'nodegate_node_source_errors_total{reason="expired"}')"
ctl POST /fake/fault '{"fault":"drop-list"}' >/dev/null
ctl POST /fake/compact >/dev/null
ctl POST '/fake/modify?count=50' >/dev/null
converge "after a list dropped mid-body"
stop_server

# ---- C: TLS with a CA made here, and client-certificate authentication ----
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=fake-ca -keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:fake-apiserver\n' >"$T/san.ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 1 \
    -extfile "$T/san.ext" -out "$T/srv.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=nodegate -keyout "$T/client.key" -out "$T/client.csr" 2>/dev/null
openssl x509 -req -in "$T/client.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 1 \
    -out "$T/client.crt" 2>/dev/null
start_fake c --nodes "$T/truth.json" --tls-cert "$T/srv.crt" --tls-key "$T/srv.key" --client-ca "$T/ca.crt"
mkdir -p "$T/certs" && cp "$T/client.crt" "$T/client.key" "$T/certs/"
kubeconfig "$T/kc-c" "$FAKE" "    client-certificate: certs/client.crt
    client-key: certs/client.key" "    certificate-authority-data: $(base64 -w0 "$T/ca.crt")
    tls-server-name: fake-apiserver"
start_server --kubeconfig "$T/kc-c"
check_has "readyz: ready over TLS with a client certificate" "200" "$(wait_ready 200)"
converge "TLS and client-certificate auth"
check "the fake saw a client certificate" "cert" "$(ctl GET /fake/requests | jq -r '.[0].auth')"
stop_server
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other-ca -keyout "$T/other.key" -out "$T/other.crt" 2>/dev/null
kubeconfig "$T/kc-bad" "$FAKE" "    client-certificate: certs/client.crt
    client-key: certs/client.key" "    certificate-authority: other.crt"
start_server --kubeconfig "$T/kc-bad" --cache-stale-after 1s
check "a server certificate from another CA is refused" "1" "$(wait_metric 'nodegate_node_source_errors_total{reason="tls"}' 1)"
check_has "readyz: 503 while nothing could be listed" "503" "$(wait_ready 503)"
stop_server

finish
