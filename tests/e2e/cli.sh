#!/usr/bin/env bash
# cli.sh - build/nodegate against a real server on the demo cluster and offline on files: every
# subcommand, its replies and exit codes, and every error it names.
. "$(dirname "$0")/lib.sh"

N=$B/nodegate
W=examples/daemonset-walkthrough

# cli NAME... : runs nodegate; sets RC, OUT and ERR.
cli() {
    "$N" "$@" >"$T/cli.out" 2>"$T/cli.err"
    RC=$?
    OUT=$(<"$T/cli.out")
    ERR=$(<"$T/cli.err")
}
# cli_says NAME WANT-RC WANT-STDOUT ARGS...: exit status and stdout exactly, stderr empty.
cli_says() {
    local name=$1 rc=$2 out=$3
    shift 3
    cli "$@"
    check "$name" "$rc|$out|" "$RC|$OUT|$ERR"
}
# cli_fails NAME WANT-RC WANT-STDERR ARGS...: exit status and stderr exactly, stdout empty.
cli_fails() {
    local name=$1 rc=$2 err=$3
    shift 3
    cli "$@"
    check "$name" "$rc||$err" "$RC|$OUT|$ERR"
}

start_server --nodes examples/demo-cluster.json || finish
S=(--server "$URL")

# ---- explain: the lesson ----
cli "${S[@]}" explain -f $W/ds.yml
check "explain ds.yml: exit 0, nothing on stderr" "0|" "$RC|$ERR"
check_has "explain ds.yml: master refused at the master taint, kept running" \
    "master       refused  false       true                     untolerated taint node-role.kubernetes.io/master:NoSchedule" "$OUT"
check_has "explain ds.yml: worker runs" "worker       fits     true        true" "$OUT"
check_has "explain ds.yml: the toleration to paste" "  tolerations:
  - key: node-role.kubernetes.io/master
    operator: Exists
    effect: NoSchedule" "$OUT"
check_has "explain ds.yml: the command to run" \
    "nodegate taint node master node-role.kubernetes.io/master:NoSchedule-    (kubectl taint node master node-role.kubernetes.io/master:NoSchedule-)" "$OUT"
cli "${S[@]}" explain -f $W/ds-toleration.yml
check_has "explain ds-toleration.yml: master runs" "master       fits     true        true" "$OUT"
cli "${S[@]}" explain -o json -f - <$W/ds.yml
check "explain -o json -f -: the server's explanation of master" \
    '0 false true TaintToleration node-role.kubernetes.io/master' \
    "$RC $(jq -r '.nodes[0] | "\(.shouldRun) \(.shouldContinueRunning) \(.rule) \(.taint.key)"' <<<"$OUT")"

# a Deployment's template, with a nodeSelector: scores and the label to set
cat >"$T/deploy.yml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      nodeSelector: {pool: spot}
      containers: [{name: web, image: nginx}]
YAML
cli "${S[@]}" explain -f "$T/deploy.yml"
check_has "explain a Deployment: its template as pod web" "Pod web" "$OUT"
check_has "explain a Deployment: spot-1 fits, scored 0 for its PreferNoSchedule taint" \
    "spot-1       fits     0      0         0" "$OUT"
check_has "explain a Deployment: worker's selector miss with the node's value" \
    "nodeSelector pool=spot (node has pool=general)" "$OUT"
check_has "explain a Deployment: the label command" \
    "nodegate label node worker pool=spot --overwrite" "$OUT"
check_has "explain a Deployment: cordoned-1 refused as cordoned first" \
    "cordoned-1   refused  10     0         6      cordoned (spec.unschedulable)" "$OUT"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n' >"$T/svc.yml"
cli_fails "explain a Service: exit 1, the kinds it takes" 1 \
    "error: $T/svc.yml: kind Service is not one of them: nodegate explains a Pod, Deployment, ReplicaSet, StatefulSet, Job, CronJob or DaemonSet" \
    "${S[@]}" explain -f "$T/svc.yml"
printf 'kind: Pod\nspec: [\n' >"$T/bad.yml"
cli "${S[@]}" explain -f "$T/bad.yml"
check_has "explain bad YAML: exit 1, the line and column" "1 error: $T/bad.yml: line " "$RC $ERR"
cli_fails "explain without -f: usage, exit 2" 2 "error: must specify -f FILE (- for stdin)
See 'nodegate explain --help'." "${S[@]}" explain
cli_fails "explain -o yaml: usage, exit 2" 2 \
    'error: unable to match a printer suitable for the output format "yaml", the formats are: json, table' \
    "${S[@]}" explain -f $W/ds.yml -o yaml
cli_fails "explain a missing file: exit 1" 1 'error: the path "nope.yml" cannot be read: No such file or directory' \
    "${S[@]}" explain -f nope.yml

# ---- get, describe ----
cli "${S[@]}" get nodes
check_has "get nodes: master's roles and taint" \
    "master       Enabled              control-plane,master     node-role.kubernetes.io/master:NoSchedule" "$OUT"
check_has "get nodes: cordoned-1 SchedulingDisabled" "cordoned-1   SchedulingDisabled" "$OUT"
cli "${S[@]}" get nodes -o wide
check_has "get nodes -o wide: labels" "pool=general" "$OUT"
cli "${S[@]}" describe node master
check_has "describe node master: taints" "Taints:             node-role.kubernetes.io/master:NoSchedule" "$OUT"
check_has "describe node master: both role labels" "node-role.kubernetes.io/control-plane=" "$OUT"
cli_fails "describe node ghost: kubectl's NotFound, exit 1" 1 'Error from server (NotFound): nodes "ghost" not found' \
    "${S[@]}" describe node ghost

# ---- taint ----
cli_says "taint master's taint away: untainted" 0 "node/master untainted" \
    "${S[@]}" taint node master node-role.kubernetes.io/master:NoSchedule-
cli "${S[@]}" explain -f $W/ds.yml
check_has "then ds.yml runs on master" "master       fits     true        true" "$OUT"
cli_fails "taint a taint that is not there: kubectl's error" 1 \
    'error: taint "node-role.kubernetes.io/master:NoSchedule" not found' \
    "${S[@]}" taint node master node-role.kubernetes.io/master:NoSchedule-
cli_says "taint it back: tainted" 0 "node/master tainted" \
    "${S[@]}" taint node master node-role.kubernetes.io/master:NoSchedule
cli_fails "taint it twice without --overwrite" 1 \
    "error: node master already has node-role.kubernetes.io/master taint(s) with same effect(s) and --overwrite is false" \
    "${S[@]}" taint node master node-role.kubernetes.io/master:NoSchedule
cli_says "--overwrite: modified" 0 "node/master modified" \
    "${S[@]}" taint node master node-role.kubernetes.io/master=x:NoSchedule --overwrite
cli_says "KEY- removes every taint of the key" 0 "node/master untainted" \
    "${S[@]}" taint node master node-role.kubernetes.io/master-
cli_says "and the lesson's taint again" 0 "node/master tainted" \
    "${S[@]}" taint node master node-role.kubernetes.io/master:NoSchedule
req GET /nodes/master
check "taint changed only the taints" \
    '{"key":"node-role.kubernetes.io/master","effect":"NoSchedule"}|8' \
    "$(jq -c '.spec.taints[0]' <<<"$BODY")|$(jq '.metadata.labels | length' <<<"$BODY")"
cli_fails "taint an unknown effect" 2 "error: invalid taint effect: Bad, unsupported taint effect
See 'nodegate taint --help' for help and examples" "${S[@]}" taint node master a=b:Bad
cli_fails "taint a bad key" 2 "error: invalid taint spec: bad key:NoSchedule, name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')
See 'nodegate taint --help' for help and examples" "${S[@]}" taint node master 'bad key:NoSchedule'
# kubectl reads KEY=VALUE without an effect as a key, and finds it no qualified name
cli_fails "taint without an effect" 2 "error: invalid taint spec: a=b, name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')
See 'nodegate taint --help' for help and examples" "${S[@]}" taint node master a=b
cli_fails "taint without a change" 2 "error: at least one taint update is required" "${S[@]}" taint node master
cli_fails "taint a pod" 2 "error: invalid resource type pod, only node types are supported" \
    "${S[@]}" taint pod p a:NoSchedule
cli_fails "taint with the resource after the changes" 2 \
    "error: all resources must be specified before taint changes: master" "${S[@]}" taint node a:NoSchedule master
cli_fails "taint the same key added and removed" 2 \
    'error: can not both modify and remove the following taint(s) in the same command: {"a":"NoSchedule"}
See '"'nodegate taint --help'"' for help and examples' "${S[@]}" taint node master a:NoSchedule a:NoSchedule-
cli_fails "taint a node that is not there" 1 'Error from server (NotFound): nodes "ghost" not found' \
    "${S[@]}" taint node ghost a:NoSchedule

# ---- label ----
cli_fails "label an existing key without --overwrite" 1 \
    "error: 'pool' already has a value (general), and --overwrite is false" "${S[@]}" label node worker pool=gpu
cli_says "label --overwrite: labeled" 0 "node/worker labeled" "${S[@]}" label node worker pool=gpu --overwrite
cli_says "label KEY-: unlabeled" 0 "node/worker unlabeled" "${S[@]}" label node worker pool-
cli_says "label KEY- again: not found, not labeled" 0 'label "pool" not found.
node/worker not labeled' "${S[@]}" label node worker pool-
cli_says "label it back" 0 "node/worker labeled" "${S[@]}" label node worker pool=general
cli_fails "label a bad value" 2 "error: invalid label value: \"pool=a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')
See 'nodegate label --help' for help and examples" "${S[@]}" label node worker 'pool=a b'
cli_fails "label an unknown spec" 2 "error: unknown label spec: pool
See 'nodegate label --help' for help and examples" "${S[@]}" label node worker pool
cli_fails "label added and removed" 2 "error: can not both modify and remove a label in the same command
See 'nodegate label --help' for help and examples" "${S[@]}" label node worker a=b a-

# ---- cordon, uncordon ----
cli_says "cordon: cordoned" 0 "node/worker cordoned" "${S[@]}" cordon worker
cli_says "cordon again: already cordoned" 0 "node/worker already cordoned" "${S[@]}" cordon worker
cli_says "uncordon: uncordoned" 0 "node/worker uncordoned" "${S[@]}" uncordon worker
cli_says "uncordon again: already uncordoned" 0 "node/worker already uncordoned" "${S[@]}" uncordon worker
cli_fails "cordon without a name" 2 "error: USAGE: nodegate cordon NAME" "${S[@]}" cordon

req GET '/nodes?full=true'
check "the writes left the demo cluster as it was" "$(jq -S -c . <<<"$(curl -s "$URL/nodes?full=true")")" \
    "$(jq -S -c . <<<"$BODY")"

# ---- usage, help, offline ----
for sub in explain get describe taint label cordon uncordon; do
    cli "$sub" --help
    check "$sub --help: exit 0, a usage line" "0 yes" "$RC $([[ $OUT == *"Usage: nodegate"* ]] && echo yes)"
done
cli --help
check_has "--help lists the commands" "explain -f FILE" "$OUT"
cli_fails "an unknown command: exit 2" 2 "error: unknown command \"frob\" for \"nodegate\"
See 'nodegate --help' for usage." "${S[@]}" frob
cli_fails "an unknown flag: exit 2" 2 "error: unknown flag: --frob
See 'nodegate --help' for usage." --frob get nodes
cli --server http://127.0.0.1:1 get nodes
check_has "no server: exit 1, says how to work offline" "1 error: cannot reach the nodegate server at http://127.0.0.1:1" "$RC $ERR"
cli --nodes examples/demo-cluster.json explain -f $W/ds.yml
check_has "offline explain on the demo file" "master       refused  false       true" "$OUT"
cat >"$T/nodes.yml" <<'YAML'
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: cp, labels: {node-role.kubernetes.io/control-plane: ""}}
  spec:
    taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
YAML
cli --nodes "$T/nodes.yml" explain -f $W/ds.yml
check_has "offline on a YAML node list: today's control-plane taint" \
    "cp     refused  false       true                     untolerated taint node-role.kubernetes.io/control-plane:NoSchedule" "$OUT"
cli_fails "offline writes refuse" 1 "error: --nodes FILE is read-only: a change made here would be lost when the command ends; edit the file, or run the command against a server (--server URL)" \
    --nodes examples/demo-cluster.json cordon worker
cli_fails "--server and --nodes together" 2 "error: --server and --nodes exclude each other: a server, or a file offline" \
    --server "$URL" --nodes x get nodes

# ---- the API server owns the cache: the server answers 409, nodegate says to use kubectl ----
if start_fake --generate 2; then
    kubeconfig "$T/kc" "$FURL" "    {}"
    start_server --kubeconfig "$T/kc" || finish
    until_true 10 curl -sf "$URL/readyz"
    n=$(curl -s --max-time 5 "$URL/nodes" | jq -r '.[0]')   # the fake's first node
    # (uncordon of a node not cordoned changes nothing, so it says "already uncordoned", as kubectl)
    for args in "taint node $n gate=closed:NoSchedule" "label node $n pool=gpu" "cordon $n"; do
        # shellcheck disable=SC2086 # the command is meant to split
        cli_fails "$args while the API server owns the cache: exit 1, run kubectl" 1 \
            "error: the server's node cache follows the API server, so nodegate does not change it: run kubectl $args" \
            --server "$URL" $args
    done
    cli --server "$URL" get nodes
    check_has "and reading still works" "$n   Enabled" "$OUT"
fi
finish
