/* main.c - fake-apiserver: a protocol-faithful fake of kube-apiserver's /api/v1/nodes for tests
 * and benchmarks (list, paginate, watch, stream a list, fail on demand). Flags in usage below. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fakeapi.h"
#include "readfile.h"
#include "xalloc.h"

static const char usage[] =
    "usage: fake-apiserver [flags]\n"
    "  --listen HOST:PORT     where to serve (default 127.0.0.1:0: any free port)\n"
    "  --port-file FILE       write the bound port there once listening\n"
    "  --tls-cert FILE --tls-key FILE   serve HTTPS with this certificate and key (PEM)\n"
    "  --client-ca FILE       require a client certificate signed by this CA (or a token, with\n"
    "                         --token-file too); needs --tls-cert\n"
    "  --token-file FILE      accept the bearer token that is FILE's content (trimmed, re-read\n"
    "                         on every request)\n"
    "  --nodes FILE           initial nodes from a NodeList (or Node) JSON file\n"
    "  --generate N           N generated nodes node-00000... (with --nodes: the file's win)\n"
    "  --node-bytes B         about B bytes of JSON per generated node (default 2048)\n"
    "  --history N            watch events kept for resuming watches (default 10000); older\n"
    "                         resourceVersions are too old (410)\n"
    "  --no-watch-list        the server lacks the WatchList feature (sendInitialEvents: 422)\n"
    "  --v                    one line per request on stderr\n"
    "  --help                 this text\n"
    "Control endpoints (no auth): /fake/nodes, /fake/nodes/NAME, /fake/modify, /fake/churn,\n"
    "/fake/compact, /fake/bookmark, /fake/fault, /fake/faults, /fake/requests, /fake/watches.\n";

/* A bad flag or input: one line, exit 2. */
static _Noreturn __attribute__((format(printf, 1, 2))) void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fake-apiserver: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    exit(2);
}

static size_t count_arg(const char *flag, const char *v, size_t max)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (!*v || *end || *v == '-' || errno || n > max)
        die("%s %s: expected a whole number in range (see --help)", flag, v);
    return (size_t)n;
}

static void parse_flags(int argc, char **argv, fa_config *cfg)
{
    *cfg = (fa_config){.listen = "127.0.0.1:0", .node_bytes = 2048, .history = 10000};
    for (int i = 1; i < argc; i++) {
        char *a = argv[i], *eq = strchr(a, '=');
        char name[64];
        size_t nl = eq ? (size_t)(eq - a) : strlen(a);
        if (nl >= sizeof name || strncmp(a, "--", 2) != 0)
            die("unknown argument %s (see --help)", a);
        memcpy(name, a, nl);
        name[nl] = '\0';
        if (strcmp(name, "--help") == 0) {
            fputs(usage, stdout);
            exit(0);
        }
        if (strcmp(name, "--no-watch-list") == 0 || strcmp(name, "--v") == 0) {
            if (eq)
                die("%s takes no value", name);
            *(name[2] == 'v' ? &cfg->verbose : &cfg->no_watch_list) = true;
            continue;
        }
        const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v)
            die("%s needs a value (see --help)", name);
        if (strcmp(name, "--listen") == 0) cfg->listen = v;
        else if (strcmp(name, "--port-file") == 0) cfg->port_file = v;
        else if (strcmp(name, "--tls-cert") == 0) cfg->tls_cert = v;
        else if (strcmp(name, "--tls-key") == 0) cfg->tls_key = v;
        else if (strcmp(name, "--client-ca") == 0) cfg->client_ca = v;
        else if (strcmp(name, "--token-file") == 0) cfg->token_file = v;
        else if (strcmp(name, "--nodes") == 0) cfg->nodes_file = v;
        else if (strcmp(name, "--generate") == 0) cfg->generate = count_arg(name, v, 10000000);
        else if (strcmp(name, "--node-bytes") == 0) cfg->node_bytes = count_arg(name, v, 16u << 20);
        else if (strcmp(name, "--history") == 0) cfg->history = count_arg(name, v, 100000000);
        else die("unknown flag %s (see --help)", name);
    }
    if (!cfg->tls_cert != !cfg->tls_key)
        die("--tls-cert and --tls-key go together");
    if (cfg->client_ca && !cfg->tls_cert)
        die("--client-ca needs --tls-cert and --tls-key");
    if (cfg->history == 0)
        die("--history must be at least 1");
}

/* The nodes of --nodes: a NodeList's items, or one Node. Appends their objects to *v. */
static void load_file(const char *path, fa_obj ***v, size_t *n)
{
    size_t len;
    char *text = host_read_file(path, &len);
    if (!text)
        die("--nodes %s: %s", path, strerror(errno));
    json_error_t jerr;
    json_t *j = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!json_is_object(j))
        die("--nodes %s: not a JSON object (%s)", path, j ? "a NodeList is" : jerr.text);
    json_t *items = json_object_get(j, "items");
    size_t m = json_is_array(items) ? json_array_size(items) : 1;
    *v = host_xrealloc(*v, (*n + m + 1) * sizeof **v);
    for (size_t i = 0; i < m; i++) {
        char err[128];
        fa_obj *o = fa_obj_from_node(json_is_array(items) ? json_array_get(items, i) : j, FA_START_RV, err,
                                     sizeof err);
        if (!o) {
            die("--nodes %s: item %zu: %s", path, i, err);
        }
        (*v)[(*n)++] = o;
    }
    json_decref(j);
}

static void write_port_file(const char *path, unsigned port)
{
    size_t n = strlen(path);
    char *tmp = host_xmalloc(n + 8);
    snprintf(tmp, n + 8, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    /* written aside and renamed, so a test polling for the file never reads half of it */
    if (!fp || fprintf(fp, "%u\n", port) < 0 || fclose(fp) != 0 || rename(tmp, path) != 0)
        die("--port-file %s: %s", path, strerror(errno));
    free(tmp);
}

int main(int argc, char **argv)
{
    host_set_program("fake-apiserver");
    fa_config cfg;
    parse_flags(argc, argv, &cfg);
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());

    /* INT and TERM are taken by sigwait below: blocked before any thread starts, in all */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    double t0 = fa_now();
    fa_obj **objs = cfg.generate ? fa_gen_nodes(cfg.generate, cfg.node_bytes, FA_START_RV) : NULL;
    size_t n = cfg.generate;
    if (cfg.nodes_file)
        load_file(cfg.nodes_file, &objs, &n);
    fa_store store;
    fa_store_init(&store, cfg.history);
    fa_store_load(&store, objs, n);
    free(objs);

    fa_server srv;
    char err[256];
    if (!fa_server_start(&srv, &cfg, &store, err, sizeof err)) {
        fprintf(stderr, "fake-apiserver: %s\n", err);
        fa_server_stop(&srv);
        fa_store_free(&store);
        return 2;
    }
    unsigned port = fa_server_port(&srv);
    if (cfg.port_file)
        write_port_file(cfg.port_file, port);
    if (cfg.verbose)
        fprintf(stderr, "fake-apiserver: %zu nodes at resourceVersion %u, %s on port %u, ready in %.2f s\n",
                store.n, FA_START_RV, cfg.tls_cert ? "https" : "http", port, fa_now() - t0);

    int sig = 0;
    sigwait(&stop, &sig);
    fa_churn_stop(&store);
    fa_server_stop(&srv);
    fa_store_free(&store);
    return 0;
}
