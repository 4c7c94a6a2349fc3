#!/usr/bin/env bash
# yaml.sh - YAML where a person hands nodegate nodes: --nodes with `kubectl get nodes -o yaml`
# output, a file of several Node documents, YAML 1.1's booleans, and errors that name the line
# and column. (The conversion rules themselves are unit-tested in tests/unit/test_yaml_json.c.)
. "$(dirname "$0")/lib.sh"

test_kubectl_list() {
    # what `kubectl get nodes -o yaml` prints: a List, keys sorted, a block sequence of items
    cat >"$T/nodes.yaml" <<'EOF'
apiVersion: v1
items:
- apiVersion: v1
  kind: Node
  metadata:
    labels:
      kubernetes.io/hostname: master
      node-role.kubernetes.io/master: ""
    name: master
  spec:
    taints:
    - effect: NoSchedule
      key: node-role.kubernetes.io/master
- apiVersion: v1
  kind: Node
  metadata:
    labels:
      kubernetes.io/hostname: worker
    name: worker
  spec: {}
kind: List
metadata:
  resourceVersion: ""
EOF
    start_server --nodes "$T/nodes.yaml" || return
    req GET /nodes
    check "--nodes with kubectl's YAML List: both nodes cached" '200 ["master","worker"]' "$STATUS $BODY"
    check_has "the log says it read YAML" "YAML, 1 document: " "$(<"$SERVER_LOG")"
    req POST /filter -d '{"Pod":{"spec":{}},"NodeNames":["master","worker"]}'
    check_has "the taint read from YAML keeps a plain pod off master" \
        '"NodeNames":["worker"],"FailedNodes":{},"FailedAndUnresolvableNodes":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }"}' "$BODY"
    stop_server
}

test_documents() {
    cat >"$T/docs.yaml" <<'EOF'
# two Nodes, as kubectl apply -f takes them
kind: Node
apiVersion: v1
metadata: {name: gpu-1, labels: {pool: gpu}}
---
---
kind: Node
apiVersion: v1
metadata:
  name: cpu-1
  labels:
    pool: "on"
EOF
    start_server --nodes "$T/docs.yaml" || return
    req GET /nodes
    check "--nodes with two documents (and an empty one): both nodes, in file order" '200 ["gpu-1","cpu-1"]' "$STATUS $BODY"
    req POST /filter -d '{"Pod":{"spec":{"nodeSelector":{"pool":"on"}}},"NodeNames":["gpu-1","cpu-1"]}'
    check_has "a quoted \"on\" stays the string on" '"NodeNames":["cpu-1"]' "$BODY"
    stop_server
}

test_errors() {
    # YAML 1.1: an unquoted on is true, which no label value may be (kubectl refuses it too)
    printf 'kind: Node\nmetadata:\n  name: a\n  labels: {pool: on}\n' >"$T/bool.yaml"
    run_once --listen 127.0.0.1:0 --nodes "$T/bool.yaml"
    check "--nodes: an unquoted on as a label value is refused, naming the document" "1 named" \
        "$RC $([[ $ERR == *"$T/bool.yaml: document 1: "*'expected string, got bool'* ]] && echo named || echo "$ERR")"
    printf 'kind: Node\nmetadata:\n  name: a\n  labels: [x\n' >"$T/broken.yaml"
    run_once --listen 127.0.0.1:0 --nodes "$T/broken.yaml"
    check "--nodes: a YAML syntax error names the line and column" "1 named" \
        "$RC $([[ $ERR == *"$T/broken.yaml: line 5, column 1: did not find expected ',' or ']'"* ]] && echo named || echo "$ERR")"
    printf '# nothing but a comment\n' >"$T/empty.yaml"
    run_once --listen 127.0.0.1:0 --nodes "$T/empty.yaml"
    check "--nodes: a YAML file with no document is refused" "1 named" \
        "$RC $([[ $ERR == *"$T/empty.yaml: no Node in the file"* ]] && echo named || echo "$ERR")"
}

test_kubectl_list
test_documents
test_errors
finish
