/* status.c - metav1.Status, the body of every error kube-apiserver returns, with its fields in
 * Go's order: kind, apiVersion, metadata, status, message, reason, details, code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

const char *fa_status_reason(int code)
{
    switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return code >= 500 ? "InternalError" : "";
    }
}

json_t *fa_status_new(int code, const char *reason, const char *message, json_t *details)
{
    json_t *st = json_object();
    json_object_set_new(st, "kind", json_string("Status"));
    json_object_set_new(st, "apiVersion", json_string("v1"));
    json_object_set_new(st, "metadata", json_object());
    json_object_set_new(st, "status", json_string("Failure"));
    json_object_set_new(st, "message", json_string(message));
    json_object_set_new(st, "reason", json_string(reason));
    if (details)
        json_object_set_new(st, "details", details);
    json_object_set_new(st, "code", json_integer(code));
    return st;
}

enum MHD_Result fa_reply_status(fa_server *srv, fa_req *r, struct MHD_Connection *c, int code,
                                const char *reason, const char *message, json_t *details,
                                int retry_after)
{
    if (retry_after >= 0) {
        if (!details)
            details = json_object();
        json_object_set_new(details, "retryAfterSeconds", json_integer(retry_after));
    }
    json_t *st = fa_status_new(code, reason, message, details);
    char *s = json_dumps(st, JSON_COMPACT);
    json_decref(st);
    if (!s)
        host_oom(0);
    size_t len = strlen(s);
    char *body = host_xrealloc(s, len + 2);
    body[len++] = '\n';   /* Go's encoder ends every body with a newline */
    body[len] = '\0';
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (retry_after >= 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    return fa_queue(srv, r, c, (unsigned)code, resp);
}

static void add_text(fa_field_errs *e, const char *field, const char *body)
{
    if (e->n++)
        host_buf_puts(&e->text, ", ");
    host_buf_printf(&e->text, "%s: %s", field, body);
}

static void add_cause(fa_field_errs *e, const char *reason, const char *body, const char *field)
{
    if (!e->causes)
        e->causes = json_array();
    json_t *c = json_object();
    json_object_set_new(c, "reason", json_string(reason));
    json_object_set_new(c, "message", json_string(body));
    json_object_set_new(c, "field", json_string(field));
    json_array_append_new(e->causes, c);
}

void fa_field_forbidden(fa_field_errs *e, const char *field, const char *detail)
{
    host_buf body = {0};
    host_buf_printf(&body, "Forbidden: %s", detail);
    add_text(e, field, body.p);
    add_cause(e, "FieldValueForbidden", body.p, field);
    host_buf_free(&body);
}

void fa_field_not_supported(fa_field_errs *e, const char *field, const char *value,
                            const char *supported)
{
    json_t *v = json_string(value);
    char *q = json_dumps(v, JSON_ENCODE_ANY);
    json_decref(v);
    host_buf body = {0};
    host_buf_printf(&body, "Unsupported value: %s: supported values: %s", q ? q : "\"\"", supported);
    free(q);
    add_text(e, field, body.p);
    add_cause(e, "FieldValueNotSupported", body.p, field);
    host_buf_free(&body);
}

void fa_field_errs_free(fa_field_errs *e)
{
    json_decref(e->causes);
    host_buf_free(&e->text);
    *e = (fa_field_errs){0};
}

enum MHD_Result fa_reply_invalid_listoptions(fa_server *srv, fa_req *r, struct MHD_Connection *c,
                                             fa_field_errs *e)
{
    /* apimachinery's NewInvalid: one error is quoted as it is, several in brackets */
    host_buf msg = {0};
    host_buf_printf(&msg, "ListOptions.meta.k8s.io \"\" is invalid: %s%s%s", e->n > 1 ? "[" : "",
                e->text.p ? e->text.p : "", e->n > 1 ? "]" : "");
    json_t *details = json_object();
    json_object_set_new(details, "group", json_string("meta.k8s.io"));
    json_object_set_new(details, "kind", json_string("ListOptions"));
    json_object_set_new(details, "causes", e->causes ? json_incref(e->causes) : json_array());
    enum MHD_Result ret = fa_reply_status(srv, r, c, 422, "Invalid", msg.p, details, -1);
    host_buf_free(&msg);
    fa_field_errs_free(e);
    return ret;
}
