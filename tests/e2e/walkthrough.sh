#!/usr/bin/env bash
# walkthrough.sh - runs the documented DaemonSet walkthrough against a real server on the demo
# cluster; its steps count into this suite's totals. It says it leaves the cluster as it found
# it: checked through GET /nodes and the example filter reply.
. "$(dirname "$0")/lib.sh"

WALK=examples/daemonset-walkthrough/walkthrough.sh

start_server --nodes examples/demo-cluster.json || finish
req GET /nodes
nodes_before="$STATUS $BODY"
req POST /filter examples/requests/filter-names.json
filter_before="$STATUS $BODY"

"$WALK" "$URL" >"$T/walk.out" 2>&1
rc=$?
read -r p f < <(tail -1 "$T/walk.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
if [ -z "${p:-}" ]; then
    fail "walkthrough prints its tally" "exit $rc, output: $(show "$(cat "$T/walk.out")")"
else
    # show the walkthrough's own steps only when one failed
    [ "$f" -ne 0 ] && sed 's/^/     | /' "$T/walk.out"
    echo "$([ "$f" -eq 0 ] && echo 'ok  ' || echo FAIL) walkthrough steps: $p passed, $f failed"
    passed=$((passed + p)) failed=$((failed + f))
    check "walkthrough exit status agrees with its tally" "$([ "$f" -eq 0 ] && echo 0 || echo 1)" "$rc"
fi

req GET /nodes
check "walkthrough leaves the node list as it was" "$nodes_before" "$STATUS $BODY"
req POST /filter examples/requests/filter-names.json
check "walkthrough leaves the filter reply as it was" "$filter_before" "$STATUS $BODY"
finish
