/* readfile.c - whole-file reads for request bodies, recorded replies and test cases. */
#include "readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "xalloc.h"

enum { MIN_CAP = 4096 };   /* first buffer when the size is unknown (pipes, /proc) */

char *host_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct stat st;
    /* the size and one byte for the NUL: a regular file is read in one go, into one buffer */
    size_t cap = fstat(fileno(fp), &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 1 : MIN_CAP;
    char *p = host_xmalloc(cap);
    size_t n = 0;
    for (;;) {   /* ends at EOF or a read error: each turn reads at least a byte or stops */
        n += fread(p + n, 1, cap - 1 - n, fp);
        if (n + 1 < cap)
            break;   /* a short read: EOF or an error */
        int c = getc(fp);   /* full: grow only if there is more */
        if (c == EOF)
            break;
        p = host_xrealloc(p, cap *= 2);
        p[n++] = (char)c;
    }
    if (ferror(fp)) {
        int saved = errno ? errno : EIO;
        fclose(fp);
        free(p);
        errno = saved;
        return NULL;
    }
    fclose(fp);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
}
