/* targets.c - a call's candidate nodes: thousands of names looked up at once, or a few hundred nodes indexed. */
#include "targets.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void ngp_targets_from_names(ngp_targets *t, const ngp_store *cache, const ngp_names *names)
{
    *t = (ngp_targets){.store = cache, .n = names->n, .names = names->v};
    t->ids = ngp_xmalloc(t->n * sizeof *t->ids);   /* find_many writes each */
    ngp_store_find_many(cache, t->names, t->n, t->ids);
}

void ngp_targets_from_cache(ngp_targets *t, const ngp_store *cache, ngp_arena *arena)
{
    *t = (ngp_targets){.store = cache, .n = cache->count};
    t->names = ngp_arena_alloc(arena, t->n * sizeof *t->names);
    t->ids = ngp_xmalloc(t->n * sizeof *t->ids);
    uint32_t k = 0;
    for (uint32_t id = 0; id < cache->high && k < t->n; id++)
        if (cache->nodes[id].name) {
            t->names[k] = cache->nodes[id].name;
            t->ids[k++] = id;
        }
}

bool ngp_targets_from_nodes(ngp_targets *t, ngp_store *own, const ngp_nodes *nodes, const char *raw,
                            ngp_arena *arena, ngp_err *err)
{
    *t = (ngp_targets){.store = own, .n = nodes->n, .items = nodes->v, .raw = raw};
    t->names = ngp_arena_alloc(arena, t->n * sizeof *t->names);
    t->ids = ngp_xcalloc(t->n, sizeof *t->ids);
    for (uint32_t i = 0; i < t->n; i++) {
        const ngp_node_in *n = &nodes->v[i];
        if (n->problem)
            return ngp_err_set(err, NGP_EINVALID, "Nodes.items[%u]: %s", i, n->problem);
        if (ngp_store_find(own, n->name, strlen(n->name)) >= 0)
            return ngp_err_set(err, NGP_EINVALID, "Nodes.items[%u]: duplicate node name \"%s\"", i, n->name);
        t->names[i] = n->name;
        t->ids[i] = ngp_store_upsert(own, n);
    }
    return true;
}

void ngp_targets_free(ngp_targets *t)
{
    free(t->ids);
    t->ids = NULL;
}
