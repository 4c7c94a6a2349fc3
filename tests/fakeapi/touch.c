/* touch.c - the MODIFIED of /fake/modify and /fake/churn without jansson: the node's compact
 * JSON scanned for metadata.labels and metadata.resourceVersion and patched as text, ~20x
 * faster than a parse and a dump, so 1,000 events/s of 10 KB nodes cost little CPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

static const char KEY[] = "fake.nodegate.io/touched";

/* The offset just past the JSON value at t[i] (compact text, as jansson and gen.c write it);
 * len on malformed text. */
static size_t skip_value(const char *t, size_t len, size_t i)
{
    int depth = 0;
    do {
        if (i >= len)
            return len;
        char c = t[i];
        if (c == '"') {
            for (i++; i < len && t[i] != '"'; i++)
                if (t[i] == '\\')
                    i++;
            i++;
        } else if (c == '{' || c == '[') {
            depth++, i++;
        } else if (c == '}' || c == ']') {
            depth--, i++;
        } else {
            while (i < len && t[i] != ',' && t[i] != '}' && t[i] != ']')
                i++;
        }
        while (depth > 0 && i < len && (t[i] == ',' || t[i] == ':'))
            i++;
    } while (depth > 0);
    return i;
}

/* The offset of the value of key in the object at t[obj], or -1 when absent or malformed. */
static long find(const char *t, size_t len, size_t obj, const char *key)
{
    size_t klen = strlen(key), i = obj + 1;
    if (obj >= len || t[obj] != '{' || i >= len || t[i] == '}')
        return -1;
    for (;;) {
        if (i >= len || t[i] != '"')
            return -1;
        size_t k = i + 1;
        i = skip_value(t, len, i);
        if (i >= len || t[i] != ':')
            return -1;
        size_t v = i + 1;
        if (i - 1 - k == klen && memcmp(t + k, key, klen) == 0)
            return (long)v;
        i = skip_value(t, len, v);
        if (i < len && t[i] == ',')
            i++;
        else
            return -1;
    }
}

bool fa_touch_text(const fa_obj *cur, fa_prep *p)
{
    const char *t = cur->json;
    size_t len = cur->len;
    long meta = find(t, len, 0, "metadata");
    long rv = meta < 0 ? -1 : find(t, len, (size_t)meta, "resourceVersion");
    if (rv < 0 || t[rv] != '"')
        return false;
    size_t r0 = (size_t)rv + 1, r1 = r0;
    while (r1 < len && t[r1] >= '0' && t[r1] <= '9')
        r1++;
    if (r1 >= len || t[r1] != '"')
        return false;

    /* one edit: [e0, e1) becomes rep */
    char rep[96];
    size_t e0, e1;
    long labels = find(t, len, (size_t)meta, "labels");
    long v = labels >= 0 && t[labels] == '{' ? find(t, len, (size_t)labels, KEY) : -1;
    if (v >= 0 && t[v] == '"') {
        e0 = (size_t)v;
        e1 = skip_value(t, len, e0);
        snprintf(rep, sizeof rep, "\"%llu\"", strtoull(t + v + 1, NULL, 10) + 1);
    } else if (labels >= 0 && t[labels] == '{') {
        e0 = e1 = (size_t)labels + 1;
        snprintf(rep, sizeof rep, "\"%s\":\"1\"%s", KEY, t[e0] == '}' ? "" : ",");
    } else if (labels < 0) {
        e0 = e1 = (size_t)meta + 1;
        snprintf(rep, sizeof rep, "\"labels\":{\"%s\":\"1\"}%s", KEY, t[e0] == '}' ? "" : ",");
    } else {
        return false;   /* labels that are not an object */
    }
    if (e1 > len || (e0 < r1 && e1 > r0))
        return false;
    size_t rl = strlen(rep);
    *p = (fa_prep){0};
    p->len = len - (e1 - e0) + rl;
    p->json = host_xmalloc(p->len + 1);
    memcpy(p->json, t, e0);
    memcpy(p->json + e0, rep, rl);
    memcpy(p->json + e0 + rl, t + e1, len - e1);
    p->json[p->len] = '\0';
    p->rv_at = e0 < r0 ? r0 + rl - (e1 - e0) : r0;
    p->rv_len = r1 - r0;
    p->name = host_xstrdup(cur->name);
    return true;
}
