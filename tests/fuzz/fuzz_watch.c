/* fuzz_watch.c - the watch stream's framing (harness/kube/frames.c): bytes from the API server,
 * cut into chunks where the input says (as libcurl may cut them), framed into events, each
 * applied with nodes_apply as the node source applies them; the stream ends at the first
 * event the plugin refuses, as the source's does.
 *
 * Input: the split offsets (drive.h), then the stream.
 *
 * Checks: every reply is valid JSON, errors are {"Error"} with 400/404/422; the events framed,
 * and the cache they leave, are the same as with the stream in one chunk. */
#include <stdlib.h>
#include <string.h>

#include "drive.h"
#include "frames.h"

typedef struct watcher {
    ng_index *idx;
    char *events;   /* every event framed, each followed by a newline (an event holds none) */
    size_t len, cap;
} watcher;

static bool on_event(void *ctx, const char *ev, size_t n)
{
    watcher *w = ctx;
    if (n == 0 || memchr(ev, '\n', n) || *ev == ' ' || *ev == '\r' || *ev == '\t')
        fz_fail("framed an event that is empty, holds a newline or starts with a blank: %.*s", (int)n, ev);
    if (w->len + n + 1 > w->cap) {
        w->cap = (w->len + n + 1) * 2;
        if (!(w->events = realloc(w->events, w->cap)))
            abort();
    }
    memcpy(w->events + w->len, ev, n);
    w->events[w->len + n] = '\n';
    w->len += n + 1;
    ng_reply r = {0};
    int st = fz_plugin()->nodes_apply(w->idx, ev, n, &r);
    fz_check_reply("watch event", &r);
    fz_plugin()->reply_free(&r);
    return st == 200;
}

/* Frames the stream cut at s's offsets (NULL: one chunk) into a new index. */
static void run(const fz_input *stream, const fz_splits *s, watcher *w)
{
    size_t cut[FZ_MAX_SPLITS + 1], n = fz_cuts(s, stream->n, cut);
    *w = (watcher){.idx = fz_index_new(false, false, false)};
    kube_frames f = {0};
    bool going = true;
    for (size_t i = 0, from = 0; going && i < n; from = cut[i++])
        if (cut[i] > from)   /* libcurl never hands over an empty chunk */
            going = kube_frames_feed(&f, (const char *)stream->p + from, cut[i] - from, on_event, w);
    if (going)
        kube_frames_end(&f, on_event, w);
    kube_frames_free(&f);
}

static void watcher_free(watcher *w)
{
    free(w->events);
    fz_plugin()->index_free(w->idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in = {data, size};
    fz_splits splits;
    fz_read_splits(&in, &splits);
    watcher cut, whole;
    run(&in, &splits, &cut);
    run(&in, NULL, &whole);
    char *a = fz_state(cut.idx), *b = fz_state(whole.idx);
    if (cut.len != whole.len || (cut.len && memcmp(cut.events, whole.events, cut.len) != 0) || strcmp(a, b) != 0)
        fz_fail("cut at %zu points the stream framed\n%.*s\nleaving\n%s\nin one chunk\n%.*s\nleaving\n%s",
                splits.n, (int)cut.len, cut.events, a, (int)whole.len, whole.events, b);
    free(a);
    free(b);
    watcher_free(&cut);
    watcher_free(&whole);
    return 0;
}
