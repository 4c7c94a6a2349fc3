/* health.h - whether the node cache may be answered from: /readyz's decision, apart from HTTP. */
#ifndef SRV_HEALTH_H
#define SRV_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kube_source kube_source;

/* Whether the cache is ready, at now_mono (seconds of CLOCK_MONOTONIC). Without a source it
 * always is: it holds what --nodes and the node API put there. With one, it is ready once the
 * source's first complete list has been applied, and stops being ready while the source has
 * been failing for longer than stale_after seconds. When not ready, writes one sentence ending
 * with the source's last error into reason (NUL-terminated, cut to len). Reads the source's
 * atomics; safe from any thread. */
bool srv_cache_ready(kube_source *source, double stale_after, double now_mono, char *reason, size_t len);

/* The CLOCK_MONOTONIC time now, in seconds, as the source's failing_since_mono counts it. */
double srv_now_mono(void);

#endif
