/* model.c - effect and operator strings to enums and back, case-sensitive as Go compares them. */
#include "model.h"

#include <string.h>

/* Indexed by enum value; each enum's OTHER is one past its last name. */
static const char *const effect_names[NGP_EFFECT_OTHER] = {
    [NGP_EFFECT_EMPTY] = "",
    [NGP_EFFECT_NO_SCHEDULE] = "NoSchedule",
    [NGP_EFFECT_PREFER_NO_SCHEDULE] = "PreferNoSchedule",
    [NGP_EFFECT_NO_EXECUTE] = "NoExecute",
};

static const char *const tol_op_names[NGP_TOL_OTHER] = {
    [NGP_TOL_EMPTY] = "",
    [NGP_TOL_EQUAL] = "Equal",
    [NGP_TOL_EXISTS] = "Exists",
    [NGP_TOL_LT] = "Lt",
    [NGP_TOL_GT] = "Gt",
};

static const char *const sel_op_names[NGP_SEL_OTHER] = {
    [NGP_SEL_IN] = "In",
    [NGP_SEL_NOT_IN] = "NotIn",
    [NGP_SEL_EXISTS] = "Exists",
    [NGP_SEL_DOES_NOT_EXIST] = "DoesNotExist",
    [NGP_SEL_GT] = "Gt",
    [NGP_SEL_LT] = "Lt",
};

/* Index of s in names[0..n), or n (the caller's OTHER) when absent. */
static unsigned lookup(const char *const *names, unsigned n, const char *s)
{
    unsigned i = 0;
    while (i < n && strcmp(names[i], s) != 0)
        i++;
    return i;
}

ngp_effect ngp_effect_parse(const char *s)
{
    return (ngp_effect)lookup(effect_names, NGP_EFFECT_OTHER, s);
}

const char *ngp_effect_name(ngp_effect e)
{
    return (unsigned)e < NGP_EFFECT_OTHER ? effect_names[e] : "";
}

ngp_tol_op ngp_tol_op_parse(const char *s)
{
    return (ngp_tol_op)lookup(tol_op_names, NGP_TOL_OTHER, s);
}

ngp_sel_op ngp_sel_op_parse(const char *s)
{
    return (ngp_sel_op)lookup(sel_op_names, NGP_SEL_OTHER, s);
}
