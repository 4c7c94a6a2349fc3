/* daemon.h - the pod the DaemonSet controller builds from its template, for the verbs that judge it. */
#ifndef NGP_DAEMON_H
#define NGP_DAEMON_H

#include "arena.h"
#include "model.h"

/* The pod NewPod builds from template: the template's spec with the default
 * tolerations added or updated in place (SPEC 7.2). Its tolerations live in
 * arena; everything else is borrowed from template. */
ngp_pod ngp_daemon_pod(const ngp_pod *template, ngp_arena *arena);

#endif
