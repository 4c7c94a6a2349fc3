/* main.c - nodegate-server: plugin loading, the node file, and the signal-driven lifetime. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "flags.h"
#include "http.h"
#include "kubeconfig.h"
#include "log.h"
#include "source.h"
#include "readfile.h"
#include "tls.h"
#include "xalloc.h"
#include "yaml_body.h"
#include "yaml_json.h"

enum { LOAD_CHUNK = 1 << 20 };   /* a JSON --nodes is fed to the plugin 1 MiB at a time */

/* Streams a JSON NodeList file into the cache as one update; a YAML file (kubectl's rule: it does
 * not start with '{') is converted as kubectl would read it, its documents applied all or nothing. */
static int load_nodes(const struct nodegate_plugin *api, ng_index *index, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        host_log(HOST_LOG_ERROR, "--nodes %s: %s", path, strerror(errno));
        return -1;
    }
    char *chunk = host_xmalloc(LOAD_CHUNK);   /* not static: a later relist may run beside it */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t n = fread(chunk, 1, LOAD_CHUNK, fp);
    bool failed;
    char *reply_text = NULL, what[64] = "";
    if (host_yaml_looks_json(chunk, n)) {
        ng_call *call = api->call_begin(index, NG_NODES);
        do
            api->call_feed(call, chunk, n);
        while ((n = fread(chunk, 1, LOAD_CHUNK, fp)) > 0);
        ng_reply reply;
        failed = api->call_end(call, &reply) != 200 || ferror(fp);
        reply_text = host_xstrdup(ferror(fp) ? "read error" : reply.data);
        api->reply_free(&reply);
    } else {
        size_t len;
        char *text = host_read_file(path, &len), *reply = NULL, err[1024];
        failed = !text || host_yaml_nodes_apply(api, index, text, len, &reply, err, sizeof err) != 200;
        reply_text = host_xstrdup(!text ? strerror(errno) : failed ? err : reply);
        if (!failed)
            snprintf(what, sizeof what, "YAML: ");
        free(reply);
        free(text);
    }
    fclose(fp);
    free(chunk);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (failed)
        host_log(HOST_LOG_ERROR, "--nodes %s: %s%s", path, what, reply_text);
    else
        host_log(HOST_LOG_INFO, "loaded %s in %.3f s: %s%s", path,
                 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, what, reply_text);
    free(reply_text);
    return failed ? -1 : 0;
}

/* A full-mode call allocates tens of MB (capture, reply, a private index) and
 * frees them at its end. glibc gives such blocks back to the kernel at once
 * when more than one thread allocates (mmap, or a trimmed thread heap), so
 * every call faulted its pages in anew: ~3,800 faults and twice the CPU per
 * 11 MB call at concurrency 2. Keeping up to 64 MB for reuse costs RSS that
 * stays at the peak instead of dropping back after each call. And as many heaps
 * as calls may run at once (--threads), not glibc's 8 per CPU: with a thread per
 * connection each would keep its own freed memory (10 clients not reading 4 MB
 * replies held 135 MB with 16 heaps, 79 MB with 2). Before any thread starts. */
static void keep_freed_memory(unsigned calls_at_once)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);   /* glibc's largest: half a thread heap */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_ARENA_MAX, (int)calls_at_once);
}

/* The API-server node source: --kubeconfig, or the in-cluster config in a pod. NULL, with the
 * problem on stderr, when the config cannot be read: that is the operator's to fix (exit 2). */
static kube_source *start_source(const srv_flags *f, const struct nodegate_plugin *api, ng_index *index)
{
    char err[1024];
    if (!NODEGATE_HAS(api, nodes_replace)) {
        fprintf(stderr, "nodegate-server: the plugin (%s) has no nodes_replace (ABI 1.1), which following "
                        "an API server needs\n", api->version);
        return NULL;
    }
    kube_config c = {0};
    bool ok = f->kubeconfig ? kube_config_load(f->kubeconfig, f->context, &c, err, sizeof err)
                            : kube_config_in_cluster(KUBE_SERVICE_ACCOUNT_DIR, &c, err, sizeof err);
    kube_client *k = ok ? kube_client_new(&c, err, sizeof err) : NULL;
    if (k)
        host_log(HOST_LOG_INFO, "node source: the nodes of %s (%s)", kube_client_server(k), c.origin);
    kube_config_free(&c);
    if (!k) {
        fprintf(stderr, "nodegate-server: %s\n", err);
        return NULL;
    }
    kube_source_options o = {.stall_after = f->watch_stall_timeout};
    return kube_source_start(k, api, index, &o);
}

/* SIGHUP: --nodes again, into a staged cache that replaces the live one only when the whole file
 * loaded. */
static void reload_nodes(const struct nodegate_plugin *api, ng_index *index, srv_server *server, const srv_flags *f)
{
    if (f->from_api_server) {
        host_log(HOST_LOG_INFO, "SIGHUP: the node cache follows the API server; nothing to reload");
        return;
    }
    if (!f->nodes) {
        host_log(HOST_LOG_INFO, "SIGHUP: no --nodes file to reload");
        return;
    }
    if (!NODEGATE_HAS(api, nodes_replace)) {
        host_log(HOST_LOG_ERROR, "SIGHUP: the plugin (%s) has no nodes_replace (ABI 1.1); --nodes not reloaded",
                 api->version);
        return;
    }
    char err[256];
    ng_index *staged = api->index_new(f->options, err, sizeof err);   /* options were accepted at start */
    if (!staged) {
        host_log(HOST_LOG_ERROR, "SIGHUP: --nodes %s not reloaded: %s", f->nodes, err);
        return;
    }
    if (load_nodes(api, staged, f->nodes) != 0) {
        host_log(HOST_LOG_ERROR, "SIGHUP: --nodes %s not reloaded; the cache is unchanged", f->nodes);
    } else {
        ng_reply reply;
        srv_server_lock_writes(server);
        api->nodes_replace(index, staged, &reply);
        srv_server_unlock_writes(server);
        host_log(HOST_LOG_INFO, "SIGHUP: the node cache is now %s's: %s", f->nodes, reply.data);
        api->reply_free(&reply);
    }
    api->index_free(staged);   /* after a replace, the old cache */
}

/* Serves until SIGTERM, SIGINT or SIGQUIT, reloading on SIGHUP. Returns main's exit status. */
static int serve(const host_plugin *plugin, ng_index *index, srv_flags *f, const char *path)
{
    /* signals are taken synchronously below, so every thread must block them */
    static const int taken[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2};
    sigset_t sigs;
    sigemptyset(&sigs);
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++)
        sigaddset(&sigs, taken[i]);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    char err[1024];
    if (f->tls_cert && !(f->server.tls = srv_tls_new(f->tls_cert, f->tls_key, f->client_ca, err, sizeof err))) {
        fprintf(stderr, "nodegate-server: %s\n", err);   /* a flag's file: the operator's to fix, as a bad flag */
        return 2;
    }
    if (f->from_api_server && !(f->server.source = start_source(f, plugin->api, index))) {
        srv_tls_free(f->server.tls);
        return 2;
    }
    srv_server *server = srv_server_start(plugin, index, &f->server, err, sizeof err);
    if (!server) {
        host_log(HOST_LOG_ERROR, "%s", err);
        kube_source_stop(f->server.source);
        srv_tls_free(f->server.tls);
        return 1;
    }
    char where[128];
    host_log(HOST_LOG_INFO, "nodegate-server %s listening on %s (plugin %s, %u plugin calls at once, max body %llu bytes%s)",
             NODEGATE_VERSION, srv_address_text(&f->server.addr, srv_server_port(server), where, sizeof where), path,
             f->server.threads, (unsigned long long)f->server.max_body, f->server.tls ? ", HTTPS" : "");
    int sig;
    for (;;) {
        sigwait(&sigs, &sig);
        if (sig == SIGHUP) {
            reload_nodes(plugin->api, index, server, f);
            if (f->server.tls)
                srv_tls_reload(f->server.tls);
        } else if (sig == SIGUSR1 || sig == SIGUSR2)
            host_log(HOST_LOG_INFO, "signal %d (%s): ignored", sig, strsignal(sig));
        else
            break;
    }
    int rc = 0;
    if (sig == SIGQUIT) {
        host_log(HOST_LOG_INFO, "signal %d (%s): stopping at once, cutting the calls in flight", sig,
                 strsignal(sig));
        rc = 2;
    } else {
        host_log(HOST_LOG_INFO, "signal %d (%s): stopping: no new connections; the calls in flight get up "
                 "to %g s (--shutdown-grace)", sig, strsignal(sig), f->shutdown_grace);
        unsigned left = srv_server_drain(server, f->shutdown_grace);
        if (left)
            host_log(HOST_LOG_ERROR, "%u calls still in flight after --shutdown-grace %g s: closing them", left,
                     f->shutdown_grace);
    }
    srv_server_stop(server);   /* no request reads the source after this */
    kube_source_stop(f->server.source);
    srv_tls_free(f->server.tls);   /* after the server: its connections held the credentials */
    host_log(HOST_LOG_INFO, "stopped");
    return rc;
}

int main(int argc, char **argv)
{
    host_set_program("nodegate-server");
    srv_flags f = {0};
    srv_parse_flags(argc, argv, &f);
    keep_freed_memory(f.server.threads);
    curl_global_init(CURL_GLOBAL_DEFAULT);   /* before any thread: it is not thread-safe */
    char path[PATH_MAX], beside[PATH_MAX], err[512];
    bool found = true;   /* false: no plugin at either default place */
    if (!f.plugin)
        found = host_plugin_default_path(path, sizeof path, beside, sizeof beside);
    else
        snprintf(path, sizeof path, "%s", f.plugin);
    host_plugin plugin;
    if (host_plugin_load(path, &plugin, err, sizeof err)) {
        host_log(HOST_LOG_ERROR, "%s%s%s%s", err, found ? "" : "; and no ", found ? "" : beside,
                 found ? "" : " either");
        return 1;
    }
    ng_index *index = plugin.api->index_new(f.options, err, sizeof err);
    int rc;
    if (!index) {
        fprintf(stderr, "nodegate-server: --feature-gates: %s\n", err);
        rc = 2;
    } else {
        rc = f.nodes && load_nodes(plugin.api, index, f.nodes) ? 1 : serve(&plugin, index, &f, path);
        plugin.api->index_free(index);
    }
    srv_flags_free(&f);   /* after serve: a reload makes its staged cache with the same options */
    host_plugin_unload(&plugin);
    curl_global_cleanup();
    return rc;
}
