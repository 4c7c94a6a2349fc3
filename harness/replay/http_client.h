/* http_client.h - the minimal HTTP/1.1 client nodegate-replay run sends its requests with. */
#ifndef RP_HTTP_CLIENT_H
#define RP_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct {
    char host[256];
    char port[8];
    char prefix[512];   /* path prefix without the trailing '/', may be "" */
} rp_url;

/* Parses http://HOST[:PORT][/PREFIX]. Returns 0, or -1 with a sentence in err. */
int rp_url_parse(const char *s, rp_url *u, char *err, size_t errlen);

typedef struct {
    int fd;                 /* -1 when not connected */
    const rp_url *url;
    int timeout_s;
    host_buf in;              /* bytes read and not yet consumed */
    size_t in_pos;
    bool reused;            /* a request already went over this connection */
} rp_conn;

typedef struct {
    int status;
    host_buf body;            /* reused across requests */
    uint64_t sent, recv;    /* wire bytes, headers included, summed over every rp_send */
} rp_resp;

void rp_conn_init(rp_conn *c, const rp_url *url, int timeout_s);
void rp_conn_close(rp_conn *c);
/* Sends body to path with method ("POST", "PATCH", "DELETE") over c (connecting or reconnecting
 * as needed) and reads the reply into *r. Returns 0, or -1 with a sentence in err on a transport
 * error (the connection is then closed). */
int rp_send(rp_conn *c, const char *method, const char *path, const char *body, size_t len, rp_resp *r,
            char *err, size_t errlen);

#endif
