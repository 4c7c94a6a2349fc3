/* xalloc.h - the harness's allocation wrappers: out of memory ends the process with a message
 * that names the program. */
#ifndef HOST_XALLOC_H
#define HOST_XALLOC_H

#include <stddef.h>

/* Names the program in out-of-memory messages. Call once, first thing in main, before any
 * thread starts; until then the messages use the executable's file name. */
void host_set_program(const char *name);

/* Prints "<program>: out of memory (<size> bytes)" on stderr and aborts. */
_Noreturn void host_oom(size_t size);

/* malloc, calloc, realloc and strdup that never return NULL: they end the process through
 * host_oom instead. A size of 0 still gives a unique pointer. Free the results with free(). */
void *host_xmalloc(size_t size);
void *host_xcalloc(size_t n, size_t size);
void *host_xrealloc(void *old, size_t size);
char *host_xstrdup(const char *s);

#endif
