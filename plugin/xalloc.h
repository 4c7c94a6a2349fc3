/* xalloc.h - allocation wrappers that abort on out-of-memory, for every plugin module.
 *
 * The ABI promises that allocation failure aborts the process (nodegate.h),
 * so callers never check for NULL. Free the results with free(). */
#ifndef NGP_XALLOC_H
#define NGP_XALLOC_H

#include <stddef.h>

/* Returns size uninitialised bytes (a unique pointer even for size 0). */
void *ngp_xmalloc(size_t size);
/* Returns n * size zeroed bytes (a unique pointer even when that is 0);
 * aborts if n * size overflows. */
void *ngp_xcalloc(size_t n, size_t size);
/* Like realloc, except that size 0 frees p and returns NULL. */
void *ngp_xrealloc(void *p, size_t size);
/* Returns a malloc'd copy of the NUL-terminated s. */
char *ngp_xstrdup(const char *s);

#endif
