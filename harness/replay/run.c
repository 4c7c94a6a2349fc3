/* run.c - `nodegate-replay run`: replays recorded or generated request bodies over C
 * keep-alive connections, closed-loop or paced open-loop, and reports exact latency percentiles. */
#include "replay.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "http_client.h"
#include "readfile.h"
#include "xalloc.h"

static const char run_usage[] =
    "Usage: nodegate-replay run --url URL [flags] DIR\n"
    "Replays the request files of DIR/requests (or of DIR itself when it has no requests/\n"
    "folder) in name order, cycling. A file's verb is the part of its name after the last '-':\n"
    "pod-0003-names-filter.json and 00000007-filter.json are POSTed to URL/filter. A name with\n"
    "an '@' is a node update by another method, as nodegate-server --record names it:\n"
    "00000008-PATCH-nodes@worker-1.json is PATCHed to URL/nodes/worker-1, and\n"
    "00000009-DELETE-nodes@worker-1.json a DELETE of it (node names hold no '@').\n"
    "Bodies are read into memory before the clock starts. *.reply.json files are never sent.\n"
    "\n"
    "Flags:\n"
    "  --url URL            http://HOST:PORT[/PREFIX] of the extender (required)\n"
    "  --concurrency C      connections, one thread each (default 1, at most 1024)\n"
    "  --duration SECONDS   stop sending after this long (default 10)\n"
    "  --count N            stop after N requests in total\n"
    "  --rate R             send R requests per second in total on a fixed schedule (open loop;\n"
    "                       latency counts from the scheduled time); default: closed loop\n"
    "  --match SUBSTR       only files whose names contain SUBSTR\n"
    "  --verify             compare each reply byte for byte with X.reply.json beside X.json\n"
    "  --record-replies     write each reply to X.reply.json beside X.json (first pass only)\n"
    "  --timeout SECONDS    per send/receive (default 60)\n"
    "  --help               this text\n"
    "With --verify or --record-replies and neither --count nor --duration, each file is sent once.\n"
    "\n"
    "Prints a table and then one line:\n"
    "  replay: requests=N rps=F p50_us=F p90_us=F p99_us=F p999_us=F max_us=F non2xx=N errors=N\n"
    "          sent_bytes=N recv_bytes=N mismatches=N unverified=N\n"
    "Exit status: 0 when there was no transport error and no mismatch, 1 otherwise, 2 for bad flags.\n";

typedef struct {
    char name[256];
    char path[4096];       /* the request file */
    char url_path[1600];   /* prefix + "/" + verb, and "/" + node for a node update */
    char method[8];
    char *body, *reply;    /* reply: the recorded one, NULL when missing or not verifying */
    size_t len, reply_len;
} req_file;

typedef struct {
    rp_url url;
    uint64_t count;        /* UINT64_MAX when unbounded */
    double duration, rate;
    unsigned concurrency;
    int timeout_s;
    const char *match, *dir;
    bool verify, record;
} run_flags;

typedef struct {
    const run_flags *f;
    req_file *files;
    size_t nfiles;
    double t0, deadline;
    atomic_uint_fast64_t next;
    pthread_mutex_t print_lock;   /* keeps the first error lines whole and counted */
    unsigned printed;
} run_ctx;

typedef struct {
    run_ctx *x;
    pthread_t tid;
    double *lat_us;
    size_t nlat, cap;
    uint64_t non2xx, errors, mismatches, unverified, sent, recv;
    double last_done;
} worker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_seconds(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !(d > 0) || d > 1e7)
        return -1;
    *out = d;
    return 0;
}

/* Parses one flag with its value at argv[*i]; returns 0, or 2 after saying why. */
static int run_flag(char **argv, int argc, int *i, run_flags *f, bool *timed, bool *have_url)
{
    const char *a = argv[*i];
    if (strcmp(a, "--verify") == 0)
        return f->verify = true, 0;
    if (strcmp(a, "--record-replies") == 0)
        return f->record = true, 0;
    if (*i + 1 >= argc)
        return rp_usage_error("run", "%s needs a value (or is unknown)", a);
    const char *v = argv[++*i];
    uint64_t u;
    char err[256];
    if (strcmp(a, "--url") == 0) {
        if (rp_url_parse(v, &f->url, err, sizeof err))
            return rp_usage_error("run", "%s", err);
        *have_url = true;
    } else if (strcmp(a, "--concurrency") == 0) {
        if (rp_parse_u64(v, 1, 1024, &u))
            return rp_usage_error("run", "--concurrency: expected 1..1024, got '%s'", v);
        f->concurrency = (unsigned)u;
    } else if (strcmp(a, "--count") == 0) {
        if (rp_parse_u64(v, 1, UINT64_MAX - 1, &f->count))
            return rp_usage_error("run", "--count: expected a positive integer, got '%s'", v);
        *timed = true;
    } else if (strcmp(a, "--duration") == 0) {
        if (parse_seconds(v, &f->duration))
            return rp_usage_error("run", "--duration: expected seconds > 0, got '%s'", v);
        *timed = true;
    } else if (strcmp(a, "--rate") == 0) {
        if (parse_seconds(v, &f->rate))
            return rp_usage_error("run", "--rate: expected requests per second > 0, got '%s'", v);
    } else if (strcmp(a, "--timeout") == 0) {
        if (rp_parse_u64(v, 1, 86400, &u))
            return rp_usage_error("run", "--timeout: expected 1..86400 seconds, got '%s'", v);
        f->timeout_s = (int)u;
    } else if (strcmp(a, "--match") == 0) {
        f->match = v;
    } else {
        return rp_usage_error("run", "unknown flag '%s'", a);
    }
    return 0;
}

static int run_parse(int argc, char **argv, run_flags *f, bool *timed)
{
    *f = (run_flags){.count = UINT64_MAX, .concurrency = 1, .timeout_s = 60, .match = ""};
    bool have_url = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(run_usage, stdout);
            exit(0);
        }
        if (strncmp(argv[i], "--", 2) != 0) {
            if (f->dir)
                return rp_usage_error("run", "one DIR expected, got '%s' and '%s'", f->dir, argv[i]);
            f->dir = argv[i];
        } else if (run_flag(argv, argc, &i, f, timed, &have_url)) {
            return 2;
        }
    }
    if (!have_url)
        return rp_usage_error("run", "--url is required");
    if (!f->dir)
        return rp_usage_error("run", "DIR is required");
    if (f->verify && f->record)
        return rp_usage_error("run", "--verify and --record-replies exclude each other");
    return 0;
}

static bool is_request_name(const char *name, const char *match)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0 && !(n > 11 && strcmp(name + n - 11, ".reply.json") == 0) &&
           strstr(name, match) != NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const req_file *)a)->name, ((const req_file *)b)->name);
}

/* Lists the matching request files of dir, sorted by name. Returns the count, or -1. */
static long list_files(const char *dir, const char *match, req_file **out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t n = 0, cap = 0;
    req_file *v = NULL;
    for (struct dirent *e; (e = readdir(d));) {
        if (!is_request_name(e->d_name, match) || strlen(e->d_name) >= sizeof v->name ||
            strlen(dir) + strlen(e->d_name) + 2 > sizeof v->path)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            v = host_xrealloc(v, cap * sizeof *v);
        }
        v[n] = (req_file){0};
        snprintf(v[n].name, sizeof v[n].name, "%s", e->d_name);
        memcpy(v[n].path, dir, strlen(dir));
        v[n].path[strlen(dir)] = '/';
        memcpy(v[n].path + strlen(dir) + 1, e->d_name, strlen(e->d_name) + 1);
        n++;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, by_name);
    *out = v;
    return (long)n;
}

static void reply_path(const req_file *rf, char *out, size_t outlen)
{
    snprintf(out, outlen, "%.*s.reply.json", (int)(strlen(rf->path) - 5), rf->path);
}

/* A file's method and URL path from its name: SEQ-VERB.json is POST /VERB; SEQ-METHOD-nodes@NAME.json
 * (as nodegate-server --record names a PATCH or DELETE; a node name may hold '-', never '@') is
 * METHOD /nodes/NAME. */
static void target_of(const char *prefix, req_file *rf)
{
    char stem[sizeof rf->name];
    snprintf(stem, sizeof stem, "%.*s", (int)strlen(rf->name) - 5, rf->name);   /* without ".json" */
    char *node = strchr(stem, '@');
    if (node)
        *node++ = '\0';
    char *dash = strrchr(stem, '-'), *verb = dash ? dash + 1 : stem;
    snprintf(rf->method, sizeof rf->method, "POST");
    if (node && dash) {
        *dash = '\0';
        char *m = strrchr(stem, '-');
        snprintf(rf->method, sizeof rf->method, "%.7s", m ? m + 1 : stem);
    }
    snprintf(rf->url_path, sizeof rf->url_path, "%s/%s%s%s", prefix, verb, node ? "/" : "", node ? node : "");
}

/* Reads the bodies (and recorded replies when verifying) and derives each URL path. */
static int load_files(const run_flags *f, req_file *files, size_t n, uint64_t *bytes)
{
    for (size_t i = 0; i < n; i++) {
        req_file *rf = &files[i];
        if (!(rf->body = host_read_file(rf->path, &rf->len))) {
            fprintf(stderr, "nodegate-replay run: %s: %s\n", rf->path, strerror(errno));
            return -1;
        }
        *bytes += rf->len;
        target_of(f->url.prefix, rf);
        if (f->verify) {
            char rp[4200];
            reply_path(rf, rp, sizeof rp);
            rf->reply = host_read_file(rp, &rf->reply_len);   /* missing: counted as unverified */
        }
    }
    return 0;
}

static void note(run_ctx *x, const char *fmt, const char *name, const char *what)
{
    pthread_mutex_lock(&x->print_lock);
    if (x->printed++ < 10)
        fprintf(stderr, fmt, name, what);
    else if (x->printed == 11)
        fprintf(stderr, "nodegate-replay run: (further problems not shown)\n");
    pthread_mutex_unlock(&x->print_lock);
}

static void check_reply(worker *w, const req_file *rf, const rp_resp *resp)
{
    if (!rf->reply) {
        w->unverified++;
        return;
    }
    if (resp->body.len == rf->reply_len && (rf->reply_len == 0 || memcmp(resp->body.p, rf->reply, rf->reply_len) == 0))
        return;
    size_t at = 0, lim = resp->body.len < rf->reply_len ? resp->body.len : rf->reply_len;
    while (at < lim && resp->body.p[at] == rf->reply[at])
        at++;
    char what[160];
    snprintf(what, sizeof what, "differs from the recorded reply at byte %zu (got %zu bytes, recorded %zu)", at,
             resp->body.len, rf->reply_len);
    w->mismatches++;
    note(w->x, "nodegate-replay run: mismatch: %s: %s\n", rf->name, what);
}

static void record_reply(worker *w, const req_file *rf, const rp_resp *resp)
{
    char rp[4200];
    reply_path(rf, rp, sizeof rp);
    FILE *fp = fopen(rp, "wb");
    if (fp) {
        fwrite(resp->body.p ? resp->body.p : "", 1, resp->body.len, fp);
        if (fclose(fp) == 0)
            return;
    }
    w->errors++;   /* a recording that cannot be written must not pass silently */
    note(w->x, "nodegate-replay run: %s: %s\n", rp, strerror(errno));
}

static void add_sample(worker *w, double us)
{
    if (w->nlat == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4096;
        w->lat_us = host_xrealloc(w->lat_us, w->cap * sizeof *w->lat_us);
    }
    w->lat_us[w->nlat++] = us;
}

/* Waits for request i's slot; returns its scheduled time, or a negative value when the run is over. */
static double schedule(run_ctx *x, uint64_t i)
{
    if (i >= x->f->count)
        return -1;
    if (x->f->rate <= 0) {
        double t = now_s();
        return t < x->deadline ? t : -1;
    }
    double at = x->t0 + (double)i / x->f->rate;
    if (at >= x->deadline)
        return -1;
    struct timespec ts = {.tv_sec = (time_t)at, .tv_nsec = (long)((at - floor(at)) * 1e9)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
    return at;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    run_ctx *x = w->x;
    rp_conn conn;
    rp_conn_init(&conn, &x->f->url, x->f->timeout_s);
    rp_resp resp = {0};
    char err[256];
    for (;;) {   /* ends at --count or at the deadline; every request is bounded by --timeout */
        uint64_t i = atomic_fetch_add(&x->next, 1);
        double at = schedule(x, i);
        if (at < 0)
            break;
        const req_file *rf = &x->files[i % x->nfiles];
        int rc = rp_send(&conn, rf->method, rf->url_path, rf->body, rf->len, &resp, err, sizeof err);
        w->last_done = now_s();
        if (rc) {
            w->errors++;
            note(x, "nodegate-replay run: %s: %s\n", rf->name, err);
            continue;
        }
        add_sample(w, (w->last_done - at) * 1e6);
        w->non2xx += resp.status < 200 || resp.status > 299;
        if (x->f->verify)
            check_reply(w, rf, &resp);
        if (x->f->record && i < x->nfiles)
            record_reply(w, rf, &resp);
    }
    w->sent = resp.sent;
    w->recv = resp.recv;
    rp_conn_close(&conn);
    host_buf_free(&conn.in);
    host_buf_free(&resp.body);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples: exact, one of the measured values. */
static double pct(const double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    return v[rank ? rank - 1 : 0];
}

typedef struct {
    double *lat;
    size_t n;
    uint64_t non2xx, errors, mismatches, unverified, sent, recv;
    double elapsed;
} totals;

static void merge(const run_ctx *x, worker *ws, unsigned nw, totals *t)
{
    *t = (totals){0};
    size_t all = 0;
    for (unsigned k = 0; k < nw; k++)
        all += ws[k].nlat;
    t->lat = host_xmalloc(all * sizeof *t->lat);
    double last = x->t0;
    for (unsigned k = 0; k < nw; k++) {
        worker *w = &ws[k];
        if (w->nlat)
            memcpy(t->lat + t->n, w->lat_us, w->nlat * sizeof *w->lat_us);
        t->n += w->nlat;
        t->non2xx += w->non2xx;
        t->errors += w->errors;
        t->mismatches += w->mismatches;
        t->unverified += w->unverified;
        t->sent += w->sent;
        t->recv += w->recv;
        if (w->last_done > last)
            last = w->last_done;
        free(w->lat_us);
    }
    qsort(t->lat, t->n, sizeof *t->lat, cmp_double);
    t->elapsed = last - x->t0;
}

static void report(const run_ctx *x, const totals *t, uint64_t body_bytes)
{
    const run_flags *f = x->f;
    double rps = t->elapsed > 0 ? (double)t->n / t->elapsed : 0;
    double p50 = pct(t->lat, t->n, 50), p90 = pct(t->lat, t->n, 90), p99 = pct(t->lat, t->n, 99);
    double p999 = pct(t->lat, t->n, 99.9), max = t->n ? t->lat[t->n - 1] : 0;
    printf("files        %zu from %s (%llu bytes of bodies)\n", x->nfiles, f->dir, (unsigned long long)body_bytes);
    printf("load         %u connection(s), %s", f->concurrency, f->rate > 0 ? "open loop at " : "closed loop\n");
    if (f->rate > 0)
        printf("%.1f req/s\n", f->rate);
    printf("requests     %zu in %.3f s = %.1f req/s\n", t->n, t->elapsed, rps);
    printf("latency us   p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n", p50, p90, p99, p999, max);
    printf("status       non-2xx %llu, transport errors %llu\n", (unsigned long long)t->non2xx,
           (unsigned long long)t->errors);
    printf("bytes        sent %llu, received %llu\n", (unsigned long long)t->sent, (unsigned long long)t->recv);
    if (f->verify)
        printf("verify       mismatches %llu, unverified (no .reply.json) %llu\n",
               (unsigned long long)t->mismatches, (unsigned long long)t->unverified);
    printf("replay: requests=%zu rps=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f non2xx=%llu "
           "errors=%llu sent_bytes=%llu recv_bytes=%llu mismatches=%llu unverified=%llu\n",
           t->n, rps, p50, p90, p99, p999, max, (unsigned long long)t->non2xx, (unsigned long long)t->errors,
           (unsigned long long)t->sent, (unsigned long long)t->recv, (unsigned long long)t->mismatches,
           (unsigned long long)t->unverified);
}

static int open_corpus(run_flags *f, bool timed, req_file **files, size_t *nfiles, uint64_t *bytes)
{
    char reqdir[4096];
    struct stat st;
    snprintf(reqdir, sizeof reqdir, "%s/requests", f->dir);
    const char *dir = stat(reqdir, &st) == 0 && S_ISDIR(st.st_mode) ? reqdir : f->dir;
    long n = list_files(dir, f->match, files);
    if (n < 0) {
        fprintf(stderr, "nodegate-replay run: cannot read %s: %s\n", dir, strerror(errno));
        return 2;
    }
    *nfiles = (size_t)n;
    if (n == 0) {
        fprintf(stderr, "nodegate-replay run: no request files (*.json) in %s%s%s%s\n", dir,
                f->match[0] ? " with names containing '" : "", f->match, f->match[0] ? "'" : "");
        return 2;
    }
    if (!timed && (f->verify || f->record))
        f->count = (uint64_t)n;   /* one pass: each file sent, checked or recorded once */
    if (f->duration <= 0)
        f->duration = f->count == UINT64_MAX ? 10 : 1e7;
    return load_files(f, *files, *nfiles, bytes) ? 2 : 0;
}

static void free_files(req_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i].body);
        free(files[i].reply);
    }
    free(files);
}

int rp_run_main(int argc, char **argv)
{
    run_flags f;
    bool timed = false;
    if (run_parse(argc, argv, &f, &timed))
        return 2;
    run_ctx x = {.f = &f};
    uint64_t body_bytes = 0;
    int rc = open_corpus(&f, timed, &x.files, &x.nfiles, &body_bytes);
    if (rc) {
        free_files(x.files, x.nfiles);
        return rc;
    }
    pthread_mutex_init(&x.print_lock, NULL);
    worker *ws = host_xcalloc(f.concurrency, sizeof *ws);
    x.t0 = now_s();
    x.deadline = x.t0 + f.duration;
    unsigned started = 0;
    for (; started < f.concurrency; started++) {
        ws[started].x = &x;
        if (pthread_create(&ws[started].tid, NULL, worker_main, &ws[started]) != 0)
            break;   /* run with the threads we got; the report says how many */
    }
    if (started == 0)
        fprintf(stderr, "nodegate-replay run: cannot start a thread: %s\n", strerror(errno));
    for (unsigned k = 0; k < started; k++)
        pthread_join(ws[k].tid, NULL);
    f.concurrency = started;
    totals t;
    merge(&x, ws, started, &t);
    report(&x, &t, body_bytes);
    free(t.lat);
    free(ws);
    free_files(x.files, x.nfiles);
    pthread_mutex_destroy(&x.print_lock);
    return t.errors || t.mismatches || started == 0 ? 1 : 0;
}
