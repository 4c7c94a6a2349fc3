#!/usr/bin/env bash
# yaml.sh - YAML where a person hands nodegate objects: --nodes with `kubectl get nodes -o yaml`
# output, a file of several Node documents, YAML 1.1's booleans, request bodies sent as
# application/yaml (one document for a verb, several for POST /nodes, all or nothing), and errors
# that name the line and column. (The conversion rules themselves are unit-tested in
# tests/unit/test_yaml_json.c.)
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
    check_has "the log says it read YAML" "YAML: {\"applied\":2,\"nodes\":2}" "$(<"$SERVER_LOG")"
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
        "$RC $([[ $ERR == *"$T/broken.yaml: the YAML does not parse: line 5, column 1: did not find expected ',' or ']'"* ]] && echo named || echo "$ERR")"
    printf 'kind: Node\nmetadata: {name: a}\n---\nkind: Node\nmetadata: {name: b, labels: {pool: on}}\n' >"$T/second.yaml"
    run_once --listen 127.0.0.1:0 --nodes "$T/second.yaml"
    check "--nodes: a bad second document is named as such" "1 named" \
        "$RC $([[ $ERR == *"$T/second.yaml: document 2: "*'expected string, got bool'* ]] && echo named || echo "$ERR")"
    printf '# nothing but a comment\n' >"$T/empty.yaml"
    run_once --listen 127.0.0.1:0 --nodes "$T/empty.yaml"
    check "--nodes: a YAML file with no document is refused" "1 named" \
        "$RC $([[ $ERR == *"$T/empty.yaml: the YAML holds no document (a Node, a NodeList or a watch event)"* ]] && echo named || echo "$ERR")"
}

# Request bodies as YAML: converted at the server's edge, then answered as their JSON would be.
test_bodies() {
    start_server --nodes examples/demo-cluster.json --max-body 4096 || return
    local json='{"Pod":{"spec":{"tolerations":[{"key":"node-role.kubernetes.io/master","operator":"Exists","effect":"NoSchedule"}]}},"NodeNames":["master","worker"]}'
    req POST /filter -d "$json"
    local want="$STATUS $BODY" type
    for type in application/yaml application/x-yaml 'text/yaml; charset=utf-8'; do
        CONTENT_TYPE=$type req POST /filter -d $'Pod:\n  spec:\n    tolerations:\n    - key: node-role.kubernetes.io/master\n      operator: Exists\n      effect: NoSchedule\nNodeNames: [master, worker]\n'
        check "POST /filter as $type: the reply its JSON gets" "$want" "$STATUS $BODY"
    done
    CONTENT_TYPE=application/yaml req POST /daemonset -d $'DaemonSet:\n  kind: DaemonSet\n  spec:\n    template:\n      spec: {}\nNodeNames: [master, worker]\n'
    check "POST /daemonset as YAML" \
        '200 {"shouldRun":["worker"],"shouldContinueRunning":["master","worker"],"reasons":{"master":"node(s) had untolerated taint {node-role.kubernetes.io/master: }"}}' \
        "$STATUS $BODY"
    CONTENT_TYPE=application/yaml req POST /filter -d $'Pod: {spec: {}}\nNodeNames: [worker]\n---\nPod: {spec: {}}\n'
    check "a verb's YAML body with two documents: 400 saying so" \
        '400 {"Error":"the YAML body holds more than one document: this endpoint takes one"}' "$STATUS $BODY"
    CONTENT_TYPE=application/yaml req POST /prioritize -d $'Pod:\n  spec: {\n'
    check_error_reply "a YAML syntax error: 400" 400
    check_has "naming line and column" "the YAML body does not parse: line 3, column 1: " "$BODY"
    CONTENT_TYPE=application/yaml req POST /filter -d $'# nothing\n'
    check "a YAML body with no document: 400" '400 {"Error":"the YAML body holds no document"}' "$STATUS $BODY"
    CONTENT_TYPE=application/yaml req POST /filter -d "NodeNames: [$(printf 'n%04d, ' $(seq 1 900))x]"
    check_error_reply "a YAML body over --max-body: 413" 413
    stop_server
}

test_nodes_documents() {
    start_server --nodes examples/demo-cluster.json || return
    cat >"$T/update.yaml" <<'EOF2'
kind: Node
metadata: {name: edge-1, labels: {pool: edge}}
---
kind: NodeList
items:
- metadata: {name: edge-2}
- metadata: {name: edge-3}
---
type: DELETED
object: {metadata: {name: spot-1}}
EOF2
    CONTENT_TYPE=application/yaml req POST /nodes "$T/update.yaml"
    check "POST /nodes with a Node, a NodeList and a watch event as YAML: applied in order" \
        '200 {"applied":4,"nodes":7,"documents":3}' "$STATUS $BODY"
    req GET /nodes
    check "the cache after them" '200 ["master","worker","gpu-1","cordoned-1","edge-1","edge-2","edge-3"]' "$STATUS $BODY"
    cat >"$T/half-bad.yaml" <<'EOF2'
kind: Node
metadata: {name: edge-4}
---
kind: Node
metadata: {name: edge-5}
spec:
  taints: [{key: k, effect: Sometimes}]
EOF2
    CONTENT_TYPE=application/yaml req POST /nodes "$T/half-bad.yaml"
    check_error_reply "a second document that is no valid Node: 422" 422
    check_has "naming the document" 'document 2: node \"edge-5\": spec.taints[0].effect' "$BODY"
    req GET /nodes
    check "and the first document was not applied either" \
        '200 ["master","worker","gpu-1","cordoned-1","edge-1","edge-2","edge-3"]' "$STATUS $BODY"
    CONTENT_TYPE=application/yaml req POST /nodes -d $'apiVersion: v1\nkind: List\nitems:\n- metadata: {name: edge-6}\n'
    check "one document: the plugin's own reply" '200 {"applied":1,"nodes":8}' "$STATUS $BODY"
    CONTENT_TYPE=application/yaml req POST /nodes -d $'kind: Node\nmetadata:\n  name: [\n'
    check_has "a YAML error: 400 naming line and column" '400 {"Error":"the YAML does not parse: line 4, column 1: ' "$STATUS $BODY"
    stop_server
}

test_kubectl_list
test_documents
test_errors
test_bodies
test_nodes_documents
finish
