/* fuzz_nodes.c - node updates: POST /nodes bodies (a Node, a NodeList, a watch event) cut into
 * upload chunks, the relist that replaces the whole cache (nodes_replace), and DELETE
 * /nodes/NAME, each on a cache loaded first.
 *
 * Input: one byte (its value mod 3: 0 an update, 1 a relist, 2 a delete), the split offsets
 * (drive.h), a NodeList for the cache ended by a NUL (no NUL: an empty cache), then the update
 * body (for a delete: the node's name, up to a NUL).
 *
 * Checks: every reply is valid JSON, errors are {"Error"} with 400/404/422; a refused update,
 * relist or delete leaves the cache exactly as it was (nodes_get and index_stats); an update
 * fed in chunks (as POST /nodes is) and the same body given whole to nodes_apply (as the
 * API-server source gives a watch event) get the same reply, byte for byte, and leave the
 * same cache; a relist leaves the cache holding
 * what the staged index held, and the staged index holding the old cache. */
#include <stdlib.h>
#include <string.h>

#include "drive.h"

static void same_state(const char *what, const char *want, ng_index *idx)
{
    char *got = fz_state(idx);
    if (strcmp(want, got) != 0)
        fz_fail("%s: the cache should hold\n%s\nbut holds\n%s", what, want, got);
    free(got);
}

/* Both indexes got the same base; one the body in chunks, the other whole. */
static void update(ng_index *idx, ng_index *twin, const fz_input *body, const fz_splits *splits)
{
    const struct nodegate_plugin *p = fz_plugin();
    char *before = fz_state(idx);
    ng_reply r = {0}, whole = {0};
    fz_call(idx, NG_NODES, body, splits, &r);
    fz_check_reply("POST /nodes", &r);
    p->nodes_apply(twin, (const char *)body->p, body->n, &whole);
    fz_check_reply("nodes_apply", &whole);
    if (whole.status != r.status || whole.len != r.len || memcmp(whole.data, r.data, r.len) != 0)
        fz_fail("an update cut at %zu points answered %d %s, given whole to nodes_apply %d %s", splits->n,
                r.status, r.data, whole.status, whole.data);
    char *after = fz_state(idx);
    if (r.status != 200 && strcmp(before, after) != 0)
        fz_fail("an update refused with %d %s changed the cache: before\n%s\nafter\n%s", r.status, r.data,
                before, after);
    same_state("the same update through nodes_apply", after, twin);
    free(before);
    free(after);
    p->reply_free(&r);
    p->reply_free(&whole);
}

/* A relist as the node source runs one: the pages into a staged index, swapped in when whole. */
static void relist(ng_index *idx, const fz_input *body, const fz_splits *splits)
{
    const struct nodegate_plugin *p = fz_plugin();
    ng_index *staged = fz_index_new(false, false, false);
    char *empty = fz_state(staged), *old = fz_state(idx);
    ng_reply r = {0};
    int st = fz_call(staged, NG_NODES, body, splits, &r);
    fz_check_reply("relist page", &r);
    p->reply_free(&r);
    if (st != 200) {
        same_state("a staged index after a refused page", empty, staged);
    } else {
        char *listed = fz_state(staged);
        if (p->nodes_replace(idx, staged, &r) != 200)
            fz_fail("nodes_replace answered %d %s", r.status, r.data);
        fz_check_reply("nodes_replace", &r);
        p->reply_free(&r);
        same_state("the cache after nodes_replace", listed, idx);
        same_state("the staged index after nodes_replace", old, staged);
        free(listed);
    }
    p->index_free(staged);
    free(empty);
    free(old);
}

static void delete(ng_index *idx, const fz_input *body)
{
    const struct nodegate_plugin *p = fz_plugin();
    char *name = strndup((const char *)body->p, body->n), *before = fz_state(idx);
    ng_reply r = {0};
    int st = p->nodes_delete(idx, name, &r);
    fz_check_reply("DELETE /nodes/NAME", &r);
    p->reply_free(&r);
    if (st != 200)
        same_state("a cache after a refused delete", before, idx);
    else if (p->nodes_get(idx, name, &r) != 404)
        fz_fail("node %s deleted, but nodes_get still answers %d %s", name, r.status, r.data);
    p->reply_free(&r);
    free(name);
    free(before);
}

static void load(ng_index *idx, const fz_input *base)
{
    ng_reply r = {0};
    fz_plugin()->nodes_apply(idx, (const char *)base->p, base->n, &r);
    fz_check_reply("base NodeList", &r);
    fz_plugin()->reply_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct nodegate_plugin *p = fz_plugin();
    fz_input in = {data, size}, base;
    unsigned op = fz_byte(&in) % 3;
    fz_splits splits;
    fz_read_splits(&in, &splits);
    ng_index *idx = fz_index_new(false, false, false), *twin = op == 0 ? fz_index_new(false, false, false) : NULL;
    if (fz_take_part(&in, &base)) {
        load(idx, &base);
        if (twin)
            load(twin, &base);
    }
    if (op == 0)
        update(idx, twin, &in, &splits);
    else if (op == 1)
        relist(idx, &in, &splits);
    else
        delete(idx, &in);
    p->index_free(idx);
    p->index_free(twin);
    return 0;
}
