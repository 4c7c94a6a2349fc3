/* main.c - nodegate-server: flags, plugin loading, the node file, and the signal-driven lifetime. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "xalloc.h"

static const char usage[] =
    "Usage: nodegate-server [flags]\n"
    "A Kubernetes scheduler extender: serves kube-scheduler's filter, prioritize and preempt\n"
    "verbs with the semantics of the TaintToleration, NodeAffinity, NodeUnschedulable and\n"
    "NodeName plugins, plus the DaemonSet controller's placement (POST /daemonset).\n"
    "\n"
    "Flags:\n"
    "  --listen ADDR:PORT      address to serve on (default 127.0.0.1:8888; [::1]:8888 for IPv6;\n"
    "                          port 0 picks a free port, printed at start)\n"
    "  --threads N             worker threads (default: the number of CPUs)\n"
    "  --nodes FILE            a NodeList (kubectl get nodes -o json) loaded into the node cache\n"
    "                          that nodeCacheCapable (NodeNames) requests are answered from\n"
    "  --feature-gates LIST    Name=bool,... (TaintTolerationComparisonOperators, default false)\n"
    "  --max-body BYTES        largest request body accepted (default 268435456 = 256 MiB)\n"
    "  --plugin PATH           the plugin (default: libnodegate.so beside this binary)\n"
    "  --record DIR            save each verb request and its reply in DIR, as nodegate-replay\n"
    "                          reads them (DIR/<seq>-<verb>.json and .reply.json)\n"
    "  --log-level LEVEL       error, info (default) or debug (one line per request)\n"
    "  --help                  this text\n"
    "  --version               print the version and exit\n"
    "\n"
    "Endpoints (under any path prefix): POST /filter /prioritize /preempt /daemonset /nodes,\n"
    "DELETE /nodes/NAME, GET /nodes /healthz /version.\n";

typedef struct flags {
    srv_server_config server;
    const char *nodes;
    const char *plugin;
    char options[1024];
} flags;

static void bad_flag(const char *fmt, const char *arg)
{
    fprintf(stderr, "nodegate-server: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nRun 'nodegate-server --help' for usage.\n");
    exit(2);
}

static int parse_listen(const char *s, struct sockaddr_storage *out)
{
    char host[256];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return -1;
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end || port > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host[n - 1] = '\0';
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1 ? 0 : -1;
    }
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &v4->sin_addr) == 1 ? 0 : -1;
}

/* kube's --feature-gates syntax, Go strconv.ParseBool values, turned into plugin options. */
static void parse_gates(const char *list, char *options, size_t len)
{
    char copy[512], gates[768] = "";
    snprintf(copy, sizeof copy, "%s", list);
    for (char *save, *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            bad_flag("--feature-gates: \"%s\" is not Name=true|false", item);
        *eq = '\0';
        const char *v = eq + 1;
        bool on = !strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE") || !strcmp(v, "t") ||
                  !strcmp(v, "T") || !strcmp(v, "1");
        bool off = !strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE") ||
                   !strcmp(v, "f") || !strcmp(v, "F") || !strcmp(v, "0");
        if (!on && !off)
            bad_flag("--feature-gates: invalid value \"%s\" (want true or false)", v);
        size_t n = strlen(gates);
        snprintf(gates + n, sizeof gates - n, "%s\"%s\":%s", n ? "," : "", item, on ? "true" : "false");
    }
    snprintf(options, len, "{\"featureGates\":{%s}}", gates);
}

static unsigned long long parse_count(const char *flag, const char *s, unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || v == 0 || v > max || s[0] == '-')
        bad_flag("%s: want a positive whole number", flag);
    return v;
}

static void parse_flags(int argc, char **argv, flags *f)
{
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'}, {"threads", required_argument, 0, 't'},
        {"nodes", required_argument, 0, 'n'},  {"feature-gates", required_argument, 0, 'g'},
        {"max-body", required_argument, 0, 'm'}, {"plugin", required_argument, 0, 'p'},
        {"record", required_argument, 0, 'r'},
        {"log-level", required_argument, 0, 'v'}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    f->server.threads = cpus > 0 ? (unsigned)cpus : 1;
    f->server.max_body = 256ull << 20;
    parse_listen("127.0.0.1:8888", &f->server.addr);
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'l': if (parse_listen(optarg, &f->server.addr)) bad_flag("--listen: \"%s\" is not ADDR:PORT", optarg); break;
        case 't': f->server.threads = (unsigned)parse_count("--threads", optarg, 1024); break;
        case 'n': f->nodes = optarg; break;
        case 'g': parse_gates(optarg, f->options, sizeof f->options); break;
        case 'm': f->server.max_body = parse_count("--max-body", optarg, UINT64_MAX); break;
        case 'p': f->plugin = optarg; break;
        case 'r': f->server.record_dir = optarg; break;
        case 'v': {
            int level = host_log_parse_level(optarg);
            if (level < 0)
                bad_flag("--log-level: \"%s\" is not error, info or debug", optarg);
            host_log_threshold = (host_log_level)level;
            break;
        }
        case 'h': fputs(usage, stdout); exit(0);
        case 'V': printf("nodegate-server %s (plugin ABI %u)\n", NODEGATE_VERSION, NODEGATE_ABI_VERSION); exit(0);
        case ':': bad_flag("%s needs a value", argv[optind - 1]); break;
        default: bad_flag("unknown flag %s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        bad_flag("unexpected argument \"%s\"", argv[optind]);
}

/* Streams a NodeList file into the cache as one all-or-nothing update. */
static int load_nodes(const struct nodegate_plugin *api, ng_index *index, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        host_log(HOST_LOG_ERROR, "--nodes %s: %s", path, strerror(errno));
        return -1;
    }
    static char chunk[1 << 20];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ng_call *call = api->call_begin(index, NG_NODES);
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        api->call_feed(call, chunk, n);
    bool read_error = ferror(fp);
    fclose(fp);
    ng_reply reply;
    int status = api->call_end(call, &reply);
    if (read_error || status != 200)
        host_log(HOST_LOG_ERROR, "--nodes %s: %s", path, read_error ? "read error" : reply.data);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!read_error && status == 200)
        host_log(HOST_LOG_INFO, "loaded %s in %.3f s: %s", path,
                 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, reply.data);
    api->reply_free(&reply);
    return read_error || status != 200 ? -1 : 0;
}

static const char *describe(const struct sockaddr_storage *a, uint16_t port, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN];
    if (a->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, host, sizeof host);
        snprintf(out, len, "[%s]:%u", host, port);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, host, sizeof host);
        snprintf(out, len, "%s:%u", host, port);
    }
    return out;
}

/* A full-mode call allocates tens of MB (capture, reply, a private index) and
 * frees them at its end. glibc gives such blocks back to the kernel at once
 * when more than one thread allocates (mmap, or a trimmed thread heap), so
 * every call faulted its pages in anew: ~3,800 faults and twice the CPU per
 * 11 MB call at concurrency 2. Keeping up to 64 MB for reuse costs RSS that
 * stays at the peak instead of dropping back after each call. */
static void keep_freed_memory(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);   /* glibc's largest: half a thread heap */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

int main(int argc, char **argv)
{
    host_set_program("nodegate-server");
    flags f = {0};
    keep_freed_memory();
    parse_flags(argc, argv, &f);
    char path[4096], err[512];
    if (!f.plugin)
        host_plugin_default_path(path, sizeof path);
    else
        snprintf(path, sizeof path, "%s", f.plugin);
    host_plugin plugin;
    if (host_plugin_load(path, &plugin, err, sizeof err)) {
        host_log(HOST_LOG_ERROR, "%s", err);
        return 1;
    }
    ng_index *index = plugin.api->index_new(f.options[0] ? f.options : NULL, err, sizeof err);
    if (!index) {
        fprintf(stderr, "nodegate-server: --feature-gates: %s\n", err);
        return 2;
    }
    if (f.nodes && load_nodes(plugin.api, index, f.nodes))
        return 1;
    /* signals are taken synchronously below, so every thread must block them */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    srv_server *server = srv_server_start(&plugin, index, &f.server, err, sizeof err);
    if (!server) {
        host_log(HOST_LOG_ERROR, "%s", err);
        return 1;
    }
    char where[128];
    host_log(HOST_LOG_INFO, "nodegate-server %s listening on %s (plugin %s, %u threads, max body %llu bytes)",
             NODEGATE_VERSION, describe(&f.server.addr, srv_server_port(server), where, sizeof where), path,
             f.server.threads, (unsigned long long)f.server.max_body);
    int sig;
    sigwait(&sigs, &sig);
    host_log(HOST_LOG_INFO, "signal %d: stopping", sig);
    srv_server_stop(server);
    plugin.api->index_free(index);
    host_plugin_unload(&plugin);
    return 0;
}
