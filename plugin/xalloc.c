/* xalloc.c - abort-on-OOM malloc wrappers; called for every allocation the plugin makes. */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n, size_t size)
{
    fprintf(stderr, "nodegate: out of memory allocating %zu x %zu bytes\n", n, size);
    abort();
}

void *ngp_xmalloc(size_t size)
{
    /* malloc(0) may return NULL, which must not read as failure. */
    void *p = malloc(size ? size : 1);
    if (!p)
        oom(1, size);
    return p;
}

void *ngp_xcalloc(size_t n, size_t size)
{
    void *p = (n && size) ? calloc(n, size) : calloc(1, 1);
    if (!p)
        oom(n, size);
    return p;
}

void *ngp_xrealloc(void *p, size_t size)
{
    if (size == 0) {
        free(p);
        return NULL;
    }
    void *q = realloc(p, size);
    if (!q)
        oom(1, size);
    return q;
}

char *ngp_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(ngp_xmalloc(n), s, n);
}
