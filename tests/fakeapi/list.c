/* list.c - GET /api/v1/nodes as a list: a NodeList sorted by name, paginated by limit and
 * continue from a snapshot taken at the first page, as etcd serves a list at one revision.
 * A page is assembled by memcpy of the nodes' serialized JSON into one buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

/* The messages of k8s.io/apiserver/pkg/storage/etcd3/errors.go. */
static const char EXPIRED_LIST[] = "The resourceVersion for the provided list is too old.";
static const char INCONSISTENT_CONTINUE[] =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list.";

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64.RawURLEncoding, as kube encodes continue tokens. */
static char *b64url(const char *s, size_t n)
{
    host_buf b = {0};
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        char q[4] = {B64[v >> 18], B64[(v >> 12) & 63], B64[(v >> 6) & 63], B64[v & 63]};
        host_buf_put(&b, q, n - i >= 3 ? 4 : n - i + 1);
    }
    return host_buf_take(&b, NULL);
}

/* Decodes RawURLEncoding (padding tolerated); NULL on a byte outside the alphabet. */
static char *unb64url(const char *s, size_t *len)
{
    host_buf b = {0};
    uint32_t v = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        const char *p = strchr(B64, *s);
        if (!p) {
            host_buf_free(&b);
            return NULL;
        }
        v = (v << 6) | (uint32_t)(p - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char c = (char)(v >> bits);
            host_buf_put(&b, &c, 1);
        }
    }
    return host_buf_take(&b, len);
}

/* The token that continues after the item named last: kube's {"v","rv","start"} (start is the
 * key after the last one returned, hence the NUL), plus the snapshot's id. rv -1 means "the
 * latest", as in the token of an expired-continue Status. */
static char *token_new(long long rv, uint64_t snap, const char *last)
{
    json_t *t = json_object();
    json_object_set_new(t, "v", json_string("meta.k8s.io/v1"));
    json_object_set_new(t, "rv", json_integer(rv));
    size_t n = strlen(last);
    char *start = host_xmalloc(n + 1);
    memcpy(start, last, n);
    start[n] = '\0';
    json_object_set_new(t, "start", json_stringn(start, n + 1));
    free(start);
    if (snap)
        json_object_set_new(t, "snap", json_integer((json_int_t)snap));
    char *s = json_dumps(t, JSON_COMPACT);
    json_decref(t);
    char *tok = b64url(s, strlen(s));
    free(s);
    return tok;
}

typedef struct token {
    long long rv;
    uint64_t snap;
    char *after;   /* the last name returned (start without its NUL) */
} token;

/* false with kube's sentence in err for a token that does not decode. */
static bool token_parse(const char *tok, token *t, char *err, size_t errlen)
{
    size_t n = 0;
    char *raw = unb64url(tok, &n);
    if (!raw) {
        snprintf(err, errlen, "invalid continue token: continue key is not valid: illegal base64 data");
        return false;
    }
    json_error_t jerr;
    json_t *j = json_loadb(raw, n, JSON_ALLOW_NUL, &jerr);
    free(raw);
    const char *v = json_string_value(json_object_get(j, "v"));
    json_t *start = json_object_get(j, "start");
    bool ok = false;
    if (!json_is_object(j))
        snprintf(err, errlen, "invalid continue token: continue key is not valid: %s", j ? "not an object" : jerr.text);
    else if (!v || strcmp(v, "meta.k8s.io/v1"))
        snprintf(err, errlen, "invalid continue token: continue key is not valid: incorrect encoded start "
                 "resourceVersion (version meta.k8s.io/v1)");
    else if (!json_is_string(start) || json_string_length(start) == 0)
        snprintf(err, errlen, "invalid continue token: continue key is not valid: encoded start key empty");
    else {
        size_t sl = json_string_length(start);
        const char *sv = json_string_value(start);
        if (sv[sl - 1] == '\0')
            sl--;
        t->after = host_xmalloc(sl + 1);
        memcpy(t->after, sv, sl);
        t->after[sl] = '\0';
        t->rv = json_integer_value(json_object_get(j, "rv"));
        t->snap = (uint64_t)json_integer_value(json_object_get(j, "snap"));
        ok = true;
    }
    json_decref(j);
    return ok;
}

/* The Status of a continue token whose snapshot is gone: with a token that goes on from the
 * same place at the latest RV, as kube's handleCompactedErrorForPaging gives. */
static enum MHD_Result reply_expired_continue(fa_server *srv, fa_req *r, struct MHD_Connection *c,
                                              const char *after)
{
    json_t *st = fa_status_new(410, "Expired", INCONSISTENT_CONTINUE, NULL);
    char *tok = token_new(-1, 0, after);
    json_t *meta = json_object();
    json_object_set_new(meta, "continue", json_string(tok));
    free(tok);
    json_object_set_new(st, "metadata", meta);
    return fa_reply_jsonv(srv, r, c, 410, st);
}

/* A reader that serves the first half of a page and then aborts the connection (drop-list). */
typedef struct cut_body {
    char *p;
    size_t len, cut;
} cut_body;

static ssize_t cut_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    cut_body *b = cls;
    if (pos >= b->cut)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = b->cut - (size_t)pos < max ? b->cut - (size_t)pos : max;
    memcpy(buf, b->p + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    cut_body *b = cls;
    free(b->p);
    free(b);
}

/* The default message of an injected status, as kube-apiserver words each. */
static const char *fault_message(int code, bool watch)
{
    switch (code) {
    case 401: return "Unauthorized";
    case 403: return watch ? "nodes is forbidden: User \"system:serviceaccount:kube-system:nodegate\" cannot "
                             "watch resource \"nodes\" in API group \"\" at the cluster scope"
                           : "nodes is forbidden: User \"system:serviceaccount:kube-system:nodegate\" cannot "
                             "list resource \"nodes\" in API group \"\" at the cluster scope";
    case 404: return "the server could not find the requested resource";
    case 429: return "Too many requests, please try again later.";
    case 500: return "Internal error occurred: fault injected by the fake API server";
    case 503: return "the server is currently unable to handle the request";
    case 504: return "the server was unable to return a response in the time allotted, but may still be "
                     "processing the request";
    default: return "fault injected by the fake API server";
    }
}

enum MHD_Result fa_reply_fault_status(fa_server *srv, fa_req *r, struct MHD_Connection *c,
                                      const fa_fault *f, bool watch)
{
    json_t *details = NULL;
    if (f->code == 403) {
        details = json_object();
        json_object_set_new(details, "kind", json_string("nodes"));
    }
    return fa_reply_status(srv, r, c, f->code, f->reason ? f->reason : fa_status_reason(f->code),
                           f->message ? f->message : fault_message(f->code, watch), details,
                           f->retry_after);
}

/* ValidateListOptions for a list (k8s.io/apimachinery/pkg/apis/meta/internalversion/validation). */
static bool validate(fa_field_errs *e, const char *rv, const char *match, const char *cont,
                     const char *sie)
{
    if (match && *match) {
        if (!rv || !*rv)
            fa_field_forbidden(e, "resourceVersionMatch",
                               "resourceVersionMatch is forbidden unless resourceVersion is provided");
        if (cont && *cont)
            fa_field_forbidden(e, "resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided");
        if (strcmp(match, "Exact") == 0) {
            if (rv && strcmp(rv, "0") == 0)
                fa_field_forbidden(e, "resourceVersionMatch",
                                   "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
        } else if (strcmp(match, "NotOlderThan") != 0) {
            fa_field_not_supported(e, "resourceVersionMatch", match, "\"Exact\", \"NotOlderThan\", \"\"");
        }
    }
    if (sie)
        fa_field_forbidden(e, "sendInitialEvents", "sendInitialEvents is forbidden for list");
    return e->n == 0;
}

enum MHD_Result fa_list(fa_server *srv, fa_req *r, struct MHD_Connection *c)
{
    fa_store *s = srv->store;
    const char *rv = fa_arg(c, "resourceVersion"), *match = fa_arg(c, "resourceVersionMatch"),
               *cont = fa_arg(c, "continue"), *lim = fa_arg(c, "limit");
    fa_field_errs e = {0};
    if (!validate(&e, rv, match, cont, fa_arg(c, "sendInitialEvents")))
        return fa_reply_invalid_listoptions(srv, r, c, &e);
    /* a fault hits the next list that passes validation */
    fa_fault f;
    bool drop = false;
    if (fa_fault_take(s, cont ? FA_MATCH_CONTINUE : FA_MATCH_LIST, &f)) {
        enum MHD_Result ret = MHD_YES;
        bool answered = true;
        if (f.kind == FA_FAULT_STATUS)
            ret = fa_reply_fault_status(srv, r, c, &f, false);
        else if (f.kind == FA_FAULT_GONE)
            ret = fa_reply_status(srv, r, c, 410, f.reason ? f.reason : "Expired",
                                  f.message ? f.message : EXPIRED_LIST, NULL, -1);
        else
            answered = false, drop = f.kind == FA_FAULT_DROP_LIST;
        fa_fault_clear(&f);
        if (answered)
            return ret;
    }

    long long limit = 0;
    if (lim && *lim) {
        char *end;
        limit = strtoll(lim, &end, 10);
        if (*end || limit < 0)
            limit = 0;   /* kube ignores what it cannot use */
    }

    fa_snap *snap = NULL;
    size_t from = 0;
    if (cont && *cont) {
        token t = {0};
        char err[320];
        if (!token_parse(cont, &t, err, sizeof err))
            return fa_reply_status(srv, r, c, 400, "BadRequest", err, NULL, -1);
        if (rv && *rv && strcmp(rv, "0") != 0) {
            free(t.after);
            return fa_reply_status(srv, r, c, 400, "BadRequest",
                                   "specifying resource version is not allowed when using continue", NULL, -1);
        }
        if (t.rv == -1) {   /* the inconsistent continuation: the latest truth from there on */
            pthread_mutex_lock(&s->mu);
            snap = fa_store_snapshot_locked(s, limit > 0);
            pthread_mutex_unlock(&s->mu);
        } else {
            snap = t.rv > 0 && t.snap ? fa_store_snap_find(s, t.snap, (uint64_t)t.rv) : NULL;
        }
        if (!snap) {
            enum MHD_Result ret = reply_expired_continue(srv, r, c, t.after);
            free(t.after);
            return ret;
        }
        from = fa_snap_seek(snap, t.after);
        if (from < snap->n && strcmp(snap->items[from]->name, t.after) == 0)
            from++;
        free(t.after);
    } else {
        pthread_mutex_lock(&s->mu);
        snap = fa_store_snapshot_locked(s, limit > 0 && s->n > (size_t)limit);
        pthread_mutex_unlock(&s->mu);
    }

    size_t count = snap->n - from;
    if (limit > 0 && count > (size_t)limit)
        count = (size_t)limit;
    size_t next = from + count;
    bool more = next < snap->n;
    char *tok = more ? token_new((long long)snap->rv, snap->id, snap->items[next - 1]->name) : NULL;
    char head[512];
    int hn = more ? snprintf(head, sizeof head,
                             "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"%llu\","
                             "\"continue\":\"%s\",\"remainingItemCount\":%zu},\"items\":[",
                             (unsigned long long)snap->rv, tok, snap->n - next)
                  : snprintf(head, sizeof head,
                             "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"%llu\"},"
                             "\"items\":[", (unsigned long long)snap->rv);
    free(tok);
    size_t total = (size_t)hn + 3;   /* ]}\n */
    for (size_t i = from; i < next; i++)
        total += snap->items[i]->len + 1;
    char *body = host_xmalloc(total + 1), *w = body;
    memcpy(w, head, (size_t)hn);
    w += hn;
    for (size_t i = from; i < next; i++) {
        if (i > from)
            *w++ = ',';
        memcpy(w, snap->items[i]->json, snap->items[i]->len);
        w += snap->items[i]->len;
    }
    memcpy(w, "]}\n", 3);
    w += 3;
    size_t len = (size_t)(w - body);
    if (!more && snap->id)
        fa_store_snap_done(s, snap);
    fa_snap_unref(snap);

    if (!drop)
        return fa_reply_json(srv, r, c, 200, body, len);
    cut_body *cb = host_xmalloc(sizeof *cb);
    *cb = (cut_body){body, len, len / 2};
    struct MHD_Response *resp = MHD_create_response_from_callback(len, 64 * 1024, cut_read, cb, cut_free);
    return fa_queue(srv, r, c, 200, resp);
}

enum MHD_Result fa_get_node(fa_server *srv, fa_req *r, struct MHD_Connection *c, const char *name)
{
    fa_store *s = srv->store;
    fa_obj *o = NULL;
    pthread_mutex_lock(&s->mu);
    fa_snap probe = {.items = s->nodes, .n = s->n};
    size_t i = fa_snap_seek(&probe, name);
    if (i < s->n && strcmp(s->nodes[i]->name, name) == 0)
        o = fa_obj_ref(s->nodes[i]);
    pthread_mutex_unlock(&s->mu);
    if (!o) {
        json_t *details = json_object();
        json_object_set_new(details, "name", json_string(name));
        json_object_set_new(details, "kind", json_string("nodes"));
        host_buf msg = {0};
        host_buf_printf(&msg, "nodes \"%s\" not found", name);
        enum MHD_Result ret = fa_reply_status(srv, r, c, 404, "NotFound", msg.p, details, -1);
        host_buf_free(&msg);
        return ret;
    }
    host_buf b = {0};
    fa_obj_typed(&b, o);
    fa_obj_unref(o);
    host_buf_put(&b, "\n", 1);
    size_t len;
    char *body = host_buf_take(&b, &len);
    return fa_reply_json(srv, r, c, 200, body, len);
}
