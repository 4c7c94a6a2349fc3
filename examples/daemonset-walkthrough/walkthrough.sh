#!/usr/bin/env bash
# The classic DaemonSet lesson with the lesson's own files and commands, against a running
# nodegate-server serving the demo cluster (make run). Usage: walkthrough.sh [URL]
# Each step prints what the learner types, runs it with build/nodegate, and checks the output.
set -u
URL=${1:-http://127.0.0.1:8888}
cd "$(dirname "$0")"
NODEGATE=${NODEGATE:-../../build/nodegate}
passed=0 failed=0

step() {   # step TITLE EXPECTED-LINE ARGS...: the output must contain the expected line
    local title=$1 want=$2 got
    shift 2
    echo "== $title"
    echo "\$ nodegate $*"
    got=$("$NODEGATE" --server "$URL" "$@" 2>&1)
    echo "$got"
    if [[ $got == *"$want"* ]]; then
        passed=$((passed + 1))
    else
        echo "!! expected a line: $want"
        failed=$((failed + 1))
    fi
    echo
}

step "1. the lesson's ds.yml: master's node-role.kubernetes.io/master:NoSchedule taint keeps the new
   pod off the control plane (SHOULD-CONTINUE-RUNNING stays true: NoSchedule does not evict)" \
    "master       refused  false       true                     untolerated taint node-role.kubernetes.io/master:NoSchedule" \
    explain -f ds.yml

step "2. the toleration the lesson adds (ds-toleration.yml): master runs it too" \
    "master       fits     true        true" \
    explain -f ds-toleration.yml

step "3. or the lesson's other fix: remove the taint (kubectl taint node master node-role.kubernetes.io/master:NoSchedule-)" \
    "node/master untainted" \
    taint node master node-role.kubernetes.io/master:NoSchedule-

step "4. now ds.yml, without the toleration, runs on master" \
    "master       fits     true        true" \
    explain -f ds.yml

step "5. put the taint back, leaving the demo cluster as it was" \
    "node/master tainted" \
    taint node master node-role.kubernetes.io/master:NoSchedule

step "6. the node as the cache holds it: both role labels, the old taint" \
    "Taints:             node-role.kubernetes.io/master:NoSchedule" \
    describe node master

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
