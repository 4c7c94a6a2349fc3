/* filter.c - the filter verb and the per-node outcome it shares with preempt. */
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "verbs.h"
#include "xalloc.h"

int64_t ng_wanted_node(const ng_idx *x, const char *node_name)
{
    return node_name[0] ? ng_idx_find(x, node_name, strlen(node_name)) : NG_ANY_NODE;
}

ng_outcome ng_filter_outcome(const ng_eval *e, bool tolerates_unschedulable, int64_t wanted, uint32_t id)
{
    if (!tolerates_unschedulable && ng_bit_test(e->x->unschedulable, id))
        return NG_FAIL_UNSCHEDULABLE;
    if (wanted != NG_ANY_NODE && wanted != (int64_t)id)
        return NG_FAIL_NODE_NAME;
    if (ng_bit_test(e->blocked, id))
        return NG_FAIL_TAINT;
    if (!ng_bit_test(e->affinity, id))
        return NG_FAIL_AFFINITY;
    return NG_PASS;
}

void ng_write_reason(ng_buf *b, ng_eval *e, ng_outcome o, uint32_t id)
{
    /* kept quoted: the same few texts go out thousands of times per reply */
    static const char *const reasons[] = {
        [NG_FAIL_UNSCHEDULABLE] = "\"node(s) were unschedulable\"",
        [NG_FAIL_NODE_NAME] = "\"node(s) didn't match the requested node name\"",
        [NG_FAIL_AFFINITY] = "\"node(s) didn't match Pod's node affinity/selector\"",
        [NG_FAIL_UNKNOWN] = "\"node(s) were not found in the extender's node cache\"",
    };
    ng_buf_puts(b, o == NG_FAIL_TAINT ? ng_eval_taint_reason(e, id) : reasons[o]);
}

void ng_reserve_reply(ng_buf *b, const ng_targets *t, size_t per_node)
{
    size_t bytes = 256 + (size_t)t->n * per_node;
    for (uint32_t i = 0; t->items && i < t->n; i++)
        bytes += t->items[i].raw_len;
    ng_buf_reserve(b, bytes);
}

void ng_write_name(ng_buf *b, const ng_targets *t, uint32_t i)
{
    if (t->ids[i] < 0) {
        ng_buf_json_str(b, t->names[i]);
        return;
    }
    const ng_node *n = &t->x->nodes[t->ids[i]];
    ng_buf_put(b, n->quoted, n->quoted_len);
}

void ng_write_reasons(ng_buf *b, ng_eval *e, const ng_targets *t, const uint8_t *out, ng_outcome lo,
                      ng_outcome hi)
{
    ng_buf_putc(b, '{');
    bool first = true;
    for (uint32_t i = 0; i < t->n; i++) {
        if (out[i] < lo || out[i] > hi)
            continue;
        if (!first)
            ng_buf_putc(b, ',');
        first = false;
        ng_write_name(b, t, i);
        ng_buf_putc(b, ':');
        ng_write_reason(b, e, (ng_outcome)out[i], (uint32_t)t->ids[i]);
    }
    ng_buf_putc(b, '}');
}

void ng_write_names(ng_buf *b, const ng_targets *t, const uint8_t *v, uint8_t want, bool objects)
{
    bool first = true;
    for (uint32_t i = 0; i < t->n; i++) {
        if (v[i] != want)
            continue;
        if (!first)
            ng_buf_putc(b, ',');
        first = false;
        if (objects)
            ng_buf_put(b, t->raw + t->items[i].raw_off, t->items[i].raw_len);
        else
            ng_write_name(b, t, i);
    }
}

int ng_filter(const ng_options *opt, const ng_pod *pod, const ng_targets *t, ng_reply *reply)
{
    ng_eval e;
    ng_eval_init(&e, t->x, pod, opt->comparison_ops);
    bool tolerates = ng_eval_tolerates_unschedulable(&e);
    int64_t wanted = ng_wanted_node(t->x, pod->node_name);
    uint8_t *out = ng_xmalloc(t->n ? t->n : 1);
    for (uint32_t i = 0; i < t->n; i++)
        out[i] = t->ids[i] < 0 ? NG_FAIL_UNKNOWN
                               : ng_filter_outcome(&e, tolerates, wanted, (uint32_t)t->ids[i]);
    ng_buf b = {0};
    ng_reserve_reply(&b, t, 128);   /* a name and a reason */
    if (t->items) {
        ng_buf_puts(&b, "{\"Nodes\":{\"metadata\":{},\"items\":[");
        ng_write_names(&b, t, out, NG_PASS, true);
        ng_buf_puts(&b, "]},\"NodeNames\":null");
    } else {
        ng_buf_puts(&b, "{\"Nodes\":null,\"NodeNames\":[");
        ng_write_names(&b, t, out, NG_PASS, false);
        ng_buf_putc(&b, ']');
    }
    ng_buf_puts(&b, ",\"FailedNodes\":");
    ng_write_reasons(&b, &e, t, out, NG_FAIL_UNKNOWN, NG_FAIL_UNKNOWN);
    ng_buf_puts(&b, ",\"FailedAndUnresolvableNodes\":");
    ng_write_reasons(&b, &e, t, out, NG_FAIL_UNSCHEDULABLE, NG_FAIL_AFFINITY);
    ng_buf_puts(&b, ",\"Error\":\"\"}");
    free(out);
    ng_eval_free(&e);
    return ng_reply_buf(reply, 200, &b);
}
