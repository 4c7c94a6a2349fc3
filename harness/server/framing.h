/* framing.h - what RFC 9112 requires of a request's framing headers (Host, Content-Length,
 * Transfer-Encoding) that libmicrohttpd does not check itself. */
#ifndef SRV_FRAMING_H
#define SRV_FRAMING_H

#include <microhttpd.h>
#include <stddef.h>

/* Checks the request's headers once they are in, before its body is read. Returns 0 when the
 * framing is sound, else the status to answer with before closing the connection (400, or 501
 * for a transfer coding other than chunked), with one sentence in why (not JSON-escaped,
 * NUL-terminated, cut to len). version is the request's HTTP version ("HTTP/1.1"). */
unsigned srv_framing_check(struct MHD_Connection *conn, const char *version, char *why, size_t len);

#endif
