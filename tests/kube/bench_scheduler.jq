# bench_scheduler.jq - the cluster and the pods of tests/kube/bench-scheduler.sh, and the check of
# where the pods were bound (jq -L tests/kube 'include "bench_scheduler"; ...').

# ---- the nodes ----
# Node i of N (0-based), named as EC2 names them. The first 3 are the control plane (tainted
# node-role.kubernetes.io/control-plane:NoSchedule); of the others, by i % 50: 4 of 50 dedicated to
# databases (dedicated=db:NoSchedule), 3 GPU nodes (nvidia.com/gpu=present:NoSchedule; A100 or L4),
# 5 spot nodes (spot=true:PreferNoSchedule), 1 cordoned (spec.unschedulable and the taint the node
# lifecycle controller adds), 1 under maintenance (maintenance=true:NoExecute), 36 general.
# Zones eu-west-1a/b/c by i % 3.
def node_kind($i):
    if $i < 3 then "cp" else ($i % 50) as $m |
        if $m < 4 then "db" elif $m < 7 then "gpu" elif $m < 12 then "spot"
        elif $m == 12 then "cordoned" elif $m == 13 then "maint" else "general" end end;
def node_name($i): "ip-10-\(20 + ($i / 250 | floor))-\($i % 250 + 1)-\($i % 7 + 10).eu-west-1.compute.internal";
def node($i):
    node_kind($i) as $k | node_name($i) as $n | ["a", "b", "c"][$i % 3] as $z |
    (if $k == "gpu" then (if ($i / 50 | floor) % 2 == 0 then "p4d.24xlarge" else "g6.4xlarge" end)
     elif $k == "db" then "r6i.4xlarge" elif $k == "cp" then "m6i.xlarge"
     elif $i % 2 == 0 then "m6i.4xlarge" else "m6i.2xlarge" end) as $type |
    (if $type == "m6i.2xlarge" or $type == "m6i.xlarge" then "8" else "16" end) as $cpu |
    {apiVersion: "v1", kind: "Node",
     metadata: {name: $n, labels: ({
         "kubernetes.io/hostname": $n, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
         "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
         "topology.kubernetes.io/region": "eu-west-1", "topology.kubernetes.io/zone": "eu-west-1\($z)",
         "node.kubernetes.io/instance-type": $type}
       + (if $k == "cp" then {"node-role.kubernetes.io/control-plane": ""}
          elif $k == "gpu" then {pool: "gpu", accelerator: (if $type == "p4d.24xlarge" then "nvidia-a100" else "nvidia-l4" end)}
          elif $k == "db" then {pool: "db"} elif $k == "spot" then {pool: "spot", lifecycle: "spot"}
          else {pool: "general"} end)),
       annotations: {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
     spec: ({providerID: "aws:///eu-west-1\($z)/i-0\($i + 100000 | tostring)bench",
             taints: (if $k == "cp" then [{key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule"}]
                 elif $k == "db" then [{key: "dedicated", value: "db", effect: "NoSchedule"}]
                 elif $k == "gpu" then [{key: "nvidia.com/gpu", value: "present", effect: "NoSchedule"}]
                 elif $k == "spot" then [{key: "spot", value: "true", effect: "PreferNoSchedule"}]
                 elif $k == "cordoned" then [{key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: "2026-12-01T00:00:00Z"}]
                 elif $k == "maint" then [{key: "maintenance", value: "true", effect: "NoExecute", timeAdded: "2026-12-01T00:00:00Z"}]
                 else [] end)}
           + (if $k == "cordoned" then {unschedulable: true} else {} end)),
     status: {
       capacity: ({cpu: $cpu, memory: "64Gi", pods: "110", "ephemeral-storage": "100Gi"} + (if $k == "gpu" then {"nvidia.com/gpu": "8"} else {} end)),
       allocatable: ({cpu: $cpu, memory: "63Gi", pods: "110", "ephemeral-storage": "95Gi"} + (if $k == "gpu" then {"nvidia.com/gpu": "8"} else {} end)),
       conditions: [
         ({type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available"}),
         ({type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure"}),
         ({type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available"}),
         ({type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status"})
       ] | map(. + {lastHeartbeatTime: "2026-12-01T00:00:00Z", lastTransitionTime: "2026-12-01T00:00:00Z"}),
       addresses: [{type: "InternalIP", address: "10.\(20 + ($i / 250 | floor)).\($i % 250 + 1).\($i % 7 + 10)"}, {type: "Hostname", address: $n}],
       daemonEndpoints: {kubeletEndpoint: {Port: 10250}},
       nodeInfo: {machineID: "ec2\($i)", systemUUID: "ec2\($i)", bootID: "boot-\($i)", kernelVersion: "6.1.0-27-cloud-amd64",
                  osImage: "Debian GNU/Linux 12 (bookworm)", containerRuntimeVersion: "containerd://1.7.24",
                  kubeletVersion: "v1.37.2", kubeProxyVersion: "", operatingSystem: "linux", architecture: "amd64"},
       images: [
         {names: ["registry.k8s.io/kube-proxy@sha256:\("0" * 64)", "registry.k8s.io/kube-proxy:v1.37.2"], sizeBytes: 30000000},
         {names: ["quay.io/prometheus/node-exporter@sha256:\("1" * 64)", "quay.io/prometheus/node-exporter:v1.8.2"], sizeBytes: 11000000},
         {names: ["docker.io/library/nginx@sha256:\("2" * 64)", "docker.io/library/nginx:1.27"], sizeBytes: 70000000},
         {names: ["registry.k8s.io/pause@sha256:\("3" * 64)", "registry.k8s.io/pause:3.10"], sizeBytes: 320000}]}};
def nodes($n): [range(0; $n) | node(.)];

# ---- the pods ----
# DaemonSet-style pods as the DaemonSet controller makes them: pinned with a required
# matchFields metadata.name In [node] term, and the controller's default tolerations
# (pkg/controller/daemon/util: not-ready and unreachable NoExecute, the pressure and unschedulable
# NoSchedule ones; network-unavailable for hostNetwork pods).
def ds_tolerations($hostnet):
    [{key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute"},
     {key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute"},
     {key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule"},
     {key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule"},
     {key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule"},
     {key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule"}]
    + (if $hostnet then [{key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule"}] else [] end);
def pin($node): {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution:
    {nodeSelectorTerms: [{matchFields: [{key: "metadata.name", operator: "In", values: [$node]}]}]}}};
def pod($app; $j; $spec; $cpu; $mem):
    {apiVersion: "v1", kind: "Pod",
     metadata: {name: "\($app)-\($j)", labels: {app: $app, "bench/kind": (if $spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields then "daemonset" else "deployment" end)}},
     spec: ({schedulerName: "SCHEDULER", terminationGracePeriodSeconds: 0,
             containers: [{name: $app, image: "registry.k8s.io/pause:3.10",
                           resources: (if $cpu then {requests: {cpu: $cpu, memory: $mem}} else {} end)}]} + $spec)};
# order: each app's pods spread evenly over the whole sequence, as a busy cluster interleaves them.
def interleave: [.[] | length as $n | to_entries[] | {k: ((.key + 0.5) / $n), v: .value}] | sort_by(.k) | map(.v);
def pods($nodes):
    ($nodes | map(.metadata.name)) as $names |
    ($nodes | map(select(.spec.taints | all(.effect == "PreferNoSchedule" or .key == "node.kubernetes.io/unschedulable"))) | map(.metadata.name)) as $ds_ok |
    ($nodes | map(select(.metadata.labels.pool == "gpu")) | map(.metadata.name)) as $gpu |
    def spread($list; $count): [range(0; $count) | $list[(. * ($list | length) / $count) | floor]];
    [
      # node-exporter: default tolerations only, so only nodes without a NoSchedule/NoExecute taint but the cordon
      [spread($ds_ok; 200) | to_entries[] | pod("node-exporter"; .key; {affinity: pin(.value), tolerations: ds_tolerations(true), hostNetwork: true}; "10m"; "32Mi")],
      # kube-proxy: tolerates everything ({operator: Exists}); the control plane included
      [([$names[0], $names[1], $names[2]] + spread($names[3:]; 77)) | to_entries[] | pod("kube-proxy"; .key; {affinity: pin(.value), tolerations: ([{operator: "Exists"}] + ds_tolerations(true)), hostNetwork: true}; "100m"; "64Mi")],
      # the GPU device plugin: its template's nodeSelector and the GPU taint's toleration
      [spread($gpu; 20) | to_entries[] | pod("gpu-plugin"; .key; {affinity: pin(.value), nodeSelector: {pool: "gpu"}, tolerations: ([{key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"}] + ds_tolerations(false))}; "10m"; "32Mi")],
      # Deployments
      [range(0; 200) | pod("web"; .; {nodeSelector: {pool: "general"}, affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution:
          [{weight: 80, preference: {matchExpressions: [{key: "topology.kubernetes.io/zone", operator: "In", values: ["eu-west-1a"]}]}}]}}}; "100m"; "128Mi")],
      [range(0; 150) | pod("api"; .; {nodeSelector: {"kubernetes.io/os": "linux"}, affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms:
          [{matchExpressions: [{key: "topology.kubernetes.io/zone", operator: "In", values: ["eu-west-1a", "eu-west-1b"]},
                               {key: "node.kubernetes.io/instance-type", operator: "In", values: ["m6i.2xlarge", "m6i.4xlarge"]}]}]}}}}; "250m"; "256Mi")],
      [range(0; 100) | pod("db"; .; {nodeSelector: {pool: "db"}, tolerations: [{key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule"}]}; "1"; "4Gi")],
      [range(0; 50) | pod("ml"; .; {nodeSelector: {pool: "gpu"}, tolerations: [{key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"}],
          affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms:
          [{matchExpressions: [{key: "accelerator", operator: "In", values: ["nvidia-a100"]}]}]}}}}; "2"; "8Gi")],
      [range(0; 100) | pod("batch"; .; {tolerations: [{key: "spot", operator: "Equal", value: "true", effect: "PreferNoSchedule"}],
          affinity: {nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist"}]}]},
            preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, preference: {matchExpressions: [{key: "lifecycle", operator: "In", values: ["spot"]}]}}]}}}; "500m"; "512Mi")],
      [range(0; 100) | pod("plain"; .; {}; null; null)]
    ] | interleave;

# ---- the check: is a pod's node one the Kubernetes rules allow? ----
def tolerates($tols; $taint):
    any($tols[]; ((.effect // "") as $e | $e == "" or $e == $taint.effect)
        and ((.key // "") as $k | $k == "" or $k == $taint.key)
        and ((.operator // "Equal") as $op | $op == "Exists" or ($op == "Equal" and (.value // "") == ($taint.value // ""))));
def req_ok($r; $labels):
    $labels[$r.key] as $v |
    if $r.operator == "In" then $v != null and ($r.values | index([$v])) != null
    elif $r.operator == "NotIn" then $v == null or ($r.values | index([$v])) == null
    elif $r.operator == "Exists" then $v != null
    elif $r.operator == "DoesNotExist" then $v == null
    else false end;
def allowed($pod; $node):
    ($pod.spec.tolerations // []) as $tols |
    (($node.spec.taints // []) | all(.effect == "PreferNoSchedule" or tolerates($tols; .))) and
    (($node.spec.unschedulable // false | not) or tolerates($tols; {key: "node.kubernetes.io/unschedulable", effect: "NoSchedule"})) and
    (($pod.spec.nodeSelector // {}) | to_entries | all($node.metadata.labels[.key] == .value)) and
    ($pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms as $terms |
     $terms == null or any($terms[]; ((.matchExpressions // []) + (.matchFields // [])) as $all | ($all | length) > 0 and
         all((.matchExpressions // [])[]; req_ok(.; $node.metadata.labels)) and
         all((.matchFields // [])[]; .key == "metadata.name" and req_ok({key: "n", operator: .operator, values: .values}; {n: $node.metadata.name}))));
# input: {nodes: NodeList items, pods: PodList items}; output: what the run decided, in one object.
def verdict:
    (.nodes | map({key: .metadata.name, value: .}) | from_entries) as $by |
    .pods as $pods |
    {pods: ($pods | length),
     bound: ($pods | map(select(.spec.nodeName)) | length),
     refused: [$pods[] | select(.spec.nodeName) | select(allowed(.; $by[.spec.nodeName]) | not) | "\(.metadata.name) on \(.spec.nodeName)"],
     pinned: ($pods | map(select(.metadata.labels["bench/kind"] == "daemonset") | "\(.metadata.name)=\(.spec.nodeName // "-")") | sort | join(" ")),
     web_in_1a: ($pods | map(select(.metadata.labels.app == "web" and .spec.nodeName and $by[.spec.nodeName].metadata.labels["topology.kubernetes.io/zone"] == "eu-west-1a")) | length),
     batch_on_spot: ($pods | map(select(.metadata.labels.app == "batch" and .spec.nodeName and $by[.spec.nodeName].metadata.labels.lifecycle == "spot")) | length),
     nodes_used: ($pods | map(.spec.nodeName // empty) | unique | length)};
