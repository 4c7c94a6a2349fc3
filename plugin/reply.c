/* reply.c - reply writers: names-mode replies are ~100-400 KB of names and reasons, full-mode ones up to ~10 MB. */
#include "reply.h"

#include <stdlib.h>

#include "xalloc.h"

void ngp_reply_reserve(ngp_buf *b, const ngp_targets *t, size_t per_node)
{
    size_t bytes = 256 + (size_t)t->n * per_node;
    for (uint32_t i = 0; t->items && i < t->n; i++)
        bytes += t->items[i].raw_len;
    ngp_buf_reserve(b, bytes);
}

void ngp_write_names(ngp_buf *b, const ngp_targets *t, const uint8_t *v, uint8_t want, bool objects)
{
    size_t sep = 0;   /* 0 before the first entry, then 1: the comma before each */
    for (uint32_t i = 0; i < t->n; i++) {
        if (v[i] != want)
            continue;
        if (objects) {   /* an echoed node: one room check and one copy */
            const char *text = t->raw + t->items[i].raw_off;
            size_t len = t->items[i].raw_len;
            if (b->cap - b->len <= len + 1)
                ngp_buf_reserve(b, len + 1);
            b->data[b->len] = ',';
            memcpy(b->data + b->len + sep, text, len);
            b->len += sep + len;
        } else {
            if (b->cap - b->len <= 1)
                ngp_buf_reserve(b, 1);
            b->data[b->len] = ',';
            b->len += sep;
            ngp_write_name(b, t, i);
        }
        sep = 1;
    }
    if (b->data)
        b->data[b->len] = '\0';
}

void ngp_reasons_init(ngp_reasons *why, const ngp_eval *e)
{
    *why = (ngp_reasons){.e = e, .taint = ngp_xcalloc(e->store->nslots, sizeof *why->taint)};
}

void ngp_reasons_free(ngp_reasons *why)
{
    for (uint32_t s = 0; s < why->e->store->nslots; s++)
        free((void *)why->taint[s].s);   /* built by taint_reason */
    free(why->taint);
    *why = (ngp_reasons){0};
}

/* "node(s) had untolerated taint {KEY: VALUE}", formatted once per taint list, not once per node. */
static ngp_text taint_reason(ngp_reasons *why, uint32_t id)
{
    ngp_text *r = &why->taint[why->e->store->nodes[id].taints->slot];
    if (!r->s) {
        const ngp_taint *t = ngp_eval_untolerated(why->e, id);
        ngp_buf text = {0}, quoted = {0};
        ngp_buf_printf(&text, "node(s) had untolerated taint {%s: %s}", t->key, t->value);
        ngp_buf_json_str(&quoted, text.data);
        ngp_buf_free(&text);
        r->s = ngp_buf_take(&quoted, &r->len);
    }
    return *r;
}

/* The quoted reason of outcome o (a failure) for node id: the same few texts go out thousands of
 * times per reply, so each is quoted once and its length known. */
static ngp_text reason_text(ngp_reasons *why, ngp_outcome o, uint32_t id)
{
#define QUOTED(s) {"\"" s "\"", sizeof s + 1}
    static const ngp_text reasons[] = {
        [NGP_FAIL_UNSCHEDULABLE] = QUOTED("node(s) were unschedulable"),
        [NGP_FAIL_NODE_NAME] = QUOTED("node(s) didn't match the requested node name"),
        [NGP_FAIL_AFFINITY] = QUOTED("node(s) didn't match Pod's node affinity/selector"),
        [NGP_FAIL_NOT_CACHED] = QUOTED("node(s) were not found in the extender's node cache"),
    };
#undef QUOTED
    return o == NGP_FAIL_TAINT ? taint_reason(why, id) : reasons[o];
}

void ngp_write_reason(ngp_buf *b, ngp_reasons *why, ngp_outcome o, uint32_t id)
{
    ngp_text r = reason_text(why, o, id);
    ngp_buf_put(b, r.s, r.len);
}

void ngp_write_reasons(ngp_buf *b, ngp_reasons *why, const ngp_targets *t, const uint8_t *outcome,
                       uint32_t mask)
{
    char sep = '{';
    for (uint32_t i = 0; i < t->n; i++) {
        if (!(mask & NGP_OUTCOME_BIT(outcome[i])))
            continue;
        /* thousands a reply: one room check for the separator, one for ':' and the reason */
        if (b->cap - b->len <= 1)
            ngp_buf_reserve(b, 1);
        b->data[b->len++] = sep;
        sep = ',';
        ngp_write_name(b, t, i);
        ngp_text r = reason_text(why, (ngp_outcome)outcome[i], (uint32_t)t->ids[i]);
        if (b->cap - b->len <= r.len + 1)
            ngp_buf_reserve(b, r.len + 1);
        b->data[b->len] = ':';
        memcpy(b->data + b->len + 1, r.s, r.len);
        b->len += r.len + 1;
    }
    ngp_buf_puts(b, sep == '{' ? "{}" : "}");
}

void ngp_write_error(ngp_buf *b, const char *text)
{
    ngp_buf_puts(b, "{\"Error\":");
    ngp_buf_json_str(b, text);
    ngp_buf_putc(b, '}');
}

void ngp_write_node(ngp_buf *b, const ngp_node *n)
{
    ngp_buf_puts(b, "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":");
    ngp_buf_put(b, n->quoted, n->quoted_len);
    for (uint32_t i = 0; i < n->nlabels; i++) {
        ngp_buf_puts(b, i ? "," : ",\"labels\":{");
        ngp_buf_json_str(b, n->labels[i].key->key);
        ngp_buf_putc(b, ':');
        ngp_buf_json_str(b, n->labels[i].value->value);
    }
    ngp_buf_puts(b, n->nlabels ? "}},\"spec\":{" : "},\"spec\":{");
    uint32_t ntaints = n->taints ? n->taints->ntaints : 0;
    if (n->unschedulable)
        ngp_buf_puts(b, ntaints ? "\"unschedulable\":true," : "\"unschedulable\":true");
    for (uint32_t i = 0; i < ntaints; i++) {
        const ngp_taint *t = &n->taints->taints[i];
        ngp_buf_puts(b, i ? ",{\"key\":" : "\"taints\":[{\"key\":");
        ngp_buf_json_str(b, t->key);
        if (t->value[0]) {
            ngp_buf_puts(b, ",\"value\":");
            ngp_buf_json_str(b, t->value);
        }
        if (ngp_effect_name(t->effect)[0]) {
            ngp_buf_puts(b, ",\"effect\":");
            ngp_buf_json_str(b, ngp_effect_name(t->effect));
        }
        ngp_buf_putc(b, '}');
    }
    ngp_buf_puts(b, ntaints ? "]}}" : "}}");
}
