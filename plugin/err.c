/* err.c - recording the first error of a call, and the status table read at the ABI edge. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

bool ngp_err_set(ngp_err *e, ngp_status code, const char *fmt, ...)
{
    if (ngp_err_failed(e))
        return false;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    return false;
}

int ngp_status_http(ngp_status s)
{
    static const int http[] = {
#define NGP_STATUS_HTTP(name, code) [name] = code,
        NGP_STATUS_MAP(NGP_STATUS_HTTP)
#undef NGP_STATUS_HTTP
    };
    return http[s];
}
