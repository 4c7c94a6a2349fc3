/* readfile.h - whole files into memory. */
#ifndef HOST_READFILE_H
#define HOST_READFILE_H

#include <stddef.h>

/* Reads the whole file at path (also a pipe or a /proc file) into a malloc'd buffer with a NUL
 * after its *len bytes (len may be NULL). Returns NULL with errno set when the file cannot be
 * opened or read; out of memory ends the process (xalloc.h). The caller frees it. */
char *host_read_file(const char *path, size_t *len);

#endif
