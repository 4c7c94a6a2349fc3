/* loader.c - strict plugin loading, as Redis loads modules: any doubt is a refusal. */
#include "loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int host_plugin_load(const char *path, host_plugin *h, char *err, size_t errlen)
{
    *h = (host_plugin){0};
    /* a bare name would make dlopen search the library path: say "./" to mean here */
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        snprintf(err, errlen, "plugin %s: cannot load: %s", path, dlerror());
        return -1;
    }
    const struct nodegate_plugin *(*entry)(void) =
        (const struct nodegate_plugin *(*)(void))dlsym(dl, NODEGATE_ENTRY_SYMBOL);
    const struct nodegate_plugin *api = entry ? entry() : NULL;
    if (!api) {
        snprintf(err, errlen, "plugin %s: no %s entry point: not a nodegate plugin", path,
                 NODEGATE_ENTRY_SYMBOL);
    } else if (api->abi_version != NODEGATE_ABI_VERSION) {
        snprintf(err, errlen, "plugin %s: ABI %u required, plugin built for %u", path,
                 NODEGATE_ABI_VERSION, api->abi_version);
        api = NULL;
    } else if (api->struct_size < sizeof(struct nodegate_plugin)) {
        snprintf(err, errlen, "plugin %s: function table of %u bytes, ABI %u needs %zu", path,
                 api->struct_size, NODEGATE_ABI_VERSION, sizeof(struct nodegate_plugin));
        api = NULL;
    }
    if (!api) {
        dlclose(dl);
        return -1;
    }
    h->dl = dl;
    h->api = api;
    return 0;
}

int host_plugin_unload(host_plugin *h)
{
    int rc = h->dl ? dlclose(h->dl) : 0;
    *h = (host_plugin){0};
    return rc;
}

bool host_plugin_default_path(char *out, size_t outlen, char *beside, size_t besidelen)
{
    char dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n > 0) {
        dir[n] = '\0';
        *strrchr(dir, '/') = '\0';   /* "/usr/bin/nodegate-server" -> "/usr/bin" */
    } else {
        snprintf(dir, sizeof dir, ".");   /* /proc cannot tell: the current folder */
    }
    snprintf(beside, besidelen, "%s/libnodegate.so", dir);
    if (access(beside, F_OK) == 0) {
        snprintf(out, outlen, "%s", beside);
        return true;
    }
    /* /proc resolves every symlink, so the parent is the text before the last slash */
    const char *slash = n > 0 ? strrchr(dir, '/') : NULL;
    if (slash)
        snprintf(out, outlen, "%.*s/lib/nodegate/libnodegate.so", (int)(slash - dir), dir);
    else
        snprintf(out, outlen, "%s/../lib/nodegate/libnodegate.so", dir);
    return access(out, F_OK) == 0;
}
