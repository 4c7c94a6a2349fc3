#!/usr/bin/env bash
# signals.sh - the server's lifetime: SIGTERM and SIGINT stop accepting, let the calls in flight
# finish within --shutdown-grace and exit 0; past the grace they are closed; SIGHUP reloads
# --nodes all or nothing; SIGQUIT stops at once (exit 2); SIGUSR1 and SIGUSR2 are ignored. A call
# in flight is a request whose body is still arriving (curl -T - streams a pipe we write), so
# nothing here depends on timing: each step waits on a condition the server shows.
. "$(dirname "$0")/lib.sh"

metric() { metric_at "$URL/metrics" "$1"; }
in_flight_besides_scrape() { [ "$(metric nodegate_requests_in_flight)" -ge 2 ] 2>/dev/null; }
refused() { curl -s --max-time 2 -o /dev/null "$URL/healthz"; [ $? -eq 7 ]; }   # 7: connection refused
gone() { ! kill -0 "$1" 2>/dev/null; }
# wait_rc PID: sets RC to the exit status of a server once it has exited (bounded: 10 s).
wait_rc() {
    until_true 10 gone "$1" || kill -KILL "$1"
    wait "$1"
    RC=$?
}
forget() {   # forget PID: a server this suite waited for itself, out of lib.sh's list
    local i
    for i in "${!SERVER_PIDS[@]}"; do [ "${SERVER_PIDS[$i]}" = "$1" ] && unset "SERVER_PIDS[$i]"; done
}

REQ=examples/requests/filter-full.json
size=$(stat -c %s "$REQ")
half=$((size / 2))
# stream_half OUT WHAT: a POST /filter of REQ whose first half is sent through a pipe (fd 3, kept
# open) and whose reply goes to $T/OUT; returns once the server has it in flight. Sets CURL.
stream_half() {
    rm -f "$T/body" && mkfifo "$T/body"
    curl -s -X POST -T - -H 'Content-Type: application/json' "$URL/filter" <"$T/body" >"$T/$1" &
    CURL=$!
    exec 3>"$T/body"
    head -c "$half" "$REQ" >&3
    until_true 10 in_flight_besides_scrape || fail "$2: the streamed request is in flight"
}

# ---- SIGTERM with a call in flight: it finishes, then the server exits 0 ----
start_server --shutdown-grace 30s || finish
req POST /filter "$REQ"
want=$BODY
stream_half inflight.out SIGTERM
kill -TERM "$SERVER_PID"
check "SIGTERM: new connections are refused at once" "refused" "$(until_true 10 refused && echo refused)"
check "SIGTERM: the server waits for the call in flight" "running" "$(gone "$SERVER_PID" && echo gone || echo running)"
tail -c +"$((half + 1))" "$REQ" >&3
exec 3>&-
wait "$CURL"
check "SIGTERM: the call in flight gets its whole reply" "$want" "$(cat "$T/inflight.out")"
forget "$SERVER_PID"
wait_rc "$SERVER_PID"
check "SIGTERM: then the server exits 0" "0" "$RC"
check_has "SIGTERM: the log says what it did" "signal 15 (Terminated): stopping: no new connections" "$(cat "$SERVER_LOG")"
check "SIGTERM: and that it stopped, with nothing cut" "stopped" \
    "$(grep -c 'still in flight' "$SERVER_LOG" | sed 's/^0$//')$(tail -1 "$SERVER_LOG" | sed 's/.* info //')"

# ---- SIGINT past --shutdown-grace: the call is closed and the server still exits 0 ----
start_server --shutdown-grace 1s || finish
stream_half cut.out SIGINT
kill -INT "$SERVER_PID"
forget "$SERVER_PID"
wait_rc "$SERVER_PID"
check "SIGINT past a 1s grace: the server exits 0 though a call never finished" "0" "$RC"
exec 3>&-
wait "$CURL"
check_has "SIGINT: the log names the call it closed" "1 calls still in flight after --shutdown-grace 1 s: closing them" \
    "$(cat "$SERVER_LOG")"

# ---- SIGHUP reloads --nodes, all or nothing ----
cp examples/demo-cluster.json "$T/nodes.json"
start_server --nodes "$T/nodes.json" || finish
names() { curl -s "$URL/nodes" | jq -c 'sort'; }
before=$(names)
jq '.items += [{"metadata": {"name": "added-by-sighup"}}] | .items |= map(select(.metadata.name != "worker"))' \
    examples/demo-cluster.json >"$T/nodes.json"
kill -HUP "$SERVER_PID"
has_added() { [[ $(names) == *added-by-sighup* ]]; }
check "SIGHUP: the cache is the file's again, a node added and one gone" \
    '["added-by-sighup","cordoned-1","gpu-1","master","spot-1"]' "$(until_true 10 has_added; names)"
check_has "SIGHUP: the log says so" "SIGHUP: the node cache is now $T/nodes.json's" "$(cat "$SERVER_LOG")"
reloaded=$(names)
printf '{"kind":"NodeList","items":[{"metadata":{"name":"ok"}},{"metadata":{}}]}' >"$T/nodes.json"
kill -HUP "$SERVER_PID"
logged_refusal() { grep -q "SIGHUP: --nodes $T/nodes.json not reloaded; the cache is unchanged" "$SERVER_LOG"; }
check "SIGHUP with a file that does not load: logged, and the cache is unchanged" "logged $reloaded" \
    "$(until_true 10 logged_refusal && echo logged) $(names)"
[ "$before" != "$reloaded" ] || fail "SIGHUP: the reload changed the cache"

# ---- SIGUSR1 and SIGUSR2 are ignored; SIGQUIT stops at once with exit 2 ----
kill -USR1 "$SERVER_PID"
kill -USR2 "$SERVER_PID"
logged_usr() { [ "$(grep -c 'ignored$' "$SERVER_LOG")" -eq 2 ]; }
req GET /healthz
check "SIGUSR1 and SIGUSR2: logged, ignored, still serving" "logged 200" \
    "$(until_true 10 logged_usr && echo logged) $STATUS"
kill -QUIT "$SERVER_PID"
forget "$SERVER_PID"
wait_rc "$SERVER_PID"
check "SIGQUIT: exits 2 at once" "2" "$RC"
check_has "SIGQUIT: and says so" "stopping at once, cutting the calls in flight" "$(cat "$SERVER_LOG")"
finish
