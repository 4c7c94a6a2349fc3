/* xalloc.h - the harness's allocation wrappers: out of memory ends the process with a message. */
#ifndef HOST_XALLOC_H
#define HOST_XALLOC_H

#include <stdio.h>
#include <stdlib.h>

static inline void *host_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("nodegate-server: out of memory\n", stderr);
        abort();
    }
    return p;
}

static inline void *host_xrealloc(void *old, size_t size)
{
    void *p = realloc(old, size ? size : 1);
    if (!p) {
        fputs("nodegate-server: out of memory\n", stderr);
        abort();
    }
    return p;
}

#endif
