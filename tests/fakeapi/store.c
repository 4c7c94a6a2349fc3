/* store.c - the truth: nodes by name, the global resourceVersion, the event history watches
 * replay, and the snapshots paginated lists are served from. One mutex guards it all; every
 * change is one event at the next RV, broadcast on one condition variable. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakeapi.h"
#include "xalloc.h"

const char *const fa_evtype_names[] = {"ADDED", "MODIFIED", "DELETED"};

enum {
    SNAP_TTL_S = 300,   /* a continue token lives ~5 min, as until etcd's next compaction */
    SNAP_DONE_S = 10,   /* after its last page: long enough for a retried page */
    SNAP_MAX = 16,      /* abandoned lists cannot pin more than this many old truths */
};

double fa_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fa_store_init(fa_store *s, size_t hcap)
{
    *s = (fa_store){0};
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    s->hcap = hcap ? hcap : 1;
    s->hist = host_xcalloc(s->hcap, sizeof *s->hist);
    s->rv = s->compact_rv = FA_START_RV;
    s->reqlog = json_array();
}

static void snap_free(fa_snap *snap)
{
    for (size_t i = 0; i < snap->n; i++)
        fa_obj_unref(snap->items[i]);
    free(snap->items);
    free(snap);
}

void fa_snap_unref(fa_snap *snap)
{
    if (snap && atomic_fetch_sub_explicit(&snap->refs, 1, memory_order_acq_rel) == 1)
        snap_free(snap);
}

static void hist_drop_all(fa_store *s)
{
    for (uint64_t r = s->compact_rv + 1; r <= s->rv; r++) {
        fa_event *e = &s->hist[r % s->hcap];
        fa_obj_unref(e->obj);
        e->obj = NULL;
    }
    s->compact_rv = s->rv;
}

void fa_store_free(fa_store *s)
{
    hist_drop_all(s);
    free(s->hist);
    for (size_t i = 0; i < s->n; i++)
        fa_obj_unref(s->nodes[i]);
    free(s->nodes);
    fa_store_expire_snapshots_locked(s);
    fa_fault_free_all_locked(s);
    json_decref(s->reqlog);
    free(s->modify_after);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
}

struct ranked {
    fa_obj *o;
    size_t i;
};

/* By name, then by input order: so among equal names the last one given sorts last. */
static int by_name_then_index(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    int c = strcmp(x->o->name, y->o->name);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

void fa_store_load(fa_store *s, fa_obj **objs, size_t n)
{
    struct ranked *r = host_xmalloc((n ? n : 1) * sizeof *r);
    for (size_t k = 0; k < n; k++)
        r[k] = (struct ranked){objs[k], k};
    qsort(r, n, sizeof *r, by_name_then_index);
    s->nodes = host_xrealloc(s->nodes, (n ? n : 1) * sizeof *s->nodes);
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if (m && strcmp(s->nodes[m - 1]->name, r[k].o->name) == 0) {
            fa_obj_unref(s->nodes[m - 1]);
            s->nodes[m - 1] = r[k].o;
        } else {
            s->nodes[m++] = r[k].o;
        }
    }
    free(r);
    s->n = m;
    s->cap = n ? n : 1;
    s->rv = s->compact_rv = FA_START_RV;
}

/* The index of the first node named >= name. */
static size_t lower_bound(fa_obj *const *v, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t fa_snap_seek(const fa_snap *snap, const char *name)
{
    return lower_bound(snap->items, snap->n, name);
}

/* Records the event of the change at s->rv (takes the reference), dropping the oldest event
 * when the history is full: the compaction point then moves, as the watch cache's window does. */
static void hist_add(fa_store *s, fa_evtype type, fa_obj *o)
{
    if (s->rv - s->compact_rv > s->hcap) {
        fa_event *old = &s->hist[(s->compact_rv + 1) % s->hcap];
        fa_obj_unref(old->obj);
        old->obj = NULL;
        s->compact_rv++;
    }
    s->hist[s->rv % s->hcap] = (fa_event){type, o};
    pthread_cond_broadcast(&s->cond);
}

/* Puts o (its reference taken) in the truth at s->rv. */
static void put_locked(fa_store *s, fa_obj *o)
{
    size_t i = lower_bound(s->nodes, s->n, o->name);
    if (i < s->n && strcmp(s->nodes[i]->name, o->name) == 0) {
        fa_obj_unref(s->nodes[i]);
        s->nodes[i] = o;
        hist_add(s, FA_MODIFIED, fa_obj_ref(o));
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->nodes = host_xrealloc(s->nodes, s->cap * sizeof *s->nodes);
    }
    memmove(s->nodes + i + 1, s->nodes + i, (s->n - i) * sizeof *s->nodes);
    s->nodes[i] = o;
    s->n++;
    hist_add(s, FA_ADDED, fa_obj_ref(o));
}

uint64_t fa_store_upsert(fa_store *s, json_t *node, char *err, size_t errlen)
{
    fa_prep p;
    if (!fa_prep_node(node, &p, err, errlen))
        return 0;
    pthread_mutex_lock(&s->mu);
    uint64_t rv = ++s->rv;
    put_locked(s, fa_prep_finish(&p, rv));
    pthread_mutex_unlock(&s->mu);
    fa_prep_free(&p);
    return rv;
}

uint64_t fa_store_delete(fa_store *s, const char *name)
{
    pthread_mutex_lock(&s->mu);
    uint64_t rv = 0;
    size_t i = lower_bound(s->nodes, s->n, name);
    if (i < s->n && strcmp(s->nodes[i]->name, name) == 0) {
        json_t *node = fa_obj_parse(s->nodes[i]);
        char err[80];
        fa_obj *last = node ? fa_obj_from_node(node, s->rv + 1, err, sizeof err) : NULL;
        json_decref(node);
        if (last) {   /* the DELETED object is the last state, at the deletion's RV */
            rv = ++s->rv;
            fa_obj_unref(s->nodes[i]);
            memmove(s->nodes + i, s->nodes + i + 1, (s->n - i - 1) * sizeof *s->nodes);
            s->n--;
            hist_add(s, FA_DELETED, last);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rv;
}

/* The nodes named prefix*: [*lo, *hi), a contiguous run of the sorted truth. */
static void prefix_range(fa_store *s, const char *prefix, size_t *lo, size_t *hi)
{
    size_t plen = strlen(prefix);
    size_t a = lower_bound(s->nodes, s->n, prefix), b = s->n;
    size_t l = a;
    while (l < b) {   /* the first name past the run: strncmp turns positive there, and stays */
        size_t mid = l + (b - l) / 2;
        if (strncmp(s->nodes[mid]->name, prefix, plen) <= 0)
            l = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    *hi = l;
}

/* The next touch of node: its label fake.nodegate.io/touched counted up, serialized. */
static void touch(const fa_obj *cur, fa_prep *p)
{
    if (fa_touch_text(cur, p))
        return;
    json_t *node = fa_obj_parse(cur);
    json_t *meta = json_object_get(node, "metadata");
    json_t *labels = json_object_get(meta, "labels");
    if (!json_is_object(labels)) {
        labels = json_object();
        json_object_set_new(meta, "labels", labels);
    }
    static const char key[] = "fake.nodegate.io/touched";
    const char *was = json_string_value(json_object_get(labels, key));
    char v[24];
    snprintf(v, sizeof v, "%llu", (unsigned long long)(was ? strtoull(was, NULL, 10) + 1 : 1));
    json_object_set_new(labels, key, json_string(v));
    char err[80];
    fa_prep_node(node, p, err, sizeof err);   /* it has its name */
    json_decref(node);
}

size_t fa_store_modify(fa_store *s, const char *prefix, size_t count)
{
    size_t done = 0;
    while (done < count) {
        pthread_mutex_lock(&s->mu);
        size_t lo, hi;
        prefix_range(s, prefix, &lo, &hi);
        if (lo == hi || s->stopping) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        size_t at = s->modify_after ? lower_bound(s->nodes + lo, hi - lo, s->modify_after) + lo : lo;
        if (at < hi && s->modify_after && strcmp(s->nodes[at]->name, s->modify_after) == 0)
            at++;
        if (at >= hi)
            at = lo;
        fa_obj *cur = fa_obj_ref(s->nodes[at]);
        free(s->modify_after);
        s->modify_after = host_xstrdup(cur->name);
        pthread_mutex_unlock(&s->mu);

        fa_prep p;
        touch(cur, &p);

        pthread_mutex_lock(&s->mu);
        size_t i = lower_bound(s->nodes, s->n, cur->name);
        if (i < s->n && s->nodes[i] == cur) {   /* else changed meanwhile: pick again */
            fa_obj *o = fa_prep_finish(&p, ++s->rv);
            fa_obj_unref(s->nodes[i]);
            s->nodes[i] = o;
            hist_add(s, FA_MODIFIED, fa_obj_ref(o));
            done++;
        }
        pthread_mutex_unlock(&s->mu);
        fa_prep_free(&p);
        fa_obj_unref(cur);
    }
    return done;
}

void fa_store_compact(fa_store *s)
{
    pthread_mutex_lock(&s->mu);
    hist_drop_all(s);
    s->compact_gen++;
    fa_store_expire_snapshots_locked(s);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

unsigned fa_store_bookmark(fa_store *s)
{
    pthread_mutex_lock(&s->mu);
    s->bookmark_gen++;
    unsigned open = s->watches_open;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return open;
}

void fa_store_expire_snapshots_locked(fa_store *s)
{
    while (s->snaps) {
        fa_snap *snap = s->snaps;
        s->snaps = snap->next;
        fa_snap_unref(snap);
    }
}

/* Unregisters the expired snapshots, and the oldest beyond SNAP_MAX - 1 (room for one more). */
static void snaps_sweep(fa_store *s, double now)
{
    size_t kept = 0;
    for (fa_snap **p = &s->snaps; *p;) {   /* newest first */
        fa_snap *snap = *p;
        if (snap->expires <= now || kept >= SNAP_MAX - 1) {
            *p = snap->next;
            fa_snap_unref(snap);
        } else {
            kept++;
            p = &snap->next;
        }
    }
}

fa_snap *fa_store_snapshot_locked(fa_store *s, bool register_it)
{
    fa_snap *snap = host_xcalloc(1, sizeof *snap);
    atomic_init(&snap->refs, 1);
    snap->rv = s->rv;
    snap->n = s->n;
    snap->items = host_xmalloc((s->n ? s->n : 1) * sizeof *snap->items);
    for (size_t i = 0; i < s->n; i++)
        snap->items[i] = fa_obj_ref(s->nodes[i]);
    if (register_it) {
        double now = fa_now();
        snaps_sweep(s, now);
        snap->id = ++s->next_snap_id;
        snap->expires = now + SNAP_TTL_S;
        atomic_fetch_add(&snap->refs, 1);
        snap->next = s->snaps;
        s->snaps = snap;
    }
    return snap;
}

fa_snap *fa_store_snap_find(fa_store *s, uint64_t id, uint64_t rv)
{
    pthread_mutex_lock(&s->mu);
    snaps_sweep(s, fa_now());
    fa_snap *found = NULL;
    for (fa_snap *snap = s->snaps; snap; snap = snap->next)
        if (snap->id == id && snap->rv == rv) {
            found = snap;
            atomic_fetch_add(&snap->refs, 1);
            break;
        }
    pthread_mutex_unlock(&s->mu);
    return found;
}

void fa_store_snap_done(fa_store *s, fa_snap *snap)
{
    pthread_mutex_lock(&s->mu);
    double soon = fa_now() + SNAP_DONE_S;
    if (snap->expires > soon)
        snap->expires = soon;
    pthread_mutex_unlock(&s->mu);
}

void fa_store_wait_locked(fa_store *s, double abs_mono)
{
    struct timespec ts;
    ts.tv_sec = (time_t)abs_mono;
    ts.tv_nsec = (long)((abs_mono - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&s->cond, &s->mu, &ts);
}
