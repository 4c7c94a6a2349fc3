/* fuzz_kubeconfig.c - kube_config_load (harness/kube/kubeconfig.c, libyaml) on any file.
 *
 * Input: the kubeconfig's bytes. When its first line is "#context NAME" (a YAML comment, so the
 * file stays what it was), NAME is the --context asked for, else its current-context.
 *
 * Checks: a loaded config has an http(s) server without a trailing '/' and an origin; a refused
 * one holds nothing and has a sentence naming the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drive.h"
#include "kubeconfig.h"

static const char PREFIX[] = "#context ";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* kube_config_load reads a path: a memory file, rewritten for each input */
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        if ((fd = memfd_create("kubeconfig", 0)) < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    char *context = NULL;
    if (size > sizeof PREFIX - 1 && memcmp(data, PREFIX, sizeof PREFIX - 1) == 0) {
        const char *name = (const char *)data + sizeof PREFIX - 1;
        const char *end = memchr(name, '\n', size - (sizeof PREFIX - 1));
        context = strndup(name, end ? (size_t)(end - name) : size - (sizeof PREFIX - 1));
    }
    kube_config c;
    char err[512] = "", want[80];
    snprintf(want, sizeof want, "kubeconfig %s: ", path);
    if (kube_config_load(path, context, &c, err, sizeof err)) {
        size_t n = strlen(c.server);
        if ((strncasecmp(c.server, "https://", 8) != 0 && strncasecmp(c.server, "http://", 7) != 0) ||
            c.server[n - 1] == '/' || !c.origin)
            fz_fail("loaded with server \"%s\", origin %s", c.server, c.origin ? c.origin : "NULL");
    } else if (c.server || c.origin || c.token || c.ca_data || strncmp(err, want, strlen(want)) != 0 ||
               !err[strlen(want)]) {
        fz_fail("refused, holding server %s, with the sentence \"%s\"", c.server ? c.server : "NULL", err);
    }
    kube_config_free(&c);
    free(context);
    return 0;
}
