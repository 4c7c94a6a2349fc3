/* conn_limits.h - slow, idle and too many clients: the connection limits and the deadlines for a
 * request's headers and body, which libmicrohttpd does not keep itself. */
#ifndef SRV_LIMITS_H
#define SRV_LIMITS_H

#include <microhttpd.h>
#include <stdbool.h>

typedef struct srv_limits_config {
    double read_header_timeout;     /* seconds from a request's start to its last header */
    double read_timeout;            /* seconds from a request's start to the end of its body */
    double idle_timeout;            /* seconds a kept-alive connection may wait for its next request */
    unsigned max_connections;       /* open at once; more are answered 503, or refused */
    unsigned max_connections_per_client;   /* open at once from one client address */
} srv_limits_config;

typedef struct srv_limits srv_limits;

/* Starts the watchdog thread that shuts the connections past their deadline. Copies cfg. Free
 * with srv_limits_free, after the daemon has stopped (every connection closed). l's options take
 * libmicrohttpd's one connection callback, so each event is passed on to next (if not NULL) with
 * next_cls and a socket context slot of its own. */
srv_limits *srv_limits_new(const srv_limits_config *cfg, MHD_NotifyConnectionCallback next, void *next_cls);
void srv_limits_free(srv_limits *l);

/* The libmicrohttpd options that apply l (connection limits, idle timeout, the connection
 * notifier), ended by MHD_OPTION_END: for MHD_OPTION_ARRAY. Borrowed from l. */
const struct MHD_OptionItem *srv_limits_options(srv_limits *l);

/* Where a request is in its life, told by http.c's callbacks, each on the connection's thread:
 * the request line is in (MHD_OPTION_URI_LOG_CALLBACK), the headers are, the body is, the reply
 * is sent (NOTIFY_COMPLETED). Each moves the connection's deadline. */
void srv_limits_request_line(struct MHD_Connection *conn);
void srv_limits_headers_in(struct MHD_Connection *conn);
void srv_limits_body_in(struct MHD_Connection *conn);
void srv_limits_reply_sent(struct MHD_Connection *conn);

/* Whether conn was accepted within --max-connections; one over it is answered 503 and closed. */
bool srv_limits_admitted(struct MHD_Connection *conn);
/* The --max-connections value, for the 503's sentence. */
unsigned srv_limits_max_connections(const srv_limits *l);

#endif
