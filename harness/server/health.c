/* health.c - /readyz's decision: is the node source's cache complete and fresh enough. */
#include "health.h"

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "duration.h"
#include "source.h"

double srv_now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* " (last error: ...)" when the source has one, else "". */
static void last_error(kube_source *source, char *out, size_t len)
{
    char err[512];
    kube_source_last_error(source, err, sizeof err);
    if (err[0])
        snprintf(out, len, " (last error: %s)", err);
    else
        out[0] = '\0';
}

bool srv_cache_ready(kube_source *source, double stale_after, double now_mono, char *reason, size_t len)
{
    if (!source)
        return true;
    const kube_source_stats *st = kube_source_stats_of(source);
    char err[600];
    if (!atomic_load(&st->synced)) {
        last_error(source, err, sizeof err);
        snprintf(reason, len, "waiting for the first complete list of nodes from the API server%s", err);
        return false;
    }
    double since = atomic_load(&st->failing_since_mono);
    if (since > 0 && now_mono - since > stale_after) {
        char failing[64], bound[64];
        /* whole seconds: the reason is read by people, and a bound of 5m0s is shown as 5m0s */
        srv_format_duration((double)(long long)(now_mono - since), failing, sizeof failing);
        srv_format_duration(stale_after, bound, sizeof bound);
        last_error(source, err, sizeof err);
        snprintf(reason, len, "the node source has been failing for %s, longer than --cache-stale-after %s%s",
                 failing, bound, err);
        return false;
    }
    return true;
}
