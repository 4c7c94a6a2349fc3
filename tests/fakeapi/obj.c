/* obj.c - a Node serialized once per change and shared by reference: a page of 500 nodes is
 * then 500 memcpys, and a watch event one memcpy behind a fixed prefix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

fa_obj *fa_obj_new(const char *json, size_t len, const char *name)
{
    size_t nlen = strlen(name);
    fa_obj *o = host_xmalloc(sizeof *o + len + 1 + nlen + 1);
    atomic_init(&o->refs, 1);
    o->len = len;
    memcpy(o->json, json, len);
    o->json[len] = '\0';
    char *n = o->json + len + 1;
    memcpy(n, name, nlen + 1);
    o->name = n;
    return o;
}

fa_obj *fa_obj_ref(fa_obj *o)
{
    atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
    return o;
}

void fa_obj_unref(fa_obj *o)
{
    if (o && atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) == 1)
        free(o);
}

/* Where a prepared node's resourceVersion goes: a value no real node has (and first found, as
 * metadata.resourceVersion comes before anything a user could fill with it in practice). */
static const char RV_MARK[] = "\"resourceVersion\":\"\\u0001rv\\u0001\"";
static const size_t RV_MARK_VALUE = sizeof "\"resourceVersion\":\"" - 1;   /* where the value starts */
static const size_t RV_MARK_VALUE_LEN = sizeof "\\u0001rv\\u0001" - 1;

bool fa_prep_node(json_t *node, fa_prep *p, char *err, size_t errlen)
{
    *p = (fa_prep){0};
    json_t *meta = json_object_get(node, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    if (!json_is_object(node) || !json_is_object(meta) || !name || !*name) {
        snprintf(err, errlen, "a Node needs a non-empty string metadata.name");
        return false;
    }
    /* list items carry no TypeMeta (Go leaves it empty in a List); events add it back */
    json_object_del(node, "kind");
    json_object_del(node, "apiVersion");
    json_object_set_new(meta, "resourceVersion", json_string("\001rv\001"));
    p->json = json_dumps(node, JSON_COMPACT);
    if (!p->json)
        host_oom(0);
    p->len = strlen(p->json);
    p->name = host_xstrdup(name);
    const char *at = memmem(p->json, p->len, RV_MARK, sizeof RV_MARK - 1);
    p->rv_at = (size_t)(at - p->json) + RV_MARK_VALUE;   /* set above, so it is there */
    p->rv_len = RV_MARK_VALUE_LEN;
    return true;
}

fa_obj *fa_prep_finish(const fa_prep *p, uint64_t rv)
{
    char digits[24];
    int dn = snprintf(digits, sizeof digits, "%llu", (unsigned long long)rv);
    size_t tail = p->rv_at + p->rv_len;
    size_t len = p->len - p->rv_len + (size_t)dn, nlen = strlen(p->name);
    fa_obj *o = host_xmalloc(sizeof *o + len + 1 + nlen + 1);
    atomic_init(&o->refs, 1);
    o->len = len;
    memcpy(o->json, p->json, p->rv_at);
    memcpy(o->json + p->rv_at, digits, (size_t)dn);
    memcpy(o->json + p->rv_at + dn, p->json + tail, p->len - tail);
    o->json[len] = '\0';
    char *n = o->json + len + 1;
    memcpy(n, p->name, nlen + 1);
    o->name = n;
    return o;
}

void fa_prep_free(fa_prep *p)
{
    free(p->json);
    free(p->name);
    *p = (fa_prep){0};
}

fa_obj *fa_obj_from_node(json_t *node, uint64_t rv, char *err, size_t errlen)
{
    fa_prep p;
    if (!fa_prep_node(node, &p, err, errlen))
        return NULL;
    fa_obj *o = fa_prep_finish(&p, rv);
    fa_prep_free(&p);
    return o;
}

json_t *fa_obj_parse(const fa_obj *o)
{
    return json_loadb(o->json, o->len, 0, NULL);
}

void fa_obj_typed(host_buf *b, const fa_obj *o)
{
    static const char tm[] = "{\"kind\":\"Node\",\"apiVersion\":\"v1\"";
    host_buf_reserve(b, o->len + sizeof tm + 1);
    host_buf_put(b, tm, sizeof tm - 1);
    if (o->len > 2)   /* "{}" has no member to follow the comma */
        host_buf_put(b, ",", 1);
    host_buf_put(b, o->json + 1, o->len - 1);
}

void fa_event_line(host_buf *b, const char *type, const fa_obj *o)
{
    host_buf_reserve(b, o->len + 80);
    host_buf_puts(b, "{\"type\":\"");
    host_buf_puts(b, type);
    host_buf_puts(b, "\",\"object\":");
    fa_obj_typed(b, o);
    host_buf_put(b, "}\n", 2);
}
