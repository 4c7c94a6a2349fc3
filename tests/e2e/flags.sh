#!/usr/bin/env bash
# flags.sh - the command line: --help/--version, refusals of bad flags (exit 2, a message on
# stderr), the feature gate, --nodes errors, --log-level debug request lines, IPv6.
. "$(dirname "$0")/lib.sh"

test_help_version() {
    run_once --help
    check "--help exits 0 with usage on stdout, nothing on stderr" "0 usage ''" \
        "$RC $([[ $OUT == "Usage: nodegate-server"* && $OUT == *--feature-gates* ]] && echo usage) '$ERR'"
    check_has "--help names --cache-stale-after and its default" "default 5m" "$OUT"
    check_has "--help lists the GET endpoints" "GET /nodes /nodes/NAME /healthz /livez /readyz /metrics /version /stats," "$OUT"
    check_has "--help lists PATCH /nodes/NAME and its content types" "PATCH /nodes/NAME (a JSON merge patch of the node as GET /nodes/NAME shows it, Content-Type
application/merge-patch+json or application/json)" "$OUT"
    run_once --version
    check "--version exits 0 and prints the version" "0 nodegate-server $VERSION (plugin ABI 1)" "$RC $OUT"
}

test_bad_flags() {
    refuses --bogus --bogus
    refuses --threads --threads 0
    refuses --threads --threads x
    refuses nope --listen nope
    refuses 70000 --listen 127.0.0.1:70000
    refuses --max-body --max-body 0
    refuses loud --log-level loud
    refuses Foo --feature-gates Foo=true
    refuses maybe --feature-gates TaintTolerationComparisonOperators=maybe
    refuses TaintTolerationComparisonOperators --feature-gates TaintTolerationComparisonOperators
    refuses stray stray
    refuses --plugin --plugin
    refuses 'a number needs a unit' --cache-stale-after 5
    refuses 'unknown unit' --cache-stale-after 5x
    refuses 'a number needs a unit' --cache-stale-after 1h30
    refuses 'must be positive' --cache-stale-after 0s
    refuses 'a sign is not allowed' --cache-stale-after -5m
    refuses '--cache-stale-after: "" is not a duration' --cache-stale-after ''
    refuses --cache-stale-after --cache-stale-after
    refuses 'a number needs a unit' --watch-stall-timeout 5
    refuses 'not with --kubeconfig' --kubeconfig "$T/kc" --nodes examples/demo-cluster.json
    refuses '--context ops: needs --kubeconfig' --context ops
    # getopt_long takes unambiguous prefixes; kube's pflag takes none, and neither do we
    refuses 'unknown flag --v' --v 2
    refuses 'unknown flag --vers' --vers
    refuses 'unknown flag --list=127.0.0.1:0' --list=127.0.0.1:0
    refuses 'unknown flag -v=4 (flags are --NAME)' -v=4
    refuses 'unknown flag -h' -h
    refuses 'is not ADDR:PORT, localhost:PORT or :PORT' --listen 'host.example:80'
}

# --listen as Go programs take it: localhost:PORT is the loopback, :PORT every (IPv4) address.
test_listen_forms() {
    start_server --listen localhost:0 || return
    check "--listen localhost:0 serves on 127.0.0.1" "http://127.0.0.1" "${URL%:*}"
    stop_server
    start_server --listen :0 || return
    check "--listen :0 serves on every address" "http://0.0.0.0" "${URL%:*}"
    req GET /healthz
    check "and answers on the loopback" 200 "$STATUS"
    stop_server
}

# A kubeconfig the server cannot use stops it at start: exit 2, one sentence naming the file and
# the field (the reader's own cases are in tests/unit/test_kubeconfig.c).
test_kubeconfig() {
    refuses "kubeconfig $T/missing: cannot read" --kubeconfig "$T/missing"
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: https://127.0.0.1:6443}\nusers:\n- name: u\n  user:\n    exec: {command: aws}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n' >"$T/kc-exec"
    refuses 'user "u" uses exec (a credential plugin), which nodegate does not run' --kubeconfig "$T/kc-exec"
    refuses 'context "prod" not found (contexts: x)' --kubeconfig "$T/kc-exec" --context prod
    printf 'apiVersion: v1\nclusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n' >"$T/kc-noserver"
    refuses "kubeconfig $T/kc-noserver: clusters[0].cluster.server: missing" --kubeconfig "$T/kc-noserver"
}

# The gate decides whether a Gt toleration can match: sla Gt 900 tolerates sla=950 only when on,
# and sla Gt 960 never does (the value is compared, not ignored).
gate_verdicts() {
    local v out=
    req POST /nodes -d '{"metadata":{"name":"sla-node"},"spec":{"taints":[{"key":"sla","value":"950","effect":"NoSchedule"}]}}'
    for v in 900 960; do
        req POST /filter -d '{"Pod":{"metadata":{"name":"p"},"spec":{"tolerations":[{"key":"sla","operator":"Gt","value":"'$v'","effect":"NoSchedule"}]}},"NodeNames":["sla-node"]}'
        if [[ $BODY == *'"NodeNames":["sla-node"]'* ]]; then out+="Gt$v:fits "; else out+="Gt$v:rejected "; fi
    done
    echo "$out"
}

test_feature_gate() {
    local spec
    for spec in "default:" "false:--feature-gates TaintTolerationComparisonOperators=false" \
        "true:--feature-gates TaintTolerationComparisonOperators=true"; do
        # shellcheck disable=SC2086 # the flags are meant to split
        start_server ${spec#*:} || continue
        local want="Gt900:rejected Gt960:rejected "
        [ "${spec%%:*}" = true ] && want="Gt900:fits Gt960:rejected "
        check "feature gate ${spec%%:*}: a Gt toleration against sla=950" "$want" "$(gate_verdicts)"
        stop_server
    done
}

test_nodes_file() {
    run_once --listen 127.0.0.1:0 --nodes "$T/missing.json"
    check "--nodes with a missing file: non-zero exit, message names the file" "fails names-file" \
        "$([ $RC -ne 0 ] && [ $RC -ne 124 ] && echo fails || echo "rc $RC") $([[ $ERR == *"$T/missing.json"* ]] && echo names-file || echo "stderr: $ERR")"
    printf '{"kind":"NodeList","items":[{"metadata":{"name":"a"}},' >"$T/broken.json"
    run_once --listen 127.0.0.1:0 --nodes "$T/broken.json"
    check "--nodes with invalid JSON: non-zero exit, message names the file" "fails names-file" \
        "$([ $RC -ne 0 ] && [ $RC -ne 124 ] && echo fails || echo "rc $RC") $([[ $ERR == *"$T/broken.json"* ]] && echo names-file || echo "stderr: $ERR")"
}

test_port_in_use() {
    start_server || return
    run_once --listen "127.0.0.1:$PORT"
    check "--listen on a port in use: exit 1 naming the address and the reason" "1 named" \
        "$RC $([[ $ERR == *"cannot listen on 127.0.0.1:$PORT: address already in use"* ]] && echo named || echo "$ERR")"
    stop_server
}

# The per-request log line comes from the completion callback; poll for it (bounded).
wait_for_line() {
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q -E "$1" "$SERVER_LOG" && return 0
        sleep 0.05
    done
    return 1
}

test_log_levels() {
    local in out
    start_server --nodes examples/demo-cluster.json --log-level debug || return
    req POST /filter examples/requests/filter-names.json
    in=$(wc -c <examples/requests/filter-names.json)
    out=$(wc -c <"$BODY_FILE")
    wait_for_line ' debug POST /filter '
    check "debug: one line for the request: method, path, status, bytes in/out, microseconds" \
        "1 line: POST /filter 200 in=$in out=$out" \
        "$(grep -c ' /filter ' "$SERVER_LOG") line: $(grep -o -E 'POST /filter 200 in=[0-9]+ out=[0-9]+ [0-9]+us$' "$SERVER_LOG" | sed 's/ [0-9]*us$//')"
    req GET /healthz
    wait_for_line ' debug GET /healthz '
    check_has "debug: a GET gets its line too" "debug GET /healthz 200 in=0 out=15 " "$(<"$SERVER_LOG")"
    stop_server
    # at info, no request lines: the 404 on the same connection is logged (as an error) only
    # after the /filter request completed, so its absence is not a race
    start_server --nodes examples/demo-cluster.json || return
    curl -s -o /dev/null -o /dev/null --data-binary @examples/requests/filter-names.json "$URL/filter" "$URL/nope"
    check "info: no request lines, errors still logged" "0 1" \
        "$(grep -c -E ' (POST|GET) /' "$SERVER_LOG") $(grep -c ' error 404 ' "$SERVER_LOG")"
    stop_server
}

test_ipv6() {
    if ! grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
        echo "skip IPv6: this machine has no ::1"
        return
    fi
    start_server --nodes examples/demo-cluster.json --listen '[::1]:0' || return
    check "IPv6: listening on [::1]" "http://[::1]" "${URL%:*}"
    req POST /filter examples/requests/filter-names.json
    check_has "IPv6: a filter call works" '"NodeNames":["worker","spot-1"]' "$STATUS $BODY"
    stop_server
}

test_help_version
test_bad_flags
test_listen_forms
test_kubeconfig
test_feature_gate
test_nodes_file
test_port_in_use
test_log_levels
test_ipv6
finish
