/* test_server.c - nodegate-server's pieces that depend on an API-server node source, tested
 * before that source exists: a fake kube_source defined here stands in for harness/kube/
 * source.c (this file is the only place such a stand-in may live). With it: --cache-stale-after's
 * parsing and printing against Go's time package, /readyz's decision, the 409 of the node API,
 * the /metrics text (checked with promtool too), and a real server on a loopback port answering
 * /readyz, /livez, /metrics and the refused node writes over HTTP. */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "duration.h"
#include "health.h"
#include "http.h"
#include "loader.h"
#include "metrics.h"
#include "routes.h"
#include "source.h"

/* ---- the fake node source: what source.c will define, over state a test sets directly ---- */

struct kube_source {
    kube_source_stats stats;
    char last_error[256];
};

const char *const kube_event_names[KUBE_EV_COUNT] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"};
const char *const kube_error_names[KUBE_ERR_COUNT] = {
    "connect", "tls", "unauthorized", "forbidden", "throttled", "server",
    "status",  "expired", "malformed", "rejected", "stalled"};

const kube_source_stats *kube_source_stats_of(const kube_source *s)
{
    return &s->stats;
}

void kube_source_last_error(kube_source *s, char *buf, size_t len)
{
    snprintf(buf, len, "%s", s->last_error);
}

static void fake_reset(kube_source *f)
{
    memset(f, 0, sizeof *f);
}

/* ---- the plugin, loaded from beside this binary's folder ($B/tests/../libnodegate.so) ---- */

static host_plugin plugin;

static const char DEMO_NODES[] =
    "{\"kind\":\"NodeList\",\"items\":[{\"metadata\":{\"name\":\"worker\",\"labels\":{\"pool\":\"a\"}}},"
    "{\"metadata\":{\"name\":\"master\"},\"spec\":{\"taints\":[{\"key\":\"node-role.kubernetes.io/master\","
    "\"effect\":\"NoSchedule\"}]}},{\"metadata\":{\"name\":\"gpu-1\"}}]}";

static ng_index *demo_index(void)
{
    char err[256];
    ng_index *idx = plugin.api->index_new(NULL, err, sizeof err);
    assert_non_null(idx);
    ng_reply reply;
    assert_int_equal(plugin.api->nodes_apply(idx, DEMO_NODES, strlen(DEMO_NODES), &reply), 200);
    plugin.api->reply_free(&reply);
    return idx;
}

/* ---- durations: every expectation is what Go 1.x's time package says for the same input ---- */

static void expect_parse(const char *s, double want)
{
    double got = -1;
    const char *why = NULL;
    if (srv_parse_duration(s, &got, &why) != 0)
        fail_msg("\"%s\": refused (%s), want %.9f s", s, why, want);
    if (got < want * (1 - 1e-12) || got > want * (1 + 1e-12))
        fail_msg("\"%s\": %.12g s, want %.12g s", s, got, want);
}

static void expect_refused(const char *s, const char *want_why)
{
    double got = -1;
    const char *why = NULL;
    if (srv_parse_duration(s, &got, &why) == 0)
        fail_msg("\"%s\": accepted as %.9f s, want refused (%s)", s, got, want_why);
    assert_string_equal(why, want_why);
}

static void test_duration_parse(void **state)
{
    (void)state;
    expect_parse("90s", 90);
    expect_parse("5m", 300);
    expect_parse("1h30m", 5400);
    expect_parse("1.5h", 5400);
    expect_parse("1h30m0s", 5400);
    expect_parse("2h45m30.5s", 9930.5);
    expect_parse("300ms", 0.3);
    expect_parse("1.s", 1);
    expect_parse(".5m", 30);
    expect_parse("100us", 1e-4);
    expect_parse("100\xc2\xb5s", 1e-4);   /* µ, U+00B5 */
    expect_parse("100\xce\xbcs", 1e-4);   /* μ, U+03BC */
    expect_parse("1ns", 1e-9);
    expect_parse("1m0.000000001s", 60.000000001);
    expect_parse("2562047h", 2562047.0 * 3600);
    /* Go refuses these too, for the same reasons */
    expect_refused("", "empty");
    expect_refused("5", "a number needs a unit");
    expect_refused("1h30", "a number needs a unit");
    expect_refused("1..5s", "a number needs a unit");
    expect_refused(".", "expected a number");
    expect_refused("5x", "unknown unit (want ns, us, ms, s, m or h)");
    expect_refused("5 m", "unknown unit (want ns, us, ms, s, m or h)");
    expect_refused("5M", "unknown unit (want ns, us, ms, s, m or h)");
    expect_refused("1e3s", "unknown unit (want ns, us, ms, s, m or h)");
    expect_refused("1h-5m", "unknown unit (want ns, us, ms, s, m or h)");
    expect_refused("2562048h", "longer than 2562047h");
    /* Go takes these; a staleness bound of zero or less means nothing, so they are refused */
    expect_refused("0", "a number needs a unit");
    expect_refused("0s", "must be positive");
    expect_refused("-5m", "a sign is not allowed");
    expect_refused("+5m", "a sign is not allowed");
}

static void expect_format(double seconds, const char *want)
{
    char out[64];
    assert_string_equal(srv_format_duration(seconds, out, sizeof out), want);
}

static void test_duration_format(void **state)
{
    (void)state;
    expect_format(1e-9, "1ns");
    expect_format(999e-9, "999ns");
    expect_format(1e-6, "1\xc2\xb5s");
    expect_format(1.5e-6, "1.5\xc2\xb5s");
    expect_format(999.999e-6, "999.999\xc2\xb5s");
    expect_format(1e-3, "1ms");
    expect_format(1.5e-3, "1.5ms");
    expect_format(0.999999999, "999.999999ms");
    expect_format(1, "1s");
    expect_format(1.5, "1.5s");
    expect_format(59.999999999, "59.999999999s");
    expect_format(60, "1m0s");
    expect_format(90, "1m30s");
    expect_format(300, "5m0s");
    expect_format(361, "6m1s");
    expect_format(3600, "1h0m0s");
    expect_format(5400, "1h30m0s");
    expect_format(5400.000000001, "1h30m0.000000001s");
    expect_format(0, "0s");
}

/* ---- /readyz's decision ---- */

static void test_ready_without_source(void **state)
{
    (void)state;
    char reason[256] = "untouched";
    assert_true(srv_cache_ready(NULL, 300, 1000, reason, sizeof reason));
    assert_string_equal(reason, "untouched");
}

static void test_ready_waits_for_first_list(void **state)
{
    (void)state;
    kube_source f;
    fake_reset(&f);
    char reason[512];
    assert_false(srv_cache_ready(&f, 300, 1000, reason, sizeof reason));
    assert_string_equal(reason, "waiting for the first complete list of nodes from the API server");
    snprintf(f.last_error, sizeof f.last_error, "GET https://10.0.0.1:6443/api/v1/nodes: connection refused");
    atomic_store(&f.stats.failing_since_mono, 10.0);
    assert_false(srv_cache_ready(&f, 300, 1000, reason, sizeof reason));
    assert_string_equal(reason, "waiting for the first complete list of nodes from the API server (last error: "
                                "GET https://10.0.0.1:6443/api/v1/nodes: connection refused)");
    atomic_store(&f.stats.synced, true);
    atomic_store(&f.stats.failing_since_mono, 0.0);
    assert_true(srv_cache_ready(&f, 300, 1000, reason, sizeof reason));
}

/* Failing for up to the bound is still ready (a watch reconnecting is normal); past it is not,
 * and the reason says for how long, against which bound, and why. */
static void test_ready_until_failing_too_long(void **state)
{
    (void)state;
    kube_source f;
    fake_reset(&f);
    atomic_store(&f.stats.synced, true);
    atomic_store(&f.stats.failing_since_mono, 1000.0);
    snprintf(f.last_error, sizeof f.last_error, "watch of nodes: 503 Service Unavailable");
    char reason[512];
    assert_true(srv_cache_ready(&f, 300, 1000, reason, sizeof reason));
    assert_true(srv_cache_ready(&f, 300, 1300, reason, sizeof reason));
    assert_false(srv_cache_ready(&f, 300, 1361.7, reason, sizeof reason));
    assert_string_equal(reason, "the node source has been failing for 6m1s, longer than --cache-stale-after 5m0s "
                                "(last error: watch of nodes: 503 Service Unavailable)");
    f.last_error[0] = '\0';
    assert_false(srv_cache_ready(&f, 90, 1100, reason, sizeof reason));
    assert_string_equal(reason, "the node source has been failing for 1m40s, longer than --cache-stale-after 1m30s");
    atomic_store(&f.stats.failing_since_mono, 0.0);   /* recovered */
    assert_true(srv_cache_ready(&f, 90, 5000, reason, sizeof reason));
}

/* ---- the node API while a source owns the cache ---- */

static void test_cache_write_refused(void **state)
{
    (void)state;
    kube_source f;
    fake_reset(&f);
    srv_server without = {0}, with = {.source = &f};
    char allow[32];
    const srv_route *post = srv_route_find("nodes", "", SRV_POST, allow, sizeof allow);
    const srv_route *del = srv_route_find("worker", "nodes", SRV_DELETE, allow, sizeof allow);
    const srv_route *patch = srv_route_find("worker", "nodes", SRV_PATCH, allow, sizeof allow);
    const srv_route *list = srv_route_find("nodes", "", SRV_GET, allow, sizeof allow);
    const srv_route *filter = srv_route_find("filter", "", SRV_POST, allow, sizeof allow);
    assert_non_null(post);
    assert_non_null(del);
    assert_non_null(patch);
    assert_non_null(list);
    assert_non_null(filter);
    assert_false(srv_cache_write_refused(&without, post));
    assert_false(srv_cache_write_refused(&without, del));
    assert_true(srv_cache_write_refused(&with, post));
    assert_true(srv_cache_write_refused(&with, del));
    assert_true(srv_cache_write_refused(&with, patch));
    /* a method no row of the path has: the Allow of nodes/{name}, not a 404 */
    assert_null(srv_route_find("worker", "nodes", 0, allow, sizeof allow));
    assert_string_equal(allow, "GET, PATCH, DELETE");
    assert_null(srv_route_find("filter", "nodes", 0, allow, sizeof allow));   /* the plain row first */
    assert_string_equal(allow, "POST");
    assert_false(srv_cache_write_refused(&with, list));     /* reading is fine */
    assert_false(srv_cache_write_refused(&with, filter));   /* so is scheduling */
}

/* ---- /metrics ---- */

/* The value of the sample written exactly as `series` (name and labels), or -1 if absent. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
    return -1;
}

/* promtool check metrics on text: 0 when it finds nothing to say. */
static int promtool_check(const char *text, size_t len, char *said, size_t saidlen)
{
    char path[] = "/tmp/nodegate-metrics.XXXXXX", cmd[256];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t got = fread(said, 1, saidlen - 1, p);
    said[got] = '\0';
    int rc = pclose(p);
    unlink(path);
    return rc;
}

static void test_metrics_text(void **state)
{
    (void)state;
    ng_index *idx = demo_index();
    size_t len;
    char *before = srv_metrics_render(plugin.api, idx, NULL, 0, &len);
    double count0 = sample(before, "nodegate_request_duration_seconds_count{verb=\"preempt\"}");
    double b1 = sample(before, "nodegate_request_duration_seconds_bucket{verb=\"preempt\",le=\"0.0001\"}");
    double b2 = sample(before, "nodegate_request_duration_seconds_bucket{verb=\"preempt\",le=\"0.00025\"}");
    double inf = sample(before, "nodegate_request_duration_seconds_bucket{verb=\"preempt\",le=\"10\"}");
    double c422 = sample(before, "nodegate_requests_total{verb=\"preempt\",code=\"422\"}");
    double in0 = sample(before, "nodegate_request_bytes_total{verb=\"preempt\"}");
    free(before);
    /* buckets are "less or equal": 100 us exactly is in le=0.0001, one ns more is not */
    srv_metrics_observe(NG_PREEMPT, 200, 100000, 10, 20);
    srv_metrics_observe(NG_PREEMPT, 200, 100001, 1, 2);
    srv_metrics_observe(NG_PREEMPT, 422, 20000000000, 100, 200);   /* 20 s: over the last bound */
    srv_metrics_observe((ng_verb)99, 200, 1, 1, 1);                  /* an unnamed verb: ignored */
    char *text = srv_metrics_render(plugin.api, idx, NULL, 0, &len);
    assert_int_equal(strlen(text), len);
    assert_true(sample(text, "nodegate_request_duration_seconds_count{verb=\"preempt\"}") == count0 + 3);
    assert_true(sample(text, "nodegate_request_duration_seconds_bucket{verb=\"preempt\",le=\"0.0001\"}") == b1 + 1);
    assert_true(sample(text, "nodegate_request_duration_seconds_bucket{verb=\"preempt\",le=\"0.00025\"}") == b2 + 2);
    assert_true(sample(text, "nodegate_request_duration_seconds_bucket{verb=\"preempt\",le=\"10\"}") == inf + 2);
    assert_true(sample(text, "nodegate_request_duration_seconds_bucket{verb=\"preempt\",le=\"+Inf\"}") == count0 + 3);
    assert_true(sample(text, "nodegate_requests_total{verb=\"preempt\",code=\"422\"}") == (c422 < 0 ? 0 : c422) + 1);
    assert_true(sample(text, "nodegate_request_bytes_total{verb=\"preempt\"}") == in0 + 111);
    assert_true(sample(text, "nodegate_nodes") == 3);
    assert_true(sample(text, "nodegate_index_bytes") > sample(text, "nodegate_index_string_bytes"));
    assert_true(sample(text, "nodegate_index_string_bytes") > 0);
    assert_true(sample(text, "nodegate_build_info{version=\"" NODEGATE_VERSION "\",abi=\"1\"}") == 1);
    /* without a source: synced, and none of the source's families */
    assert_true(sample(text, "nodegate_cache_synced") == 1);
    assert_null(strstr(text, "nodegate_watch_events_total"));
    assert_null(strstr(text, "nodegate_relists_total"));
    assert_null(strstr(text, "nodegate_node_source_errors_total"));
    assert_null(strstr(text, "nodegate_last_node_event_timestamp_seconds"));
    char said[4096];
    if (promtool_check(text, len, said, sizeof said) != 0)
        fail_msg("promtool check metrics (no source):\n%s", said);
    free(text);
    plugin.api->index_free(idx);
}

static void test_metrics_source_families(void **state)
{
    (void)state;
    ng_index *idx = demo_index();
    kube_source f;
    fake_reset(&f);
    size_t len;
    char *text = srv_metrics_render(plugin.api, idx, &f, 0, &len);
    /* every label value from the start, at 0 */
    assert_true(sample(text, "nodegate_cache_synced") == 0);
    assert_true(sample(text, "nodegate_watch_events_total{type=\"BOOKMARK\"}") == 0);
    assert_true(sample(text, "nodegate_node_source_errors_total{reason=\"stalled\"}") == 0);
    assert_true(sample(text, "nodegate_relists_total") == 0);
    assert_true(sample(text, "nodegate_last_node_event_timestamp_seconds") == 0);
    free(text);
    atomic_store(&f.stats.synced, true);
    atomic_store(&f.stats.events[KUBE_EV_ADDED], 5000);
    atomic_store(&f.stats.events[KUBE_EV_MODIFIED], 17);
    atomic_store(&f.stats.errors[KUBE_ERR_EXPIRED], 2);
    atomic_store(&f.stats.errors[KUBE_ERR_CONNECT], 3);
    atomic_store(&f.stats.relists, 2);
    atomic_store(&f.stats.last_event_wall, 1795000000.25);
    text = srv_metrics_render(plugin.api, idx, &f, 0, &len);
    assert_true(sample(text, "nodegate_cache_synced") == 1);
    assert_true(sample(text, "nodegate_watch_events_total{type=\"ADDED\"}") == 5000);
    assert_true(sample(text, "nodegate_watch_events_total{type=\"MODIFIED\"}") == 17);
    assert_true(sample(text, "nodegate_watch_events_total{type=\"DELETED\"}") == 0);
    assert_true(sample(text, "nodegate_node_source_errors_total{reason=\"expired\"}") == 2);
    assert_true(sample(text, "nodegate_node_source_errors_total{reason=\"connect\"}") == 3);
    assert_true(sample(text, "nodegate_relists_total") == 2);
    assert_true(sample(text, "nodegate_last_node_event_timestamp_seconds") == 1795000000.25);
    char said[4096];
    if (promtool_check(text, len, said, sizeof said) != 0)
        fail_msg("promtool check metrics (with a source):\n%s", said);
    free(text);
    plugin.api->index_free(idx);
}

/* ---- over HTTP, with the fake source in the server ---- */

typedef struct http_reply {
    int status;
    char headers[2048];
    char body[65536];
} http_reply;

/* One HTTP/1.1 request with Connection: close to 127.0.0.1:port; body may be NULL. With
 * announce, no body is sent: the headers say Content-Length: announce and Expect: 100-continue,
 * as curl sends a big body, and the reply read is the first one. */
static void http_request(uint16_t port, const char *method, const char *path, const char *body,
                         size_t announce, http_reply *out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char *req;
    int n = asprintf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: %zu\r\n%s\r\n%s",
                     method, path, announce ? announce : body ? strlen(body) : 0,
                     announce ? "Expect: 100-continue\r\n" : "", body ? body : "");
    assert_true(n > 0);
    assert_int_equal(write(fd, req, (size_t)n), n);
    free(req);
    static char raw[sizeof out->headers + sizeof out->body];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof raw - 1 && (r = read(fd, raw + got, sizeof raw - 1 - got)) > 0)
        got += (size_t)r;
    close(fd);
    raw[got] = '\0';
    char *end = strstr(raw, "\r\n\r\n");
    assert_non_null(end);
    *end = '\0';
    assert_int_equal(sscanf(raw, "HTTP/1.1 %d", &out->status), 1);
    size_t hlen = strlen(raw), blen = strlen(end + 4);
    assert_true(hlen < sizeof out->headers && blen < sizeof out->body);
    memcpy(out->headers, raw, hlen + 1);
    memcpy(out->body, end + 4, blen + 1);
}

static void http(uint16_t port, const char *method, const char *path, const char *body, http_reply *out)
{
    http_request(port, method, path, body, 0, out);
}

static void http_announced(uint16_t port, const char *method, const char *path, size_t len, http_reply *out)
{
    http_request(port, method, path, NULL, len, out);
}

static void expect_reply(http_reply *r, int status, const char *content_type, const char *body)
{
    char want[256];
    snprintf(want, sizeof want, "Content-Type: %s\r\n", content_type);
    if (r->status != status || !strstr(r->headers, want) || strcmp(r->body, body) != 0)
        fail_msg("want %d, %s, [%s]\ngot %s\n\n[%s]", status, content_type, body, r->headers, r->body);
}

static void test_http_with_source(void **state)
{
    (void)state;
    ng_index *idx = demo_index();
    kube_source f;
    fake_reset(&f);
    snprintf(f.last_error, sizeof f.last_error, "GET https://10.0.0.1:6443/api/v1/nodes: connection refused");
    srv_server_config cfg = {.threads = 2, .max_body = 1 << 20, .source = &f, .cache_stale_after = 300,
                             .limits = {.read_header_timeout = 10, .read_timeout = 60, .idle_timeout = 120,
                                        .max_connections = 100, .max_connections_per_client = 100}};
    struct sockaddr_in *a = (struct sockaddr_in *)&cfg.addr;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char err[256];
    srv_server *s = srv_server_start(&plugin, idx, &cfg, err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    uint16_t port = srv_server_port(s);
    http_reply *r = malloc(sizeof *r);

    http(port, "GET", "/readyz", NULL, r);
    expect_reply(r, 503, "application/json",
                 "{\"status\":\"not ready\",\"reason\":\"waiting for the first complete list of nodes from the API "
                 "server (last error: GET https://10.0.0.1:6443/api/v1/nodes: connection refused)\"}");
    http(port, "GET", "/scheduler/readyz?verbose", NULL, r);
    expect_reply(r, 503, "text/plain; charset=utf-8",
                 "[+]ping ok\n[-]node-cache failed: waiting for the first complete list of nodes from the API "
                 "server (last error: GET https://10.0.0.1:6443/api/v1/nodes: connection refused)\n"
                 "readyz check failed\n");
    http(port, "GET", "/livez", NULL, r);   /* liveness does not depend on the source */
    expect_reply(r, 200, "text/plain; charset=utf-8", "ok");
    http(port, "GET", "/metrics", NULL, r);
    expect_reply(r, 200, SRV_METRICS_CONTENT_TYPE, r->body);
    assert_true(sample(r->body, "nodegate_cache_synced") == 0);

    atomic_store(&f.stats.synced, true);
    f.last_error[0] = '\0';
    http(port, "GET", "/readyz", NULL, r);
    expect_reply(r, 200, "text/plain; charset=utf-8", "ok");
    http(port, "GET", "/readyz?verbose=1", NULL, r);
    expect_reply(r, 200, "text/plain; charset=utf-8", "[+]ping ok\n[+]node-cache ok\nreadyz check passed\n");
    http(port, "GET", "/metrics", NULL, r);
    assert_true(sample(r->body, "nodegate_cache_synced") == 1);
    assert_true(sample(r->body, "nodegate_nodes") == 3);

    /* failing for longer than the bound: not ready again */
    atomic_store(&f.stats.failing_since_mono, srv_now_mono() - 301);
    snprintf(f.last_error, sizeof f.last_error, "watch of nodes: 401 Unauthorized");
    http(port, "GET", "/readyz", NULL, r);
    expect_reply(r, 503, "application/json",
                 "{\"status\":\"not ready\",\"reason\":\"the node source has been failing for 5m1s, longer than "
                 "--cache-stale-after 5m0s (last error: watch of nodes: 401 Unauthorized)\"}");

    /* the node API refuses writes, and the cache is unchanged */
    const char *refused = "{\"Error\":\"" SRV_CACHE_OWNED "\"}";
    http(port, "POST", "/nodes", "{\"metadata\":{\"name\":\"intruder\"}}", r);
    expect_reply(r, 409, "application/json", refused);
    http(port, "POST", "/scheduler/nodes", "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"worker\"}}}", r);
    expect_reply(r, 409, "application/json", refused);
    /* refused on arrival, before any body is asked for: no 100 Continue comes first */
    http_announced(port, "POST", "/nodes", 600 * 1024, r);
    expect_reply(r, 409, "application/json", refused);
    http(port, "DELETE", "/nodes/worker", NULL, r);
    expect_reply(r, 409, "application/json", refused);
    http(port, "PATCH", "/nodes/worker", "{\"spec\":{\"unschedulable\":true}}", r);
    expect_reply(r, 409, "application/json", refused);
    http(port, "GET", "/nodes", NULL, r);
    expect_reply(r, 200, "application/json", "[\"worker\",\"master\",\"gpu-1\"]");
    /* scheduling goes on */
    http(port, "POST", "/filter", "{\"Pod\":{\"spec\":{}},\"NodeNames\":[\"worker\",\"master\"]}", r);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "\"NodeNames\":[\"worker\"]"));
    http(port, "GET", "/metrics", NULL, r);
    assert_true(sample(r->body, "nodegate_requests_total{verb=\"nodes\",code=\"409\"}") >= 4);

    free(r);
    srv_server_stop(s);
    plugin.api->index_free(idx);
}

int main(void)
{
    char self[PATH_MAX], path[PATH_MAX + 32], err[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        perror("test_server: /proc/self/exe");
        return 1;
    }
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(path, sizeof path, "%s/../libnodegate.so", self);
    if (host_plugin_load(path, &plugin, err, sizeof err)) {
        fprintf(stderr, "test_server: %s\n", err);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_parse),
        cmocka_unit_test(test_duration_format),
        cmocka_unit_test(test_ready_without_source),
        cmocka_unit_test(test_ready_waits_for_first_list),
        cmocka_unit_test(test_ready_until_failing_too_long),
        cmocka_unit_test(test_cache_write_refused),
        cmocka_unit_test(test_metrics_text),
        cmocka_unit_test(test_metrics_source_families),
        cmocka_unit_test(test_http_with_source),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    host_plugin_unload(&plugin);
    return failed;
}
