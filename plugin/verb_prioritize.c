/* verb_prioritize.c - the prioritize verb: TaintToleration and NodeAffinity scores, combined. */
#include <stdlib.h>
#include <string.h>

#include "bitset.h"
#include "reply.h"
#include "request.h"
#include "score.h"
#include "verb.h"
#include "xalloc.h"

enum { MAX_SCORE = 10 };   /* MaxExtenderPriority */

/* What follows a host entry in the reply, for every score (ngp_buf_put_short). */
static const struct {
    char text[4];
    size_t len;
} score_tail[MAX_SCORE + 1] = {
#define TAIL(n) {#n "}", sizeof #n "}" - 1}
    TAIL(0), TAIL(1), TAIL(2), TAIL(3), TAIL(4), TAIL(5), TAIL(6), TAIL(7), TAIL(8), TAIL(9), TAIL(10),
#undef TAIL
};

enum { SMALL = 256 };   /* raw scores below this are scaled through a table, not divided */

/* Upstream DefaultNormalizeScore of one raw score against the largest one of the call's cached
 * targets (max, which starts at 0): scaled by it, integer division first; reverse subtracts from
 * the max score. With max 0 the raw scores stay as they are (reversed: MAX_SCORE). Raw scores
 * are small integers (taint counts, weight sums), so the division is looked up below SMALL. */
typedef struct {
    int64_t max;
    bool reverse;
    int64_t scaled[SMALL];   /* raw scores 0..max below SMALL */
} scale;

static int64_t divide(int64_t max, bool reverse, int64_t raw)
{
    int64_t v = max ? MAX_SCORE * raw / max : raw;
    return reverse ? MAX_SCORE - v : v;
}

static void scale_init(scale *s, int64_t max, bool reverse)
{
    s->max = max;
    s->reverse = reverse;
    for (int64_t r = 0; r < SMALL && r <= max; r++)
        s->scaled[r] = divide(max, reverse, r);
}

static int64_t normalized(const scale *s, int64_t raw)
{
    return raw >= 0 && raw < SMALL && raw <= s->max ? s->scaled[raw] : divide(s->max, s->reverse, raw);
}

/* Terms of weight 0 or without requirements count for nothing (SPEC 5.3). */
static bool counts(const ngp_pref_term *p)
{
    return p->weight != 0 && !ngp_term_is_empty(&p->preference);
}

/* Sum of the weights of the preferred terms each target matches; returns the largest, and sets
 * min to the smallest (at most 0). Each term costs its set operations and the targets it
 * matches, never a pass over every target: the sums go by node id and are read per target once. */
static int64_t affinity_raw(ngp_eval *e, const ngp_targets *t, int64_t *raw, int64_t *min)
{
    *min = 0;
    const ngp_pod *pod = e->pod;
    uint32_t first = 0;
    while (first < pod->npreferred && !counts(&pod->preferred[first]))
        first++;
    if (first == pod->npreferred) {   /* no term counts: every sum is 0, no per-id table */
        memset(raw, 0, t->n * sizeof *raw);
        return 0;
    }
    size_t nw = e->nwords ? e->nwords : 1;
    uint64_t *wanted = ngp_bitset_new(nw);
    for (uint32_t j = 0; j < t->n; j++)
        if (t->ids[j] >= 0)
            ngp_bit_set(wanted, (size_t)t->ids[j]);
    int64_t *by_id = ngp_xcalloc(e->store->capacity ? e->store->capacity : 1, sizeof *by_id);
    for (uint32_t i = first; i < pod->npreferred; i++) {
        const ngp_pref_term *p = &pod->preferred[i];
        if (!counts(p))
            continue;
        ngp_eval_term(e, &p->preference, e->term);
        ngp_bitset_and_inplace(e->term, wanted, e->nwords);
        NGP_BITSET_FOREACH(id, e->term, e->nwords)
        by_id[id] += p->weight;
    }
    int64_t max = 0;
    for (uint32_t j = 0; j < t->n; j++) {
        raw[j] = t->ids[j] >= 0 ? by_id[t->ids[j]] : 0;
        max = raw[j] > max ? raw[j] : max;
        *min = raw[j] < *min ? raw[j] : *min;
    }
    free(by_id);
    ngp_bitset_free(wanted);
    return max;
}

/* The weighted mean of the two 0..10 scores, halves rounded up, kept in 0..10. */
static int64_t combine(const ngp_options *opt, int64_t taint, int64_t affinity)
{
    int64_t w = opt->weight_taint + opt->weight_affinity;
    int64_t s = (2 * (opt->weight_taint * taint + opt->weight_affinity * affinity) + w) / (2 * w);
    return s < 0 ? 0 : s > MAX_SCORE ? MAX_SCORE : s;
}

/* Untolerated PreferNoSchedule taints per node id, from each taint list's
 * posting: no per-node look at the node table. NULL when no list has one. */
static uint16_t *taint_raw_by_id(ngp_eval *e)
{
    uint32_t first = 0;
    while (first < e->store->nslots && !(e->store->slots[first] && e->verdicts[first].prefer_untolerated))
        first++;
    if (first == e->store->nslots)
        return NULL;
    uint16_t *raw = ngp_xcalloc(e->store->capacity, sizeof *raw);
    for (uint32_t s = first; s < e->store->nslots; s++) {
        const ngp_taint_list *l = e->store->slots[s];
        uint32_t count = l ? e->verdicts[s].prefer_untolerated : 0;
        if (count == 0)
            continue;
        ngp_bitset_zero(e->scratch, e->nwords);
        ngp_posting_or_into(e->scratch, &l->ids, e->nwords);
        NGP_BITSET_FOREACH(id, e->scratch, e->nwords)
        raw[id] = (uint16_t)(count < UINT16_MAX ? count : UINT16_MAX);
    }
    return raw;
}

void ngp_scores(const ngp_options *opt, ngp_eval *e, const ngp_targets *t, int64_t *taint, int64_t *affinity,
                int64_t *score)
{
    uint16_t *by_id = taint_raw_by_id(e);
    int64_t taint_max = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        taint[i] = by_id && t->ids[i] >= 0 ? by_id[t->ids[i]] : 0;
        taint_max = taint[i] > taint_max ? taint[i] : taint_max;
    }
    free(by_id);
    scale taint_scale, affinity_scale;
    scale_init(&taint_scale, taint_max, true);
    int64_t raw_min;   /* of the weight sums, which may be negative; taint counts never are */
    scale_init(&affinity_scale, affinity_raw(e, t, affinity, &raw_min), false);
    int64_t table[MAX_SCORE + 1][MAX_SCORE + 1];   /* combine() of every in-range pair */
    for (int64_t ts = 0; ts <= MAX_SCORE; ts++)
        for (int64_t as = 0; as <= MAX_SCORE; as++)
            table[ts][as] = combine(opt, ts, as);
    if (taint_scale.max < SMALL && affinity_scale.max < SMALL && raw_min >= 0) {
        /* every raw score is in its table, every scaled one in 0..MAX_SCORE: no test per target */
        for (uint32_t i = 0; i < t->n; i++) {
            int64_t ts = taint[i] = taint_scale.scaled[taint[i]];
            int64_t as = affinity[i] = affinity_scale.scaled[affinity[i]];
            score[i] = t->ids[i] < 0 ? 0 : table[ts][as];
        }
        return;
    }
    for (uint32_t i = 0; i < t->n; i++) {
        int64_t ts = taint[i] = normalized(&taint_scale, taint[i]);
        int64_t as = affinity[i] = normalized(&affinity_scale, affinity[i]);
        score[i] = t->ids[i] < 0 ? 0
                   : ts >= 0 && ts <= MAX_SCORE && as >= 0 && as <= MAX_SCORE ? table[ts][as]
                                                                                : combine(opt, ts, as);
    }
}

bool ngp_verb_prioritize(const ngp_verb_ctx *c, ngp_buf *b, ngp_err *err)
{
    const ngp_args_req *req = c->req;
    const ngp_targets *t = c->t;
    if (req->pod.preferred_problem)   /* a preferred term that counts does not parse (SPEC 5.3) */
        return ngp_err_set(err, NGP_EINVALID, "%s", req->pod.preferred_problem);
    ngp_eval e;
    ngp_eval_init(&e, t->store, &req->pod, c->opt->comparison_ops);
    int64_t *taint = ngp_xmalloc(3 * (size_t)t->n * sizeof *taint);   /* ngp_scores sets each */
    int64_t *affinity = taint + t->n, *score = affinity + t->n;
    ngp_scores(c->opt, &e, t, taint, affinity, score);
    ngp_reply_reserve(b, t, 96);   /* ,{"Host":name,"Score":N} */
    size_t open = b->len;
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->ids[i] >= 0) {
            size_t len;
            const char *entry = ngp_node_host_entry(&t->store->nodes[t->ids[i]], &len);
            ngp_buf_put_padded(b, entry, len);
        } else {
            ngp_buf_puts(b, NGP_HOST_OPEN);
            ngp_buf_json_str(b, t->names[i]);
            ngp_buf_puts(b, NGP_HOST_CLOSE);
        }
        ngp_buf_put_short(b, score_tail[score[i]].text, score_tail[score[i]].len);
    }
    if (t->n)
        b->data[open] = '[';   /* the first entry's comma */
    else
        ngp_buf_putc(b, '[');
    ngp_buf_putc(b, ']');
    free(taint);
    ngp_eval_free(&e);
    return true;
}
