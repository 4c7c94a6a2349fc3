/* flags.c - nodegate-server's flags: parsed with getopt_long, checked as kube checks its own. */
#include "flags.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "duration.h"
#include "json_escape.h"
#include "kubeconfig.h"
#include "log.h"
#include "xalloc.h"

static void print_usage(void)
{
    printf("Usage: nodegate-server [flags]\n"
           "A Kubernetes scheduler extender: serves kube-scheduler's filter, prioritize and preempt\n"
           "verbs with the semantics of the TaintToleration, NodeAffinity, NodeUnschedulable and\n"
           "NodeName plugins, plus the DaemonSet controller's placement (POST /daemonset).\n"
           "\n"
           "Flags:\n"
           "  --listen ADDR:PORT      address to serve on (default 127.0.0.1:8888; [::1]:8888 for IPv6;\n"
           "                          localhost:8888 is 127.0.0.1:8888; :8888 every IPv4 address; port 0\n"
           "                          picks a free port, printed at start)\n"
           "  --threads N             plugin calls that run at once, the others waiting their turn\n"
           "                          (default: the number of CPUs); every connection has its own thread\n"
           "  --nodes FILE            a NodeList (kubectl get nodes -o json), or YAML (-o yaml, or several\n"
           "                          documents), loaded into the node cache that nodeCacheCapable\n"
           "                          (NodeNames) requests are answered from\n"
           "  --feature-gates LIST    Name=bool,... (TaintTolerationComparisonOperators, default false)\n"
           "  --compact-replies       filter replies that kube-scheduler reads the same (default false):\n"
           "                          no reasons once a node passes (it reads them only when none does)\n"
           "  --max-body BYTES        largest request body accepted (default %llu = %llu MiB)\n"
           "  --plugin PATH           the plugin (default: libnodegate.so beside this binary, or else\n"
           "                          ../lib/nodegate/libnodegate.so from its folder, as make install puts it)\n"
           "  --record DIR            save each verb request and node update (POST /nodes, PATCH and\n"
           "                          DELETE /nodes/NAME) and its reply in DIR, in one sequence, as\n"
           "                          nodegate-replay run --verify DIR replays them (DIR/<seq>-<verb>.json,\n"
           "                          <seq>-PATCH-nodes@NAME.json, <seq>-DELETE-nodes@NAME.json; .reply.json)\n"
           "  --kubeconfig FILE       follow the nodes of this kubeconfig's API server (list, then watch):\n"
           "                          the names-mode cache, with POST /nodes and DELETE /nodes refused.\n"
           "                          Without it, in a pod (KUBERNETES_SERVICE_HOST set) and with no --nodes,\n"
           "                          the in-cluster config is used. Needs get, list, watch on nodes\n"
           "  --context NAME          the kubeconfig context (default: its current-context)\n"
           "  --watch-stall-timeout DURATION\n"
           "                          restart a watch that sends nothing, not even a bookmark, for this\n"
           "                          long (default 3m: the API server sends a bookmark about every minute)\n"
           "  --cache-stale-after DURATION\n"
           "                          how long the API-server node source may keep failing before\n"
           "                          /readyz answers 503 (90s, 5m, 1h30m; default 5m: ten retries at\n"
           "                          client-go's 30s backoff cap, so an API-server restart does not\n"
           "                          flip readiness, and less than the ~6m after which pods are evicted\n"
           "                          from an unreachable node, so a stale cache is flagged before they\n"
           "                          are scheduled again)\n"
           "  --shutdown-grace DURATION\n"
           "                          on SIGTERM or SIGINT, stop accepting connections and give the calls\n"
           "                          in flight this long to finish before closing them (default 5s)\n"
           "  --tls-cert-file FILE    serve HTTPS with this certificate (PEM, the server's first, then any\n"
           "                          intermediates); TLS 1.2 or 1.3 only. Default: plain HTTP\n"
           "  --tls-private-key-file FILE\n"
           "                          the certificate's private key (PEM); needed with --tls-cert-file\n"
           "  --client-ca-file FILE   require a client certificate that verifies against these CAs (PEM):\n"
           "                          clients without one are refused in the handshake. The three TLS files\n"
           "                          are read again when they change (looked at at most once a second, as\n"
           "                          connections come) and on SIGHUP; files that do not load are logged and\n"
           "                          the ones in use stay\n"
           "  --read-header-timeout DURATION\n"
           "                          a request's headers must be in within this long of its start (its\n"
           "                          connection's, or its request line's on a kept-alive one), or the\n"
           "                          connection is closed (default 10s, as Go servers set it)\n"
           "  --read-timeout DURATION the same for the whole request, body included (default 1m)\n"
           "  --idle-timeout DURATION a kept-alive connection waits this long for its next request, and a\n"
           "                          reply for its client to read more of it, before it is closed\n"
           "                          (whole seconds; default 2m)\n"
           "  --max-connections N     connections open at once (default %u); one more is answered 503, a\n"
           "                          burst beyond that refused, never left waiting\n"
           "  --max-connections-per-client N\n"
           "                          connections open at once from one client address (default %u); one\n"
           "                          more is refused at once\n"
           "  --log-level LEVEL       error, info (default) or debug (one line per request)\n"
           "  --help                  this text\n"
           "  --version               print the version and exit\n"
           "\n"
           "Endpoints (under any path prefix): POST /filter /prioritize /preempt /daemonset /nodes,\n"
           "GET /nodes /nodes/NAME /healthz /livez /readyz /metrics /version /stats,\n"
           "PATCH /nodes/NAME (a JSON merge patch of the node as GET /nodes/NAME shows it, Content-Type\n"
           "application/merge-patch+json or application/json), DELETE /nodes/NAME.\n"
           "POST /nodes, PATCH /nodes/NAME and DELETE /nodes/NAME are accepted from this host's loopback\n"
           "only, or from any address over TLS with a client certificate verified against\n"
           "--client-ca-file (403 otherwise).\n"
           "Every POST and PATCH also takes YAML (Content-Type application/yaml, application/x-yaml or\n"
           "text/yaml): one document, or for POST /nodes several (Nodes, NodeLists, watch events), applied\n"
           "all or nothing.\n"
           "\n"
           "Signals: SIGTERM and SIGINT stop it (see --shutdown-grace), exit 0; SIGHUP loads --nodes again\n"
           "(all or nothing: a file that does not load leaves the cache as it was) and the TLS files (the\n"
           "same: new connections get them only when all load); SIGQUIT stops it at\n"
           "once, cutting the calls in flight, exit 2; SIGUSR1 and SIGUSR2 are logged and ignored.\n",
           SRV_DEFAULT_MAX_BODY, SRV_DEFAULT_MAX_BODY >> 20, SRV_DEFAULT_MAX_CONNECTIONS,
           SRV_DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
}

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
    if (!host[0]) {   /* ":8888", as Go's net/http reads it: every address (here, every IPv4 one) */
        v4->sin_addr.s_addr = htonl(INADDR_ANY);
        return 0;
    }
    if (strcmp(host, "localhost") == 0)   /* the loopback, never whatever a resolver says */
        return inet_pton(AF_INET, "127.0.0.1", &v4->sin_addr) == 1 ? 0 : -1;
    return inet_pton(AF_INET, host, &v4->sin_addr) == 1 ? 0 : -1;
}

/* Go's strconv.ParseBool, as kube's flags read a bool: sets *out and returns true, or false. */
static bool parse_bool(const char *v, bool *out)
{
    static const char *const words[] = {"1", "t", "T", "true", "TRUE", "True",   /* then the false ones */
                                        "0", "f", "F", "false", "FALSE", "False"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        if (strcmp(v, words[i]) == 0) {
            *out = i < 6;
            return true;
        }
    }
    return false;
}

char *srv_parse_gates(const char *list, char **error)
{
    char *copy = host_xstrdup(list);
    host_buf json = {0};
    host_buf_puts(&json, "\"featureGates\":{");
    const char *sep = "";
    *error = NULL;
    for (char *save, *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) {
            if (asprintf(error, "--feature-gates: \"%s\" is not Name=true|false", item) < 0)
                host_oom(strlen(item));
            break;
        }
        *eq = '\0';
        const char *v = eq + 1;
        bool on;
        if (!parse_bool(v, &on)) {
            if (asprintf(error, "--feature-gates: invalid value \"%s\" (want true or false)", v) < 0)
                host_oom(strlen(v));
            break;
        }
        char *name = host_json_escaped(item);
        host_buf_printf(&json, "%s\"%s\":%s", sep, name, on ? "true" : "false");
        free(name);
        sep = ",";
    }
    host_buf_puts(&json, "}");
    free(copy);
    if (*error) {
        host_buf_free(&json);
        return NULL;
    }
    return host_buf_take(&json, NULL);
}

static void parse_duration_flag(const char *flag, const char *s, double *out)
{
    const char *why;
    if (srv_parse_duration(s, out, &why)) {
        fprintf(stderr, "nodegate-server: %s: \"%s\" is not a duration like 90s, 5m or 1h30m: %s\n"
                        "Run 'nodegate-server --help' for usage.\n", flag, s, why);
        exit(2);
    }
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

void srv_parse_flags(int argc, char **argv, srv_flags *f)
{
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'}, {"threads", required_argument, 0, 't'},
        {"nodes", required_argument, 0, 'n'},  {"feature-gates", required_argument, 0, 'g'},
        {"max-body", required_argument, 0, 'm'}, {"plugin", required_argument, 0, 'p'},
        {"record", required_argument, 0, 'r'}, {"cache-stale-after", required_argument, 0, 's'},
        {"kubeconfig", required_argument, 0, 'k'}, {"context", required_argument, 0, 'c'},
        {"watch-stall-timeout", required_argument, 0, 'w'}, {"shutdown-grace", required_argument, 0, 'G'},
        {"read-header-timeout", required_argument, 0, 'H'}, {"read-timeout", required_argument, 0, 'R'},
        {"idle-timeout", required_argument, 0, 'I'}, {"max-connections", required_argument, 0, 'C'},
        {"max-connections-per-client", required_argument, 0, 'M'},
        {"log-level", required_argument, 0, 'v'}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'}, {"tls-cert-file", required_argument, 0, 'T'},
        {"tls-private-key-file", required_argument, 0, 'P'}, {"client-ca-file", required_argument, 0, 'A'},
        {"compact-replies", optional_argument, 0, 'Z'}, {0, 0, 0, 0}};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    f->server.threads = cpus > 0 ? (unsigned)cpus : 1;
    f->server.max_body = SRV_DEFAULT_MAX_BODY;
    f->server.cache_stale_after = SRV_DEFAULT_CACHE_STALE_AFTER;
    f->watch_stall_timeout = SRV_DEFAULT_WATCH_STALL_TIMEOUT;
    f->shutdown_grace = SRV_DEFAULT_SHUTDOWN_GRACE;
    f->server.limits = (srv_limits_config){
        .read_header_timeout = SRV_DEFAULT_READ_HEADER_TIMEOUT, .read_timeout = SRV_DEFAULT_READ_TIMEOUT,
        .idle_timeout = SRV_DEFAULT_IDLE_TIMEOUT, .max_connections = SRV_DEFAULT_MAX_CONNECTIONS,
        .max_connections_per_client = SRV_DEFAULT_MAX_CONNECTIONS_PER_CLIENT};
    srv_limits_config *lim = &f->server.limits;
    char *gates = NULL;
    bool compact = false;
    parse_listen("127.0.0.1:8888", &f->server.addr);
    opterr = 0;
    int c, at = optind, li = -1;
    /* "+": no permuting, so argv[at] is the flag just read */
    while ((c = getopt_long(argc, argv, "+:", opts, &li)) != -1) {
        const char *flag = argv[at];
        at = optind;
        if (flag[0] != '-' || flag[1] != '-')   /* no short flags: -v=4 is an unknown flag, named whole */
            bad_flag("unknown flag %s (flags are --NAME)", flag);
        /* getopt_long takes any unambiguous prefix (--v for --version); kube's flags take none */
        if (c != '?' && c != ':' && strlen(opts[li].name) != strcspn(flag + 2, "="))
            bad_flag("unknown flag %s", flag);
        switch (c) {
        case 'l': if (parse_listen(optarg, &f->server.addr)) bad_flag("--listen: \"%s\" is not ADDR:PORT, localhost:PORT or :PORT", optarg); break;
        case 't': f->server.threads = (unsigned)parse_count("--threads", optarg, 1024); break;
        case 'n': f->nodes = optarg; break;
        case 'g': {   /* the last one counts */
            char *error;
            free(gates);
            if (!(gates = srv_parse_gates(optarg, &error)))
                bad_flag("%s", error);
            break;
        }
        case 'Z':   /* a kube bool flag: --compact-replies, or --compact-replies=BOOL (never a separate word) */
            if (optarg && !parse_bool(optarg, &compact))
                bad_flag("--compact-replies: invalid value \"%s\" (want true or false)", optarg);
            if (!optarg)
                compact = true;
            break;
        case 'k': f->kubeconfig = optarg; break;
        case 'c': f->context = optarg; break;
        case 'w': parse_duration_flag("--watch-stall-timeout", optarg, &f->watch_stall_timeout); break;
        case 'm': f->server.max_body = parse_count("--max-body", optarg, UINT64_MAX); break;
        case 'p': f->plugin = optarg; break;
        case 'r': f->server.record_dir = optarg; break;
        case 's': parse_duration_flag("--cache-stale-after", optarg, &f->server.cache_stale_after); break;
        case 'G': parse_duration_flag("--shutdown-grace", optarg, &f->shutdown_grace); break;
        case 'T': f->tls_cert = optarg; break;
        case 'P': f->tls_key = optarg; break;
        case 'A': f->client_ca = optarg; break;
        case 'H': parse_duration_flag("--read-header-timeout", optarg, &lim->read_header_timeout); break;
        case 'R': parse_duration_flag("--read-timeout", optarg, &lim->read_timeout); break;
        case 'I': parse_duration_flag("--idle-timeout", optarg, &lim->idle_timeout); break;
        case 'C': lim->max_connections = (unsigned)parse_count("--max-connections", optarg, 1000000); break;
        case 'M':
            lim->max_connections_per_client =
                (unsigned)parse_count("--max-connections-per-client", optarg, 1000000);
            break;
        case 'v': {
            int level = host_log_parse_level(optarg);
            if (level < 0)
                bad_flag("--log-level: \"%s\" is not error, info or debug", optarg);
            host_log_threshold = (host_log_level)level;
            break;
        }
        case 'h': print_usage(); exit(0);
        case 'V': printf("nodegate-server %s (plugin ABI %u)\n", NODEGATE_VERSION, NODEGATE_ABI_VERSION); exit(0);
        case ':': bad_flag("%s needs a value", flag); break;
        default: bad_flag("unknown flag %s", flag);
        }
    }
    if (optind < argc)
        bad_flag("unexpected argument \"%s\"", argv[optind]);
    if (f->kubeconfig && f->nodes)
        bad_flag("--nodes %s: not with --kubeconfig, whose API server owns the node cache", f->nodes);
    if (f->context && !f->kubeconfig)
        bad_flag("--context %s: needs --kubeconfig", f->context);
    if (f->tls_cert && !f->tls_key)
        bad_flag("--tls-cert-file %s: needs --tls-private-key-file", f->tls_cert);
    if (f->tls_key && !f->tls_cert)
        bad_flag("--tls-private-key-file %s: needs --tls-cert-file", f->tls_key);
    if (f->client_ca && !f->tls_cert)
        bad_flag("--client-ca-file %s: needs --tls-cert-file and --tls-private-key-file (client certificates "
                 "come over TLS)", f->client_ca);
    f->from_api_server = f->kubeconfig || (!f->nodes && kube_in_cluster());
    /* the plugin's options, one member per flag that sets one; a cache that follows the API
     * server holds every node */
    const char *members[] = {gates, f->from_api_server ? "\"completeCache\":true" : NULL,
                             compact ? "\"compactReplies\":true" : NULL};
    host_buf json = {0};
    for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
        if (!members[i])
            continue;
        host_buf_puts(&json, json.len ? "," : "{");
        host_buf_puts(&json, members[i]);
    }
    if (json.len) {
        host_buf_puts(&json, "}");
        f->options = host_buf_take(&json, NULL);
    }
    free(gates);
}

void srv_flags_free(srv_flags *f)
{
    free(f->options);
    f->options = NULL;
}
