# deploy.sh - what an operator deploys (sourced by e2e.sh): every manifest of examples/deploy/
# passes the API server's own validation and admission (kubectl apply --dry-run=server; rbac.yaml
# was applied for real at the start, and nodegate has run on it since), and every
# KubeSchedulerConfiguration shipped is one kube-scheduler v1.37 accepts (strict decoding and
# validation: --write-config-to loads, defaults and writes the config, then exits).
for f in examples/deploy/*.yaml; do
    grep -q '^kind: KubeSchedulerConfiguration' "$f" && continue
    out=$(kubectl apply --dry-run=server -f "$f" 2>&1)
    check "deploy: kubectl apply --dry-run=server -f $f" "" \
        "$(grep -v ' (server dry run)$' <<<"$out")$([ -n "$out" ] || echo 'no output')"
done
# accepts NAME CONFIG-TEXT: kube-scheduler loads it, connected to this cluster (its kubeconfig for
# the host's /etc/kubernetes/scheduler.conf, or for none: the in-cluster config of a pod).
accepts() {
    local f=$K8S/check-$((++ACCEPTS)) add_client=()
    grep -q 'clientConnection:' <<<"$2" ||
        add_client=(-e "/^ *kind: KubeSchedulerConfiguration\$/{p;s|kind:.*|clientConnection: {kubeconfig: $K8S/scheduler.kubeconfig}|}")
    printf '%s\n' "$2" | sed -e "s|kubeconfig: /etc/kubernetes/scheduler.conf|kubeconfig: $K8S/scheduler.kubeconfig|" \
        "${add_client[@]}" >"$f.yaml"
    "$KUBE_BIN/kube-scheduler" --config "$f.yaml" --write-config-to "$f.out" >"$f.log" 2>&1
    check "deploy: kube-scheduler accepts $1" "accepted" "$([ -s "$f.out" ] && echo accepted || tail -1 "$f.log")"
}
ACCEPTS=0
accepts examples/scheduler-config.yaml "$(cat examples/scheduler-config.yaml)"
accepts examples/deploy/kubeadm-scheduler-config.yaml "$(cat examples/deploy/kubeadm-scheduler-config.yaml)"
accepts "the ConfigMap of examples/deploy/second-scheduler.yaml" \
    "$(kubectl apply --dry-run=server -f examples/deploy/second-scheduler.yaml -o json |
        jq -r '.items[] | select(.kind == "ConfigMap") | .data["config.yaml"]')"
