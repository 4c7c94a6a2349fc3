/* xalloc.c - allocation that cannot fail: the harness's one out-of-memory policy. */
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *program;   /* set once by main; NULL: the executable's name */

void host_set_program(const char *name)
{
    program = name;
}

void host_oom(size_t size)
{
    fprintf(stderr, "%s: out of memory (%zu bytes)\n", program ? program : program_invocation_short_name,
            size);
    abort();
}

void *host_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        host_oom(size);
    return p;
}

void *host_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        host_oom(size && n > SIZE_MAX / size ? SIZE_MAX : n * size);
    return p;
}

void *host_xrealloc(void *old, size_t size)
{
    void *p = realloc(old, size ? size : 1);
    if (!p)
        host_oom(size);
    return p;
}

char *host_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(host_xmalloc(n), s, n);
}
