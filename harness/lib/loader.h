/* loader.h - loads libnodegate.so (or another plugin) strictly: right symbol, right ABI, or nothing. */
#ifndef NG_LOADER_H
#define NG_LOADER_H

#include <stddef.h>

#include "nodegate.h"

typedef struct ng_plugin_handle {
    void *dl;
    const struct nodegate_plugin *api;
} ng_plugin_handle;

/* Opens path with dlopen(RTLD_NOW | RTLD_LOCAL) and checks the entry symbol,
 * the ABI version and the table size. Returns 0, or -1 with one sentence in
 * err naming the path (and both ABI versions when they differ). */
int ng_plugin_load(const char *path, ng_plugin_handle *h, char *err, size_t errlen);
void ng_plugin_unload(ng_plugin_handle *h);
/* Writes the default plugin path, libnodegate.so beside the running binary. */
void ng_plugin_default_path(char *out, size_t outlen);

#endif
