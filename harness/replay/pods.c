/* pods.c - pending pods as kube-scheduler sends them (~4-6 KB): DaemonSet pods exactly as
 * the controller creates them, and ReplicaSet pods of seven Deployment templates. */
#include "replay.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

#define ECR "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
#define KUBE_VERSION "v1.28.5"

/* ---- shared pieces ---- */

typedef struct {
    const char *key, *op, *v[3];
} requirement;

static void write_requirement(rp_jw *w, const requirement *q)
{
    rp_jw_obj(w, NULL);
    rp_jw_str(w, "key", q->key);
    rp_jw_str(w, "operator", q->op);
    if (q->v[0]) {
        rp_jw_arr(w, "values");
        for (int i = 0; i < 3 && q->v[i]; i++)
            rp_jw_str(w, NULL, q->v[i]);
        rp_jw_end(w, ']');
    }
    rp_jw_end(w, '}');
}

typedef struct {
    const char *key, *op, *value, *effect;
    long long seconds;   /* tolerationSeconds, 0 for none */
} toleration;

static void write_toleration(rp_jw *w, const toleration *t)
{
    rp_jw_obj(w, NULL);
    if (t->key)
        rp_jw_str(w, "key", t->key);
    rp_jw_str(w, "operator", t->op);
    if (t->value)
        rp_jw_str(w, "value", t->value);
    if (t->effect)
        rp_jw_str(w, "effect", t->effect);
    if (t->seconds)
        rp_jw_int(w, "tolerationSeconds", t->seconds);
    rp_jw_end(w, '}');
}

/* What the DaemonSet controller adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
static const toleration ds_default_tolerations[] = {
    {"node.kubernetes.io/not-ready", "Exists", NULL, "NoExecute", 0},
    {"node.kubernetes.io/unreachable", "Exists", NULL, "NoExecute", 0},
    {"node.kubernetes.io/disk-pressure", "Exists", NULL, "NoSchedule", 0},
    {"node.kubernetes.io/memory-pressure", "Exists", NULL, "NoSchedule", 0},
    {"node.kubernetes.io/pid-pressure", "Exists", NULL, "NoSchedule", 0},
    {"node.kubernetes.io/unschedulable", "Exists", NULL, "NoSchedule", 0},
};
static const toleration ds_hostnet_toleration = {"node.kubernetes.io/network-unavailable", "Exists", NULL,
                                                 "NoSchedule", 0};
/* What the DefaultTolerationSeconds admission plugin adds to every other pod. */
static const toleration default_toleration_seconds[] = {
    {"node.kubernetes.io/not-ready", "Exists", NULL, "NoExecute", 300},
    {"node.kubernetes.io/unreachable", "Exists", NULL, "NoExecute", 300},
};
static const toleration cp_toleration = {"node-role.kubernetes.io/control-plane", "Exists", NULL, "NoSchedule", 0};
static const toleration gpu_tolerations[] = {
    {"dedicated", "Equal", "gpu", "NoSchedule", 0},
    {"nvidia.com/gpu", "Exists", NULL, "NoSchedule", 0},
};

static void write_volume_mount(rp_jw *w, const char *name, bool ro, const char *path)
{
    rp_jw_obj(w, NULL);
    rp_jw_str(w, "name", name);
    if (ro)
        rp_jw_bool(w, "readOnly", true);
    rp_jw_str(w, "mountPath", path);
    rp_jw_end(w, '}');
}

static void write_api_access_volume(rp_jw *w, const char *name)
{
    static const char sources[] =
        "[{\"serviceAccountToken\":{\"expirationSeconds\":3607,\"path\":\"token\"}},"
        "{\"configMap\":{\"name\":\"kube-root-ca.crt\",\"items\":[{\"key\":\"ca.crt\",\"path\":\"ca.crt\"}]}},"
        "{\"downwardAPI\":{\"items\":[{\"path\":\"namespace\",\"fieldRef\":{\"apiVersion\":\"v1\","
        "\"fieldPath\":\"metadata.namespace\"}}]}}]";
    rp_jw_obj(w, NULL);
    rp_jw_str(w, "name", name);
    rp_jw_obj(w, "projected");
    rp_jw_raw(w, "sources", sources, sizeof sources - 1);
    rp_jw_int(w, "defaultMode", 420);
    rp_jw_end(w, '}');
    rp_jw_end(w, '}');
}

static void write_probe(rp_jw *w, const char *key, const char *path, int port, int initial, int period)
{
    rp_jw_obj(w, key);
    rp_jw_obj(w, "httpGet");
    rp_jw_str(w, "path", path);
    rp_jw_int(w, "port", port);
    rp_jw_str(w, "scheme", "HTTP");
    rp_jw_end(w, '}');
    rp_jw_int(w, "initialDelaySeconds", initial);
    rp_jw_int(w, "timeoutSeconds", 1);
    rp_jw_int(w, "periodSeconds", period);
    rp_jw_int(w, "successThreshold", 1);
    rp_jw_int(w, "failureThreshold", 3);
    rp_jw_end(w, '}');
}

static void write_env_field(rp_jw *w, const char *name, const char *path)
{
    rp_jw_obj(w, NULL);
    rp_jw_str(w, "name", name);
    rp_jw_obj(w, "valueFrom");
    rp_jw_obj(w, "fieldRef");
    rp_jw_str(w, "apiVersion", "v1");
    rp_jw_str(w, "fieldPath", path);
    rp_jw_end(w, '}');
    rp_jw_end(w, '}');
    rp_jw_end(w, '}');
}

typedef struct {
    const char *name, *image, *args[3];
    const char *cpu_req, *mem_req, *cpu_lim, *mem_lim;
    int port, env_n;
    bool probes, downward, gpu;
    const char *const *mounts;   /* name, mountPath pairs, NULL-terminated; all read-only but "tmp" */
} container;

static void write_env(rp_jw *w, const container *c)
{
    static const char *const extra[][2] = {
        {"LOG_LEVEL", "info"}, {"LOG_FORMAT", "json"}, {"GOMAXPROCS", "4"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.observability.svc.cluster.local:4317"},
        {"OTEL_SERVICE_NAME", NULL}, {"HTTP_PORT", NULL}, {"METRICS_PORT", "9090"},
        {"DB_HOST", "postgres-primary.data.svc.cluster.local"}, {"CACHE_URL", "redis://redis-master.cache.svc:6379/0"},
        {"FEATURE_FLAGS", "checkout-v2,async-invoices,new-search-ranking"}, {"TZ", "UTC"},
    };
    rp_jw_arr(w, "env");
    if (c->downward) {
        write_env_field(w, "POD_NAME", "metadata.name");
        write_env_field(w, "POD_NAMESPACE", "metadata.namespace");
        write_env_field(w, "NODE_NAME", "spec.nodeName");
    }
    for (int i = 0; i < c->env_n && i < 11; i++) {
        char port[12];
        snprintf(port, sizeof port, "%d", c->port);
        rp_jw_obj(w, NULL);
        rp_jw_str(w, "name", extra[i][0]);
        rp_jw_str(w, "value", extra[i][1] ? extra[i][1] : i == 4 ? c->name : port);
        rp_jw_end(w, '}');
    }
    if (c->env_n > 6) {
        rp_jw_obj(w, NULL);
        rp_jw_str(w, "name", "DB_PASSWORD");
        rp_jw_obj(w, "valueFrom");
        rp_jw_obj(w, "secretKeyRef");
        rp_jw_strf(w, "name", "%s-db", c->name);
        rp_jw_str(w, "key", "password");
        rp_jw_end(w, '}');
        rp_jw_end(w, '}');
        rp_jw_end(w, '}');
    }
    rp_jw_end(w, ']');
}

static void write_resources(rp_jw *w, const container *c)
{
    const char *lim[] = {"cpu", c->cpu_lim, "memory", c->mem_lim, "nvidia.com/gpu", "1"};
    const char *req[] = {"cpu", c->cpu_req, "memory", c->mem_req, "nvidia.com/gpu", "1"};
    rp_jw_obj(w, "resources");
    rp_jw_map(w, "limits", lim, c->gpu ? 3 : 2);
    rp_jw_map(w, "requests", req, c->gpu ? 3 : 2);
    rp_jw_end(w, '}');
}

static void write_container(rp_jw *w, const container *c)
{
    rp_jw_obj(w, NULL);
    rp_jw_str(w, "name", c->name);
    rp_jw_str(w, "image", c->image);
    rp_jw_arr(w, "args");
    for (int i = 0; i < 3 && c->args[i]; i++)
        rp_jw_str(w, NULL, c->args[i]);
    rp_jw_end(w, ']');
    rp_jw_arr(w, "ports");
    rp_jw_rawf(w, NULL, "{\"name\":\"http\",\"containerPort\":%d,\"protocol\":\"TCP\"},"
                          "{\"name\":\"metrics\",\"containerPort\":9090,\"protocol\":\"TCP\"}", c->port);
    rp_jw_end(w, ']');
    write_env(w, c);
    write_resources(w, c);
    rp_jw_arr(w, "volumeMounts");
    for (const char *const *m = c->mounts; *m; m += 2)
        write_volume_mount(w, m[0], strcmp(m[0], "tmp") != 0, m[1]);
    rp_jw_end(w, ']');
    if (c->probes) {
        write_probe(w, "livenessProbe", "/healthz", c->port, 15, 20);
        write_probe(w, "readinessProbe", "/readyz", c->port, 5, 10);
    }
    rp_jw_str(w, "terminationMessagePath", "/dev/termination-log");
    rp_jw_str(w, "terminationMessagePolicy", "File");
    rp_jw_str(w, "imagePullPolicy", "IfNotPresent");
    static const char sc[] = "{\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true,"
                             "\"readOnlyRootFilesystem\":true,\"allowPrivilegeEscalation\":false}";
    rp_jw_raw(w, "securityContext", sc, sizeof sc - 1);
    rp_jw_end(w, '}');
}

/* Opens the pod and writes its metadata; the caller writes spec and status and closes it. */
static void write_pod_metadata(rp_jw *w, const char *name, const char *gen_name, const char *ns,
                               const char **labels, size_t nlabels, const char **ann, size_t nann,
                               const char *owner_kind, const char *owner_name, rp_rng *r)
{
    char uid[37], owner_uid[37];
    rp_rng_uid(r, owner_uid);
    rp_rng_uid(r, uid);
    rp_jw_obj(w, NULL);
    rp_jw_obj(w, "metadata");
    rp_jw_str(w, "name", name);
    rp_jw_str(w, "generateName", gen_name);
    rp_jw_str(w, "namespace", ns);
    rp_jw_str(w, "uid", uid);
    rp_jw_strf(w, "resourceVersion", "%llu", 10000000ull + (unsigned long long)rp_rng_below(r, 989999999));
    rp_jw_strf(w, "creationTimestamp", "2024-06-12T10:%02d:%02dZ", rp_rng_range(r, 30, 42),
               rp_rng_range(r, 0, 60));
    rp_jw_map(w, "labels", labels, nlabels);
    rp_jw_map(w, "annotations", ann, nann);
    rp_jw_arr(w, "ownerReferences");
    rp_jw_obj(w, NULL);
    rp_jw_str(w, "apiVersion", "apps/v1");
    rp_jw_str(w, "kind", owner_kind);
    rp_jw_str(w, "name", owner_name);
    rp_jw_str(w, "uid", owner_uid);
    rp_jw_bool(w, "controller", true);
    rp_jw_bool(w, "blockOwnerDeletion", true);
    rp_jw_end(w, '}');
    rp_jw_end(w, ']');
    rp_jw_end(w, '}');
}

/* ---- DaemonSet pods ---- */

typedef struct {
    const char *kind, *ns, *image;
    bool host_network;
    unsigned refuses;   /* node flags whose taints (or missing labels) keep the daemon off */
    bool needs_gpu;     /* nodeSelector nvidia.com/gpu.present=true */
} daemon;

enum { KUBE_PROXY, CALICO, NODE_EXPORTER, FLUENT_BIT, EBS_CSI, NVIDIA };
static const daemon daemons[] = {
    {"kube-proxy", "kube-system", "registry.k8s.io/kube-proxy:" KUBE_VERSION, true, 0, false},
    {"calico-node", "kube-system", "docker.io/calico/node:v3.26.4", true, 0, false},
    {"node-exporter", "monitoring", "quay.io/prometheus/node-exporter:v1.7.0", false, RP_GPU | RP_NOTREADY, false},
    {"fluent-bit", "logging", "cr.fluentbit.io/fluent/fluent-bit:2.2.2", false, RP_GPU | RP_NOTREADY, false},
    {"ebs-csi-node", "kube-system", "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.26.1", false,
     RP_CP | RP_GPU | RP_NOTREADY, false},
    {"nvidia-device-plugin", "kube-system", "nvcr.io/nvidia/k8s-device-plugin:v0.14.3", false,
     RP_CP | RP_NOTREADY, true},
};
#define N_DAEMONS (sizeof daemons / sizeof daemons[0])

static bool daemon_runs_on(const daemon *d, const rp_node *n)
{
    return !(n->flags & d->refuses) && (!d->needs_gpu || (n->flags & RP_GPU));
}

/* The controller only creates a pod for a node it should run on: pick one of the request's
 * candidates that qualifies (any candidate when none does, as a stale pod would be). */
static const char *daemon_target(const daemon *d, const rp_cluster *c, size_t start, size_t k, rp_rng *r)
{
    size_t eligible = 0;
    for (size_t j = 0; j < k; j++)
        eligible += daemon_runs_on(d, &c->nodes[(start + j) % c->n]);
    if (eligible == 0)
        return c->nodes[(start + (size_t)rp_rng_below(r, k)) % c->n].name;
    size_t want = (size_t)rp_rng_below(r, eligible);
    for (size_t j = 0;; j++) {
        const rp_node *n = &c->nodes[(start + j) % c->n];
        if (daemon_runs_on(d, n) && want-- == 0)
            return n->name;
    }
}

static void write_ds_tolerations(rp_jw *w, const daemon *d)
{
    static const toleration exists_all = {NULL, "Exists", NULL, NULL, 0};
    static const toleration calico[] = {{NULL, "Exists", NULL, "NoSchedule", 0},
                                        {"CriticalAddonsOnly", "Exists", NULL, NULL, 0},
                                        {NULL, "Exists", NULL, "NoExecute", 0}};
    rp_jw_arr(w, "tolerations");
    if (d == &daemons[KUBE_PROXY])
        write_toleration(w, &exists_all);
    else if (d == &daemons[CALICO])
        for (int i = 0; i < 3; i++)
            write_toleration(w, &calico[i]);
    else if (d == &daemons[NODE_EXPORTER] || d == &daemons[FLUENT_BIT])
        write_toleration(w, &cp_toleration);
    else if (d == &daemons[NVIDIA])
        for (int i = 0; i < 2; i++)
            write_toleration(w, &gpu_tolerations[i]);
    for (int i = 0; i < 6; i++)
        write_toleration(w, &ds_default_tolerations[i]);
    if (d->host_network)
        write_toleration(w, &ds_hostnet_toleration);
    rp_jw_end(w, ']');
}

/* Required affinity: the controller's one term pinning the pod to its node. */
static void write_ds_affinity(rp_jw *w, const char *target)
{
    requirement pin = {"metadata.name", "In", {target, NULL, NULL}};
    rp_jw_obj(w, "affinity");
    rp_jw_obj(w, "nodeAffinity");
    rp_jw_obj(w, "requiredDuringSchedulingIgnoredDuringExecution");
    rp_jw_arr(w, "nodeSelectorTerms");
    rp_jw_obj(w, NULL);
    rp_jw_arr(w, "matchFields");
    write_requirement(w, &pin);
    rp_jw_end(w, ']');
    rp_jw_end(w, '}');
    rp_jw_end(w, ']');
    rp_jw_end(w, '}');
    rp_jw_end(w, '}');
    rp_jw_end(w, '}');
}

/* Writes the pod's volumes and fills mounts (name, path pairs, NULL-terminated) pointing into
 * api_vol and host_paths, which the caller keeps alive while the containers are written. */
static void write_ds_volumes(rp_jw *w, const daemon *d, const char *api_vol, const char **mounts,
                             char host_paths[3][16])
{
    static const char *const host[][2] = {{"varlog", "/var/log"}, {"sys", "/sys"}, {"proc", "/proc"}};
    int nhost = d == &daemons[CALICO] ? 3 : d == &daemons[NODE_EXPORTER] || d == &daemons[FLUENT_BIT] ? 2 : 0, m = 0;
    rp_jw_arr(w, "volumes");
    for (int i = nhost - 1; i >= 0; i--) {
        rp_jw_obj(w, NULL);
        rp_jw_str(w, "name", host[i][0]);
        rp_jw_obj(w, "hostPath");
        rp_jw_str(w, "path", host[i][1]);
        rp_jw_str(w, "type", "");
        rp_jw_end(w, '}');
        rp_jw_end(w, '}');
    }
    write_api_access_volume(w, api_vol);
    rp_jw_end(w, ']');
    for (int i = nhost - 1; i >= 0; i--) {
        snprintf(host_paths[i], sizeof host_paths[i], "/host%s", host[i][1]);
        mounts[m++] = host[i][0];
        mounts[m++] = host_paths[i];
    }
    mounts[m++] = api_vol;
    mounts[m++] = "/var/run/secrets/kubernetes.io/serviceaccount";
    mounts[m] = NULL;
}

static void write_ds_containers(rp_jw *w, const daemon *d, const char **mounts, size_t nmounts)
{
    container main = {d->kind, d->image, {"--v=2", "--hostname-override=$(NODE_NAME)", NULL},
                      "100m", "64Mi", "250m", "256Mi", 9100, 3, true, true, false, mounts};
    rp_jw_arr(w, "containers");
    write_container(w, &main);
    if (d == &daemons[EBS_CSI]) {
        container reg = {"node-driver-registrar",
                         "public.ecr.aws/eks-distro/kubernetes-csi/node-driver-registrar:v2.9.3-eks-1-28-13",
                         {"--csi-address=$(ADDRESS)", "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)", "--v=2"},
                         "10m", "40Mi", "100m", "128Mi", 9809, 1, false, false, false, mounts + nmounts - 2};
        write_container(w, &reg);
    }
    rp_jw_end(w, ']');
}

static void write_ds_pod(rp_jw *w, const daemon *d, const char *target, rp_rng *r)
{
    char hash[16], suffix[6], name[64], gen_name[48], api_vol[32];
    snprintf(hash, sizeof hash, "%llu", 100000000ull + (unsigned long long)rp_rng_below(r, 9900000000ull));
    rp_rng_alnum(r, suffix, 5);
    snprintf(gen_name, sizeof gen_name, "%s-", d->kind);
    snprintf(name, sizeof name, "%s%s", gen_name, suffix);
    const char *labels[] = {"app.kubernetes.io/name", d->kind, "controller-revision-hash", hash,
                            "pod-template-generation", "7", "k8s-app", d->kind};
    bool scraped = d == &daemons[NODE_EXPORTER] || d == &daemons[FLUENT_BIT];
    const char *ann[] = {"kubectl.kubernetes.io/restartedAt", "2024-05-30T14:02:11Z", "prometheus.io/scrape", "true",
                         "prometheus.io/port", d == &daemons[NODE_EXPORTER] ? "9100" : "2020"};
    write_pod_metadata(w, name, gen_name, d->ns, labels, 4, ann, scraped ? 3 : 1, "DaemonSet", d->kind, r);

    char suffix2[6];
    rp_rng_alnum(r, suffix2, 5);
    snprintf(api_vol, sizeof api_vol, "kube-api-access-%s", suffix2);
    const char *mounts[10];
    char host_paths[3][16];
    rp_jw_obj(w, "spec");
    write_ds_volumes(w, d, api_vol, mounts, host_paths);
    size_t nmounts = 0;
    while (mounts[nmounts])
        nmounts++;
    write_ds_containers(w, d, mounts, nmounts);
    rp_jw_str(w, "restartPolicy", "Always");
    rp_jw_int(w, "terminationGracePeriodSeconds", 30);
    rp_jw_str(w, "dnsPolicy", d->host_network ? "ClusterFirstWithHostNet" : "ClusterFirst");
    const char *sel[] = {d->needs_gpu ? "nvidia.com/gpu.present" : "kubernetes.io/os", d->needs_gpu ? "true" : "linux"};
    rp_jw_map(w, "nodeSelector", sel, 1);
    rp_jw_str(w, "serviceAccountName", d->kind);
    rp_jw_str(w, "serviceAccount", d->kind);
    if (d->host_network)
        rp_jw_bool(w, "hostNetwork", true);
    RP_JW_LIT(w, "securityContext", "{}");
    write_ds_affinity(w, target);
    rp_jw_str(w, "schedulerName", "default-scheduler");
    write_ds_tolerations(w, d);
    rp_jw_str(w, "priorityClassName", "system-node-critical");
    rp_jw_int(w, "priority", 2000001000);
    rp_jw_bool(w, "enableServiceLinks", true);
    rp_jw_str(w, "preemptionPolicy", "PreemptLowerPriority");
    rp_jw_end(w, '}');
    RP_JW_LIT(w, "status", "{\"phase\":\"Pending\",\"qosClass\":\"Burstable\"}");
    rp_jw_end(w, '}');
}

/* ---- Deployment pods ---- */

typedef struct {
    int weight;
    requirement req;
} preferred;

typedef struct {
    const char *name, *ns, *image;
    const char *selector[4];        /* nodeSelector key, value pairs */
    const toleration *tols;
    int ntols;
    requirement required[2][2];     /* up to two ORed terms of up to two requirements */
    preferred prefs[2];
} deployment;

static const toleration spot_toleration = {"spot", "Exists", NULL, "PreferNoSchedule", 0};

static const deployment deployments[] = {
    {"web-frontend", "storefront", ECR "/storefront/web:1.42.3", {"kubernetes.io/os", "linux"}, NULL, 0,
     {{{"pool", "In", {"general", "spot"}}, {"node-role.kubernetes.io/control-plane", "DoesNotExist", {NULL}}}},
     {{60, {"topology.kubernetes.io/zone", "In", {"eu-west-1a"}}}, {20, {"pool", "In", {"general"}}}}},
    {"payments-api", "payments", ECR "/payments/api:1.42.0",
     {"kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64"}, NULL, 0,
     {{{"topology.kubernetes.io/zone", "In", {"eu-west-1a", "eu-west-1b"}},
       {"node.example.com/generation", "Gt", {"3"}}}},
     {{50, {"node.kubernetes.io/instance-type", "In", {"m6i.4xlarge"}}},
      {10, {"node.example.com/disk", "In", {"ssd"}}}}},
    {"ml-trainer", "ml", "nvcr.io/nvidia/pytorch:23.12-py3", {"pool", "gpu"}, gpu_tolerations, 2,
     {{{"nvidia.com/gpu.present", "Exists", {NULL}}, {"node.example.com/generation", "Gt", {"4"}}}},
     {{80, {"nvidia.com/gpu.product", "In", {"NVIDIA-A100-SXM4-40GB"}}},
      {20, {"topology.kubernetes.io/zone", "In", {"eu-west-1c"}}}}},
    {"batch-etl", "data", ECR "/data/worker:1.41.2", {NULL}, &spot_toleration, 1,
     {{{"team", "In", {"data"}}, {"node.example.com/disk", "NotIn", {"hdd"}}}, {{"pool", "In", {"memory"}}}},
     {{30, {"pool", "In", {"spot"}}}, {10, {"node.kubernetes.io/instance-type", "In", {"r5.4xlarge"}}}}},
    {"search-indexer", "search", ECR "/search/indexer:1.42.3", {"kubernetes.io/arch", "amd64"}, NULL, 0,
     {{{"node.example.com/generation", "Lt", {"6"}}, {"pool", "NotIn", {"gpu", "system"}}}},
     {{100, {"node.example.com/disk", "In", {"ssd"}}}}},
    {"session-cache", "platform", "docker.io/library/redis:7.2.4-alpine", {"kubernetes.io/os", "linux"}, NULL, 0,
     {{{NULL}}},
     {{40, {"team", "In", {"platform"}}}, {15, {"topology.kubernetes.io/zone", "In", {"eu-west-1b"}}}}},
    {"checkout-worker", "payments", ECR "/payments/worker:1.42.3", {"team", "payments"}, NULL, 0,
     {{{"node.example.com/lifecycle", "DoesNotExist", {NULL}}}}, {{0, {NULL}}}},
};
#define N_DEPLOYMENTS (sizeof deployments / sizeof deployments[0])

static void write_node_affinity(rp_jw *w, const deployment *d)
{
    if (!d->required[0][0].key && !d->prefs[0].weight)
        return;
    rp_jw_obj(w, "nodeAffinity");
    if (d->required[0][0].key) {
        rp_jw_obj(w, "requiredDuringSchedulingIgnoredDuringExecution");
        rp_jw_arr(w, "nodeSelectorTerms");
        for (int t = 0; t < 2 && d->required[t][0].key; t++) {
            rp_jw_obj(w, NULL);
            rp_jw_arr(w, "matchExpressions");
            for (int q = 0; q < 2 && d->required[t][q].key; q++)
                write_requirement(w, &d->required[t][q]);
            rp_jw_end(w, ']');
            rp_jw_end(w, '}');
        }
        rp_jw_end(w, ']');
        rp_jw_end(w, '}');
    }
    if (d->prefs[0].weight) {
        rp_jw_arr(w, "preferredDuringSchedulingIgnoredDuringExecution");
        for (int p = 0; p < 2 && d->prefs[p].weight; p++) {
            rp_jw_obj(w, NULL);
            rp_jw_int(w, "weight", d->prefs[p].weight);
            rp_jw_obj(w, "preference");
            rp_jw_arr(w, "matchExpressions");
            write_requirement(w, &d->prefs[p].req);
            rp_jw_end(w, ']');
            rp_jw_end(w, '}');
            rp_jw_end(w, '}');
        }
        rp_jw_end(w, ']');
    }
    rp_jw_end(w, '}');
}

static void write_deploy_affinity(rp_jw *w, const deployment *d)
{
    rp_jw_obj(w, "affinity");
    write_node_affinity(w, d);
    rp_jw_obj(w, "podAntiAffinity");
    rp_jw_arr(w, "preferredDuringSchedulingIgnoredDuringExecution");
    rp_jw_rawf(w, NULL, "{\"weight\":100,\"podAffinityTerm\":{\"labelSelector\":{\"matchLabels\":{\"app\":\"%s\"}},"
                          "\"topologyKey\":\"kubernetes.io/hostname\"}}", d->name);
    rp_jw_end(w, ']');
    rp_jw_end(w, '}');
    rp_jw_end(w, '}');
}

static void write_deploy_volumes(rp_jw *w, const deployment *d, const char *api_vol)
{
    rp_jw_arr(w, "volumes");
    rp_jw_rawf(w, NULL, "{\"name\":\"config\",\"configMap\":{\"name\":\"%s-config\",\"defaultMode\":420}},"
                          "{\"name\":\"tmp\",\"emptyDir\":{}}", d->name);
    write_api_access_volume(w, api_vol);
    rp_jw_end(w, ']');
}

static void write_deploy_containers(rp_jw *w, const deployment *d, const char *api_vol, rp_rng *r)
{
    char cfg_path[64], cfg_arg[80];
    snprintf(cfg_path, sizeof cfg_path, "/etc/%s", d->name);
    snprintf(cfg_arg, sizeof cfg_arg, "--config=/etc/%s/config.yaml", d->name);
    const char *mounts[] = {"config", cfg_path, "tmp", "/tmp", api_vol,
                            "/var/run/secrets/kubernetes.io/serviceaccount", NULL};
    container main = {d->name, d->image, {cfg_arg, "--listen=:8080", NULL}, "500m", "1Gi", "2", "2Gi", 8080,
                      rp_rng_range(r, 3, 10), true, true, d == &deployments[2], mounts};
    rp_jw_arr(w, "containers");
    write_container(w, &main);
    if (rp_rng_unit(r) < 0.3) {
        container otel = {"otel-agent", "docker.io/otel/opentelemetry-collector:0.91.0",
                          {"--config=/conf/agent.yaml", NULL, NULL}, "50m", "64Mi", "200m", "256Mi", 4317, 2,
                          false, false, false, mounts + 4};
        write_container(w, &otel);
    }
    rp_jw_end(w, ']');
}

static void write_deploy_spec(rp_jw *w, const deployment *d, const char *api_vol, rp_rng *r)
{
    rp_jw_obj(w, "spec");
    write_deploy_volumes(w, d, api_vol);
    write_deploy_containers(w, d, api_vol, r);
    rp_jw_str(w, "restartPolicy", "Always");
    rp_jw_int(w, "terminationGracePeriodSeconds", 30);
    rp_jw_str(w, "dnsPolicy", "ClusterFirst");
    if (d->selector[0])
        rp_jw_map(w, "nodeSelector", d->selector, d->selector[2] ? 2 : 1);
    rp_jw_str(w, "serviceAccountName", d->name);
    rp_jw_str(w, "serviceAccount", d->name);
    static const char psc[] = "{\"runAsUser\":10001,\"runAsGroup\":10001,\"fsGroup\":10001,"
                              "\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}";
    rp_jw_raw(w, "securityContext", psc, sizeof psc - 1);
    write_deploy_affinity(w, d);
    rp_jw_str(w, "schedulerName", "default-scheduler");
    rp_jw_arr(w, "tolerations");
    for (int i = 0; i < d->ntols; i++)
        write_toleration(w, &d->tols[i]);
    for (int i = 0; i < 2; i++)
        write_toleration(w, &default_toleration_seconds[i]);
    rp_jw_end(w, ']');
    rp_jw_int(w, "priority", 0);
    rp_jw_bool(w, "enableServiceLinks", true);
    rp_jw_str(w, "preemptionPolicy", "PreemptLowerPriority");
    rp_jw_arr(w, "topologySpreadConstraints");
    rp_jw_rawf(w, NULL, "{\"maxSkew\":1,\"topologyKey\":\"topology.kubernetes.io/zone\","
                          "\"whenUnsatisfiable\":\"ScheduleAnyway\",\"labelSelector\":{\"matchLabels\":{\"app\":\"%s\"}}}",
                  d->name);
    rp_jw_end(w, ']');
    rp_jw_end(w, '}');
}

/* A pod that already went round the scheduling queue carries PodScheduled=False. */
static void write_deploy_status(rp_jw *w, size_t nodes, rp_rng *r)
{
    rp_jw_obj(w, "status");
    rp_jw_str(w, "phase", "Pending");
    if (rp_rng_unit(r) < 0.3) {
        rp_jw_arr(w, "conditions");
        rp_jw_obj(w, NULL);
        rp_jw_str(w, "type", "PodScheduled");
        rp_jw_str(w, "status", "False");
        rp_jw_null(w, "lastProbeTime");
        rp_jw_strf(w, "lastTransitionTime", "2024-06-12T10:41:%02dZ", rp_rng_range(r, 0, 60));
        rp_jw_str(w, "reason", "Unschedulable");
        rp_jw_strf(w, "message", "0/%zu nodes are available: preemption: 0/%zu nodes are available.", nodes, nodes);
        rp_jw_end(w, '}');
        rp_jw_end(w, ']');
    }
    rp_jw_str(w, "qosClass", "Burstable");
    rp_jw_end(w, '}');
}

static void write_deploy_pod(rp_jw *w, const deployment *d, size_t nodes, rp_rng *r)
{
    char hash[11], suffix[6], gen_name[64], name[72], owner[64], api_vol[32];
    rp_rng_alnum(r, hash, 10);
    rp_rng_alnum(r, suffix, 5);
    snprintf(gen_name, sizeof gen_name, "%s-%s-", d->name, hash);
    snprintf(name, sizeof name, "%s%s", gen_name, suffix);
    snprintf(owner, sizeof owner, "%s-%s", d->name, hash);
    const char *labels[] = {"app.kubernetes.io/name", d->name, "app.kubernetes.io/part-of", d->ns,
                            "app.kubernetes.io/version", "1.42.3", "pod-template-hash", hash, "app", d->name,
                            "tier", strstr(d->name, "web") ? "frontend" : "backend"};
    const char *ann[] = {"kubectl.kubernetes.io/restartedAt", "2024-06-10T08:11:45Z", "prometheus.io/scrape", "true",
                         "prometheus.io/port", "9090", "prometheus.io/path", "/metrics",
                         "cluster-autoscaler.kubernetes.io/safe-to-evict", "true"};
    write_pod_metadata(w, name, gen_name, d->ns, labels, 6, ann, 5, "ReplicaSet", owner, r);
    rp_rng_alnum(r, suffix, 5);
    snprintf(api_vol, sizeof api_vol, "kube-api-access-%s", suffix);
    write_deploy_spec(w, d, api_vol, r);
    write_deploy_status(w, nodes, r);
    rp_jw_end(w, '}');
}

void rp_pod_generate(host_buf *out, size_t i, size_t offset, const rp_cluster *c, size_t start, size_t k,
                     rp_rng *r)
{
    rp_jw w;
    rp_jw_init(&w, out);
    /* Even pods are DaemonSet pods, odd ones Deployment pods; each list is cycled from the
     * seeded offset, so every kind shows up once the corpus has a dozen pods. */
    if (i % 2 == 0) {
        const daemon *d = &daemons[(offset + i / 2) % N_DAEMONS];
        write_ds_pod(&w, d, daemon_target(d, c, start, k, r), r);
    } else {
        write_deploy_pod(&w, &deployments[(offset + i / 2) % N_DEPLOYMENTS], c->n, r);
    }
}
