#!/usr/bin/env bash
# The classic DaemonSet lesson, step by step, against a running nodegate-server
# serving the demo cluster (make run). Usage: walkthrough.sh [URL]
# Each step prints the curl command, the reply, and whether it is the expected one.
set -u
URL=${1:-http://127.0.0.1:8888}
cd "$(dirname "$0")"
passed=0 failed=0

step() {   # step TITLE PATH FILE EXPECTED-REPLY
    local title=$1 path=$2 file=$3 want=$4 got
    echo "== $title"
    echo "\$ curl -s -X POST --data-binary @$file $URL$path"
    got=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary "@$file" "$URL$path")
    echo "$got"
    if [ "$got" = "$want" ]; then
        passed=$((passed + 1))
    else
        echo "!! expected: $want"
        failed=$((failed + 1))
    fi
    echo
}

step "1. redis-ds without a toleration: master's NoSchedule taint keeps new pods off the control plane
   (shouldContinueRunning still lists master: NoSchedule does not evict a pod already running)" \
    /daemonset redis-ds.json \
    '{"shouldRun":["worker"],"shouldContinueRunning":["master","worker"],"reasons":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }"}}'

step "2. the pod the controller creates for master is pinned there, so the scheduler finds no node" \
    /filter redis-pod-for-master.json \
    '{"Nodes":null,"NodeNames":[],"FailedNodes":{},"FailedAndUnresolvableNodes":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }","worker":"node(s) didn'"'"'t match Pod'"'"'s node affinity/selector"},"Error":""}'

step "3. with the toleration {key: node-role.kubernetes.io/master, operator: Exists, effect: NoSchedule}" \
    /daemonset redis-ds-tolerating.json \
    '{"shouldRun":["master","worker"],"shouldContinueRunning":["master","worker"],"reasons":{}}'

step "4. kubectl taint node master node-role.kubernetes.io/master:NoSchedule- (a MODIFIED watch event)" \
    /nodes untaint-master.json '{"applied":1,"nodes":5,"type":"MODIFIED"}'

step "5. redis-ds without a toleration now runs on both nodes" \
    /daemonset redis-ds.json \
    '{"shouldRun":["master","worker"],"shouldContinueRunning":["master","worker"],"reasons":{}}'

step "6. restore the taint, leaving the demo cluster as it was" \
    /nodes retaint-master.json '{"applied":1,"nodes":5,"type":"MODIFIED"}'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
