#!/usr/bin/env bash
# make soak: nodegate-server in names mode, its node cache following the fake API server over 5,000
# nodes that change at RATE MODIFIED events a second (500: each node's status written every 10 s,
# the kubelet's default), while nodegate-replay sends every names-mode request of the corpus as
# fast as CONCURRENCY connections allow, for SOAK seconds. RSS is sampled every 10 s.
# Checks (last line "N passed, M failed"): no transport error and no non-2xx reply, the node
# source never failed or relisted, every event reached the cache, and RSS after a minute's
# warm-up stays flat: the last minute's median within 5% (+1 MiB) of the second minute's.
#
#   SOAK=600 RATE=500 CONCURRENCY=2
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK=${SOAK:-600}
RATE=${RATE:-500}
CONCURRENCY=${CONCURRENCY:-2}
. bench/lib.sh
[ "$SOAK" -ge 180 ] || { echo "SOAK must be at least 180 s: a warm-up minute, then two to compare" >&2; exit 2; }

passed=0 failed=0
check() {   # check WHAT OK: one verdict line
    if [ "$2" = 1 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
metric() {   # metric NAME [LABEL-MATCH]: the sum of NAME's series (those whose labels contain LABEL-MATCH)
    curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" -v l="${2:-}" '
        ($1 == m || index($1, m "{") == 1) && index($1, l) { sum += $2; n++ } END { if (n) print sum }'
}

C5K=$(corpus c5000 --nodes 5000 --pods 16 --seed 2 --skip-full)
start_fake --nodes "$C5K/nodes.json"
FAKE_URL=http://127.0.0.1:$(cat "$OUT/fake.port")
start "$OUT/soak-server.log" "$SERVER" --kubeconfig "$KUBECONFIG_FILE"
wait_ready
echo "soak: $SOAK s of names-mode replay on $CONCURRENCY connections, $RATE node events/s, $(nproc) CPUs" >&2

curl -s -X POST "$FAKE_URL/fake/churn?rate=$RATE&seconds=$SOAK" >/dev/null
t0=$(cpu_ticks)
"$REPLAY" run --url "http://127.0.0.1:$PORT" --concurrency "$CONCURRENCY" --duration "$SOAK" \
    --match names "$C5K" >"$OUT/soak-replay.txt" &
RP=$!
SAMPLES=()
while kill -0 "$RP" 2>/dev/null; do SAMPLES+=("$(rss_kb)"); sleep 10; done
wait "$RP" || true
CPU_S=$(awk -v t=$(( $(cpu_ticks) - t0 )) -v hz="$(getconf CLK_TCK)" 'BEGIN {print t / hz}')
while curl -s "$FAKE_URL/fake/churn" | grep -q '"running":true'; do sleep 0.2; done
APPLIED=$(curl -s "$FAKE_URL/fake/churn" | sed -n 's/.*"applied":\([0-9]*\).*/\1/p')

OUTLINE=$(tail -1 "$OUT/soak-replay.txt")
echo "$OUTLINE"
echo "server CPU ${CPU_S} s; RSS every 10 s (KiB): ${SAMPLES[*]}"
check "$(field requests "$OUTLINE") requests, $(field non2xx "$OUTLINE") non-2xx, $(field errors "$OUTLINE") transport errors" \
    "$( [ "$(field requests "$OUTLINE")" -gt 0 ] && [ "$(field non2xx "$OUTLINE")" = 0 ] && [ "$(field errors "$OUTLINE")" = 0 ] && echo 1)"
ERRS=$(metric nodegate_node_source_errors_total) RELISTS=$(metric nodegate_relists_total)
check "node source: ${ERRS:-?} errors, ${RELISTS:-?} relists" "$( [ "${ERRS:-x}" = 0 ] && [ "${RELISTS:-x}" = 0 ] && echo 1)"
# the watch can coalesce nothing: each MODIFIED the fake applied is one event nodegate applied
EVENTS=$(metric nodegate_watch_events_total 'type="MODIFIED"')
check "$APPLIED MODIFIED events applied by the fake, ${EVENTS:-?} by nodegate" "$( [ "${EVENTS:-x}" = "$APPLIED" ] && echo 1)"
check "RSS flat after warm-up" "$(printf '%s\n' "${SAMPLES[@]}" | awk '
    function median(lo, hi,   n, i, j, t, v) {   # median of samples lo..hi (1-based)
        n = 0; for (i = lo; i <= hi; i++) v[++n] = s[i]
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return v[int((n + 1) / 2)]
    }
    { s[NR] = $1 }
    END {
        early = median(7, 12); late = median(NR - 5, NR)
        printf "second minute median %d KiB, last minute %d KiB (%+.1f%%)\n", early, late, (late - early) * 100 / early > "/dev/stderr"
        print ((late <= early * 1.05 + 1024) ? 1 : 0)
    }')"
stop
stop_fake
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
