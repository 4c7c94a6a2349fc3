/* reply.h - the extender's reply vocabulary: node names, name lists, reason maps and error bodies.
 *
 * Every verb writes its reply through here, straight into a byte buffer; the
 * ABI glue (abi.c) hands the buffer to the host. Nothing here knows which
 * verb is calling. */
#ifndef NGP_REPLY_H
#define NGP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "eval.h"
#include "outcome.h"
#include "targets.h"

/* Makes room in b for a reply of about per_node bytes per target (plus the
 * echoed node objects in full mode), so writing it never copies it to grow. */
void ngp_reply_reserve(ngp_buf *b, const ngp_targets *t, size_t per_node);
/* Writes target i's name as a JSON string (known nodes: the store's quoted copy, copied padded,
 * so b is NUL-terminated only by the next write). Inline: replies write thousands. */
static inline void ngp_write_name(ngp_buf *b, const ngp_targets *t, uint32_t i)
{
    if (t->ids[i] < 0) {
        ngp_buf_json_str(b, t->names[i]);
        return;
    }
    const ngp_node *n = &t->store->nodes[t->ids[i]];
    ngp_buf_put_padded(b, n->quoted, n->quoted_len);
}
/* Writes, comma-separated, the targets whose v[i] is want: each one's node
 * object as the request sent it when objects is set (full mode), else its name. */
void ngp_write_names(ngp_buf *b, const ngp_targets *t, const uint8_t *v, uint8_t want, bool objects);

/* A quoted reason and its length. */
typedef struct ngp_text {
    const char *s;
    size_t len;
} ngp_text;

/* The reasons of one evaluation's failed nodes, each text quoted once. */
typedef struct ngp_reasons {
    const ngp_eval *e;
    ngp_text *taint;             /* per taint list slot: its quoted reason, built on first use */
} ngp_reasons;

void ngp_reasons_init(ngp_reasons *why, const ngp_eval *e);
void ngp_reasons_free(ngp_reasons *why);
/* Writes the reason of outcome o (a failure) for node id (any id for NGP_FAIL_NOT_CACHED) as a JSON string. */
void ngp_write_reason(ngp_buf *b, ngp_reasons *why, ngp_outcome o, uint32_t id);
/* Writes {"name": reason, ...} for the targets whose outcome[i] is in mask
 * (a set of NGP_OUTCOME_BIT). */
void ngp_write_reasons(ngp_buf *b, ngp_reasons *why, const ngp_targets *t, const uint8_t *outcome,
                       uint32_t mask);

/* Writes what the store holds of a node as a v1 Node: name, labels, taints and
 * unschedulable, in the API server's field names (empty fields omitted, as
 * Go's omitempty does). */
void ngp_write_node(ngp_buf *b, const ngp_node *n);

/* Writes an error body: {"Error": text}. */
void ngp_write_error(ngp_buf *b, const char *text);

#endif
