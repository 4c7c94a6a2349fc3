/* kube_pending.h - TEMPORARY, for the metrics branch: the node source's functions and tables as
 * the server refers to them until harness/kube/source.c is linked into nodegate-server.
 *
 * metrics.c and health.c read the source through harness/kube/source.h. source.c, which defines
 * these symbols, is being written in parallel; until it joins SERVER_OBJ the references are
 * weak, so the server links, and they are never followed, because srv_server.source is NULL
 * whenever source.c is absent (nothing else can make a kube_source). The unit test
 * (tests/unit/test_server.c) defines them strongly with a fake source. Once source.c is linked,
 * delete this header and include "source.h" where it is included: nothing else changes. */
#ifndef SRV_KUBE_PENDING_H
#define SRV_KUBE_PENDING_H

#include "source.h"

#pragma weak kube_source_stats_of
#pragma weak kube_source_last_error
#pragma weak kube_event_names
#pragma weak kube_error_names

#endif
