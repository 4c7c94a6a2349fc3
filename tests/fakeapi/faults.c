/* faults.c - the faults tests queue with POST /fake/fault: each one answers, breaks or stalls
 * the next `count` list or watch requests it matches, in the order queued. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

static const char *const kind_names[] = {"status", "gone", "drop", "stall", "malformed", "drop-list"};
static const char *const match_names[] = {"any", "list", "watch", "continue"};

static void fault_free(fa_fault *f)
{
    fa_fault_clear(f);
    free(f);
}

void fa_fault_clear(fa_fault *f)
{
    free(f->reason);
    free(f->message);
    f->reason = f->message = NULL;
}

static char *opt_string(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? host_xstrdup(v) : NULL;
}

int fa_fault_add(fa_store *s, const char *body, size_t len, char *what, size_t whatlen, char *err,
                 size_t errlen)
{
    json_error_t jerr;
    json_t *o = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(o)) {
        snprintf(err, errlen, "the body must be a JSON object like {\"fault\":\"drop\"}%s%s",
                 o ? "" : ": ", o ? "" : jerr.text);
        json_decref(o);
        return 400;
    }
    const char *name = json_string_value(json_object_get(o, "fault"));
    snprintf(what, whatlen, "%s", name ? name : "");
    json_t *jcount = json_object_get(o, "count");
    json_int_t count = jcount ? json_integer_value(jcount) : 1;
    int status = 0;
    fa_fault f = {.retry_after = -1, .match = FA_MATCH_ANY};
    size_t k = 0;
    while (k < sizeof kind_names / sizeof *kind_names && (!name || strcmp(name, kind_names[k])))
        k++;
    if (name && strcmp(name, "expire-continue") == 0) {
        pthread_mutex_lock(&s->mu);
        fa_store_expire_snapshots_locked(s);
        pthread_mutex_unlock(&s->mu);
        goto out;
    }
    if (k == sizeof kind_names / sizeof *kind_names) {
        snprintf(err, errlen, "unknown fault \"%s\": status, gone, drop, stall, malformed, drop-list "
                 "or expire-continue", name ? name : "");
        status = 400;
        goto out;
    }
    f.kind = (fa_fault_kind)k;
    if ((jcount && !json_is_integer(jcount)) || count < 1 || count > 1000000000) {
        snprintf(err, errlen, "count must be a positive integer");
        status = 400;
        goto out;
    }
    f.count = (unsigned)count;
    const char *m = json_string_value(json_object_get(o, "match"));
    if (m) {
        size_t i = 0;
        while (i < 4 && strcmp(m, match_names[i]))
            i++;
        if (i == 4) {
            snprintf(err, errlen, "match must be list, continue, watch or any");
            status = 400;
            goto out;
        }
        f.match = (fa_match)i;
    }
    switch (f.kind) {
    case FA_FAULT_STATUS: {
        json_int_t code = json_integer_value(json_object_get(o, "code"));
        if (code < 400 || code > 599) {
            snprintf(err, errlen, "a status fault needs a code from 400 to 599");
            status = 400;
            goto out;
        }
        f.code = (int)code;
        json_t *ra = json_object_get(o, "retryAfter");
        if (ra)
            f.retry_after = (int)json_integer_value(ra);
        break;
    }
    case FA_FAULT_GONE: f.code = 410; break;
    case FA_FAULT_DROP_LIST: f.match = FA_MATCH_LIST; break;
    default: f.match = FA_MATCH_WATCH; break;   /* the stream faults */
    }
    f.reason = opt_string(o, "reason");
    f.message = opt_string(o, "message");
    fa_fault *nf = host_xmalloc(sizeof *nf);
    *nf = f;
    nf->next = NULL;
    pthread_mutex_lock(&s->mu);
    fa_fault **tail = &s->faults;
    while (*tail)
        tail = &(*tail)->next;
    *tail = nf;
    pthread_mutex_unlock(&s->mu);
out:
    json_decref(o);
    return status;
}

bool fa_fault_take(fa_store *s, fa_match req, fa_fault *out)
{
    bool found = false;
    pthread_mutex_lock(&s->mu);
    for (fa_fault **p = &s->faults; *p; p = &(*p)->next) {
        fa_fault *f = *p;
        bool hits = f->match == FA_MATCH_ANY || f->match == req ||
                    (f->match == FA_MATCH_LIST && req == FA_MATCH_CONTINUE);
        if (!hits)
            continue;
        *out = *f;
        out->reason = f->reason ? host_xstrdup(f->reason) : NULL;
        out->message = f->message ? host_xstrdup(f->message) : NULL;
        out->next = NULL;
        if (--f->count == 0) {
            *p = f->next;
            fault_free(f);
        }
        found = true;
        break;
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

json_t *fa_fault_list_locked(fa_store *s)
{
    json_t *a = json_array();
    for (fa_fault *f = s->faults; f; f = f->next) {
        json_t *o = json_object();
        json_object_set_new(o, "fault", json_string(kind_names[f->kind]));
        json_object_set_new(o, "count", json_integer(f->count));
        json_object_set_new(o, "match", json_string(match_names[f->match]));
        if (f->kind == FA_FAULT_STATUS)
            json_object_set_new(o, "code", json_integer(f->code));
        if (f->retry_after >= 0)
            json_object_set_new(o, "retryAfter", json_integer(f->retry_after));
        json_array_append_new(a, o);
    }
    return a;
}

void fa_fault_free_all_locked(fa_store *s)
{
    while (s->faults) {
        fa_fault *f = s->faults;
        s->faults = f->next;
        fault_free(f);
    }
}
