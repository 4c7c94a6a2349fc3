/* replay.h - nodegate-replay internals: string builder, JSON writer, PRNG, corpus and HTTP client. */
#ifndef RP_REPLAY_H
#define RP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- growable byte buffer (jsonw.c); allocation failure aborts ---- */
typedef struct {
    char *p;
    size_t len, cap;
} rp_buf;

void rp_buf_reserve(rp_buf *b, size_t extra);
void rp_buf_put(rp_buf *b, const void *s, size_t n);
void rp_buf_puts(rp_buf *b, const char *s);
void rp_buf_printf(rp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_buf_free(rp_buf *b);

/* ---- compact JSON writer that places commas itself ----
 * Every value takes a key: pass a key inside objects, NULL inside arrays.
 * Writes Go's compact form; strings are escaped as encoding/json does for
 * the ASCII the generator produces. */
#define RP_JW_DEPTH 32
typedef struct {
    rp_buf *out;
    int depth;
    bool need_comma[RP_JW_DEPTH];
} rp_jw;

void rp_jw_init(rp_jw *w, rp_buf *out);
void rp_jw_obj(rp_jw *w, const char *key);
void rp_jw_arr(rp_jw *w, const char *key);
void rp_jw_end(rp_jw *w, char close);  /* close is '}' or ']' */
void rp_jw_str(rp_jw *w, const char *key, const char *val);
void rp_jw_strf(rp_jw *w, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rp_jw_int(rp_jw *w, const char *key, long long v);
void rp_jw_bool(rp_jw *w, const char *key, bool v);
void rp_jw_null(rp_jw *w, const char *key);
void rp_jw_raw(rp_jw *w, const char *key, const char *json, size_t len);
/* rp_jw_raw of a string literal. */
#define RP_JW_LIT(w, key, lit) rp_jw_raw((w), (key), "" lit, sizeof(lit) - 1)
void rp_jw_rawf(rp_jw *w, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Writes a JSON object of string pairs, sorted by key as Go encodes maps.
 * kv holds key, value, key, value...; n is the number of pairs. */
void rp_jw_map(rp_jw *w, const char *key, const char *const *kv, size_t n);

/* ---- deterministic PRNG: splitmix64 ---- */
typedef struct {
    uint64_t s;
} rp_rng;

uint64_t rp_rng_next(rp_rng *r);
uint64_t rp_rng_below(rp_rng *r, uint64_t n);       /* uniform in [0, n), n > 0 */
int rp_rng_range(rp_rng *r, int lo, int hi);        /* uniform in [lo, hi) */
double rp_rng_unit(rp_rng *r);                      /* uniform in [0, 1) */
void rp_rng_alnum(rp_rng *r, char *out, int n);     /* k8s name-suffix alphabet, NUL-terminated */
void rp_rng_hex(rp_rng *r, char *out, int n);       /* n hex digits, NUL-terminated */
void rp_rng_uid(rp_rng *r, char out[37]);           /* a version-4 UUID */
void rp_rng_ts(rp_rng *r, int start_day, int span_days, char out[21]); /* RFC 3339 in 2023-2024 */

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
    rp_buf wire;   /* each node's compact JSON without kind/apiVersion, back to back */
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
void rp_pod_generate(rp_buf *out, size_t i, size_t offset, const rp_cluster *c, size_t start, size_t k,
                     rp_rng *r);

/* ---- subcommands and their shared flag helpers (main.c) ---- */
int rp_generate_main(int argc, char **argv);
int rp_run_main(int argc, char **argv);
/* Parses a decimal integer in [min, max]. Returns 0, or -1 when s is not one. */
int rp_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Prints "nodegate-replay CMD: MESSAGE" and a pointer to --help on stderr; returns 2. */
int rp_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- minimal HTTP/1.1 client (http_client.c) ---- */
typedef struct {
    char host[256];
    char port[8];
    char prefix[512];   /* path prefix without the trailing '/', may be "" */
} rp_url;

/* Parses http://HOST[:PORT][/PREFIX]. Returns 0, or -1 with a sentence in err. */
int rp_url_parse(const char *s, rp_url *u, char *err, size_t errlen);

typedef struct {
    int fd;                 /* -1 when not connected */
    const rp_url *url;
    int timeout_s;
    rp_buf in;              /* bytes read and not yet consumed */
    size_t in_pos;
    bool reused;            /* a request already went over this connection */
} rp_conn;

typedef struct {
    int status;
    rp_buf body;            /* reused across requests */
    uint64_t sent, recv;    /* wire bytes, headers included, summed over every rp_post */
} rp_resp;

void rp_conn_init(rp_conn *c, const rp_url *url, int timeout_s);
void rp_conn_close(rp_conn *c);
/* POSTs body to path over c (connecting or reconnecting as needed) and reads
 * the reply into *r. Returns 0, or -1 with a sentence in err on a transport
 * error (the connection is then closed). */
int rp_post(rp_conn *c, const char *path, const char *body, size_t len, rp_resp *r, char *err,
            size_t errlen);

#endif
