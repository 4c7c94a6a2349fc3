#!/usr/bin/env bash
# patch.sh - PATCH /nodes/NAME: a JSON merge patch (RFC 7386) of the node as GET /nodes/NAME shows
# it, applied whole or not at all, with the reply and the errors the CLI relies on; the 405s of the
# node API's paths; concurrent patches that must not lose one another's changes.
. "$(dirname "$0")/lib.sh"

cat >"$T/nodes.json" <<'JSON'
{"kind":"NodeList","apiVersion":"v1","items":[
 {"metadata":{"name":"master","labels":{"kubernetes.io/hostname":"master","node-role.kubernetes.io/master":""}},
  "spec":{"taints":[{"key":"node-role.kubernetes.io/master","effect":"NoSchedule"}]}},
 {"metadata":{"name":"worker","labels":{"kubernetes.io/hostname":"worker","zone":"a"}}}]}
JSON
MASTER='{"kind":"Node","apiVersion":"v1","metadata":{"name":"master","labels":{"kubernetes.io/hostname":"master","node-role.kubernetes.io/master":""}},"spec":{"taints":[{"key":"node-role.kubernetes.io/master","effect":"NoSchedule"}]}}'
PLAIN_POD='{"Pod":{"spec":{}},"NodeNames":["master","worker"]}'

# patch PATH DATA [CONTENT-TYPE]: PATCH with the merge patch type (or the one given; '' for none).
patch() { CONTENT_TYPE=${3-application/merge-patch+json} req PATCH "$1" -d "$2"; }

# unchanged NAME: master is still exactly as loaded.
unchanged() {
    req GET /nodes/master
    check "$1: master is unchanged" "200 $MASTER" "$STATUS $BODY"
}

test_patch() {
    start_server --nodes "$T/nodes.json" || return
    req POST /filter -d "$PLAIN_POD"
    check_has "before: the master taint keeps a plain pod off master" '"NodeNames":["worker"]' "$BODY"
    patch /nodes/master '{"metadata":{"labels":{"disk":"ssd","node-role.kubernetes.io/master":null}},"spec":{"taints":[{"key":"dedicated","value":"infra","effect":"PreferNoSchedule"}],"unschedulable":true}}'
    local want='{"kind":"Node","apiVersion":"v1","metadata":{"name":"master","labels":{"kubernetes.io/hostname":"master","disk":"ssd"}},"spec":{"unschedulable":true,"taints":[{"key":"dedicated","value":"infra","effect":"PreferNoSchedule"}]}}'
    check "a label added, one removed with null, the taints replaced, cordoned: 200 with the node as cached" \
        "200 $want" "$STATUS $BODY"
    req GET /nodes/master
    check "GET /nodes/master shows the same node" "200 $want" "$STATUS $BODY"
    req POST /filter -d "$PLAIN_POD"
    check_has "filter sees the patch: master is now refused as cordoned, not for the old taint" \
        '"FailedAndUnresolvableNodes":{"master":"node(s) were unschedulable"}' "$BODY"
    patch /nodes/master '{"spec":{"unschedulable":null}}' application/json
    check "application/json is taken too; a patch of spec.unschedulable alone keeps labels and taints" \
        '200 {"kind":"Node","apiVersion":"v1","metadata":{"name":"master","labels":{"kubernetes.io/hostname":"master","disk":"ssd"}},"spec":{"taints":[{"key":"dedicated","value":"infra","effect":"PreferNoSchedule"}]}}' \
        "$STATUS $BODY"
    patch /scheduler/nodes/worker '{"metadata":{"labels":{"zone":"b"}},"spec":{"taints":null}}' 'application/merge-patch+json; charset=utf-8'
    check "under a path prefix, with a charset parameter: applied" \
        '200 {"kind":"Node","apiVersion":"v1","metadata":{"name":"worker","labels":{"kubernetes.io/hostname":"worker","zone":"b"}},"spec":{}}' \
        "$STATUS $BODY"
    patch /nodes/worker '{}'
    check "an empty patch changes nothing and answers the node" \
        '200 {"kind":"Node","apiVersion":"v1","metadata":{"name":"worker","labels":{"kubernetes.io/hostname":"worker","zone":"b"}},"spec":{}}' \
        "$STATUS $BODY"
    patch /nodes/worker $'metadata:\n  labels:\n    zone: "on"\n    gpu: a100\n' application/yaml
    check "a YAML merge patch (application/yaml), \"on\" quoted stays a string" \
        '200 {"kind":"Node","apiVersion":"v1","metadata":{"name":"worker","labels":{"kubernetes.io/hostname":"worker","zone":"on","gpu":"a100"}},"spec":{}}' \
        "$STATUS $BODY"
    req GET /nodes
    check "the patches added and removed no node" '200 ["master","worker"]' "$STATUS $BODY"
    stop_server
}

test_refused() {
    start_server --nodes "$T/nodes.json" || return
    patch /nodes/nope '{"metadata":{"labels":{"a":"b"}}}'
    check "a node the cache lacks: 404" '404 {"Error":"node \"nope\" is not in the node cache"}' "$STATUS $BODY"
    req GET /nodes/nope
    check "and it is not created" 404 "$STATUS"
    patch /nodes/master '{"spec":{"taints":[{"key":"k","effect":"Sometimes"}]}}'
    check_error_reply "a result with an unknown taint effect: 422" 422
    check_has "naming the node and the field" 'node \"master\": spec.taints[0].effect: Unsupported value' "$BODY"
    unchanged "after the 422"
    patch /nodes/master '{"spec":{"taints":[{"effect":"NoSchedule"}]}}'
    check_error_reply "a result with a taint without a key: 422" 422
    patch /nodes/master '{"metadata":{"labels":{"n":1}}}'
    check_error_reply "a result with a label that is not a string: the plugin's 400" 400
    patch /nodes/master '{"metadata":{"name":null}}'
    check_error_reply "a result without a name: 422" 422
    patch /nodes/master '{"metadata":{"name":"other"}}'
    check "a patch that renames the node: 400 in kube-apiserver's words" \
        '400 {"Error":"the name of the object (other) does not match the name on the URL (master)"}' "$STATUS $BODY"
    patch /nodes/master '{"kind":"NodeList"}'
    check "a patch that makes it another kind: 422" \
        '422 {"Error":"kind: a patch of node \"master\" must leave it a Node"}' "$STATUS $BODY"
    patch /nodes/master '["not","an","object"]'
    check_error_reply "a JSON array: 400" 400
    check_has "saying a merge patch is an object" "must be a JSON object (RFC 7386)" "$BODY"
    patch /nodes/master '{"metadata":'
    check_error_reply "JSON cut short: 400" 400
    check_has "naming line and column" "the merge patch is not JSON: line 1, column 12" "$BODY"
    patch /nodes/master ''
    check_error_reply "an empty body: 400" 400
    patch /nodes/master $'a: 1\n---\nb: 2\n' application/yaml
    check "two YAML documents: 400" \
        '400 {"Error":"the YAML body holds more than one document: this endpoint takes one"}' "$STATUS $BODY"
    patch /nodes/master $'metadata: [x\n' text/yaml
    check_error_reply "YAML that does not parse: 400" 400
    check_has "naming line and column" "the YAML body does not parse: line 2, column 1: did not find expected ',' or ']'" "$BODY"
    patch /nodes/master '{}' text/plain
    check "Content-Type text/plain: 415 naming the accepted types" \
        '415 {"Error":"a merge patch of a node takes Content-Type application/merge-patch+json, application/json, application/yaml, application/x-yaml or text/yaml, not \"text/plain\""}' \
        "$STATUS $BODY"
    patch /nodes/master '{}' ''
    check "no Content-Type: 415" \
        '415 {"Error":"a merge patch of a node takes Content-Type application/merge-patch+json, application/json, application/yaml, application/x-yaml or text/yaml: the request has none"}' \
        "$STATUS $BODY"
    patch /nodes/master '{}' application/json-patch+json
    check "a JSON Patch (RFC 6902) is not a merge patch: 415" 415 "$STATUS"
    unchanged "after every refusal"
    local spec method path allow
    for spec in "PUT /nodes/master GET, PATCH, DELETE" "POST /nodes/master GET, PATCH, DELETE" \
        "PATCH /nodes GET, POST" "PUT /nodes GET, POST" "PUT /scheduler/nodes/worker GET, PATCH, DELETE"; do
        read -r method path allow <<<"$spec"
        req "$method" "$path" -d '{}'
        check "$method $path: 405, Allow: $allow" "405 json-error $allow" \
            "$STATUS $([[ $BODY =~ $ERROR_JSON ]] && echo json-error) $(header Allow)"
    done
    unchanged "after the 405s"
    stop_server
}

# Each of N concurrent patches adds its own label: every one must be there at the end, since a
# patch reads the node and writes it back, and one that read before another wrote would drop it.
test_concurrent() {
    start_server --nodes "$T/nodes.json" --threads 4 || return
    local i pids=() n=40
    for ((i = 0; i < n; i++)); do
        curl -s -o "$T/concurrent-$i" -w '%{http_code}' -X PATCH -H 'Content-Type: application/merge-patch+json' \
            -d "{\"metadata\":{\"labels\":{\"l$i\":\"v$i\"}}}" "$URL/nodes/worker" >"$T/concurrent-$i.status" &
        pids+=($!)
    done
    wait "${pids[@]}"
    local ok=0
    for ((i = 0; i < n; i++)); do [ "$(<"$T/concurrent-$i.status")" = 200 ] && ok=$((ok + 1)); done
    check "$n concurrent patches: all 200" "$n" "$ok"
    req GET /nodes/worker
    local have=0
    for ((i = 0; i < n; i++)); do [[ $BODY == *"\"l$i\":\"v$i\""* ]] && have=$((have + 1)); done
    check "and no patch lost another's label" "$n" "$have"
    check_has "nor the labels from before" '"kubernetes.io/hostname":"worker","zone":"a"' "$BODY"
    stop_server
}

test_patch
test_refused
test_concurrent
finish
