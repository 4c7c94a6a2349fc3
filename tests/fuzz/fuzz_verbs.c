/* fuzz_verbs.c - filter, prioritize, preempt, daemonset and explain, names mode and full mode,
 * with the body cut into upload chunks where the input says.
 *
 * Input: one byte (bits 0-1: the verb, bit 4: explain instead; bit 2:
 * TaintTolerationComparisonOperators on; bit 3: completeCache; bit 5: compactReplies), the
 * split offsets (drive.h), then a NodeList for the names-mode cache ended
 * by a NUL (no NUL: an empty cache), then the request body. tests/fuzz/seeds.sh writes the
 * cases of tests/cases and the requests of examples/ in this form.
 *
 * Checks: every reply is valid JSON, errors are {"Error"} with 400/404/422; the body fed as one
 * chunk gets the same reply, byte for byte; a verb
 * never changes the cache. */
#include <stdlib.h>
#include <string.h>

#include "drive.h"

static const ng_verb verbs[] = {NG_FILTER, NG_PRIORITIZE, NG_PREEMPT, NG_DAEMONSET, NG_EXPLAIN};
static const char *const names[] = {"filter", "prioritize", "preempt", "daemonset", "explain"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct nodegate_plugin *p = fz_plugin();
    fz_input in = {data, size}, nodes;
    uint8_t how = fz_byte(&in);
    fz_splits splits;
    fz_read_splits(&in, &splits);
    ng_index *idx = fz_index_new(how & 4, how & 8, how & 32);
    ng_reply r = {0}, whole = {0};
    if (fz_take_part(&in, &nodes)) {
        p->nodes_apply(idx, (const char *)nodes.p, nodes.n, &r);
        fz_check_reply("cache NodeList", &r);
        p->reply_free(&r);
    }
    char *before = fz_state(idx);
    unsigned v = how & 16 ? 4 : how & 3;
    fz_call(idx, verbs[v], &in, &splits, &r);
    fz_check_reply(names[v], &r);
    fz_call(idx, verbs[v], &in, NULL, &whole);
    if (whole.status != r.status || whole.len != r.len || memcmp(whole.data, r.data, r.len) != 0)
        fz_fail("%s: cut at %zu points it answered %d %s, in one chunk %d %s", names[v], splits.n,
                r.status, r.data, whole.status, whole.data);
    char *after = fz_state(idx);
    if (strcmp(before, after) != 0)
        fz_fail("%s changed the cache: before %s, after %s", names[v], before, after);
    free(before);
    free(after);
    p->reply_free(&r);
    p->reply_free(&whole);
    p->index_free(idx);
    return 0;
}
