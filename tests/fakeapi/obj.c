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

fa_obj *fa_obj_from_node(json_t *node, uint64_t rv, char *err, size_t errlen)
{
    json_t *meta = json_object_get(node, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    if (!json_is_object(node) || !json_is_object(meta) || !name || !*name) {
        snprintf(err, errlen, "a Node needs a non-empty string metadata.name");
        return NULL;
    }
    /* list items carry no TypeMeta (Go leaves it empty in a List); events add it back */
    json_object_del(node, "kind");
    json_object_del(node, "apiVersion");
    char rvs[24];
    snprintf(rvs, sizeof rvs, "%llu", (unsigned long long)rv);
    json_object_set_new(meta, "resourceVersion", json_string(rvs));
    char *s = json_dumps(node, JSON_COMPACT);
    if (!s)
        host_oom(0);
    fa_obj *o = fa_obj_new(s, strlen(s), name);
    free(s);
    return o;
}

json_t *fa_obj_parse(const fa_obj *o)
{
    return json_loadb(o->json, o->len, 0, NULL);
}

void fa_obj_typed(fa_buf *b, const fa_obj *o)
{
    static const char tm[] = "{\"kind\":\"Node\",\"apiVersion\":\"v1\"";
    fa_buf_reserve(b, o->len + sizeof tm + 1);
    fa_buf_add(b, tm, sizeof tm - 1);
    if (o->len > 2)   /* "{}" has no member to follow the comma */
        fa_buf_add(b, ",", 1);
    fa_buf_add(b, o->json + 1, o->len - 1);
}

void fa_event_line(fa_buf *b, const char *type, const fa_obj *o)
{
    fa_buf_reserve(b, o->len + 80);
    fa_buf_adds(b, "{\"type\":\"");
    fa_buf_adds(b, type);
    fa_buf_adds(b, "\",\"object\":");
    fa_obj_typed(b, o);
    fa_buf_add(b, "}\n", 2);
}
