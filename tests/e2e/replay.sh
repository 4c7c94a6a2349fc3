#!/usr/bin/env bash
# replay.sh - end-to-end test of nodegate-replay: deterministic corpus, replay against the real
# server, recording and byte-exact verification, flag errors. Ends with "N passed, M failed".
set -u
B=${B:-build}
cd "$(dirname "$0")/../.."
R=$B/nodegate-replay
S=$B/nodegate-server
passed=0 failed=0
tmp=$(mktemp -d)
server_pid=

cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "  ok   $1"; passed=$((passed + 1)); }
bad() { echo "  FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected '$3', got '$2'"; fi; }
# field NAME LINE: the value of NAME=... in the final "replay:" line
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# ---- generate: deterministic, realistic shapes ----
"$R" generate --nodes 50 --pods 4 --seed 1 --out "$tmp/a" >"$tmp/gen.out" 2>&1
check "generate exits 0" $? 0
"$R" generate --nodes 50 --pods 4 --seed 1 --out "$tmp/b" >/dev/null 2>&1
if diff -r "$tmp/a" "$tmp/b" >/dev/null; then ok "same seed, same bytes"; else bad "same seed, same bytes"; fi
"$R" generate --nodes 50 --pods 4 --seed 2 --out "$tmp/c" >/dev/null 2>&1
if ! cmp -s "$tmp/a/nodes.json" "$tmp/c/nodes.json"; then ok "another seed, other nodes"; else bad "another seed, other nodes"; fi
check "12 request files" "$(ls "$tmp/a/requests" | wc -l)" 12
check "nodes.json is a NodeList" "$(head -c 36 "$tmp/a/nodes.json")" '{"kind":"NodeList","apiVersion":"v1"'
check "50 nodes" "$(grep -o '{"kind":"Node","apiVersion":"v1","metadata"' "$tmp/a/nodes.json" | wc -l)" 50
avg=$(($(wc -c <"$tmp/a/nodes.json") / 50))
if [ "$avg" -ge 10000 ] && [ "$avg" -le 12500 ]; then ok "nodes ~10-12 KB ($avg B)"; else bad "node size" "$avg B"; fi
check "generate reports its files" "$(grep -c '13 files' "$tmp/gen.out")" 1
f0=$tmp/a/requests/pod-0000-names-filter.json
check "names request: Go key order" "$(grep -c '^{"Pod":{"metadata":.*,"Nodes":null,"NodeNames":\[' "$f0")" 1
check "names requests for both verbs are equal" "$(cmp -s "$f0" "$tmp/a/requests/pod-0000-names-prioritize.json"; echo $?)" 0
check "full request carries the node objects" \
    "$(grep -o '"Nodes":{"metadata":{},"items":\[{"metadata":{"name"' "$tmp/a/requests/pod-0000-full-filter.json" | wc -l)" 1
check "pods mix DaemonSet and ReplicaSet owners" \
    "$(cat "$tmp"/a/requests/pod-000[01]-names-filter.json | grep -o '"kind":"\(DaemonSet\|ReplicaSet\)"' | sort -u | wc -l)" 2
"$R" generate --nodes 50 --pods 2 --seed 1 --out "$tmp/k" --request-nodes 10 --skip-full >/dev/null 2>&1
check "--skip-full and --request-nodes: 4 files" "$(ls "$tmp/k/requests" | wc -l)" 4
names=$(sed 's/.*"NodeNames":\[\(.*\)\]}$/\1/' "$tmp/k/requests/pod-0000-names-filter.json" | tr ',' '\n' | grep -c .)
check "--request-nodes 10: 10 names" "$names" 10

# ---- a server on a free loopback port ----
"$S" --listen 127.0.0.1:0 --nodes "$tmp/a/nodes.json" 2>"$tmp/server.log" &
server_pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/server.log")
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    port=
    sleep 0.05
done
if [ -z "$port" ]; then
    bad "server starts" "$(cat "$tmp/server.log")"
    echo "$passed passed, $((failed)) failed"
    exit 1
fi
ok "server listening on port $port"
U=http://127.0.0.1:$port

# ---- run ----
out=$("$R" run --url "$U" --count 24 --concurrency 2 "$tmp/a" 2>&1)
rc=$?
line=$(tail -1 <<<"$out")
check "run --count 24 exits 0" $rc 0
check "final line is the machine line" "$(grep -c '^replay: requests=[0-9]* rps=[0-9.]* p50_us=[0-9.]* p90_us=[0-9.]* p99_us=[0-9.]* p999_us=[0-9.]* max_us=[0-9.]* non2xx=[0-9]* errors=[0-9]* sent_bytes=[0-9]* recv_bytes=[0-9]* mismatches=[0-9]* unverified=[0-9]*$' <<<"$line")" 1
check "requests=24" "$(field requests "$line")" 24
check "non2xx=0" "$(field non2xx "$line")" 0
check "errors=0" "$(field errors "$line")" 0
sent=$(field sent_bytes "$line")
if [ "${sent:-0}" -gt "$(du -cb "$tmp"/a/requests/*.json | tail -1 | cut -f1)" ]; then ok "sent_bytes counts two passes"; else bad "sent_bytes" "$sent"; fi

line=$("$R" run --url "$U/scheduler" --count 6 --match names-prioritize "$tmp/a" 2>&1 | tail -1)
check "URL path prefix and --match" "$(field requests "$line") $(field non2xx "$line")" "6 0"

line=$("$R" run --url "$U" --rate 100 --duration 0.3 --match names "$tmp/a" 2>&1 | tail -1)
n=$(field requests "$line")
if [ "${n:-0}" -ge 25 ] && [ "${n:-0}" -le 31 ]; then ok "--rate 100 for 0.3 s: $n requests"; else bad "--rate" "$line"; fi

# ---- record, verify, corrupt ----
"$R" run --url "$U" --record-replies "$tmp/a" >/dev/null 2>&1
check "--record-replies exits 0" $? 0
check "12 replies recorded" "$(ls "$tmp"/a/requests/*.reply.json | wc -l)" 12
line=$("$R" run --url "$U" --verify --concurrency 3 "$tmp/a" 2>&1 | tail -1)
check "--verify: one pass, no mismatch" "$(field requests "$line") $(field mismatches "$line") $(field unverified "$line")" "12 0 0"
printf ' ' >>"$tmp/a/requests/pod-0002-names-filter.reply.json"
out=$("$R" run --url "$U" --verify "$tmp/a" 2>&1)
rc=$?
check "a corrupted reply: 1 mismatch" "$(field mismatches "$(tail -1 <<<"$out")")" 1
check "a mismatch exits 1" $rc 1
check "the mismatch is named" "$(grep -c 'mismatch: pod-0002-names-filter.json' <<<"$out")" 1
rm "$tmp/a/requests/pod-0002-names-filter.reply.json"
line=$("$R" run --url "$U" --verify "$tmp/a" 2>&1 | tail -1)
check "a missing reply: 1 unverified, 0 mismatches" "$(field unverified "$line") $(field mismatches "$line")" "1 0"

# a recording in the server's --record layout: DIR/<seq>-<verb>.json beside <seq>-<verb>.reply.json
mkdir "$tmp/rec"
cp "$tmp/a/requests/pod-0001-names-filter.json" "$tmp/rec/00000001-filter.json"
cp "$tmp/a/requests/pod-0001-names-filter.reply.json" "$tmp/rec/00000001-filter.reply.json"
cp "$tmp/a/requests/pod-0001-names-prioritize.json" "$tmp/rec/00000002-prioritize.json"
cp "$tmp/a/requests/pod-0001-names-prioritize.reply.json" "$tmp/rec/00000002-prioritize.reply.json"
line=$("$R" run --url "$U" --verify "$tmp/rec" 2>&1 | tail -1)
check "a --record folder verifies" "$(field requests "$line") $(field mismatches "$line")" "2 0"

# ---- transport errors and bad flags ----
kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=
"$R" run --url "$U" --count 2 "$tmp/a" >"$tmp/down.out" 2>&1
rc=$?
check "server down: errors=2, exit 1" "$(field errors "$(tail -1 "$tmp/down.out")") $rc" "2 1"
expect2() {
    local what=$1; shift
    "$R" "$@" >/dev/null 2>"$tmp/err"
    local rc=$?
    if [ $rc -eq 2 ] && [ -s "$tmp/err" ]; then ok "$what: exit 2"; else bad "$what" "exit $rc"; fi
}
expect2 "run without --url" run "$tmp/a"
expect2 "run on an unreadable DIR" run --url "$U" "$tmp/none"
expect2 "run with no matching files" run --url "$U" --match nothing-like-this "$tmp/a"
expect2 "run with an unknown flag" run --url "$U" --bogus 1 "$tmp/a"
expect2 "run with --concurrency 0" run --url "$U" --concurrency 0 "$tmp/a"
expect2 "run with an https URL" run --url https://127.0.0.1:1 "$tmp/a"
expect2 "generate without --seed" generate --nodes 5 --pods 1 --out "$tmp/x"
expect2 "generate with --request-nodes > --nodes" generate --nodes 5 --pods 1 --seed 1 --out "$tmp/x" --request-nodes 6
expect2 "an unknown command" frobnicate
"$R" --help >/dev/null && "$R" run --help >/dev/null && "$R" generate --help >/dev/null
check "--help exits 0" $? 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
