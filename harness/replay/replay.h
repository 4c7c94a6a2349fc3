/* replay.h - nodegate-replay's corpus model (the generated cluster and its pods) and what its
 * subcommands share: entry points and flag helpers. */
#ifndef RP_REPLAY_H
#define RP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rng.h"

/* ---- the generated cluster (nodes.c) ---- */
enum {
    RP_CP = 1u << 0,        /* control plane: NoSchedule taint */
    RP_GPU = 1u << 1,       /* dedicated=gpu:NoSchedule, nvidia.com/gpu.present=true */
    RP_SPOT = 1u << 2,      /* spot=true:PreferNoSchedule */
    RP_NOTREADY = 1u << 3,  /* not-ready NoSchedule + NoExecute */
    RP_CORDONED = 1u << 4,  /* unschedulable + its taint */
};

typedef struct {
    char name[64];
    unsigned flags;
} rp_node;

typedef struct {
    size_t n;
    rp_node *nodes;
    host_buf wire;   /* each node's compact JSON without kind/apiVersion, back to back */
    size_t *off;   /* node i is wire.p[off[i] .. off[i+1]) */
} rp_cluster;

/* Generates n nodes from r into c (owned; free with rp_cluster_free). */
void rp_cluster_generate(rp_cluster *c, size_t n, rp_rng *r);
void rp_cluster_free(rp_cluster *c);

/* ---- pods (pods.c) ---- */
/* Appends pod number i as compact JSON to out; offset (seeded, fixed per corpus) rotates
 * which daemons and Deployment templates come first. The candidate nodes of its requests
 * are c->nodes[(start + j) % c->n] for j < k: a DaemonSet pod is pinned to one of them on
 * which the DaemonSet controller would run it. */
void rp_pod_generate(host_buf *out, size_t i, size_t offset, const rp_cluster *c, size_t start, size_t k,
                     rp_rng *r);

/* ---- subcommands and their shared flag helpers (main.c) ---- */
int rp_generate_main(int argc, char **argv);
int rp_run_main(int argc, char **argv);
/* Parses a decimal integer in [min, max]. Returns 0, or -1 when s is not one. */
int rp_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Prints "nodegate-replay CMD: MESSAGE" and a pointer to --help on stderr; returns 2. */
int rp_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
