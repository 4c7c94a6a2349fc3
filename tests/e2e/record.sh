#!/usr/bin/env bash
# record.sh - --record DIR: a session of verbs and node updates (POST /nodes, PATCH, DELETE, and a
# YAML body) saved in one numbered sequence, which nodegate-replay run --verify replays in order
# against a server started as the recorded one was, reply for reply.
. "$(dirname "$0")/lib.sh"
REPLAY=$B/nodegate-replay
DEMO=examples/demo-cluster.json
POD='{"Pod":{"spec":{}},"NodeNames":["master","worker","edge-1"]}'

test_record_replay() {
    local rec=$T/rec
    start_server --nodes "$DEMO" --record "$rec" || return
    req POST /filter -d "$POD"
    local before=$BODY
    CONTENT_TYPE=application/merge-patch+json req PATCH /nodes/master -d '{"spec":{"taints":null}}'
    check "PATCH during --record: 200" 200 "$STATUS"
    req POST /nodes -d '{"metadata":{"name":"edge-1","labels":{"pool":"edge"}}}'
    req DELETE /nodes/worker
    req DELETE /nodes/worker
    check "a DELETE of a node already gone: 404, recorded too" 404 "$STATUS"
    CONTENT_TYPE=application/yaml req POST /filter -d $'Pod: {spec: {}}\nNodeNames: [master, worker, edge-1]\n'
    check_has "the filter after the updates sees them" '"NodeNames":["master","edge-1"]' "$BODY"
    [ "$before" != "$BODY" ] && pass "and answers otherwise than the first" || fail "the updates changed nothing"
    stop_server
    check "the files, in one sequence, named as the replayer reads them" \
        "00000000-filter.json 00000001-PATCH-nodes@master.json 00000002-nodes.json 00000003-DELETE-nodes@worker.json 00000004-DELETE-nodes@worker.json 00000005-filter.json" \
        "$(cd "$rec" && ls ./*.json | grep -v reply | sed 's|^\./||' | tr '\n' ' ' | sed 's/ $//')"
    check "a YAML body is recorded as the JSON the plugin read" \
        '{"NodeNames":["master","worker","edge-1"],"Pod":{"spec":{}}}' "$(<"$rec/00000005-filter.json")"
    check "a DELETE's request file is empty" 0 "$(wc -c <"$rec/00000003-DELETE-nodes@worker.json")"
    start_server --nodes "$DEMO" || return
    local out line
    out=$("$REPLAY" run --url "$URL" --verify "$rec" 2>&1)
    line=$(tail -1 <<<"$out")
    check "nodegate-replay run --verify on a fresh server: every request, in order, byte for byte" \
        "requests=6 mismatches=0 unverified=0 errors=0" \
        "$(grep -o -E 'requests=[0-9]+' <<<"$line") $(grep -o -E 'mismatches=[0-9]+ unverified=[0-9]+' <<<"$line") $(grep -o -E ' errors=[0-9]+' <<<"$line" | tr -d ' ')"
    req GET /nodes
    check "and the replayed updates left the cache as recorded" '200 ["master","gpu-1","spot-1","cordoned-1","edge-1"]' "$STATUS $BODY"
    stop_server
}

test_record_replay
finish
