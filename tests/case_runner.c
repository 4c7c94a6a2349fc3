/* case_runner.c - runs the data-driven cases of tests/cases/<verb>/<case>/ against libnodegate.so. */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "loader.h"
#include "nodegate.h"
#include "readfile.h"

static const struct {
    const char *dir;
    ng_verb verb;
} VERBS[] = {
    {"filter", NG_FILTER},       {"prioritize", NG_PRIORITIZE}, {"preempt", NG_PREEMPT},
    {"daemonset", NG_DAEMONSET}, {"nodes", NG_NODES},
};

static const struct nodegate_plugin *plugin;

/* Writes one line into the case's log and returns false, so checks can `return fail(...)`. */
static bool fail(FILE *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("  ", log);
    vfprintf(log, fmt, ap);
    fputc('\n', log);
    va_end(ap);
    return false;
}

/* Reads dir/name into a NUL-terminated buffer the caller frees; NULL when it cannot be read. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return NULL;
    return host_read_file(path, len);
}

/* Prints a JSON value pretty and key-sorted, or the raw text when it does not parse. */
static void dump(FILE *log, const char *label, const json_t *value, const char *raw)
{
    char *text = value ? json_dumps(value, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    fprintf(log, "  %s:\n%s\n", label, text ? text : raw);
    free(text);
}

/* Compares two JSON texts (object key order ignored); logs both when they differ. jansson holds
 * no key with a \u0000 in it: an expected text that has one is compared byte for byte (but for
 * its final newline). */
static bool same_json(FILE *log, const char *what, const char *expected, const char *actual)
{
    json_error_t jerr;
    json_t *want = json_loads(expected, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!want && strstr(jerr.text, "NUL byte in object key")) {
        size_t n = strlen(expected);
        n -= n && expected[n - 1] == '\n';
        if (strlen(actual) == n && memcmp(expected, actual, n) == 0)
            return true;
        return fail(log, "%s differs (byte for byte: a key holds \\u0000)\n  expected: %.*s\n  actual: %s", what,
                    (int)n, expected, actual);
    }
    if (!want)
        return fail(log, "%s: expected file does not parse: %s (line %d)", what, jerr.text, jerr.line);
    json_t *got = json_loads(actual, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    bool ok = got && json_equal(want, got);
    if (!ok) {
        fail(log, "%s differs%s", what, got ? "" : " (actual is not JSON)");
        dump(log, "expected", want, expected);
        dump(log, "actual", got, actual);
    }
    json_decref(want);
    json_decref(got);
    return ok;
}

/* The expected status: the number in dir/status, else 200. */
static int expected_status(const char *dir)
{
    char *text = slurp(dir, "status", NULL);
    int status = text ? atoi(text) : 200;
    free(text);
    return status;
}

/* Checks that every non-empty line of dir/error-contains occurs in msg. */
static bool error_contains(FILE *log, const char *dir, const char *msg)
{
    char *want = slurp(dir, "error-contains", NULL);
    bool ok = true;
    for (char *save = NULL, *line = want ? strtok_r(want, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        if (*line && !strstr(msg, line))
            ok = fail(log, "Error does not contain \"%s\": \"%s\"", line, msg);
    }
    free(want);
    return ok;
}

/* Checks an error reply: an object whose only key is "Error", a non-empty string. */
static bool check_error(FILE *log, const char *dir, const ng_reply *r)
{
    json_t *body = r->data ? json_loads(r->data, 0, NULL) : NULL;
    json_t *msg = json_object_get(body, "Error");
    bool ok;
    if (json_object_size(body) != 1 || !json_is_string(msg) || !json_string_length(msg))
        ok = fail(log, "error reply is not {\"Error\": \"non-empty\"}: %s", r->data);
    else
        ok = error_contains(log, dir, json_string_value(msg));
    json_decref(body);
    return ok;
}

/* Checks a reply against dir/status and dir/expected.json (or the error rules). */
static bool check_reply(FILE *log, const char *dir, const ng_reply *r)
{
    int want = expected_status(dir);
    if (r->status != want)
        return fail(log, "status %d, expected %d; body: %s", r->status, want, r->data ? r->data : "");
    if (want != 200)
        return check_error(log, dir, r);
    char *expected = slurp(dir, "expected.json", NULL);
    if (!expected)
        return fail(log, "no expected.json");
    bool ok = same_json(log, "reply", expected, r->data ? r->data : "");
    free(expected);
    return ok;
}

/* Applies dir/nodes.json, when present, to the index; it must be accepted with 200. */
static bool load_nodes(FILE *log, const char *dir, ng_index *idx)
{
    size_t len;
    char *nodes = slurp(dir, "nodes.json", &len);
    if (!nodes)
        return true;
    ng_reply r = {0};
    bool ok = plugin->nodes_apply(idx, nodes, len, &r) == 200 ||
              fail(log, "nodes.json rejected with %d: %s", r.status, r.data ? r.data : "");
    plugin->reply_free(&r);
    free(nodes);
    return ok;
}

/* Checks the index's node names against dir/expected-nodes.json, when present. */
static bool check_nodes(FILE *log, const char *dir, ng_index *idx)
{
    char *expected = slurp(dir, "expected-nodes.json", NULL);
    if (!expected)
        return true;
    ng_reply r = {0};
    plugin->nodes_list(idx, &r);
    bool ok = same_json(log, "node list", expected, r.data ? r.data : "");
    plugin->reply_free(&r);
    free(expected);
    return ok;
}

/* One call of verb with body fed in chunks of at most chunk bytes, the first one cut at first
 * bytes (0: not cut). */
static void call(ng_index *idx, ng_verb verb, const char *body, size_t len, size_t first, size_t chunk,
                 ng_reply *r)
{
    ng_call *c = plugin->call_begin(idx, verb);
    size_t off = 0;
    if (first && first < len) {
        plugin->call_feed(c, body, first);
        off = first;
    }
    for (; off < len; off += chunk)
        plugin->call_feed(c, body + off, len - off < chunk ? len - off : chunk);
    plugin->call_end(c, r);
}

static bool same_reply(const ng_reply *a, const ng_reply *b)
{
    return a->status == b->status && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Where a body is cut in two for the chunking check: every byte up to 4 KB, else 1,024 cuts
 * spread over it (a cut inside a token, between tokens, inside a lane's value...). */
#define EVERY_CUT_MAX 4096

/* Feeds dir/request.json to one call of verb and checks what it answers; read-only verbs are
 * called again byte by byte and cut in two at many places, and must answer the same bytes
 * (errors and their offsets included) however the body was chunked. */
static bool call_and_check(FILE *log, const char *dir, ng_index *idx, ng_verb verb)
{
    size_t len;
    char *body = slurp(dir, "request.json", &len);
    if (!body)
        return fail(log, "no request.json");
    ng_reply r = {0};
    call(idx, verb, body, len, 0, len ? len : 1, &r);
    bool ok = check_reply(log, dir, &r);
    if (verb != NG_NODES) {
        size_t step = len <= EVERY_CUT_MAX ? 1 : len / 1024;
        for (size_t cut = 0; cut < len && ok; cut += cut ? step : 1) {
            ng_reply other = {0};
            /* cut 0: byte by byte; else two chunks, cut bytes and the rest */
            call(idx, verb, body, len, cut, cut ? len : 1, &other);
            if (!same_reply(&other, &r) && cut)
                ok = fail(log, "cut at byte %zu it answered %d %s", cut, other.status, other.data ? other.data : "");
            else if (!same_reply(&other, &r))
                ok = fail(log, "fed byte by byte it answered %d %s", other.status, other.data ? other.data : "");
            plugin->reply_free(&other);
        }
    }
    plugin->reply_free(&r);
    free(body);
    return ok;
}

/* Runs one case folder on a fresh index; what went wrong goes to log. */
static bool run_case(FILE *log, const char *dir, ng_verb verb)
{
    char err[256] = "";
    char *options = slurp(dir, "options.json", NULL);
    ng_index *idx = plugin->index_new(options, err, sizeof err);
    free(options);
    if (!idx)
        return fail(log, "index_new refused options.json: %s", err);
    bool ok = load_nodes(log, dir, idx) && call_and_check(log, dir, idx, verb);
    ok = check_nodes(log, dir, idx) && ok;
    plugin->index_free(idx);
    return ok;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Runs every case of one verb folder whose "verb/case" name contains filter. */
static void run_verb(const char *root, size_t v, const char *filter, int *passed, int *failed)
{
    char vdir[4096], cdir[8192], name[4096];
    snprintf(vdir, sizeof vdir, "%s/%s", root, VERBS[v].dir);
    struct dirent **list;
    int n = scandir(vdir, &list, visible, alphasort);
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s/%s", VERBS[v].dir, list[i]->d_name);
        snprintf(cdir, sizeof cdir, "%s/%s", root, name);
        if (is_dir(cdir) && (!filter || strstr(name, filter))) {
            char *text = NULL;
            size_t len = 0;
            FILE *log = open_memstream(&text, &len);
            bool ok = run_case(log, cdir, VERBS[v].verb);
            fclose(log);
            if (ok)
                putchar('.');
            else
                printf("\nFAIL %s\n%s", cdir, text);
            *(ok ? passed : failed) += 1;
            free(text);
            fflush(stdout);
        }
        free(list[i]);
    }
    if (n >= 0)
        free(list);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s PATH/libnodegate.so CASES-DIR [filter-substring]\n", argv[0]);
        return 2;
    }
    /* strict, as the server loads it (harness/lib/loader.c) */
    host_plugin loaded;
    char err[512];
    if (host_plugin_load(argv[1], &loaded, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    plugin = loaded.api;
    int passed = 0, failed = 0;
    for (size_t v = 0; v < sizeof VERBS / sizeof VERBS[0]; v++)
        run_verb(argv[2], v, argc == 4 ? argv[3] : NULL, &passed, &failed);
    printf("\n%d passed, %d failed\n", passed, failed);
    host_plugin_unload(&loaded);
    return failed ? 1 : 0;
}
