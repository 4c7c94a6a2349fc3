#!/usr/bin/env bash
# make bench: generates realistic corpora (cached under $B/bench), starts nodegate-server for each
# scenario, replays requests with nodegate-replay and prints one table. Figures are for the
# machine it runs on; compare medians of several runs, not single figures.
#
#   DUR=10        seconds of replay per scenario
#   GO_PEER=DIR   also measure the baseline Go extender from DIR (its main.go) on the same corpora;
#                 defaults to ../shared/peers/go-extender when that exists and `go` is installed
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
. bench/lib.sh

ROWS=()
# replay NAME URL-BASE CORPUS MATCH CONCURRENCY: measures the running server, appends a row
replay() {
    local name=$1 url=$2 dir=$3 match=$4 conc=$5 c0 c1 out n sent cpu_s hz
    hz=$(getconf CLK_TCK)
    c0=$(cpu_ticks)
    out=$("$REPLAY" run --url "$url" --concurrency "$conc" --duration "$DUR" --match "$match" "$dir" | tail -1)
    c1=$(cpu_ticks)
    n=$(field requests "$out")
    sent=$(field sent_bytes "$out")
    cpu_s=$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN {print t / hz}')
    ROWS+=("$(awk -v name="$name" -v n="$n" -v cpu="$cpu_s" -v rps="$(field rps "$out")" \
        -v p50="$(field p50_us "$out")" -v p99="$(field p99_us "$out")" -v sent="$sent" \
        -v hwm="$(hwm_kb)" -v bad="$(field non2xx "$out")/$(field errors "$out")" 'BEGIN {
        printf "%-44s %10.0f %9.1f %9.0f %9.0f %9.0f %8.1f  %s\n", name, cpu / n * 1e6, rps, p50, p99,
               (cpu > 0 ? sent / cpu / 1e6 : 0), hwm / 1024, bad }')")
    LAST_CPU_US=$(awk -v cpu="$cpu_s" -v n="$n" 'BEGIN {print cpu / n * 1e6}')
}

echo "corpora (about 1 GB, cached in $OUT for the next run; rm -rf $OUT removes them):" >&2
C5K=$(corpus c5000 --nodes 5000 --pods 16 --seed 2 --skip-full)
C5K500=$(corpus c5000-500 --nodes 5000 --pods 16 --seed 2 --skip-full --request-nodes 500)
C1K=$(corpus c1000-full --nodes 1000 --pods 16 --seed 1)
C64K=$(corpus c65536 --nodes 65536 --pods 8 --seed 3 --skip-full)

declare -A OURS
echo "measuring nodegate ($DUR s per scenario)..." >&2
start "$OUT/server.log" "$SERVER" --nodes "$C5K/nodes.json"
replay "(a) names, 5,000 of 5,000 cached: filter" "http://127.0.0.1:$PORT" "$C5K" names-filter 1
OURS[a-filter]=$LAST_CPU_US
replay "(a) names, 5,000 of 5,000 cached: prioritize" "http://127.0.0.1:$PORT" "$C5K" names-prioritize 1
OURS[a-prioritize]=$LAST_CPU_US
stop
start "$OUT/server.log" "$SERVER" --nodes "$C5K500/nodes.json"
replay "(b) names, 500 of 5,000 cached: filter" "http://127.0.0.1:$PORT" "$C5K500" names-filter 1
replay "(b) names, 500 of 5,000 cached: prioritize" "http://127.0.0.1:$PORT" "$C5K500" names-prioritize 1
stop
start "$OUT/server.log" "$SERVER"
IDLE_KB=$(rss_kb)
replay "(c) full, 1,000 nodes per request: filter" "http://127.0.0.1:$PORT" "$C1K" full-filter 2
OURS[c-filter]=$LAST_CPU_US
FULL_HWM_KB=$(hwm_kb)
stop
start "$OUT/server.log" "$SERVER" --nodes "$C64K/nodes.json"
LOAD_S=$(sed -n 's/.*loaded .* in \([0-9.]*\) s.*/\1/p' "$OUT/server.log")
STATS=$(curl -s "http://127.0.0.1:$PORT/stats")
replay "(d) names, 65,536 of 65,536 cached: filter" "http://127.0.0.1:$PORT" "$C64K" names-filter 1
stop

echo
echo "nodegate $("$SERVER" --version | awk '{print $2}') on $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(date -u +%Y-%m-%dT%H:%MZ)"
printf "%-44s %10s %9s %9s %9s %9s %8s  %s\n" scenario "CPU/req us" "req/s" "p50 us" "p99 us" \
    "dec MB/s" "RSS MiB" "non2xx/err"
printf "%s\n" "${ROWS[@]}"
FULL_BODY_MB=$(du -m "$(ls "$C1K"/requests/*full-filter.json | head -1)" | cut -f1)
echo
echo "full mode: peak RSS $((FULL_HWM_KB / 1024)) MiB with 2 bodies of ~$FULL_BODY_MB MB in flight (idle $((IDLE_KB / 1024)) MiB)"
awk -v s="$STATS" -v load="$LOAD_S" 'BEGIN {
    match(s, /"nodes":[0-9]+/); n = substr(s, RSTART + 8, RLENGTH - 8)
    match(s, /"index_bytes":[0-9]+/); ib = substr(s, RSTART + 14, RLENGTH - 14)
    match(s, /"string_bytes":[0-9]+/); sb = substr(s, RSTART + 15, RLENGTH - 15)
    printf "65,536 nodes: --nodes loaded in %s s; index %.0f bytes/node beyond %.0f bytes/node of strings\n",
           load, ib / n, sb / n }'

# (e) and (f): names mode fed by the API-server node source, from the fake API server.
SYNC_ROWS=()
sync_row() {   # sync_row NAME FAKE-FLAGS...: time and memory of the first complete list
    local name=$1 secs stats
    shift
    start_fake "$@"
    start "$OUT/server.log" "$SERVER" --kubeconfig "$KUBECONFIG_FILE"
    wait_ready
    secs=$(sed -n 's/.*node source: .* at resourceVersion .* in \([0-9.]*\) s.*/\1/p' "$OUT/server.log" | head -1)
    stats=$(curl -s "http://127.0.0.1:$PORT/stats")
    SYNC_ROWS+=("$(awk -v name="$name" -v s="$stats" -v secs="$secs" -v hwm="$(hwm_kb)" 'BEGIN {
        match(s, /"index_bytes":[0-9]+/); ib = substr(s, RSTART + 14, RLENGTH - 14)
        match(s, /"string_bytes":[0-9]+/); sb = substr(s, RSTART + 15, RLENGTH - 15)
        idx = (ib + sb) / 1048576
        printf "%-44s %8s s %9.0f MiB peak RSS %7.0f MiB index  RSS - index %5.0f MiB\n", name, secs, hwm / 1024, idx, hwm / 1024 - idx }')")
    stop
    stop_fake
}
echo "measuring the node source..." >&2
sync_row "(e) sync 65,536 x 10 KB nodes: streaming list" --generate 65536 --node-bytes 10000
sync_row "(e) sync 65,536 x 10 KB nodes: LIST pages" --generate 65536 --node-bytes 10000 --no-watch-list

# (f) latency over 5,000 watched nodes, quiet and while 1,000 MODIFIED events a second arrive:
# three alternating rounds of each, medians compared (single runs on a shared machine vary 2x).
start_fake --nodes "$C5K/nodes.json"
start "$OUT/server.log" "$SERVER" --kubeconfig "$KUBECONFIG_FILE"
wait_ready
FAKE_URL=http://127.0.0.1:$(cat "$OUT/fake.port")
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
CHURN_ROWS=()
for verb in filter prioritize; do
    : >"$OUT/f-quiet" && : >"$OUT/f-churn"
    for round in 1 2 3; do
        "$REPLAY" run --url "http://127.0.0.1:$PORT" --concurrency 2 --duration "$DUR" --match "names-$verb" "$C5K" |
            tail -1 >>"$OUT/f-quiet"
        curl -s -X POST "$FAKE_URL/fake/churn?rate=1000&seconds=$((DUR + 5))" >/dev/null
        "$REPLAY" run --url "http://127.0.0.1:$PORT" --concurrency 2 --duration "$DUR" --match "names-$verb" "$C5K" |
            tail -1 >>"$OUT/f-churn"
        curl -s -X DELETE "$FAKE_URL/fake/churn" >/dev/null
    done
    q50=$(sed 's/.*p50_us=\([0-9.]*\).*/\1/' "$OUT/f-quiet" | median)
    q99=$(sed 's/.*p99_us=\([0-9.]*\).*/\1/' "$OUT/f-quiet" | median)
    c50=$(sed 's/.*p50_us=\([0-9.]*\).*/\1/' "$OUT/f-churn" | median)
    c99=$(sed 's/.*p99_us=\([0-9.]*\).*/\1/' "$OUT/f-churn" | median)
    CHURN_ROWS+=("$(awk -v verb="$verb" -v q50="$q50" -v q99="$q99" -v c50="$c50" -v c99="$c99" 'BEGIN {
        printf "(f) %-10s median p50 %6.0f -> %6.0f us (%.2fx)   p99 %6.0f -> %6.0f us (%.2fx quiet; target <= 1.5x)\n",
               verb, q50, c50, c50 / q50, q99, c99, c99 / q99 }')")
done
# what one event costs the server: its CPU over 10 s of churn with no requests, per event applied
t0=$(cpu_ticks)
curl -s -X POST "$FAKE_URL/fake/churn?rate=1000&seconds=10" >/dev/null
while curl -s "$FAKE_URL/fake/churn" | grep -q '"running":true'; do sleep 0.2; done
EVENTS=$(curl -s "$FAKE_URL/fake/churn" | sed -n 's/.*"applied":\([0-9]*\).*/\1/p')
EVENT_US=$(awk -v t=$(( $(cpu_ticks) - t0 )) -v hz="$(getconf CLK_TCK)" -v n="$EVENTS" 'BEGIN {printf "%.1f", t / hz / n * 1e6}')
stop
stop_fake
echo
printf "%s\n" "${SYNC_ROWS[@]}"
printf "%s\n" "${CHURN_ROWS[@]}"
echo "(f) one MODIFIED event of a ~11 KB node costs the server $EVENT_US us of CPU ($EVENTS events, 10 s, no requests)"

# The baseline Go extender, measured the same way on the same corpora.
GO_PEER=${GO_PEER:-../shared/peers/go-extender}
if [ -f "$GO_PEER/main.go" ] && command -v go >/dev/null; then
    mkdir -p "$OUT/go-src"
    cp "$GO_PEER"/*.go "$GO_PEER"/go.mod "$OUT/go-src/"
    chmod -R u+w "$OUT/go-src"
    (cd "$OUT/go-src" && GOFLAGS=-mod=mod GOPROXY=off go build -o ../goextender .)
    ROWS=()
    peer() {   # peer ROW-NAME KEY CORPUS MATCH CONCURRENCY go-flags...
        local name=$1 key=$2 dir=$3 match=$4 conc=$5 i
        shift 5
        "$OUT/goextender" -addr 127.0.0.1:8979 "$@" >"$OUT/go.log" 2>&1 &
        PID=$!
        for i in $(seq 300); do curl -sf http://127.0.0.1:8979/healthz >/dev/null 2>&1 && break; sleep 0.1; done
        replay "$name" http://127.0.0.1:8979 "$dir" "$match" "$conc"
        stop
        RATIO+=("$(awk -v k="$key" -v g="$LAST_CPU_US" -v o="${OURS[$key]}" \
            'BEGIN {printf "%-12s Go %8.0f us, nodegate %6.0f us: %5.1fx less CPU per request", k, g, o, g / o}')")
    }
    RATIO=()
    echo "measuring the Go peer..." >&2
    peer "Go peer (a) names 5,000: filter" a-filter "$C5K" names-filter 1 -nodes "$C5K/nodes.json"
    peer "Go peer (a) names 5,000: prioritize" a-prioritize "$C5K" names-prioritize 1 -nodes "$C5K/nodes.json"
    peer "Go peer (c) full 1,000, -fullnodes: filter" c-filter "$C1K" full-filter 2 -fullnodes
    echo
    printf "%s\n" "${ROWS[@]}"
    echo
    printf "%s\n" "${RATIO[@]}"
fi
