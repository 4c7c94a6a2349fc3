# cluster.sh - a real control plane on loopback for make e2e. Sourced by tests/kube/e2e.sh after
# tests/e2e/lib.sh (pass, fail, check, start_server, $T). Nothing runs in a container and nothing
# listens beyond 127.0.0.1:
#   etcd                      the API server's store (--unsafe-no-fsync: a test cluster)
#   kube-apiserver            RBAC, client certificates, service-account keys, all from openssl
#   kube-controller-manager   only the controllers the scenarios need (CONTROLLERS below)
#   kube-scheduler            one process per scheduler name (start_scheduler), no leader election
# Nodes are Node objects made with kubectl; no kubelet runs, so a pod is placed when the binding
# sets its spec.nodeName, and it stays Pending there.
KUBE_BIN=${KUBE_BIN:-build/kube/bin}
KUBECTL=$KUBE_BIN/kubectl
K8S=$T/k8s          # certificates, kubeconfigs, configs, logs of the control plane
mkdir -p "$K8S"

# The controllers the scenarios need, and no others. Left out on purpose: nodelifecycle and
# taint-eviction-controller, which would taint and evict from every kubelet-less (never Ready)
# node; podgc, which deletes pods bound to nodes a scenario removes. serviceaccount makes each
# namespace's "default" ServiceAccount, without which the ServiceAccount admission refuses pods.
CONTROLLERS=serviceaccount,daemonset,deployment,replicaset,garbagecollector,namespace
# --kube-api-qps 100 (default 20): the placement scenario's 117 Deployments make about 600 requests
# of the controller manager (ReplicaSets, pods, statuses), 28 s at 20 a second, 10 s at 100.
# The admission plugin TaintNodesByCondition taints every new Node node.kubernetes.io/not-ready:
# NoSchedule for the node-lifecycle controller to lift once the kubelet reports Ready; with
# neither here it would stay on every node, so it is off. Every other default plugin stays on
# (DefaultTolerationSeconds gives each pod the not-ready and unreachable NoExecute tolerations).
DISABLED_ADMISSION=TaintNodesByCondition
# --endpoint-reconciler-type none: the reconciler of the "kubernetes" Service refuses a loopback
# --advertise-address, and nothing here reaches the API server through that Service.

declare -a KUBE_PIDS=() KUBE_NAMES=()
declare -A SCHED_METRICS_OF=()   # each running kube-scheduler's /metrics URL, by component name

# stop_pid PID NAME: SIGTERM, then SIGKILL after 10 s; adds to STOPPED_ALL when it had to be killed.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    if ! exits_within_10s "$1"; then
        kill -KILL "$1" 2>/dev/null
        STOPPED_ALL+=" $2 (killed)"
    fi
    wait "$1" 2>/dev/null
}

# stop_kube: stops every component started here, newest first; STOPPED_ALL lists those that had
# to be killed.
STOPPED_ALL=''
stop_kube() {
    local i
    for ((i = ${#KUBE_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${KUBE_PIDS[$i]}" "${KUBE_NAMES[$i]}"; done
    KUBE_PIDS=() KUBE_NAMES=()
}

# stop_component NAME: stops the one component started under NAME.
stop_component() {
    local i pid
    for i in "${!KUBE_NAMES[@]}"; do
        [ "${KUBE_NAMES[$i]}" = "$1" ] || continue
        pid=${KUBE_PIDS[$i]}
        unset "KUBE_PIDS[$i]" "KUBE_NAMES[$i]"
        KUBE_PIDS=("${KUBE_PIDS[@]}") KUBE_NAMES=("${KUBE_NAMES[@]}")
        unset "SCHED_METRICS_OF[$1]"
        stop_pid "$pid" "$1"
        return 0
    done
}

# free_port: a loopback TCP port nothing listens on now (the kernel's next ephemeral pick is
# avoided by drawing from 20000-32767, below Linux's ephemeral range).
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 12768))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

# launch NAME BINARY ARGS...: starts a component with its log in $K8S/NAME.log, after printing
# its version line.
launch() {
    local name=$1 bin=$2
    shift 2
    KUBE_NAMES+=("$name")
    "$bin" "$@" >"$K8S/$name.log" 2>&1 &
    KUBE_PIDS+=($!)
}

running() {   # running NAME: the component started under NAME is alive
    local i
    for i in "${!KUBE_NAMES[@]}"; do
        [ "${KUBE_NAMES[$i]}" = "$1" ] && kill -0 "${KUBE_PIDS[$i]}" 2>/dev/null && return 0
    done
    return 1
}

# until_ok SECONDS WHAT LOG COMMAND...: polls COMMAND every 0.1 s until it succeeds; when SECONDS
# pass first, a failed check WHAT with the last lines of the component's LOG.
until_ok() {
    local secs=$1 what=$2 log=$3 i
    shift 3
    for ((i = 0; i < secs * 10; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        running "$log" || break
        sleep 0.1
    done
    fail "$what" "$(tail -5 "$K8S/$log.log" 2>/dev/null)"
    return 1
}

# ---- certificates (openssl, made fresh for each run, valid for a day) ----
make_certs() {
    local d=$K8S/pki
    mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
        -subj /CN=nodegate-e2e-ca -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
    # cert NAME SUBJECT [SAN]: a key and a certificate signed by the CA.
    cert() {
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$2" \
            -keyout "$d/$1.key" -out "$d/$1.csr" 2>/dev/null &&
            openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
                -days 1 -out "$d/$1.crt" ${3:+-extfile <(printf 'subjectAltName=%s\n' "$3")} 2>/dev/null
    }
    cert apiserver /CN=kube-apiserver \
        IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc
    cert admin "/O=system:masters/CN=kubernetes-admin"
    cert controller-manager /CN=system:kube-controller-manager
    cert scheduler /CN=system:kube-scheduler
    # nodegate-tls's serving certificate: the URL's address, and the name the scheduler's serverName gives
    cert nodegate /CN=nodegate IP:127.0.0.1,DNS:nodegate.kube-system.svc
    # service-account tokens: signed by the API server with this key, checked with its public half
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/sa.key" 2>/dev/null
    openssl pkey -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
    [ -s "$d/sa.pub" ] && [ -s "$d/scheduler.crt" ]
}

# kubeconfig FILE USER-YAML: a kubeconfig for the e2e API server.
kubeconfig() {
    cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: $APISERVER
    certificate-authority: $K8S/pki/ca.crt
users:
- name: user
  user:
$2
contexts:
- name: e2e
  context: {cluster: e2e, user: user}
current-context: e2e
EOF
}
cert_user() {   # cert_user NAME: the kubeconfig user block of a client certificate
    printf '    client-certificate: %s\n    client-key: %s\n' "$K8S/pki/$1.crt" "$K8S/pki/$1.key"
}

kubectl() { "$KUBECTL" --kubeconfig "$K8S/admin.kubeconfig" "$@"; }

version_of() { "$@" 2>&1 | head -1; }

# start_control_plane: etcd, kube-apiserver, kube-controller-manager; returns 1 after a failed
# check when one of them does not come up.
start_control_plane() {
    make_certs || { fail "openssl makes the certificates"; return 1; }
    local etcd_port peer_port
    etcd_port=$(free_port) peer_port=$(free_port)
    echo "# etcd: $(version_of "$KUBE_BIN/etcd" --version)"
    launch etcd "$KUBE_BIN/etcd" --name e2e --data-dir "$K8S/etcd" --unsafe-no-fsync \
        --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-cluster "e2e=http://127.0.0.1:$peer_port" --listen-metrics-urls "" --log-level warn
    until_ok 30 "etcd answers /health" etcd \
        curl -sf "http://127.0.0.1:$etcd_port/health" || return 1

    local api_port
    api_port=$(free_port)
    APISERVER=https://127.0.0.1:$api_port
    echo "# kube-apiserver: $(version_of "$KUBE_BIN/kube-apiserver" --version)"
    launch kube-apiserver "$KUBE_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
        --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
        --tls-cert-file "$K8S/pki/apiserver.crt" --tls-private-key-file "$K8S/pki/apiserver.key" \
        --client-ca-file "$K8S/pki/ca.crt" --authorization-mode RBAC \
        --service-account-key-file "$K8S/pki/sa.pub" --service-account-signing-key-file "$K8S/pki/sa.key" \
        --service-account-issuer https://kubernetes.default.svc --service-cluster-ip-range 10.0.0.0/24 \
        --disable-admission-plugins "$DISABLED_ADMISSION" --profiling=false \
        --endpoint-reconciler-type none
    kubeconfig "$K8S/admin.kubeconfig" "$(cert_user admin)"
    kubeconfig "$K8S/controller-manager.kubeconfig" "$(cert_user controller-manager)"
    kubeconfig "$K8S/scheduler.kubeconfig" "$(cert_user scheduler)"
    until_ok 60 "kube-apiserver is ready" kube-apiserver \
        kubectl get --raw /readyz || return 1
    echo "# kubectl: $(version_of "$KUBECTL" version --client)"

    echo "# kube-controller-manager: $(version_of "$KUBE_BIN/kube-controller-manager" --version) (controllers: $CONTROLLERS)"
    launch kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
        --kubeconfig "$K8S/controller-manager.kubeconfig" --controllers "$CONTROLLERS" \
        --use-service-account-credentials \
        --root-ca-file "$K8S/pki/ca.crt" --leader-elect=false --secure-port 0 \
        --kube-api-qps 100 --kube-api-burst 200
    # --use-service-account-credentials: each controller as its own ServiceAccount, as kubeadm runs
    # them, with tokens from the TokenRequest API (no legacy token controller, so no private key).
    # Ready once the serviceaccount controller has made the default namespace's account.
    until_ok 60 "kube-controller-manager makes the default ServiceAccount" kube-controller-manager \
        kubectl get serviceaccount default -n default
}

# nodegate_kubeconfig FILE: a kubeconfig for nodegate as the ServiceAccount kube-system/nodegate
# of examples/deploy/rbac.yaml, with a bound token from the TokenRequest API.
nodegate_kubeconfig() {
    local token
    token=$(kubectl create token nodegate -n kube-system --duration 2h) || return 1
    kubeconfig "$1" "    token: $token"
}

# scheduler_yaml BODY: a KubeSchedulerConfiguration for the e2e API server, without leader
# election (each scheduler here is the only one of its names), with BODY's fields.
scheduler_yaml() {
    printf 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n'
    printf 'clientConnection:\n  kubeconfig: %s\nleaderElection:\n  leaderElect: false\n' "$K8S/scheduler.kubeconfig"
    printf '%s\n' "$1"
}

# start_scheduler NAME CONFIG-YAML [FLAGS...]: a kube-scheduler with that KubeSchedulerConfiguration
# (and FLAGS, such as -v=2); sets SCHED_METRICS to its /metrics URL, also kept in SCHED_METRICS_OF.
start_scheduler() {
    local name=$1 port
    port=$(free_port)
    printf '%s\n' "$2" >"$K8S/$name.yaml"
    [ -n "${SCHED_VERSION_SHOWN:-}" ] ||
        echo "# kube-scheduler: $(version_of "$KUBE_BIN/kube-scheduler" --version)"
    SCHED_VERSION_SHOWN=1
    launch "kube-scheduler-$name" "$KUBE_BIN/kube-scheduler" --config "$K8S/$name.yaml" \
        --bind-address 127.0.0.1 --secure-port "$port" \
        --authorization-always-allow-paths /healthz,/readyz,/livez,/metrics "${@:3}"
    SCHED_METRICS=https://127.0.0.1:$port/metrics
    SCHED_METRICS_OF[kube-scheduler-$name]=$SCHED_METRICS
    until_ok 60 "kube-scheduler $name is ready" "kube-scheduler-$name" \
        curl -skf "https://127.0.0.1:$port/readyz"
}

# ---- what the scenarios share ----
WAIT_S=60   # the bound on every wait for the cluster to act

# node_yaml NAME LABELS-JSON [TAINTS-FLOW-YAML] [UNSCHEDULABLE]: a Node as a kubelet would register
# it (room for 110 pods, $NODE_CPU CPUs (default 4), 8 GiB: NodeResourcesFit refuses a node with no
# allocatable pods).
node_yaml() {
    local cpu=${NODE_CPU:-4}
    cat <<EOF2
apiVersion: v1
kind: Node
metadata:
  name: $1
  labels: $(jq -c --arg n "$1" '. + {"kubernetes.io/hostname": $n}' <<<"$2")
spec:
  taints: ${3:-[]}
  unschedulable: ${4:-false}
status:
  capacity: {cpu: "$cpu", memory: 8Gi, pods: "110"}
  allocatable: {cpu: "$cpu", memory: 8Gi, pods: "110"}
EOF2
}

# wait_cache NAME JQ-TEST: waits until what names-mode nodegate holds of node NAME (GET /nodes/NAME,
# a v1 Node; null when absent) passes JQ-TEST; false after WAIT_S.
wait_cache() { until_true "$WAIT_S" cache_passes "$1" "$2"; }
cache_passes() { { curl -sf "$NAMES_URL/nodes/$1" || echo null; } | jq -e "$2"; }
# wait_cached NAME KEY:EFFECT: the cache has node NAME with that taint.
wait_cached() {
    wait_cache "$1" "[(.spec.taints // [])[] | .key + \":\" + .effect] | index(\"$2\") != null"
}

# wait_schedulers_nodes COUNT: waits until every kube-scheduler's cache holds COUNT nodes (its
# scheduler_cache_size{type="nodes"} gauge, refreshed each second); false after WAIT_S. A node
# created after other changes to nodes proves, once counted, that those changes are in too: each
# scheduler's informer applies the node watch's events in order.
wait_schedulers_nodes() {
    local end=$((SECONDS + WAIT_S)) url
    for url in "${SCHED_METRICS_OF[@]}"; do
        until_true $((end - SECONDS)) counts_nodes "$url" "$1" || return 1
    done
}
counts_nodes() { [ "$(metric_at "$1" 'scheduler_cache_size{type="nodes"}')" = "$2" ]; }

# placed NS SELECTOR [GENERATION]: the nodes of the pods that are not being deleted, sorted, one
# word each ("<pending>" for a pod with no node yet).
placed() {
    kubectl get pods -n "$1" -l "$2${3:+,pod-template-generation=$3}" -o json |
        jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | .spec.nodeName // "<pending>"] | sort | join(" ")'
}
# confirm_deleted NS: what a kubelet does for a bound pod being deleted once its containers have
# stopped: the final delete. No kubelet runs here, so without it a deleted pod stays Terminating,
# and a controller that waits for it to go (the DaemonSet controller's rolling update) waits forever.
confirm_deleted() {
    kubectl get pods -n "$1" -o json |
        jq -r '.items[] | select(.metadata.deletionTimestamp != null) | .metadata.name' |
        xargs -r "$KUBECTL" --kubeconfig "$K8S/admin.kubeconfig" delete pod -n "$1" --force --grace-period 0 \
            >/dev/null 2>&1
}
# wait_placed NS SELECTOR COUNT [GENERATION]: waits until COUNT such pods are all bound, then
# prints their nodes; prints what there is after WAIT_S. Deleted pods are confirmed meanwhile.
wait_placed() {
    local end=$((SECONDS + WAIT_S)) got
    while :; do
        got=$(placed "$1" "$2" "${4:-}")
        [ "$(wc -w <<<"$got")" -eq "$3" ] && [[ "$got" != *"<pending>"* ]] && break
        [ $SECONDS -lt $end ] || break
        confirm_deleted "$1"
        sleep 0.1
    done
    echo "$got"
}

ds_generation() { kubectl get daemonset -n "$1" "$2" -o jsonpath='{.metadata.generation}'; }

# delete_namespace NS...: deletes them and waits until they are gone, confirming their pods'
# deletions (all at once: the namespace controller empties them side by side).
delete_namespace() {
    local end=$((SECONDS + WAIT_S)) ns out left=("$@")
    kubectl delete namespace "$@" --wait=false >/dev/null
    while [ $SECONDS -lt $end ]; do
        for ns in "${left[@]}"; do confirm_deleted "$ns"; done
        if out=$(kubectl get namespace "${left[@]}" -o name --ignore-not-found 2>/dev/null); then
            read -ra left <<<"$(sed 's|^namespace/||' <<<"$out" | paste -sd ' ')"
            [ ${#left[@]} -eq 0 ] && return 0
        fi
        sleep 0.2
    done
    fail "namespace ${left[*]} is deleted"
}

# pod_yaml NAME SCHEDULER SPEC-EXTRA-YAML: a pod of the pause image (never pulled: no kubelet), the
# extra fields indented as spec fields.
pod_yaml() {
    cat <<EOF2
apiVersion: v1
kind: Pod
metadata:
  name: $1
  labels: {e2e: "$1"}
spec:
  schedulerName: $2
  containers:
  - name: pause
    image: registry.k8s.io/pause:3.10
${3:-}
EOF2
}

# events NS POD REASON: the messages of that pod's events with that reason, one a line.
events() {
    kubectl get events -n "$1" --field-selector "involvedObject.name=$2,reason=$3" -o json |
        jq -r '.items[].message'
}

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }   # ms_since START-NS
