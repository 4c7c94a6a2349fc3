/* options.h - an index's options: feature gates, prioritize weights and reply forms, from index_new's JSON. */
#ifndef NGP_OPTIONS_H
#define NGP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define NGP_WEIGHT_MAX 1000   /* the largest score weight accepted */

typedef struct ngp_options {
    bool comparison_ops;          /* TaintTolerationComparisonOperators */
    int64_t weight_taint;         /* TaintToleration score weight (3) */
    int64_t weight_affinity;      /* NodeAffinity score weight (2) */
    bool complete_cache;          /* completeCache: the cache holds every node of the cluster */
    bool compact_replies;         /* compactReplies: filter replies leave out what kube-scheduler
                                     does not read (verb_filter.c) */
} ngp_options;

/* Parses options JSON (NULL = defaults) into out. Returns false with the
 * problem in err (NGP_EINVALID, a sentence starting "options: "). */
bool ngp_options_parse(const char *json, ngp_options *out, ngp_err *err);

#endif
