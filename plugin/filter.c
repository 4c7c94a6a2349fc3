/* filter.c - the filter verb and the per-node outcome it shares with preempt. */
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "verbs.h"
#include "xalloc.h"

int64_t ngp_wanted_node(const ngp_store *x, const char *node_name)
{
    return node_name[0] ? ngp_store_find(x, node_name, strlen(node_name)) : NGP_ANY_NODE;
}

ngp_outcome ngp_filter_outcome(const ngp_eval *e, bool tolerates_unschedulable, int64_t wanted, uint32_t id)
{
    if (!tolerates_unschedulable && ngp_bit_test(e->x->unschedulable, id))
        return NGP_FAIL_UNSCHEDULABLE;
    if (wanted != NGP_ANY_NODE && wanted != (int64_t)id)
        return NGP_FAIL_NODE_NAME;
    if (ngp_bit_test(e->blocked, id))
        return NGP_FAIL_TAINT;
    if (!ngp_bit_test(e->affinity, id))
        return NGP_FAIL_AFFINITY;
    return NGP_PASS;
}

void ngp_write_reason(ngp_buf *b, ngp_eval *e, ngp_outcome o, uint32_t id)
{
    /* kept quoted: the same few texts go out thousands of times per reply */
    static const char *const reasons[] = {
        [NGP_FAIL_UNSCHEDULABLE] = "\"node(s) were unschedulable\"",
        [NGP_FAIL_NODE_NAME] = "\"node(s) didn't match the requested node name\"",
        [NGP_FAIL_AFFINITY] = "\"node(s) didn't match Pod's node affinity/selector\"",
        [NGP_FAIL_UNKNOWN] = "\"node(s) were not found in the extender's node cache\"",
    };
    ngp_buf_puts(b, o == NGP_FAIL_TAINT ? ngp_eval_taint_reason(e, id) : reasons[o]);
}

void ngp_reserve_reply(ngp_buf *b, const ngp_targets *t, size_t per_node)
{
    size_t bytes = 256 + (size_t)t->n * per_node;
    for (uint32_t i = 0; t->items && i < t->n; i++)
        bytes += t->items[i].raw_len;
    ngp_buf_reserve(b, bytes);
}

void ngp_write_name(ngp_buf *b, const ngp_targets *t, uint32_t i)
{
    if (t->ids[i] < 0) {
        ngp_buf_json_str(b, t->names[i]);
        return;
    }
    const ngp_node *n = &t->x->nodes[t->ids[i]];
    ngp_buf_put(b, n->quoted, n->quoted_len);
}

void ngp_write_reasons(ngp_buf *b, ngp_eval *e, const ngp_targets *t, const uint8_t *out, ngp_outcome lo,
                      ngp_outcome hi)
{
    ngp_buf_putc(b, '{');
    bool first = true;
    for (uint32_t i = 0; i < t->n; i++) {
        if (out[i] < lo || out[i] > hi)
            continue;
        if (!first)
            ngp_buf_putc(b, ',');
        first = false;
        ngp_write_name(b, t, i);
        ngp_buf_putc(b, ':');
        ngp_write_reason(b, e, (ngp_outcome)out[i], (uint32_t)t->ids[i]);
    }
    ngp_buf_putc(b, '}');
}

void ngp_write_names(ngp_buf *b, const ngp_targets *t, const uint8_t *v, uint8_t want, bool objects)
{
    bool first = true;
    for (uint32_t i = 0; i < t->n; i++) {
        if (v[i] != want)
            continue;
        if (!first)
            ngp_buf_putc(b, ',');
        first = false;
        if (objects)
            ngp_buf_put(b, t->raw + t->items[i].raw_off, t->items[i].raw_len);
        else
            ngp_write_name(b, t, i);
    }
}

int ngp_filter(const ngp_options *opt, const ngp_pod *pod, const ngp_targets *t, ng_reply *reply)
{
    ngp_eval e;
    ngp_eval_init(&e, t->x, pod, opt->comparison_ops);
    bool tolerates = ngp_eval_tolerates_unschedulable(&e);
    int64_t wanted = ngp_wanted_node(t->x, pod->node_name);
    uint8_t *out = ngp_xmalloc(t->n ? t->n : 1);
    for (uint32_t i = 0; i < t->n; i++)
        out[i] = t->ids[i] < 0 ? NGP_FAIL_UNKNOWN
                               : ngp_filter_outcome(&e, tolerates, wanted, (uint32_t)t->ids[i]);
    ngp_buf b = {0};
    ngp_reserve_reply(&b, t, 128);   /* a name and a reason */
    if (t->items) {
        ngp_buf_puts(&b, "{\"Nodes\":{\"metadata\":{},\"items\":[");
        ngp_write_names(&b, t, out, NGP_PASS, true);
        ngp_buf_puts(&b, "]},\"NodeNames\":null");
    } else {
        ngp_buf_puts(&b, "{\"Nodes\":null,\"NodeNames\":[");
        ngp_write_names(&b, t, out, NGP_PASS, false);
        ngp_buf_putc(&b, ']');
    }
    ngp_buf_puts(&b, ",\"FailedNodes\":");
    ngp_write_reasons(&b, &e, t, out, NGP_FAIL_UNKNOWN, NGP_FAIL_UNKNOWN);
    ngp_buf_puts(&b, ",\"FailedAndUnresolvableNodes\":");
    ngp_write_reasons(&b, &e, t, out, NGP_FAIL_UNSCHEDULABLE, NGP_FAIL_AFFINITY);
    ngp_buf_puts(&b, ",\"Error\":\"\"}");
    free(out);
    ngp_eval_free(&e);
    return ngp_reply_buf(reply, 200, &b);
}
