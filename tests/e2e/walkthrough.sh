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

NODEGATE=$PWD/$B/nodegate "$WALK" "$URL" >"$T/walk.out" 2>&1
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

# make run's script: its hints name the address the server took (here a free port), and Ctrl-C
# (SIGINT to its process group, as a terminal sends it) stops it with exit 0.
setsid examples/run-demo.sh --listen 127.0.0.1:0 --log-level info >"$T/run.out" 2>&1 &
run_pid=$!
until_true 10 grep -q "Ctrl-C stops it" "$T/run.out"
addr=$(sed -n 's/.* listening on \([^ ]*\) .*/\1/p' "$T/run.out")
check_has "make run's hints use the address served" "curl -s $addr/nodes" "$(<"$T/run.out")"
check "that address serves the demo cluster" '["master","worker","gpu-1","spot-1","cordoned-1"]' \
    "$(curl -s --max-time 5 "http://$addr/nodes")"
kill -INT -- -"$run_pid"
wait "$run_pid"
check "Ctrl-C stops make run's server: exit 0, its last line logged" "0 stopped" \
    "$? $(tail -1 "$T/run.out" | sed 's/.* info //')"
finish
