/* yaml_body.c - a YAML request body as the JSON the plugin reads. */
#include "yaml_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "xalloc.h"
#include "yaml_json.h"

typedef struct {
    char *json;
    size_t len;
} first_doc;

static int take_first(void *cls, const char *json, size_t len)
{
    first_doc *d = cls;
    if (d->json)
        return 1;   /* a second document */
    d->json = host_xmalloc(len + 1);
    memcpy(d->json, json, len + 1);
    d->len = len;
    return 0;
}

char *host_yaml_document(const char *yaml, size_t len, size_t *json_len, char *err, size_t errlen)
{
    first_doc d = {0};
    char why[512];
    int rc = host_yaml_to_json(yaml ? yaml : "", len, take_first, &d, why, sizeof why);
    if (rc < 0)
        snprintf(err, errlen, "the YAML body does not parse: %s", why);
    else if (rc > 0)
        snprintf(err, errlen, "the YAML body holds more than one document: this endpoint takes one");
    else if (!d.json)
        snprintf(err, errlen, "the YAML body holds no document");
    if (rc != 0 || !d.json) {
        free(d.json);
        return NULL;
    }
    *json_len = d.len;
    return d.json;
}

typedef struct {
    char **json;
    size_t *len, n, cap;
} documents;

static int take_each(void *cls, const char *json, size_t len)
{
    documents *d = cls;
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 4;
        d->json = host_xrealloc(d->json, d->cap * sizeof *d->json);
        d->len = host_xrealloc(d->len, d->cap * sizeof *d->len);
    }
    d->json[d->n] = host_xmalloc(len + 1);
    memcpy(d->json[d->n], json, len + 1);
    d->len[d->n++] = len;
    return 0;
}

/* The plugin's reply as the sentence of its "Error" (the reply itself if it has none). */
static void error_of(const ng_reply *reply, size_t doc, char *err, size_t errlen)
{
    json_t *j = json_loadb(reply->data, reply->len, 0, NULL);
    const char *text = json_string_value(json_object_get(j, "Error"));
    snprintf(err, errlen, "document %zu: %s", doc + 1, text ? text : reply->data);
    json_decref(j);
}

/* Applies every document to index; 200, or the first refused one's status (with err). */
static int apply_all(const struct nodegate_plugin *api, ng_index *index, const documents *d, json_int_t *applied,
                     json_int_t *total, char *err, size_t errlen)
{
    for (size_t i = 0; i < d->n; i++) {
        ng_reply reply;
        int status = api->nodes_apply(index, d->json[i], d->len[i], &reply);
        json_t *j = status == 200 ? json_loadb(reply.data, reply.len, 0, NULL) : NULL;
        *applied += json_integer_value(json_object_get(j, "applied"));
        *total = json_integer_value(json_object_get(j, "nodes"));
        json_decref(j);
        if (status != 200)
            error_of(&reply, i, err, errlen);
        api->reply_free(&reply);
        if (status != 200)
            return status;
    }
    return 200;
}

int host_yaml_nodes_apply(const struct nodegate_plugin *api, ng_index *index, const char *yaml, size_t len,
                         char **reply, char *err, size_t errlen)
{
    documents d = {0};
    char why[512];
    int status = 400;
    json_int_t applied = 0, total = 0;
    *reply = NULL;
    if (host_yaml_to_json(yaml ? yaml : "", len, take_each, &d, why, sizeof why) != 0)
        snprintf(err, errlen, "the YAML does not parse: %s", why);
    else if (d.n == 0)
        snprintf(err, errlen, "the YAML holds no document (a Node, a NodeList or a watch event)");
    else if (d.n == 1) {   /* one update, as its JSON would be */
        ng_reply r;
        status = api->nodes_apply(index, d.json[0], d.len[0], &r);
        if (status == 200)
            *reply = host_xstrdup(r.data);
        else
            error_of(&r, 0, err, errlen);
        api->reply_free(&r);
    } else {
        char scratch_err[256];
        ng_index *scratch = api->index_new(NULL, scratch_err, sizeof scratch_err);
        json_int_t ignored = 0;
        status = apply_all(api, scratch, &d, &ignored, &ignored, err, errlen);
        api->index_free(scratch);
        /* every document passed alone, and what passes does not depend on the cache: this
         * cannot fail now, so nothing is applied half */
        if (status == 200 && (status = apply_all(api, index, &d, &applied, &total, err, errlen)) == 200 &&
            asprintf(reply, "{\"applied\":%lld,\"nodes\":%lld,\"documents\":%zu}", (long long)applied,
                     (long long)total, d.n) < 0)
            host_oom(64);
    }
    for (size_t i = 0; i < d.n; i++)
        free(d.json[i]);
    free(d.json);
    free(d.len);
    return status;
}
