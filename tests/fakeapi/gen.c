/* gen.c - deterministic, realistic nodes for --generate: the labels, taints and status a cloud
 * node has, padded to the asked size with container images (the bulk of a real 10 KB node).
 * 65,536 nodes of 10 KB take well under a second: images are rendered once and memcpy'd. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakeapi.h"
#include "xalloc.h"

enum { IMAGE_POOL = 1024 };

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void add_hex(host_buf *b, uint64_t *seed, size_t digits)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[64];
    for (size_t i = 0; i < digits; i += 16) {
        uint64_t v = splitmix(seed);
        for (size_t j = 0; j < 16 && i + j < digits; j++, v >>= 4)
            tmp[j] = hex[v & 15];
        host_buf_put(b, tmp, digits - i < 16 ? digits - i : 16);
    }
}

static void add_uuid(host_buf *b, uint64_t *seed)
{
    static const size_t parts[] = {8, 4, 4, 4, 12};
    for (size_t i = 0; i < 5; i++) {
        if (i)
            host_buf_put(b, "-", 1);
        add_hex(b, seed, parts[i]);
    }
}

/* The pool of images, each one rendered ("{...}") once; nodes take runs of them. */
static char **image_pool(void)
{
    static const char *const repos[] = {
        "registry.k8s.io/kube-proxy", "registry.k8s.io/pause", "docker.io/library/nginx",
        "quay.io/prometheus/node-exporter", "docker.io/calico/node", "ghcr.io/example/payments-api",
        "ghcr.io/example/checkout-worker", "docker.io/library/redis", "quay.io/cilium/cilium",
        "registry.k8s.io/coredns/coredns", "docker.io/grafana/promtail",
        "public.ecr.aws/example/batch-runner",
    };
    char **pool = host_xmalloc(IMAGE_POOL * sizeof *pool);
    uint64_t seed = 42;
    for (size_t i = 0; i < IMAGE_POOL; i++) {
        const char *repo = repos[i % (sizeof repos / sizeof *repos)];
        unsigned maj = 1 + (unsigned)(i / 12) % 9, min = (unsigned)(i * 7) % 30, pat = (unsigned)i % 11;
        host_buf b = {0};
        host_buf_printf(&b, "{\"names\":[\"%s@sha256:", repo);
        add_hex(&b, &seed, 64);
        host_buf_printf(&b, "\",\"%s:v%u.%u.%u-%zu\"],\"sizeBytes\":%llu}", repo, maj, min, pat, i,
                    (unsigned long long)(splitmix(&seed) % 900000000u + 700000u));
        pool[i] = host_buf_take(&b, NULL);
    }
    return pool;
}

static void add_label(host_buf *b, bool *first, const char *k, const char *v)
{
    host_buf_puts(b, *first ? "\"" : ",\"");
    host_buf_puts(b, k);
    host_buf_put(b, "\":\"", 3);
    host_buf_puts(b, v);
    host_buf_put(b, "\"", 1);
    *first = false;
}

static void add_taint(host_buf *b, bool *first, const char *k, const char *v, const char *effect,
                      bool time_added)
{
    host_buf_printf(b, "%s{\"key\":\"%s\",", *first ? "" : ",", k);
    if (v)
        host_buf_printf(b, "\"value\":\"%s\",", v);
    host_buf_printf(b, "\"effect\":\"%s\"%s}", effect,
                time_added ? ",\"timeAdded\":\"2024-03-01T10:00:00Z\"" : "");
    *first = false;
}

static void add_condition(host_buf *b, const char *type, const char *status, const char *reason,
                          const char *message)
{
    host_buf_printf(b, "{\"type\":\"%s\",\"status\":\"%s\",\"lastHeartbeatTime\":\"2024-03-01T10:00:00Z\","
                "\"lastTransitionTime\":\"2024-01-15T08:30:00Z\",\"reason\":\"%s\",\"message\":\"%s\"}",
                type, status, reason, message);
}

struct itype {
    const char *name;
    unsigned cpu, mem_gi;
};

/* One node: i decides everything, so every run makes the same cluster. */
static void gen_one(host_buf *b, size_t i, const char *name, size_t bytes, uint64_t rv, char **pool)
{
    static const struct itype types[] = {
        {"m5.xlarge", 4, 16}, {"m5.2xlarge", 8, 32}, {"c5.4xlarge", 16, 32},
        {"r5.2xlarge", 8, 64}, {"m6i.8xlarge", 32, 128},
    };
    static const char *const zones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
    char v[96];
    const struct itype *t = &types[i % 5];
    const char *zone = zones[i % 3];
    bool control = i % 50 == 0, gpu = i % 10 == 3, spot = i % 7 == 5, cordoned = i % 97 == 11,
         notready = i % 101 == 7;
    uint64_t seed = i * 0x100000001b3ull + 7;

    b->len = 0;
    host_buf_printf(b, "{\"metadata\":{\"name\":\"%s\",\"uid\":\"", name);
    add_uuid(b, &seed);
    host_buf_puts(b, "\",\"resourceVersion\":\"");
    host_buf_printf(b, "%" PRIu64, (uint64_t)rv);
    host_buf_puts(b, "\",\"creationTimestamp\":\"2024-01-15T08:30:00Z\",\"labels\":{");
    bool first = true;
    add_label(b, &first, "beta.kubernetes.io/arch", "amd64");
    add_label(b, &first, "beta.kubernetes.io/instance-type", t->name);
    add_label(b, &first, "beta.kubernetes.io/os", "linux");
    add_label(b, &first, "failure-domain.beta.kubernetes.io/region", "us-east-1");
    add_label(b, &first, "failure-domain.beta.kubernetes.io/zone", zone);
    add_label(b, &first, "kubernetes.io/arch", "amd64");
    add_label(b, &first, "kubernetes.io/hostname", name);
    add_label(b, &first, "kubernetes.io/os", "linux");
    add_label(b, &first, "node.kubernetes.io/instance-type", t->name);
    add_label(b, &first, "topology.kubernetes.io/region", "us-east-1");
    add_label(b, &first, "topology.kubernetes.io/zone", zone);
    snprintf(v, sizeof v, "pool-%zu", i % 4);
    add_label(b, &first, "nodegroup", gpu ? "gpu" : control ? "control-plane" : v);
    if (control)
        add_label(b, &first, "node-role.kubernetes.io/control-plane", "");
    if (gpu)
        add_label(b, &first, "nvidia.com/gpu.present", "true");
    if (spot)
        add_label(b, &first, "node.kubernetes.io/lifecycle", "spot");
    host_buf_puts(b, "},\"annotations\":{\"node.alpha.kubernetes.io/ttl\":\"0\","
                "\"volumes.kubernetes.io/controller-managed-attach-detach\":\"true\"}},");

    unsigned a = (unsigned)(i / 256) % 256, c = (unsigned)i % 256;
    host_buf_printf(b, "\"spec\":{\"podCIDR\":\"10.%u.%u.0/24\",\"podCIDRs\":[\"10.%u.%u.0/24\"],"
                "\"providerID\":\"aws:///%s/i-", a, c, a, c, zone);
    add_hex(b, &seed, 17);
    host_buf_put(b, "\"", 1);
    if (cordoned)
        host_buf_puts(b, ",\"unschedulable\":true");
    if (control || gpu || spot || cordoned || notready) {
        host_buf_puts(b, ",\"taints\":[");
        first = true;
        if (control)
            add_taint(b, &first, "node-role.kubernetes.io/control-plane", NULL, "NoSchedule", false);
        if (gpu)
            add_taint(b, &first, "dedicated", "gpu", "NoSchedule", false);
        if (spot)
            add_taint(b, &first, "spot", "true", "PreferNoSchedule", false);
        if (cordoned)
            add_taint(b, &first, "node.kubernetes.io/unschedulable", NULL, "NoSchedule", true);
        if (notready) {
            add_taint(b, &first, "node.kubernetes.io/not-ready", NULL, "NoSchedule", true);
            add_taint(b, &first, "node.kubernetes.io/not-ready", NULL, "NoExecute", true);
        }
        host_buf_put(b, "]", 1);
    }
    host_buf_put(b, "},", 2);

    for (int k = 0; k < 2; k++) {
        unsigned cpu = k ? t->cpu * 1000 - 90 : t->cpu;
        if (k)
            host_buf_printf(b, ",\"allocatable\":{\"cpu\":\"%um\",", cpu);
        else
            host_buf_printf(b, "\"status\":{\"capacity\":{\"cpu\":\"%u\",", cpu);
        host_buf_printf(b, "\"ephemeral-storage\":\"%s\",\"hugepages-1Gi\":\"0\",\"hugepages-2Mi\":\"0\","
                    "\"memory\":\"%lluKi\",%s\"pods\":\"110\"}",
                    k ? "95491281146" : "104845292Ki",
                    (unsigned long long)t->mem_gi * 1024 * 1024 - (k ? 1215944 : 0),
                    gpu ? "\"nvidia.com/gpu\":\"4\"," : "");
    }
    host_buf_puts(b, ",\"conditions\":[");
    add_condition(b, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available");
    host_buf_put(b, ",", 1);
    add_condition(b, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure");
    host_buf_put(b, ",", 1);
    add_condition(b, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available");
    host_buf_put(b, ",", 1);
    if (notready)
        add_condition(b, "Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.");
    else
        add_condition(b, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
    host_buf_printf(b, "],\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"10.%u.%u.%u\"},"
                "{\"type\":\"InternalDNS\",\"address\":\"ip-10-%u-%u-%u.ec2.internal\"},"
                "{\"type\":\"Hostname\",\"address\":\"%s\"}],",
                200 + (unsigned)(i >> 16) % 50, a, c, 200 + (unsigned)(i >> 16) % 50, a, c, name);
    host_buf_puts(b, "\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":10250}},\"nodeInfo\":{\"machineID\":\"");
    add_hex(b, &seed, 32);
    host_buf_puts(b, "\",\"systemUUID\":\"");
    add_uuid(b, &seed);
    host_buf_puts(b, "\",\"bootID\":\"");
    add_uuid(b, &seed);
    host_buf_puts(b, "\",\"kernelVersion\":\"6.1.0-18-cloud-amd64\",\"osImage\":\"Debian GNU/Linux 12 (bookworm)\","
                "\"containerRuntimeVersion\":\"containerd://1.7.13\",\"kubeletVersion\":\"v1.30.2\","
                "\"kubeProxyVersion\":\"v1.30.2\",\"operatingSystem\":\"linux\",\"architecture\":\"amd64\"},"
                "\"images\":[");
    /* pad with images to the size asked; "]}}" closes images, status and the node */
    size_t k = 0, start = (i * 13) % IMAGE_POOL;
    while (k < IMAGE_POOL && (k == 0 || b->len + 3 < bytes)) {
        if (k)
            host_buf_put(b, ",", 1);
        host_buf_puts(b, pool[(start + k) % IMAGE_POOL]);
        k++;
    }
    host_buf_put(b, "]}}", 3);
}

struct gen_job {
    pthread_t thread;
    size_t from, to, bytes;
    int width;
    uint64_t rv;
    char **pool;
    fa_obj **out;
};

static void *gen_range(void *arg)
{
    struct gen_job *j = arg;
    host_buf b = {0};
    for (size_t i = j->from; i < j->to; i++) {
        char name[64];
        snprintf(name, sizeof name, "node-%0*zu", j->width & 15, i);
        gen_one(&b, i, name, j->bytes, j->rv, j->pool);
        j->out[i] = fa_obj_new(b.p, b.len, name);
    }
    host_buf_free(&b);
    return NULL;
}

fa_obj **fa_gen_nodes(size_t n, size_t bytes, uint64_t rv)
{
    int width = 5;
    for (size_t m = n ? n - 1 : 0; m >= 100000; m /= 10)
        width++;   /* wide enough that name order is index order */
    char **pool = image_pool();
    fa_obj **out = host_xmalloc((n ? n : 1) * sizeof *out);
    /* one range per CPU: 65,536 nodes of 10 KB are 640 MB to write and fault in */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nj = cpus < 1 ? 1 : cpus > 8 ? 8 : (size_t)cpus;
    if (n < 1024)
        nj = 1;
    struct gen_job jobs[8];
    for (size_t k = 0; k < nj; k++) {
        jobs[k] = (struct gen_job){.from = n * k / nj, .to = n * (k + 1) / nj, .bytes = bytes,
                                   .width = width, .rv = rv, .pool = pool, .out = out};
        if (k && pthread_create(&jobs[k].thread, NULL, gen_range, &jobs[k]) != 0)
            host_oom(0);
    }
    gen_range(&jobs[0]);
    for (size_t k = 1; k < nj; k++)
        pthread_join(jobs[k].thread, NULL);
    for (size_t i = 0; i < IMAGE_POOL; i++)
        free(pool[i]);
    free(pool);
    return out;
}
