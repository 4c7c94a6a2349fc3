# tls.sh - kube-scheduler's HTTP extender client over HTTPS with mutual TLS (sourced by e2e.sh):
# the nodegate-tls scheduler's extender entry has enableHTTPS and a tlsConfig with caFile,
# certFile, keyFile and serverName; its nodegate (full mode) serves --tls-cert-file and requires a
# client certificate of --client-ca-file. Two nodes that a pod's nodeSelector picks, one tainted:
# the pods land on the other, judged by nodegate alone (the in-tree taint plugin is off there).
ns=tls
kubectl create namespace $ns >/dev/null
kubectl apply -f - >/dev/null <<EOF2
$(node_yaml tls-open '{"e2e-tls": "yes"}')
---
$(node_yaml tls-tainted '{"e2e-tls": "yes"}' '[{key: gate, value: closed, effect: NoSchedule}]')
EOF2
kubectl apply -n $ns -f - >/dev/null <<EOF2
apiVersion: apps/v1
kind: Deployment
metadata: {name: tls}
spec:
  replicas: 2
  selector: {matchLabels: {e2e: tls}}
  template:
    metadata: {labels: {e2e: tls}}
    spec:
      schedulerName: nodegate-tls
      nodeSelector: {e2e-tls: "yes"}
      containers: [{name: pause, image: registry.k8s.io/pause:3.10}]
EOF2
check "tls: kube-scheduler over HTTPS with a client certificate: both pods on the untainted node" \
    "tls-open tls-open" "$(wait_placed $ns e2e=tls 2)"
check "tls: nodegate-tls answered kube-scheduler's filter calls (--record)" yes \
    "$(ls "$RECORD-tls" 2>/dev/null | grep -q -- '-filter.reply.json$' && echo yes)"
check "tls: and refused no client certificate" 0 "$(grep -c 'refused the client certificate' "$TLS_LOG")"
delete_namespace $ns
kubectl delete node tls-open tls-tainted >/dev/null
