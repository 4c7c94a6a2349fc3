#!/usr/bin/env bash
# clients.sh - slow, idle and too many clients: slowloris and no-read attacks do not starve other
# clients, deadlines close what trickles, the connection limits answer 503 or refuse at once
# (never a hang), and /healthz answers while a call holds the index lock with an update waiting.
# Timeouts are passed short so that the deadlines pass quickly; waits poll, with a bound.
. "$(dirname "$0")/lib.sh"

trap '' PIPE   # a write to a connection the server refused or closed fails, not kills the suite
CC=${CC:-cc}
REQ=examples/requests
declare -a FDS=()

# open_conns N [BYTES]: N more connections in FDS, each sent BYTES (printf format) at once.
open_conns() {
    local i fd
    for ((i = 0; i < $1; i++)); do
        { exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || continue
        FDS+=("$fd")
        # shellcheck disable=SC2059
        [ -n "${2:-}" ] && printf "$2" >&"$fd" 2>/dev/null
    done
}

close_conns() {
    local fd
    for fd in "${FDS[@]}"; do exec {fd}>&-; done
    FDS=()
}

# closed FD: the server has closed it (reading ends at once, at end of file or on a reset).
closed() { timeout 0.2 cat <&"$1" >/dev/null 2>&1; [ $? -ne 124 ]; }

all_closed() {
    local fd
    for fd in "${FDS[@]}"; do closed "$fd" || return 1; done
}

# trickle: a byte of a header line to every connection in FDS every 0.2 s, in the background
# (TRICKLE_PID), so that libmicrohttpd's inactivity timer never runs out.
trickle() {
    (
        while :; do
            for fd in "${FDS[@]}"; do printf x >&"$fd" 2>/dev/null; done
            sleep 0.2
        done
    ) &
    TRICKLE_PID=$!
}

# probe [CURL-ARGS]: one GET /healthz on a new connection, at most 2 s: PROBE is "STATUS SECONDS".
probe() {
    PROBE=$(curl -s -o "$T/probe.body" -w '%{http_code} %{time_total}' --max-time 2 "$@" "$URL/healthz")
}

# answered_fast PROBE: the probe had a reply (any status) within a second.
answered_fast() { [ "${1%% *}" != 000 ] && awk -v t="${1#* }" 'BEGIN { exit !(t < 1) }'; }

# Slowloris: clients that trickle their headers one byte at a time. From another address
# (127.0.0.2), probes are served at once meanwhile; the trickling connections are closed at
# --read-header-timeout although bytes keep coming; one address holds at most its share.
test_slowloris() {
    start_server --read-header-timeout 1s --max-connections-per-client 40 --log-level debug || return
    open_conns 60 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '
    trickle
    local i ok=0
    for ((i = 0; i < 10; i++)); do
        probe --interface 127.0.0.2
        [ "$PROBE" != "${PROBE#200 }" ] && answered_fast "$PROBE" && ok=$((ok + 1))
    done
    check "slowloris, 60 connections trickling headers: 10 of 10 probes from another address served at once" 10 "$ok"
    check "... every trickling connection closed at --read-header-timeout 1s, bytes coming or not" 0 \
        "$(until_true 10 all_closed; echo $?)"
    check "... of which 40 were held (--max-connections-per-client), the others refused at once" 40 \
        "$(grep -c 'closed the connection of 127.0.0.1:[0-9]*: its request headers were not in' "$SERVER_LOG")"
    kill "$TRICKLE_PID"
    wait "$TRICKLE_PID" 2>/dev/null
    close_conns
    stop_server
}

# Over --max-connections: one more is answered 503 at once, a burst past that refused at once;
# never a connection left waiting unanswered. Once they go, requests are served again.
test_connection_limit() {
    start_server --max-connections 20 --max-connections-per-client 1000 --read-header-timeout 30s || return
    open_conns 20
    probe
    check "20 idle connections, --max-connections 20: a new client gets 503 at once" "503 fast" \
        "${PROBE%% *} $(answered_fast "$PROBE" && echo fast || echo "slow: $PROBE")"
    check "... with a JSON error" json-error "$([[ "$(<"$T/probe.body")" =~ $ERROR_JSON ]] && echo json-error || cat "$T/probe.body")"
    open_conns 100
    probe
    check "... and 100 more: a new client is still answered or refused at once" "fast" \
        "$(awk -v t="${PROBE#* }" 'BEGIN { exit !(t < 1) }' && echo fast || echo "slow: $PROBE")"
    check_has "... logged once, as an error" "error 20 connections open, the limit (--max-connections)" "$(<"$SERVER_LOG")"
    close_conns
    served() { probe; [ "${PROBE%% *}" = 200 ]; }
    check "once they close, requests are served again" 0 "$(until_true 10 served; echo $?)"
    check_has "... logged" "under --max-connections again" "$(<"$SERVER_LOG")"
    stop_server
}

# No-read clients: each sends a request whose 4 MB reply it never reads. The others are served
# meanwhile, and the stalled replies are dropped at --idle-timeout.
test_no_read() {
    start_server --nodes examples/demo-cluster.json --idle-timeout 1s --log-level debug || return
    local i fd node pad items='' sep=''
    printf -v pad '%04000d' 0
    for ((i = 0; i < 1000; i++)); do
        node='{"metadata":{"name":"n'$i'","labels":{"pad":"'$pad'"}}}'
        items+=$sep$node
        sep=,
    done
    printf '{"Pod":{"metadata":{"name":"p"}},"Nodes":{"items":[%s]}}' "$items" >"$T/big.json"
    local len
    len=$(stat -c %s "$T/big.json")
    { printf 'POST /filter HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' "$len"
      cat "$T/big.json"; } >"$T/big.http"
    local senders=()
    for ((i = 0; i < 10; i++)); do
        exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
        FDS+=("$fd")
        cat "$T/big.http" >&"$fd" & senders+=($!)
    done
    wait "${senders[@]}"
    local ok=0
    for ((i = 0; i < 10; i++)); do
        req POST /filter "$REQ/filter-names.json"
        [ "$STATUS" = 200 ] && ok=$((ok + 1))
    done
    check "10 clients not reading 4 MB replies: 10 of 10 filters from another client served" 10 "$ok"
    aborted() { [ "$(grep -c 'POST /filter 200 in=[0-9]* out=[0-9]* [0-9]*us (aborted)' "$SERVER_LOG")" -ge 10 ]; }
    check "... their stalled replies dropped at --idle-timeout 1s" 0 "$(until_true 10 aborted; echo $?)"
    close_conns
    stop_server
}

# A kept-alive connection idle past --idle-timeout is closed; so is one that trickles its next
# request line (libmicrohttpd's inactivity timer restarts at every byte).
test_idle() {
    start_server --idle-timeout 1s --read-header-timeout 30s || return
    open_conns 1 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
    check "an idle kept-alive connection is closed at --idle-timeout 1s" 0 "$(until_true 10 all_closed; echo $?)"
    close_conns
    open_conns 1 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /hea'
    trickle
    check "... and one trickling its next request line too" 0 "$(until_true 10 all_closed; echo $?)"
    kill "$TRICKLE_PID"
    wait "$TRICKLE_PID" 2>/dev/null
    close_conns
    # a body trickled slower than --read-timeout allows
    stop_server
    start_server --read-timeout 1s || return
    open_conns 1 'POST /filter HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{'
    trickle
    check "a body still arriving at --read-timeout 1s is closed" 0 "$(until_true 10 all_closed; echo $?)"
    kill "$TRICKLE_PID"
    wait "$TRICKLE_PID" 2>/dev/null
    close_conns
    stop_server
}

# A plugin whose index has a writer-preferring lock, as the real one: a filter holds the read lock
# while $HOLD exists; a node update waits for the write lock; each says so in a file beside $HOLD.
build_lock_plugin() {
    mkdir -p "$T/plugin"
    cp include/nodegate.h "$T/plugin/"
    cat >"$T/plugin/lock.c" <<'EOF'
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nodegate.h"
struct ng_index { pthread_rwlock_t lock; };
struct ng_call { ng_index *idx; ng_verb verb; };
static void mark(const char *what)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.%s", getenv("HOLD"), what);
    fclose(fopen(path, "w"));
}
static ng_index *index_new(const char *o, char *err, size_t n)
{
    ng_index *x = calloc(1, sizeof *x);
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&x->lock, &a);
    return x;
}
static void index_free(ng_index *x) { free(x); }
static ng_call *call_begin(ng_index *x, ng_verb v)
{
    ng_call *c = calloc(1, sizeof *c);
    c->idx = x, c->verb = v;
    return c;
}
static int call_feed(ng_call *c, const char *p, size_t n) { return 0; }
static int call_end(ng_call *c, ng_reply *r)
{
    if (c->verb == NG_NODES) {
        mark("writer");
        pthread_rwlock_wrlock(&c->idx->lock);
    } else {
        pthread_rwlock_rdlock(&c->idx->lock);
        mark("reader");
        while (access(getenv("HOLD"), F_OK) == 0)
            usleep(10000);
    }
    pthread_rwlock_unlock(&c->idx->lock);
    free(c);
    r->data = strdup("{}"), r->len = 2, r->status = 200;
    return 200;
}
static void reply_free(ng_reply *r) { free(r->data); memset(r, 0, sizeof *r); }
static const struct nodegate_plugin t = {.abi_version = NODEGATE_ABI_VERSION, .struct_size = sizeof t,
    .name = "lock", .version = "1", .index_new = index_new, .index_free = index_free,
    .call_begin = call_begin, .call_feed = call_feed, .call_end = call_end, .reply_free = reply_free};
const struct nodegate_plugin *nodegate_plugin_v1(void) { return &t; }
EOF
    "$CC" -shared -fPIC -I"$T/plugin" -o "$T/plugin/liblock.so" "$T/plugin/lock.c" -lpthread 2>"$T/plugin/cc.log"
    check "builds the lock-holding test plugin" "0" "$?$(cat "$T/plugin/cc.log")"
}

# A long call holds the read lock, a node update waits for the write lock, and calls behind it
# wait for the read lock (it prefers writers): /livez, /healthz, /readyz and /version answer.
test_health_during_lock() {
    build_lock_plugin
    export HOLD=$T/hold
    : >"$HOLD"
    start_server --plugin "$T/plugin/liblock.so" --threads 2 || return
    local p got='' calls=()
    call() { curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -d '{}' "$URL/$1" >"$T/lock.$2"; }
    call filter 1 & calls+=($!)
    check "a filter holds the index's read lock" 0 "$(until_true 10 test -e "$HOLD.reader"; echo $?)"
    call nodes 2 & calls+=($!)
    check "... a node update waits for the write lock" 0 "$(until_true 10 test -e "$HOLD.writer"; echo $?)"
    call filter 3 & calls+=($!)
    for p in livez healthz readyz version; do
        got+="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/$p") "
    done
    check "... meanwhile /livez /healthz /readyz /version answer at once" "200 200 200 200 " "$got"
    rm -f "$HOLD"
    wait "${calls[@]}"
    check "... and the three calls end once the long one does" "200 200 200" "$(cat "$T"/lock.[123] | xargs)"
    stop_server
}

test_slowloris
test_connection_limit
test_no_read
test_idle
test_health_during_lock
finish
