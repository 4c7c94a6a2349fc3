/* loader.h - loads libnodegate.so (or another plugin) strictly: right symbol, right ABI, or nothing. */
#ifndef HOST_LOADER_H
#define HOST_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "nodegate.h"

typedef struct host_plugin {
    void *dl;
    const struct nodegate_plugin *api;
} host_plugin;

/* Opens path with dlopen(RTLD_NOW | RTLD_LOCAL) and checks the entry symbol,
 * the ABI version and the table size. Returns 0, or -1 with one sentence in
 * err naming the path (and both ABI versions when they differ). */
int host_plugin_load(const char *path, host_plugin *h, char *err, size_t errlen);
/* Closes what host_plugin_load opened and clears h. Returns dlclose's result: 0, or non-zero
 * when the library could not be closed; 0 too when h holds nothing. */
int host_plugin_unload(host_plugin *h);
/* The plugin a host loads when not told which, found from the running binary's folder DIR:
 * DIR/libnodegate.so when that file exists, else DIR/../lib/nodegate/libnodegate.so, where
 * make install puts it (relative to the binary, so a DESTDIR staging tree works too). Writes
 * the chosen path to out and DIR/libnodegate.so to beside. Returns false when neither file
 * exists: out is then the installed path, and a message should name both. */
bool host_plugin_default_path(char *out, size_t outlen, char *beside, size_t besidelen);

#endif
