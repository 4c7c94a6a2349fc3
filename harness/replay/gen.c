/* gen.c - `nodegate-replay generate`: writes a deterministic corpus (nodes.json and
 * ExtenderArgs request bodies) for a seed; 5,000 nodes and 16 pods in a few seconds. */
#include "replay.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char gen_usage[] =
    "Usage: nodegate-replay generate --nodes N --pods P --seed S --out DIR [--request-nodes K] [--skip-full]\n"
    "Writes a realistic, deterministic load corpus (same seed, same bytes):\n"
    "  DIR/nodes.json                          a NodeList of N EKS-like nodes (~11 KB each), for --nodes\n"
    "  DIR/requests/pod-NNNN-names-filter.json      ExtenderArgs with NodeNames (nodeCacheCapable)\n"
    "  DIR/requests/pod-NNNN-names-prioritize.json  the same body, for /prioritize\n"
    "  DIR/requests/pod-NNNN-full-filter.json       ExtenderArgs with the full Node objects\n"
    "Pods alternate between DaemonSet pods (pinned to one candidate node) and Deployment pods.\n"
    "\n"
    "Flags:\n"
    "  --nodes N           cluster size, 1..1000000\n"
    "  --pods P            pods, 1..100000 (two or three request files each)\n"
    "  --seed S            PRNG seed (unsigned 64-bit)\n"
    "  --out DIR           output folder, created if missing; files are overwritten\n"
    "  --request-nodes K   candidate nodes per request (default N): a contiguous window at a\n"
    "                      seeded start per pod, as kube-scheduler sends ~500 of 5,000 nodes\n"
    "  --skip-full         do not write the full-mode files (K x ~11 KB each)\n"
    "  --help              this text\n";

typedef struct {
    uint64_t nodes, pods, seed, request_nodes;
    const char *out;
    bool skip_full;
} gen_flags;

static int gen_parse(int argc, char **argv, gen_flags *f)
{
    bool have_seed = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(gen_usage, stdout);
            exit(0);
        }
        if (strcmp(a, "--skip-full") == 0) {
            f->skip_full = true;
            continue;
        }
        if (i + 1 >= argc)
            return rp_usage_error("generate", "%s needs a value (or is unknown)", a);
        const char *v = argv[++i];
        if (strcmp(a, "--nodes") == 0) {
            if (rp_parse_u64(v, 1, 1000000, &f->nodes))
                return rp_usage_error("generate", "--nodes: expected 1..1000000, got '%s'", v);
        } else if (strcmp(a, "--pods") == 0) {
            if (rp_parse_u64(v, 1, 100000, &f->pods))
                return rp_usage_error("generate", "--pods: expected 1..100000, got '%s'", v);
        } else if (strcmp(a, "--seed") == 0) {
            if (rp_parse_u64(v, 0, UINT64_MAX, &f->seed))
                return rp_usage_error("generate", "--seed: expected an unsigned integer, got '%s'", v);
            have_seed = true;
        } else if (strcmp(a, "--request-nodes") == 0) {
            if (rp_parse_u64(v, 1, 1000000, &f->request_nodes))
                return rp_usage_error("generate", "--request-nodes: expected 1..1000000, got '%s'", v);
        } else if (strcmp(a, "--out") == 0) {
            f->out = v;
        } else {
            return rp_usage_error("generate", "unknown flag '%s'", a);
        }
    }
    if (!f->nodes || !f->pods || !have_seed || !f->out)
        return rp_usage_error("generate", "--nodes, --pods, --seed and --out are required");
    if (f->request_nodes > f->nodes)
        return rp_usage_error("generate", "--request-nodes %llu exceeds --nodes %llu",
                              (unsigned long long)f->request_nodes, (unsigned long long)f->nodes);
    if (!f->request_nodes)
        f->request_nodes = f->nodes;
    return 0;
}

typedef struct {
    const char *dir;
    size_t files;
    uint64_t bytes;
} writer;

/* Writes the concatenation of n pieces to dir/name. Returns 0, or -1 after saying why. */
static int write_file(writer *wr, const char *name, const host_buf *pieces, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", wr->dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        fprintf(stderr, "nodegate-replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        fwrite(pieces[i].p, 1, pieces[i].len, fp);
        wr->bytes += pieces[i].len;
    }
    if (fclose(fp) != 0) {   /* fclose reports a failed write of buffered data too */
        fprintf(stderr, "nodegate-replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    wr->files++;
    return 0;
}

/* A read-only view of a literal, to write between generated pieces. */
static host_buf piece(const char *s)
{
    return (host_buf){.p = (char *)s, .len = strlen(s)};
}

/* nodes.json: items as kubectl shows them, each with kind and apiVersion first (Go order). */
static int write_nodelist(writer *wr, const rp_cluster *c, rp_rng *r)
{
    host_buf b = {0};
    host_buf_printf(&b, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"%llu\"},"
                      "\"items\":[",
                  10000000ull + (unsigned long long)rp_rng_below(r, 989999999));
    host_buf_reserve(&b, c->wire.len + c->n * 32);
    for (size_t i = 0; i < c->n; i++) {
        host_buf_puts(&b, i ? ",{\"kind\":\"Node\",\"apiVersion\":\"v1\"," : "{\"kind\":\"Node\",\"apiVersion\":\"v1\",");
        host_buf_put(&b, c->wire.p + c->off[i] + 1, c->off[i + 1] - c->off[i] - 1);
    }
    host_buf_puts(&b, "]}");
    int rc = write_file(wr, "nodes.json", &b, 1);
    host_buf_free(&b);
    return rc;
}

/* The request's candidates: k nodes from start, wrapping around the cluster. */
static void window_names(host_buf *b, const rp_cluster *c, size_t start, size_t k)
{
    b->len = 0;
    host_buf_put(b, "[", 1);
    for (size_t j = 0; j < k; j++) {
        if (j)
            host_buf_put(b, ",", 1);
        host_buf_printf(b, "\"%s\"", c->nodes[(start + j) % c->n].name);   /* names need no escaping */
    }
    host_buf_put(b, "]", 1);
}

static void window_items(host_buf *b, const rp_cluster *c, size_t start, size_t k)
{
    b->len = 0;
    for (size_t j = 0; j < k; j++) {
        size_t i = (start + j) % c->n;
        if (j)
            host_buf_put(b, ",", 1);
        host_buf_put(b, c->wire.p + c->off[i], c->off[i + 1] - c->off[i]);
    }
}

static int write_pod_files(writer *wr, const gen_flags *f, const rp_cluster *c, rp_rng *r, uint64_t *pod_bytes)
{
    size_t offset = (size_t)rp_rng_below(r, 42);   /* 42 = 6 daemons x 7 templates */
    host_buf pod = {0}, names = {0}, items = {0};
    int rc = 0;
    for (size_t i = 0; i < f->pods && rc == 0; i++) {
        size_t k = (size_t)f->request_nodes;
        size_t start = k == c->n ? 0 : (size_t)rp_rng_below(r, c->n);
        pod.len = 0;
        rp_pod_generate(&pod, i, offset, c, start, k, r);
        *pod_bytes += pod.len;
        window_names(&names, c, start, k);
        char name[64];
        host_buf nb[] = {piece("{\"Pod\":"), pod, piece(",\"Nodes\":null,\"NodeNames\":"), names, piece("}")};
        snprintf(name, sizeof name, "requests/pod-%04zu-names-filter.json", i);
        rc |= write_file(wr, name, nb, 5);
        snprintf(name, sizeof name, "requests/pod-%04zu-names-prioritize.json", i);
        rc |= write_file(wr, name, nb, 5);
        if (f->skip_full || rc)
            continue;
        window_items(&items, c, start, k);
        host_buf fb[] = {piece("{\"Pod\":"), pod, piece(",\"Nodes\":{\"metadata\":{},\"items\":["), items,
                       piece("]},\"NodeNames\":null}")};
        snprintf(name, sizeof name, "requests/pod-%04zu-full-filter.json", i);
        rc |= write_file(wr, name, fb, 5);
    }
    host_buf_free(&pod);
    host_buf_free(&names);
    host_buf_free(&items);
    return rc;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "nodegate-replay: cannot create %s: %s\n", path, strerror(errno));
    return -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int rp_generate_main(int argc, char **argv)
{
    gen_flags f = {0};
    if (gen_parse(argc, argv, &f))
        return 2;
    char reqdir[4096];
    snprintf(reqdir, sizeof reqdir, "%s/requests", f.out);
    if (make_dir(f.out) || make_dir(reqdir))
        return 2;
    double t0 = now_s();
    rp_rng r = {f.seed};
    rp_cluster c;
    rp_cluster_generate(&c, (size_t)f.nodes, &r);
    writer wr = {.dir = f.out};
    uint64_t pod_bytes = 0;
    int rc = write_nodelist(&wr, &c, &r) || write_pod_files(&wr, &f, &c, &r, &pod_bytes);
    if (rc == 0) {
        size_t tainted = 0;
        for (size_t i = 0; i < c.n; i++)
            tainted += c.nodes[i].flags != 0;
        printf("generate: %zu files in %s, %zu nodes (avg %.0f bytes, %zu tainted), %llu pods (avg %.0f bytes), "
               "%llu nodes per request, %llu bytes, %.2f s\n",
               wr.files, f.out, c.n, (double)c.wire.len / (double)c.n, tainted, (unsigned long long)f.pods,
               (double)pod_bytes / (double)f.pods, (unsigned long long)f.request_nodes,
               (unsigned long long)wr.bytes, now_s() - t0);
    }
    rp_cluster_free(&c);
    return rc ? 1 : 0;
}
