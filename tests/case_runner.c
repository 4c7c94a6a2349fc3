/* case_runner.c - runs the data-driven cases of tests/cases/<verb>/<case>/ against libnodegate.so,
 * and checks that /explain agrees with /filter, /prioritize and /daemonset on every one of their inputs. */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
    {"daemonset", NG_DAEMONSET}, {"nodes", NG_NODES},          {"explain", NG_EXPLAIN},
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

/* ---- explain agrees with the verbs it explains ---- */

/* The member of obj whose key folds to name (Go's case-insensitive keys, ASCII is enough here). */
static json_t *get_icase(json_t *obj, const char *name)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) if (strcasecmp(key, name) == 0) return v;
    return NULL;
}

/* The names a request names: NodeNames, or Nodes.items' metadata.name; NULL when it has neither
 * (explain then answers for every cached node, the verbs for none). */
static json_t *request_names(json_t *req)
{
    json_t *names = get_icase(req, "NodeNames"), *nodes = get_icase(req, "Nodes");
    if (json_is_object(nodes)) {
        json_t *out = json_array(), *item;
        size_t i;
        json_array_foreach(get_icase(nodes, "items"), i, item)
            json_array_append(out, get_icase(get_icase(item, "metadata"), "name"));
        return out;
    }
    return json_is_array(names) ? json_incref(names) : NULL;
}

static bool listed(json_t *list, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (json_is_string(v) && strcmp(json_string_value(v), name) == 0) return true;
    return false;
}

/* The names a filter reply lets through: NodeNames, or the names of Nodes.items. */
static json_t *passed_names(json_t *reply)
{
    json_t *nodes = json_object_get(reply, "Nodes");
    if (!json_is_object(nodes))
        return json_incref(json_object_get(reply, "NodeNames"));
    json_t *out = json_array(), *item;
    size_t i;
    json_array_foreach(json_object_get(nodes, "items"), i, item)
        json_array_append(out, json_object_get(json_object_get(item, "metadata"), "name"));
    return out;
}

/* What a failed node's reason is in the verb's reply ("" when it has none). */
static const char *reason_in(json_t *reply, const char *name)
{
    static const char *const maps[] = {"FailedAndUnresolvableNodes", "FailedNodes", "reasons"};
    for (size_t k = 0; k < sizeof maps / sizeof *maps; k++) {
        json_t *r = json_object_get(json_object_get(reply, maps[k]), name);
        if (json_is_string(r))
            return json_string_value(r);
    }
    return "";
}

/* One node's explanation against the verb's reply. With compactReplies (compact), /filter gives
 * no reasons once a node passes. */
static bool node_agrees(FILE *log, ng_verb verb, json_t *reply, json_t *entry, size_t i, json_t *passed, bool compact)
{
    const char *name = json_string_value(json_object_get(entry, "name"));
    bool fits = json_is_true(json_object_get(entry, "fits"));
    const char *why = json_is_string(json_object_get(entry, "reason")) ? json_string_value(json_object_get(entry, "reason")) : "";
    if (verb == NG_PRIORITIZE) {
        json_t *host = json_array_get(reply, i);
        json_int_t want = json_integer_value(json_object_get(host, "Score"));
        json_t *got = json_object_get(json_object_get(entry, "scores"), "combined");
        if (!json_is_integer(got) || json_integer_value(got) != want)
            return fail(log, "explain's combined score of %s is not /prioritize's %lld", name, (long long)want);
        return true;
    }
    if (fits != listed(passed, name))
        return fail(log, "explain says %s %s, the verb says otherwise", name, fits ? "fits" : "does not fit");
    if (compact && verb == NG_FILTER && json_array_size(passed) > 0) {
        if (!fits && reason_in(reply, name)[0])
            return fail(log, "compactReplies: a node passes, yet %s has a reason \"%s\"", name, reason_in(reply, name));
        return true;
    }
    if (!fits && strcmp(why, reason_in(reply, name)) != 0)
        return fail(log, "explain's reason for %s: \"%s\", the verb's: \"%s\"", name, why, reason_in(reply, name));
    if (verb == NG_DAEMONSET &&
        json_is_true(json_object_get(entry, "shouldContinueRunning")) !=
            listed(json_object_get(reply, "shouldContinueRunning"), name))
        return fail(log, "explain's shouldContinueRunning for %s differs from /daemonset's", name);
    return true;
}

/* Sends the verb's own body to NG_EXPLAIN and checks that it says what the verb said of each node:
 * fits or not with the same reason (filter, daemonset: shouldRun, shouldContinueRunning), the same
 * combined score (prioritize; its 422 is explain's scoreError), the filter's as compactReplies
 * (compact) has it answer. */
static bool explain_agrees(FILE *log, ng_index *idx, ng_verb verb, const char *body, size_t len, const ng_reply *r,
                           bool compact)
{
    if (verb != NG_FILTER && verb != NG_PRIORITIZE && verb != NG_DAEMONSET)
        return true;
    bool scored = verb == NG_PRIORITIZE && r->status == 422;
    if (r->status != 200 && !scored)
        return true;
    json_t *req = json_loads(body, JSON_DECODE_ANY, NULL), *names = json_is_object(req) ? request_names(req) : NULL;
    if (!names) {   /* neither Nodes nor NodeNames: nothing to compare */
        json_decref(req);
        return true;
    }
    ng_reply ex = {0};
    call(idx, NG_EXPLAIN, body, len, 0, len ? len : 1, &ex);
    json_t *got = json_loads(ex.data ? ex.data : "", JSON_ALLOW_NUL, NULL);
    json_t *reply = json_loads(r->data, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    json_t *nodes = json_object_get(got, "nodes");
    bool ok = ex.status == 200 || fail(log, "explain answered %d %s", ex.status, ex.data ? ex.data : "");
    if (ok && scored) {
        const char *want = json_string_value(json_object_get(reply, "Error"));
        const char *have = json_string_value(json_object_get(got, "scoreError"));
        ok = (have && want && strcmp(have, want) == 0) ||
             fail(log, "explain's scoreError \"%s\", /prioritize's Error \"%s\"", have ? have : "", want ? want : "");
    } else if (ok) {
        json_t *passed = verb == NG_DAEMONSET ? json_incref(json_object_get(reply, "shouldRun")) : passed_names(reply);
        ok = json_array_size(nodes) == json_array_size(names) ||
             fail(log, "explain has %zu nodes, the request names %zu", json_array_size(nodes), json_array_size(names));
        json_t *entry;
        size_t i;
        json_array_foreach(nodes, i, entry) if (ok) ok = node_agrees(log, verb, reply, entry, i, passed, compact);
        json_decref(passed);
    }
    json_decref(got);
    json_decref(reply);
    json_decref(names);
    json_decref(req);
    plugin->reply_free(&ex);
    return ok;
}

/* Where a body is cut in two for the chunking check: every byte up to 4 KB, else 1,024 cuts
 * spread over it (a cut inside a token, between tokens, inside a lane's value...). */
#define EVERY_CUT_MAX 4096

/* Feeds dir/request.json to one call of verb and checks what it answers; read-only verbs are
 * called again byte by byte and cut in two at many places, and must answer the same bytes
 * (errors and their offsets included) however the body was chunked. */
static bool call_and_check(FILE *log, const char *dir, ng_index *idx, ng_verb verb, bool compact)
{
    size_t len;
    char *body = slurp(dir, "request.json", &len);
    if (!body)
        return fail(log, "no request.json");
    ng_reply r = {0};
    call(idx, verb, body, len, 0, len ? len : 1, &r);
    bool ok = check_reply(log, dir, &r) && explain_agrees(log, idx, verb, body, len, &r, compact);
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

/* Whether an options.json text sets compactReplies (NULL: no options). */
static bool compact_replies(const char *options)
{
    json_t *o = options ? json_loads(options, 0, NULL) : NULL;
    bool on = json_is_true(json_object_get(o, "compactReplies"));
    json_decref(o);
    return on;
}

/* Runs one case folder on a fresh index; what went wrong goes to log. */
static bool run_case(FILE *log, const char *dir, ng_verb verb)
{
    char err[256] = "";
    char *options = slurp(dir, "options.json", NULL);
    ng_index *idx = plugin->index_new(options, err, sizeof err);
    bool compact = compact_replies(options);
    free(options);
    if (!idx)
        return fail(log, "index_new refused options.json: %s", err);
    bool ok = load_nodes(log, dir, idx) && call_and_check(log, dir, idx, verb, compact);
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
