/* reqlog.c - the API requests seen, for tests to assert on what the client sent (limit=500, a
 * watch resumed from the last RV, a relist) and what it got back. /fake/ requests are left out. */
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

/* A JSON string of s, which a client may have sent in any bytes: invalid UTF-8 shows as "?". */
static json_t *text(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    return j ? j : json_string("?");
}

void fa_reqlog_add(fa_server *srv, struct MHD_Connection *c, const fa_req *r, const char *method,
                   const char *path)
{
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    json_t *e = json_object();
    json_object_set_new(e, "method", json_string(method));
    json_object_set_new(e, "path", text(path, strcspn(path, "?")));
    json_object_set_new(e, "query", text(r->query, strlen(r->query)));
    json_object_set_new(e, "userAgent", text(ua ? ua : "", ua ? strlen(ua) : 0));
    json_object_set_new(e, "acceptEncoding", text(ae ? ae : "", ae ? strlen(ae) : 0));
    json_object_set_new(e, "auth", json_string(fa_auth_names[r->auth]));
    json_object_set_new(e, "status", json_integer(r->status));
    json_object_set_new(e, "t", json_real((double)(long long)((fa_now() - srv->started) * 1000) / 1000));
    fa_store *s = srv->store;
    pthread_mutex_lock(&s->mu);
    json_array_append_new(s->reqlog, e);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

char *fa_reqlog_dump_locked(fa_store *s, size_t *len)
{
    host_buf b = {0};
    host_buf_put(&b, "[", 1);
    size_t i;
    json_t *e;
    json_array_foreach(s->reqlog, i, e) {
        char *line = json_dumps(e, JSON_COMPACT | JSON_REAL_PRECISION(10));
        host_buf_puts(&b, i ? ",\n" : "\n");
        host_buf_puts(&b, line ? line : "{}");
        free(line);
    }
    host_buf_puts(&b, "\n]\n");
    return host_buf_take(&b, len);
}
