/* control.c - /fake/: what tests use to change the truth, inject faults and look inside. No
 * authentication, and left out of the request log, so tests see only what the client did. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

static json_t *rv_string(uint64_t rv)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)rv);
    return json_string(s);
}

static enum MHD_Result bad(fa_server *srv, fa_req *r, struct MHD_Connection *c, int code,
                           const char *msg)
{
    return fa_reply_status(srv, r, c, code, fa_status_reason(code), msg, NULL, -1);
}

/* A non-negative number argument: def when absent, -1 when it does not parse. */
static double num_arg(struct MHD_Connection *c, const char *name, double def)
{
    const char *v = fa_arg(c, name);
    if (!v)
        return def;
    char *end;
    double d = strtod(v, &end);
    return *v && !*end && d >= 0 ? d : -1;
}

/* GET /fake/nodes: the truth, sorted, in one NodeList. */
static enum MHD_Result truth(fa_server *srv, fa_req *r, struct MHD_Connection *c)
{
    fa_store *s = srv->store;
    pthread_mutex_lock(&s->mu);
    fa_snap *snap = fa_store_snapshot_locked(s, false);
    pthread_mutex_unlock(&s->mu);
    host_buf b = {0};
    size_t total = 128;
    for (size_t i = 0; i < snap->n; i++)
        total += snap->items[i]->len + 1;
    host_buf_reserve(&b, total);
    host_buf_puts(&b, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"");
    host_buf_printf(&b, "%" PRIu64, (uint64_t)snap->rv);
    host_buf_puts(&b, "\"},\"items\":[");
    for (size_t i = 0; i < snap->n; i++) {
        if (i)
            host_buf_put(&b, ",", 1);
        host_buf_put(&b, snap->items[i]->json, snap->items[i]->len);
    }
    host_buf_puts(&b, "]}\n");
    fa_snap_unref(snap);
    size_t len;
    char *body = host_buf_take(&b, &len);
    return fa_reply_json(srv, r, c, 200, body, len);
}

/* PUT or POST /fake/nodes: a Node or a NodeList, each node upserted (all checked first). */
static enum MHD_Result upsert(fa_server *srv, fa_req *r, struct MHD_Connection *c)
{
    json_error_t jerr;
    json_t *j = json_loadb(r->body.p ? r->body.p : "", r->body.len, 0, &jerr);
    if (!json_is_object(j)) {
        json_decref(j);
        host_buf m = {0};
        host_buf_printf(&m, "the body must be a Node or a NodeList: %s", j ? "not an object" : jerr.text);
        enum MHD_Result ret = bad(srv, r, c, 400, m.p);
        host_buf_free(&m);
        return ret;
    }
    json_t *items = json_object_get(j, "items");
    bool list = json_is_array(items);
    size_t n = list ? json_array_size(items) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *node = list ? json_array_get(items, i) : j;
        const char *name = json_string_value(json_object_get(json_object_get(node, "metadata"), "name"));
        if (!json_is_object(node) || !name || !*name) {
            json_decref(j);
            char m[96];
            if (list)
                snprintf(m, sizeof m, "items[%zu] needs a non-empty string metadata.name", i);
            else
                snprintf(m, sizeof m, "the Node needs a non-empty string metadata.name");
            return bad(srv, r, c, 422, m);
        }
    }
    uint64_t rv = 0;
    char err[96];
    for (size_t i = 0; i < n; i++)
        rv = fa_store_upsert(srv->store, list ? json_array_get(items, i) : j, err, sizeof err);
    json_decref(j);
    json_t *o = json_object();
    json_object_set_new(o, "applied", json_integer((json_int_t)n));
    pthread_mutex_lock(&srv->store->mu);
    json_object_set_new(o, "resourceVersion", rv_string(rv ? rv : srv->store->rv));
    pthread_mutex_unlock(&srv->store->mu);
    return fa_reply_jsonv(srv, r, c, 200, o);
}

/* Waits until done(s, arg) holds or timeoutSeconds (default 10) pass; false on the timeout. */
static bool wait_for(fa_store *s, struct MHD_Connection *c, bool (*done)(fa_store *, void *), void *arg)
{
    double t = num_arg(c, "timeoutSeconds", 10);
    double deadline = fa_now() + (t < 0 ? 10 : t);
    bool ok;
    pthread_mutex_lock(&s->mu);
    while (!(ok = done(s, arg)) && !s->stopping && fa_now() < deadline)
        fa_store_wait_locked(s, deadline);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

struct watch_cond {
    double at_least, at_most, started_at_least;
};

static bool watches_reached(fa_store *s, void *arg)
{
    const struct watch_cond *w = arg;
    return (w->at_least < 0 || s->watches_open >= w->at_least) &&
           (w->at_most < 0 || s->watches_open <= w->at_most) &&
           (w->started_at_least < 0 || (double)s->watches_started >= w->started_at_least);
}

static bool requests_reached(fa_store *s, void *arg)
{
    return (double)json_array_size(s->reqlog) >= *(double *)arg;
}

/* GET /fake/watches[?atLeast=N][&atMost=N][&startedAtLeast=N][&timeoutSeconds=T] */
static enum MHD_Result watches(fa_server *srv, fa_req *r, struct MHD_Connection *c)
{
    fa_store *s = srv->store;
    struct watch_cond w = {num_arg(c, "atLeast", -1), num_arg(c, "atMost", -1),
                           num_arg(c, "startedAtLeast", -1)};
    bool ok = wait_for(s, c, watches_reached, &w);
    json_t *o = json_object();
    pthread_mutex_lock(&s->mu);
    json_object_set_new(o, "open", json_integer(s->watches_open));
    json_object_set_new(o, "started", json_integer((json_int_t)s->watches_started));
    json_object_set_new(o, "resourceVersion", rv_string(s->rv));
    json_object_set_new(o, "compactedResourceVersion", rv_string(s->compact_rv));
    json_object_set_new(o, "nodes", json_integer((json_int_t)s->n));
    pthread_mutex_unlock(&s->mu);
    if (!ok) {
        char *txt = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        host_buf m = {0};
        host_buf_printf(&m, "timed out waiting for the watches: %s", txt ? txt : "");
        free(txt);
        enum MHD_Result ret = bad(srv, r, c, 504, m.p);
        host_buf_free(&m);
        return ret;
    }
    return fa_reply_jsonv(srv, r, c, 200, o);
}

static enum MHD_Result requests(fa_server *srv, fa_req *r, struct MHD_Connection *c, bool clear)
{
    fa_store *s = srv->store;
    if (clear) {
        pthread_mutex_lock(&s->mu);
        json_array_clear(s->reqlog);
        pthread_mutex_unlock(&s->mu);
        return fa_reply_jsonv(srv, r, c, 200, json_pack("{s:i}", "cleared", 1));
    }
    double at_least = num_arg(c, "atLeast", 0);
    if (at_least > 0 && !wait_for(s, c, requests_reached, &at_least))
        return bad(srv, r, c, 504, "timed out waiting for the requests");
    pthread_mutex_lock(&s->mu);
    size_t len;
    char *body = fa_reqlog_dump_locked(s, &len);
    pthread_mutex_unlock(&s->mu);
    return fa_reply_json(srv, r, c, 200, body, len);
}

enum MHD_Result fa_control(fa_server *srv, fa_req *r, struct MHD_Connection *c, const char *method,
                           const char *path)
{
    fa_store *s = srv->store;
    const char *p = path + strlen("/fake/");
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0,
         put = strcmp(method, "PUT") == 0, del = strcmp(method, "DELETE") == 0;
    const char *allowed = NULL;

    if (strcmp(p, "nodes") == 0) {
        if (get)
            return truth(srv, r, c);
        if (put || post)
            return upsert(srv, r, c);
        allowed = "GET, PUT, POST";
    } else if (strncmp(p, "nodes/", 6) == 0 && p[6]) {
        if (del) {
            uint64_t rv = fa_store_delete(s, p + 6);
            if (!rv) {
                host_buf m = {0};
                host_buf_printf(&m, "nodes \"%s\" not found", p + 6);
                enum MHD_Result ret = bad(srv, r, c, 404, m.p);
                host_buf_free(&m);
                return ret;
            }
            json_t *o = json_object();
            json_object_set_new(o, "deleted", json_string(p + 6));
            json_object_set_new(o, "resourceVersion", rv_string(rv));
            return fa_reply_jsonv(srv, r, c, 200, o);
        }
        allowed = "DELETE";
    } else if (strcmp(p, "modify") == 0) {
        if (post) {
            double count = num_arg(c, "count", 1);
            const char *prefix = fa_arg(c, "name");
            if (count < 0)
                return bad(srv, r, c, 400, "count must be a non-negative number");
            size_t n = fa_store_modify(s, prefix ? prefix : "", (size_t)count);
            pthread_mutex_lock(&s->mu);
            uint64_t rv = s->rv;
            pthread_mutex_unlock(&s->mu);
            json_t *o = json_object();
            json_object_set_new(o, "modified", json_integer((json_int_t)n));
            json_object_set_new(o, "resourceVersion", rv_string(rv));
            return fa_reply_jsonv(srv, r, c, 200, o);
        }
        allowed = "POST";
    } else if (strcmp(p, "churn") == 0) {
        if (post) {
            double rate = num_arg(c, "rate", -1), secs = num_arg(c, "seconds", -1);
            const char *prefix = fa_arg(c, "name");
            if (rate <= 0 || secs <= 0 || rate > 1e6)
                return bad(srv, r, c, 400, "churn needs rate (events/s, up to 1e6) and seconds, both positive");
            fa_churn_start(s, rate, secs, prefix ? prefix : "");
        } else if (del) {
            fa_churn_stop(s);
        }
        if (get || post || del)
            return fa_reply_jsonv(srv, r, c, 200, fa_churn_state(s));
        allowed = "GET, POST, DELETE";
    } else if (strcmp(p, "compact") == 0) {
        if (post) {
            fa_store_compact(s);
            pthread_mutex_lock(&s->mu);
            json_t *o = json_pack("{s:o}", "resourceVersion", rv_string(s->rv));
            pthread_mutex_unlock(&s->mu);
            return fa_reply_jsonv(srv, r, c, 200, o);
        }
        allowed = "POST";
    } else if (strcmp(p, "bookmark") == 0) {
        if (post) {
            unsigned open = fa_store_bookmark(s);
            pthread_mutex_lock(&s->mu);
            json_t *o = json_pack("{s:o,s:i}", "resourceVersion", rv_string(s->rv), "watches", (int)open);
            pthread_mutex_unlock(&s->mu);
            return fa_reply_jsonv(srv, r, c, 200, o);
        }
        allowed = "POST";
    } else if (strcmp(p, "fault") == 0) {
        if (post) {
            char what[64], err[256];
            int code = fa_fault_add(s, r->body.p ? r->body.p : "", r->body.len, what, sizeof what, err,
                                    sizeof err);
            if (code)
                return bad(srv, r, c, code, err);
            json_t *o = json_object();
            json_object_set_new(o, "fault", json_string(what));
            pthread_mutex_lock(&s->mu);
            json_object_set_new(o, "pending", fa_fault_list_locked(s));
            pthread_mutex_unlock(&s->mu);
            return fa_reply_jsonv(srv, r, c, 200, o);
        }
        allowed = "POST";
    } else if (strcmp(p, "faults") == 0) {
        if (get || del) {
            pthread_mutex_lock(&s->mu);
            if (del)
                fa_fault_free_all_locked(s);
            json_t *a = fa_fault_list_locked(s);
            pthread_mutex_unlock(&s->mu);
            return fa_reply_jsonv(srv, r, c, 200, a);
        }
        allowed = "GET, DELETE";
    } else if (strcmp(p, "requests") == 0) {
        if (get || del)
            return requests(srv, r, c, del);
        allowed = "GET, DELETE";
    } else if (strcmp(p, "watches") == 0) {
        if (get)
            return watches(srv, r, c);
        allowed = "GET";
    }
    if (!allowed)
        return bad(srv, r, c, 404, "the server could not find the requested resource");
    host_buf m = {0};
    host_buf_printf(&m, "%s is not allowed on %s (allowed: %s)", method, path, allowed);
    enum MHD_Result ret = bad(srv, r, c, 405, m.p);
    host_buf_free(&m);
    return ret;
}
