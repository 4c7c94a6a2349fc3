/* frames.c - watch event framing, one event a line; most events arrive whole in one chunk and
 * are handed on where they lie, only an event cut by a chunk boundary is copied. */
#include "frames.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Skips leading blanks; a blank line is no event. */
static bool deliver(const char *ev, size_t n, kube_frame_fn fn, void *ctx)
{
    while (n && (*ev == ' ' || *ev == '\r' || *ev == '\t')) {
        ev++;
        n--;
    }
    return n == 0 || fn(ctx, ev, n);
}

static void keep(kube_frames *f, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (f->len + n > f->cap) {
        f->cap = (f->len + n) * 2;
        f->line = host_xrealloc(f->line, f->cap);
    }
    memcpy(f->line + f->len, p, n);
    f->len += n;
}

bool kube_frames_feed(kube_frames *f, const char *data, size_t len, kube_frame_fn fn, void *ctx)
{
    const char *nl;
    while ((nl = memchr(data, '\n', len)) != NULL) {
        size_t n = (size_t)(nl - data);
        bool ok;
        if (f->len) {
            keep(f, data, n);
            ok = deliver(f->line, f->len, fn, ctx);
            f->len = 0;
        } else {
            ok = deliver(data, n, fn, ctx);
        }
        if (!ok)
            return false;
        data += n + 1;
        len -= n + 1;
    }
    keep(f, data, len);
    return true;
}

bool kube_frames_end(kube_frames *f, kube_frame_fn fn, void *ctx)
{
    bool ok = !f->len || deliver(f->line, f->len, fn, ctx);
    f->len = 0;
    return ok;
}

void kube_frames_free(kube_frames *f)
{
    free(f->line);
    *f = (kube_frames){0};
}
