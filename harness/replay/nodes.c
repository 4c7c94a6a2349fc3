/* nodes.c - realistic EKS-like Node objects (~11 KB compact each), as kubectl shows them.
 * Proportions follow the team's gen_corpus.py: pools general/memory/compute/spot/gpu, 3
 * control-plane nodes, ~5 % GPU (dedicated=gpu:NoSchedule), ~8 % spot (PreferNoSchedule),
 * ~1 % not-ready, ~1 % cordoned. Tuned for 50 to 65,536 nodes generated in a second or two. */
#include "replay.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "xalloc.h"

#define REGION "eu-west-1"
#define ECR "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
#define KUBE_VERSION "v1.28.5"

static const char *const zones[] = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};

typedef struct {
    const char *type;
    int cpu;
    long long mem_kib;
    const char *arch;
} instance;

typedef struct {
    const char *name;
    int weight;
    instance types[4];
    int ntypes;
    const char *teams[5];
    int nteams;
} pool;

static const pool pools[] = {
    {"general", 60,
     {{"m5.2xlarge", 8, 32386404, "amd64"}, {"m5.4xlarge", 16, 64929812, "amd64"},
      {"m6i.4xlarge", 16, 64929812, "amd64"}, {"m6g.4xlarge", 16, 64929812, "arm64"}},
     4, {"storefront", "payments", "search", "platform", "identity"}, 5},
    {"memory", 12, {{"r5.4xlarge", 16, 130054428, "amd64"}, {"r6i.8xlarge", 32, 260109120, "amd64"}}, 2,
     {"data", "search"}, 2},
    {"compute", 11, {{"c5.4xlarge", 16, 32386404, "amd64"}, {"c6i.8xlarge", 32, 64929812, "amd64"}}, 2,
     {"search", "data", "platform"}, 3},
    {"spot", 8, {{"m5.4xlarge", 16, 64929812, "amd64"}, {"c5.4xlarge", 16, 32386404, "amd64"}}, 2,
     {"data", "storefront"}, 2},
    {"gpu", 5, {{"p4d.24xlarge", 96, 1176062012, "amd64"}, {"g5.12xlarge", 48, 195991348, "amd64"}}, 2,
     {"ml"}, 1},
};
enum { POOL_SPOT = 3, POOL_GPU = 4, NPOOLS = 5 };
static const pool system_pool = {"system", 0, {{"m5.xlarge", 4, 16117484, "amd64"}}, 1, {"platform"}, 1};

typedef struct {
    const char *repo, *tag;
    long long size;   /* 0: a random size per node */
} image;

static const image system_images[] = {
    {"registry.k8s.io/kube-proxy", KUBE_VERSION, 28620000},
    {"registry.k8s.io/pause", "3.9", 321520},
    {"docker.io/calico/node", "v3.26.4", 115620000},
    {"docker.io/calico/cni", "v3.26.4", 93210000},
    {"docker.io/calico/pod2daemon-flexvol", "v3.26.4", 7290000},
    {"quay.io/prometheus/node-exporter", "v1.7.0", 11730000},
    {"cr.fluentbit.io/fluent/fluent-bit", "2.2.2", 35400000},
    {"public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver", "v1.26.1", 72300000},
    {"public.ecr.aws/eks-distro/kubernetes-csi/node-driver-registrar", "v2.9.3-eks-1-28-13", 9120000},
    {"public.ecr.aws/eks-distro/kubernetes-csi/livenessprobe", "v2.11.0-eks-1-28-13", 8590000},
};
static const image cp_images[] = {
    {"registry.k8s.io/etcd", "3.5.9-0", 102894559},
    {"registry.k8s.io/kube-apiserver", KUBE_VERSION, 34680000},
    {"registry.k8s.io/kube-controller-manager", KUBE_VERSION, 33390000},
    {"registry.k8s.io/kube-scheduler", KUBE_VERSION, 18520000},
    {"registry.k8s.io/coredns/coredns", "v1.10.1", 16190000},
};
static const image public_app_images[] = {
    {"docker.io/library/nginx", "1.25.3", 0}, {"docker.io/library/redis", "7.2.4-alpine", 0},
    {"docker.io/library/postgres", "15.5", 0}, {"docker.io/library/busybox", "1.36.1", 0},
    {"docker.io/bitnami/kafka", "3.6.1-debian-11-r0", 0}, {"docker.io/grafana/grafana", "10.2.3", 0},
    {"docker.io/envoyproxy/envoy", "v1.28.0", 0}, {"docker.io/istio/proxyv2", "1.20.2", 0},
    {"quay.io/jetstack/cert-manager-controller", "v1.13.3", 0}, {"quay.io/argoproj/argocd", "v2.9.5", 0},
    {"registry.k8s.io/ingress-nginx/controller", "v1.9.5", 0},
    {"registry.k8s.io/metrics-server/metrics-server", "v0.6.4", 0},
    {"nvcr.io/nvidia/k8s-device-plugin", "v0.14.3", 0}, {"nvcr.io/nvidia/pytorch", "23.12-py3", 0},
    {"ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib", "0.91.0", 0},
    {"docker.elastic.co/elasticsearch/elasticsearch", "8.11.3", 0},
    {"docker.io/otel/opentelemetry-collector", "0.91.0", 0},
};
/* plus ECR/<team>/<svc>:<ver> for every combination below */
static const char *const app_teams[] = {"storefront", "payments", "search", "platform", "identity", "data", "ml"};
static const char *const app_svcs[] = {"api", "worker", "web", "cron", "indexer", "gateway"};
static const char *const app_vers[] = {"1.41.2", "1.42.0", "1.42.3"};

#define N_PUBLIC (sizeof public_app_images / sizeof public_app_images[0])
#define N_ECR (7 * 6 * 3)
#define N_APP (N_PUBLIC + N_ECR)
#define MAX_IMAGES 48

typedef struct {
    char repo[160];
    const char *tag;
    long long size;
} node_image;

static node_image app_image(size_t k)
{
    node_image im = {.size = 0};
    if (k < N_PUBLIC) {
        snprintf(im.repo, sizeof im.repo, "%s", public_app_images[k].repo);
        im.tag = public_app_images[k].tag;
        return im;
    }
    k -= N_PUBLIC;
    snprintf(im.repo, sizeof im.repo, ECR "/%s/%s", app_teams[k / 18], app_svcs[k / 3 % 6]);
    im.tag = app_vers[k % 3];
    return im;
}

static node_image fixed_image(const image *s)
{
    node_image im = {.tag = s->tag, .size = s->size};
    snprintf(im.repo, sizeof im.repo, "%s", s->repo);
    return im;
}

/* An image's sha256-looking digest: a function of repo:tag only, so every node reports the
 * same digest for the same image, as a registry would. */
static void image_digest(const node_image *im, char out[65])
{
    uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a */
    for (const char *p = im->repo; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    for (const char *p = im->tag; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    rp_rng r = {h};
    rp_rng_hex(&r, out, 64);
}

static int by_size_desc(const void *a, const void *b)
{
    const node_image *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return strcmp(x->repo, y->repo);
}

/* kubelet reports system images, control-plane images on those nodes, then a sample of
 * application images: 30 to 40 in all, largest first. */
static void write_images(rp_jw *w, bool cp, rp_rng *r)
{
    node_image ims[MAX_IMAGES];
    size_t n = 0;
    for (size_t i = 0; i < sizeof system_images / sizeof system_images[0]; i++)
        ims[n++] = fixed_image(&system_images[i]);
    for (size_t i = 0; cp && i < sizeof cp_images / sizeof cp_images[0]; i++)
        ims[n++] = fixed_image(&cp_images[i]);
    size_t want = (size_t)rp_rng_range(r, 30, 41);
    unsigned short pick[N_APP];
    for (size_t i = 0; i < N_APP; i++)
        pick[i] = (unsigned short)i;
    for (size_t i = 0; n < want; i++) {   /* partial Fisher-Yates: a sample without repeats */
        size_t j = i + (size_t)rp_rng_below(r, N_APP - i);
        unsigned short t = pick[i];
        pick[i] = pick[j];
        pick[j] = t;
        ims[n] = app_image(pick[i]);
        ims[n++].size = 8000000 + (long long)rp_rng_below(r, 892000000);
    }
    qsort(ims, n, sizeof ims[0], by_size_desc);
    rp_jw_arr(w, "images");
    for (size_t i = 0; i < n; i++) {
        char dg[65];
        image_digest(&ims[i], dg);
        rp_jw_obj(w, NULL);
        rp_jw_arr(w, "names");
        rp_jw_strf(w, NULL, "%s@sha256:%s", ims[i].repo, dg);
        rp_jw_strf(w, NULL, "%s:%s", ims[i].repo, ims[i].tag);
        rp_jw_end(w, ']');
        rp_jw_int(w, "sizeBytes", ims[i].size);
        rp_jw_end(w, '}');
    }
    rp_jw_end(w, ']');
}

/* Everything about one node that more than one section of its JSON needs. */
typedef struct {
    size_t idx;
    const pool *pool;
    const instance *it;
    const char *team, *zone;
    char ip[16], name[64], instance_id[20], created[21];
    unsigned flags;
} node_facts;

static const pool *pick_pool(rp_rng *r)
{
    int roll = rp_rng_range(r, 0, 96), acc = 0;   /* 96 = the sum of the weights */
    for (int i = 0; i < NPOOLS; i++)
        if (roll < (acc += pools[i].weight))
            return &pools[i];
    return &pools[0];
}

/* The address is a bijection of the index (odd multiplier mod 2^21), so names never collide
 * up to two million nodes. */
static void node_identity(node_facts *f, rp_rng *r, uint64_t ip_mix)
{
    uint64_t id = (f->idx * 0x9e3779b1ull + ip_mix) & ((1u << 21) - 1);
    unsigned o2 = (unsigned)(id >> 15), o3 = (unsigned)(id >> 7) & 255, o4 = 2 + (unsigned)(id & 127);
    snprintf(f->ip, sizeof f->ip, "10.%u.%u.%u", o2, o3, o4);
    snprintf(f->name, sizeof f->name, "ip-10-%u-%u-%u." REGION ".compute.internal", o2, o3, o4);
    f->instance_id[0] = 'i';
    f->instance_id[1] = '-';
    f->instance_id[2] = '0';
    rp_rng_hex(r, f->instance_id + 3, 16);
    f->zone = rp_rng_unit(r) < 0.9 ? zones[f->idx % 3] : zones[rp_rng_below(r, 3)];
    rp_rng_ts(r, 0, 520, f->created);
}

static void write_labels(rp_jw *w, const node_facts *f, rp_rng *r)
{
    char gen[2] = {"344556"[rp_rng_below(r, 6)], '\0'};
    const char *kv[40] = {
        "beta.kubernetes.io/arch", f->it->arch, "beta.kubernetes.io/instance-type", f->it->type,
        "beta.kubernetes.io/os", "linux", "kubernetes.io/arch", f->it->arch,
        "kubernetes.io/hostname", f->name, "kubernetes.io/os", "linux",
        "node.kubernetes.io/instance-type", f->it->type, "topology.kubernetes.io/region", REGION,
        "topology.kubernetes.io/zone", f->zone, "pool", f->pool->name, "team", f->team,
        "node.example.com/generation", gen,
        "node.example.com/disk", rp_rng_unit(r) < 0.8 ? "ssd" : "hdd",
    };
    size_t n = 13;
    if (f->flags & RP_CP) {
        kv[2 * n] = "node-role.kubernetes.io/control-plane", kv[2 * n++ + 1] = "";
        kv[2 * n] = "node.kubernetes.io/exclude-from-external-load-balancers", kv[2 * n++ + 1] = "";
    }
    if (f->flags & RP_GPU) {
        bool a100 = strcmp(f->it->type, "p4d.24xlarge") == 0;
        kv[2 * n] = "nvidia.com/gpu.present", kv[2 * n++ + 1] = "true";
        kv[2 * n] = "nvidia.com/gpu.product", kv[2 * n++ + 1] = a100 ? "NVIDIA-A100-SXM4-40GB" : "NVIDIA-A10G";
        kv[2 * n] = "nvidia.com/gpu.count", kv[2 * n++ + 1] = a100 ? "8" : "4";
    }
    if (f->flags & RP_SPOT)
        kv[2 * n] = "node.example.com/lifecycle", kv[2 * n++ + 1] = "spot";
    rp_jw_map(w, "labels", kv, n);
}

static void write_annotations(rp_jw *w, const node_facts *f, rp_rng *r)
{
    char csi[64], ipv4[24], tunnel[24];
    snprintf(csi, sizeof csi, "{\"ebs.csi.aws.com\":\"%s\"}", f->instance_id);
    snprintf(ipv4, sizeof ipv4, "%s/19", f->ip);
    snprintf(tunnel, sizeof tunnel, "192.168.%d.%d", rp_rng_range(r, 0, 256), 64 * rp_rng_range(r, 0, 4));
    const char *kv[] = {
        "csi.volume.kubernetes.io/nodeid", csi,
        "kubeadm.alpha.kubernetes.io/cri-socket", "unix:///var/run/containerd/containerd.sock",
        "node.alpha.kubernetes.io/ttl", "0",
        "projectcalico.org/IPv4Address", ipv4,
        "projectcalico.org/IPv4IPIPTunnelAddr", tunnel,
        "volumes.kubernetes.io/controller-managed-attach-detach", "true",
    };
    rp_jw_map(w, "annotations", kv, 6);
}

static void write_taint(rp_jw *w, const char *key, const char *value, const char *effect, const char *added)
{
    rp_jw_obj(w, NULL);
    rp_jw_str(w, "key", key);
    if (value)
        rp_jw_str(w, "value", value);
    rp_jw_str(w, "effect", effect);
    if (added)
        rp_jw_str(w, "timeAdded", added);
    rp_jw_end(w, '}');
}

static void write_spec(rp_jw *w, const node_facts *f, rp_rng *r)
{
    rp_jw_obj(w, "spec");
    rp_jw_strf(w, "podCIDR", "10.244.%zu.0/24", f->idx % 256);
    rp_jw_arr(w, "podCIDRs");
    rp_jw_strf(w, NULL, "10.244.%zu.0/24", f->idx % 256);
    rp_jw_end(w, ']');
    rp_jw_strf(w, "providerID", "aws:///%s/%s", f->zone, f->instance_id);
    if (f->flags & RP_CORDONED)
        rp_jw_bool(w, "unschedulable", true);
    if (f->flags & (RP_CP | RP_GPU | RP_SPOT | RP_NOTREADY | RP_CORDONED)) {
        char t1[21], t2[21];
        snprintf(t1, sizeof t1, "2024-06-12T10:2%d:%02dZ", rp_rng_range(r, 0, 10), rp_rng_range(r, 0, 60));
        snprintf(t2, sizeof t2, "2024-06-12T10:2%d:%02dZ", rp_rng_range(r, 0, 10), rp_rng_range(r, 0, 60));
        rp_jw_arr(w, "taints");
        if (f->flags & RP_CP)
            write_taint(w, "node-role.kubernetes.io/control-plane", NULL, "NoSchedule", NULL);
        if (f->flags & RP_GPU)
            write_taint(w, "dedicated", "gpu", "NoSchedule", NULL);
        if (f->flags & RP_SPOT)
            write_taint(w, "spot", "true", "PreferNoSchedule", NULL);
        if (f->flags & RP_NOTREADY) {
            write_taint(w, "node.kubernetes.io/not-ready", NULL, "NoSchedule", t1);
            write_taint(w, "node.kubernetes.io/not-ready", NULL, "NoExecute", t2);
        }
        if (f->flags & RP_CORDONED)
            write_taint(w, "node.kubernetes.io/unschedulable", NULL, "NoSchedule", t1);
        rp_jw_end(w, ']');
    }
    rp_jw_end(w, '}');
}

static void write_resources(rp_jw *w, const char *key, const node_facts *f, bool alloc)
{
    char cpu[16], mem[24];
    const char *gpus = strcmp(f->it->type, "p4d.24xlarge") == 0 ? "8" : "4";
    if (alloc) {
        snprintf(cpu, sizeof cpu, "%dm", f->it->cpu * 1000 - 110 - f->it->cpu * 5);
        snprintf(mem, sizeof mem, "%lldKi", f->it->mem_kib - 1016832);
    } else {
        snprintf(cpu, sizeof cpu, "%d", f->it->cpu);
        snprintf(mem, sizeof mem, "%lldKi", f->it->mem_kib);
    }
    const char *kv[] = {
        "attachable-volumes-aws-ebs", "25", "cpu", cpu,
        "ephemeral-storage", alloc ? "95551679124" : "104845292Ki",
        "hugepages-1Gi", "0", "hugepages-2Mi", "0", "memory", mem,
        "pods", f->it->cpu < 32 ? "110" : "250", "nvidia.com/gpu", gpus,
    };
    rp_jw_map(w, key, kv, f->flags & RP_GPU ? 8 : 7);
}

static void write_condition(rp_jw *w, const char *type, const char *status, const char *hb, const char *lt,
                            const char *reason, const char *message)
{
    rp_jw_obj(w, NULL);
    rp_jw_str(w, "type", type);
    rp_jw_str(w, "status", status);
    rp_jw_str(w, "lastHeartbeatTime", hb);
    rp_jw_str(w, "lastTransitionTime", lt);
    rp_jw_str(w, "reason", reason);
    rp_jw_str(w, "message", message);
    rp_jw_end(w, '}');
}

static void write_conditions(rp_jw *w, const node_facts *f, rp_rng *r)
{
    static const char *const types[] = {"MemoryPressure", "DiskPressure", "PIDPressure"};
    static const char *const reasons[] = {"KubeletHasSufficientMemory", "KubeletHasNoDiskPressure",
                                          "KubeletHasSufficientPID"};
    static const char *const messages[] = {"kubelet has sufficient memory available",
                                           "kubelet has no disk pressure", "kubelet has sufficient PID available"};
    static const char unknown[] = "Kubelet stopped posting node status.";
    char hb[21], lt[21];
    snprintf(hb, sizeof hb, "2024-06-12T10:%02d:%02dZ", rp_rng_range(r, 30, 42), rp_rng_range(r, 0, 60));
    rp_rng_ts(r, 300, 200, lt);
    bool down = f->flags & RP_NOTREADY;
    rp_jw_arr(w, "conditions");
    write_condition(w, "NetworkUnavailable", "False", lt, lt, "CalicoIsUp", "Calico is running on this node");
    for (int i = 0; i < 3; i++)
        write_condition(w, types[i], down ? "Unknown" : "False", hb, down ? hb : f->created,
                        down ? "NodeStatusUnknown" : reasons[i], down ? unknown : messages[i]);
    write_condition(w, "Ready", down ? "Unknown" : "True", hb, down ? hb : lt,
                    down ? "NodeStatusUnknown" : "KubeletReady",
                    down ? unknown : "kubelet is posting ready status. AppArmor enabled");
    rp_jw_end(w, ']');
}

static void write_status(rp_jw *w, const node_facts *f, rp_rng *r)
{
    static const char *const addr_types[] = {"InternalIP", "InternalDNS", "Hostname"};
    rp_jw_obj(w, "status");
    write_resources(w, "capacity", f, false);
    write_resources(w, "allocatable", f, true);
    write_conditions(w, f, r);
    rp_jw_arr(w, "addresses");
    for (int i = 0; i < 3; i++) {
        rp_jw_obj(w, NULL);
        rp_jw_str(w, "type", addr_types[i]);
        rp_jw_str(w, "address", i == 0 ? f->ip : f->name);
        rp_jw_end(w, '}');
    }
    rp_jw_end(w, ']');
    RP_JW_LIT(w, "daemonEndpoints", "{\"kubeletEndpoint\":{\"Port\":10250}}");
    char machine[33], uid[37], boot[37];
    rp_rng_hex(r, machine, 32);
    rp_rng_uid(r, uid);
    rp_rng_uid(r, boot);
    rp_jw_obj(w, "nodeInfo");
    rp_jw_str(w, "machineID", machine);
    rp_jw_strf(w, "systemUUID", "ec2%s", uid + 3);
    rp_jw_str(w, "bootID", boot);
    rp_jw_str(w, "kernelVersion", rp_rng_unit(r) < 0.7 ? "5.15.0-1051-aws" : "6.2.0-1018-aws");
    rp_jw_str(w, "osImage", "Ubuntu 22.04.3 LTS");
    rp_jw_str(w, "containerRuntimeVersion", "containerd://1.7.2");
    rp_jw_str(w, "kubeletVersion", KUBE_VERSION);
    rp_jw_str(w, "kubeProxyVersion", KUBE_VERSION);
    rp_jw_str(w, "operatingSystem", "linux");
    rp_jw_str(w, "architecture", f->it->arch);
    rp_jw_end(w, '}');
    write_images(w, f->flags & RP_CP, r);
    rp_jw_end(w, '}');
}

/* Decides a node's pool, instance type and taint flags. */
static void node_facts_init(node_facts *f, size_t idx, bool cp, rp_rng *r, uint64_t ip_mix)
{
    *f = (node_facts){.idx = idx, .pool = cp ? &system_pool : pick_pool(r)};
    f->it = &f->pool->types[rp_rng_below(r, (uint64_t)f->pool->ntypes)];
    f->team = f->pool->teams[rp_rng_below(r, (uint64_t)f->pool->nteams)];
    f->flags = cp ? RP_CP : 0;
    if (f->pool == &pools[POOL_GPU])
        f->flags |= RP_GPU;
    if (f->pool == &pools[POOL_SPOT])
        f->flags |= RP_SPOT;
    double roll = rp_rng_unit(r);
    if (!cp && roll < 0.012)
        f->flags |= RP_NOTREADY;
    else if (!cp && roll < 0.022)
        f->flags |= RP_CORDONED;
    node_identity(f, r, ip_mix);
}

static void write_node(host_buf *out, const node_facts *f, rp_rng *r)
{
    char uid[37], rv[12];
    rp_rng_uid(r, uid);
    snprintf(rv, sizeof rv, "%llu", 10000000ull + (unsigned long long)rp_rng_below(r, 989999999));
    rp_jw w;
    rp_jw_init(&w, out);
    rp_jw_obj(&w, NULL);
    rp_jw_obj(&w, "metadata");
    rp_jw_str(&w, "name", f->name);
    rp_jw_str(&w, "uid", uid);
    rp_jw_str(&w, "resourceVersion", rv);
    rp_jw_str(&w, "creationTimestamp", f->created);
    write_labels(&w, f, r);
    write_annotations(&w, f, r);
    rp_jw_end(&w, '}');
    write_spec(&w, f, r);
    write_status(&w, f, r);
    rp_jw_end(&w, '}');
}

void rp_cluster_generate(rp_cluster *c, size_t n, rp_rng *r)
{
    *c = (rp_cluster){.n = n};
    c->nodes = host_xcalloc(n, sizeof *c->nodes);
    c->off = host_xcalloc(n + 1, sizeof *c->off);
    host_buf_reserve(&c->wire, n * 11600);
    /* three control-plane nodes at seeded positions, not always first */
    size_t cp[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, step = n / 3 ? n / 3 : 1,
           first = (size_t)rp_rng_below(r, n);
    for (size_t i = 0; i < 3 && i < n; i++)
        cp[i] = (first + i * step) % n;
    uint64_t ip_mix = rp_rng_next(r);
    for (size_t i = 0; i < n; i++) {
        node_facts f;
        node_facts_init(&f, i, i == cp[0] || i == cp[1] || i == cp[2], r, ip_mix);
        c->off[i] = c->wire.len;
        write_node(&c->wire, &f, r);
        memcpy(c->nodes[i].name, f.name, sizeof f.name);
        c->nodes[i].flags = f.flags;
    }
    c->off[n] = c->wire.len;
}

void rp_cluster_free(rp_cluster *c)
{
    free(c->nodes);
    free(c->off);
    host_buf_free(&c->wire);
    *c = (rp_cluster){0};
}
