/* decode_floor.c - ngfloor-decode, the decode floor of make bench: the CPU one request body costs
 * when it is only crossed, in-process, with the bodies already in memory and fed in 64 KB chunks
 * as the server feeds them (its connection buffer is half of a 128 KB pool).
 *
 *   ngfloor-decode [--plugin SO [--nodes FILE]] [--seconds S] [--match SUBSTR] DIR
 *
 * Over the request files of DIR/requests whose names contain SUBSTR, it times (thread CPU time,
 * whole passes over the files, the median pass):
 *   scan    the plugin's own skip lane (plugin/jsonscan.c, linked in) over each whole body: a
 *           resumable grammar check of every byte, string bodies 16 bytes at a time. This is the
 *           decode floor: the plugin hands exactly these bytes to this scanner or to yajl, and
 *           the scanner is the fastest grammar check it has, so no decoder built on them reads a
 *           body in less; what the real call costs beyond it is extraction, name lookups,
 *           evaluation and writing the reply.
 *   yajl    yajl with no callbacks, configured as the plugin configures it (strings not UTF-8
 *           checked): the tokenizer of record crossing the same bytes, for comparison.
 *   plugin  with --plugin, the whole call through the ABI (call_begin, call_feed per chunk,
 *           call_end, reply_free) on an index holding --nodes: what the server's plugin does
 *           per request, without the server.
 * Prints one line:
 *   decode: files=N body_bytes=B scan_us=F yajl_us=F plugin_us=F scan_stops=N
 * (per request; plugin_us is 0 without --plugin; scan_stops counts bodies the lane did not
 * cross to their end, which would make scan_us no floor). */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "jsonscan.h"
#include "loader.h"
#include "nodegate.h"
#include "readfile.h"

enum { CHUNK = 64 * 1024, MAX_FILES = 4096 };

typedef struct {
    char *body;
    size_t len;
    ng_verb verb;
} body;

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The skip lane over a whole body: false when it stopped before the outermost closer. */
static bool scan_one(const body *b)
{
    size_t i = 0;
    while (i < b->len && b->body[i] != '{' && b->body[i] != '[')
        i++;
    if (i == b->len)
        return false;
    ngp_scan s;
    ngp_scan_start(&s, b->body[i] == '{', NGP_SCAN_MAX_DEPTH);
    i++;
    while (i < b->len) {
        size_t n = b->len - i < CHUNK ? b->len - i : CHUNK;
        ngp_scan_end end;
        size_t took = ngp_scan_skip(&s, b->body + i, n, &end);
        i += took;
        if (end == NGP_SCAN_DONE)
            return true;
        if (end == NGP_SCAN_STOP)
            return false;
    }
    return false;
}

static bool yajl_one(const body *b)
{
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    yajl_config(h, yajl_dont_validate_strings, 1);
    bool ok = true;
    for (size_t i = 0; i < b->len && ok; i += CHUNK)
        ok = yajl_parse(h, (const unsigned char *)b->body + i, b->len - i < CHUNK ? b->len - i : CHUNK) == yajl_status_ok;
    ok = ok && yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

static const struct nodegate_plugin *api;
static ng_index *idx;

static bool plugin_one(const body *b)
{
    ng_call *c = api->call_begin(idx, b->verb);
    for (size_t i = 0; i < b->len; i += CHUNK)
        api->call_feed(c, b->body + i, b->len - i < CHUNK ? b->len - i : CHUNK);
    ng_reply r;
    int st = api->call_end(c, &r);
    api->reply_free(&r);
    return st == 200;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Whole passes over the bodies for about `seconds` of CPU (at least 3); the median pass, per body. */
static double time_us(bool (*one)(const body *), const body *v, size_t n, double seconds, unsigned *fails)
{
    double passes[1000], spent = 0;
    size_t np = 0;
    while (np < 1000 && (np < 3 || spent < seconds)) {
        double t0 = cpu_s();
        for (size_t i = 0; i < n; i++)
            *fails += !one(&v[i]);
        double t = cpu_s() - t0;
        passes[np++] = t;
        spent += t;
    }
    qsort(passes, np, sizeof *passes, cmp_double);
    return passes[np / 2] / (double)n * 1e6;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *plugin_path = NULL, *nodes = NULL, *match = "", *dir = NULL;
    double seconds = 0.5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc)
            plugin_path = argv[++i];
        else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc)
            nodes = argv[++i];
        else if (strcmp(argv[i], "--match") == 0 && i + 1 < argc)
            match = argv[++i];
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fprintf(stderr, "usage: ngfloor-decode [--plugin SO [--nodes FILE]] [--seconds S] [--match SUBSTR] DIR\n");
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "ngfloor-decode: DIR is required\n");
        return 2;
    }
    char reqdir[4096];
    snprintf(reqdir, sizeof reqdir, "%s/requests", dir);
    DIR *d = opendir(reqdir);
    if (!d) {
        fprintf(stderr, "ngfloor-decode: cannot read %s\n", reqdir);
        return 2;
    }
    char *names[MAX_FILES];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < MAX_FILES;) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0 && !strstr(e->d_name, ".reply.") && strstr(e->d_name, match))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "ngfloor-decode: no request files in %s matching '%s'\n", reqdir, match);
        return 2;
    }
    qsort(names, n, sizeof *names, by_name);
    body *v = calloc(n, sizeof *v);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", reqdir, names[i]);
        if (!(v[i].body = host_read_file(path, &v[i].len))) {
            fprintf(stderr, "ngfloor-decode: cannot read %s\n", path);
            return 2;
        }
        total += v[i].len;
        v[i].verb = strstr(names[i], "prioritize") ? NG_PRIORITIZE : NG_FILTER;
        free(names[i]);
    }
    unsigned scan_stops = 0, yajl_fails = 0, plugin_fails = 0;
    double scan = time_us(scan_one, v, n, seconds, &scan_stops);
    double yajl = time_us(yajl_one, v, n, seconds, &yajl_fails);
    double plug = 0;
    host_plugin plugin = {0};
    if (plugin_path) {
        char err[512];
        if (host_plugin_load(plugin_path, &plugin, err, sizeof err) != 0) {
            fprintf(stderr, "ngfloor-decode: %s\n", err);
            return 2;
        }
        api = plugin.api;
        idx = api->index_new(NULL, err, sizeof err);
        if (nodes) {
            size_t len;
            char *text = host_read_file(nodes, &len);
            ng_reply r;
            if (!text || api->nodes_apply(idx, text, len, &r) != 200) {
                fprintf(stderr, "ngfloor-decode: %s: not loaded\n", nodes);
                return 2;
            }
            api->reply_free(&r);
            free(text);
        }
        plug = time_us(plugin_one, v, n, seconds, &plugin_fails);
        api->index_free(idx);
        host_plugin_unload(&plugin);
    }
    if (yajl_fails || plugin_fails)
        fprintf(stderr, "ngfloor-decode: %u yajl rejections, %u plugin calls not 200\n", yajl_fails, plugin_fails);
    printf("decode: files=%zu body_bytes=%zu scan_us=%.1f yajl_us=%.1f plugin_us=%.1f scan_stops=%u\n", n, total,
           scan, yajl, plug, scan_stops);
    for (size_t i = 0; i < n; i++)
        free(v[i].body);
    free(v);
    return yajl_fails || plugin_fails ? 1 : 0;
}
