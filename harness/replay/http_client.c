/* http_client.c - a minimal blocking HTTP/1.1 client for load replay: requests over keep-alive TCP,
 * replies framed by Content-Length, chunked encoding or connection close. One thread per conn. */
#include "http_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "replay.h"

#define MAX_HEADER_BYTES (64u * 1024)
#define MAX_BODY_BYTES (2ull << 30)   /* a reply larger than 2 GiB is a broken server */
#define READ_CHUNK (256u * 1024)

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int rp_url_parse(const char *s, rp_url *u, char *err, size_t errlen)
{
    *u = (rp_url){.port = "80"};
    if (strncmp(s, "http://", 7) != 0)
        return fail(err, errlen, "--url '%s': only http://HOST[:PORT][/PREFIX] is supported", s);
    const char *h = s + 7, *end;
    if (*h == '[') {   /* [v6]:port */
        end = strchr(h, ']');
        if (!end)
            return fail(err, errlen, "--url '%s': unterminated [IPv6] address", s);
        snprintf(u->host, sizeof u->host, "%.*s", (int)(end - h - 1), h + 1);
        end++;
    } else {
        end = h + strcspn(h, ":/");
        snprintf(u->host, sizeof u->host, "%.*s", (int)(end - h), h);
    }
    if (!u->host[0])
        return fail(err, errlen, "--url '%s': no host", s);
    if (*end == ':') {
        size_t n = strcspn(end + 1, "/");
        uint64_t port;
        char tmp[8];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 7 ? n : 7), end + 1);
        if (n > 5 || rp_parse_u64(tmp, 1, 65535, &port))
            return fail(err, errlen, "--url '%s': bad port", s);
        snprintf(u->port, sizeof u->port, "%u", (unsigned)port);
        end += 1 + n;
    }
    size_t plen = strlen(end);
    while (plen && end[plen - 1] == '/')
        plen--;
    if (plen >= sizeof u->prefix)
        return fail(err, errlen, "--url '%s': path prefix too long", s);
    memcpy(u->prefix, end, plen);
    u->prefix[plen] = '\0';
    return 0;
}

void rp_conn_init(rp_conn *c, const rp_url *url, int timeout_s)
{
    *c = (rp_conn){.fd = -1, .url = url, .timeout_s = timeout_s};
}

void rp_conn_close(rp_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->reused = false;
    c->in.len = 0;
    c->in_pos = 0;
}

static int conn_open(rp_conn *c, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    int gai = getaddrinfo(c->url->host, c->url->port, &hints, &res);
    if (gai)
        return fail(err, errlen, "resolve %s: %s", c->url->host, gai_strerror(gai));
    int fd = -1, saved = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return fail(err, errlen, "connect %s:%s: %s", c->url->host, c->url->port, strerror(saved));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);   /* small replies must not wait */
    struct timeval tv = {.tv_sec = c->timeout_s};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);      /* bounds every blocking call */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    c->fd = fd;
    return 0;
}

static int send_all(rp_conn *c, const char *head, size_t hlen, const char *body, size_t blen, char *err,
                    size_t errlen)
{
    struct iovec iov[2] = {{(void *)head, hlen}, {(void *)body, blen}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    size_t left = hlen + blen;
    while (left > 0) {   /* each turn sends at least a byte or fails */
        ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(err, errlen, "send: %s", n < 0 ? strerror(errno) : "connection closed");
        left -= (size_t)n;
        while (msg.msg_iovlen && (size_t)n >= msg.msg_iov[0].iov_len) {
            n -= (ssize_t)msg.msg_iov[0].iov_len;
            msg.msg_iov++;
            msg.msg_iovlen--;
        }
        if (msg.msg_iovlen) {
            msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + n;
            msg.msg_iov[0].iov_len -= (size_t)n;
        }
    }
    return 0;
}

/* Reads more bytes into c->in. Returns the count, 0 at end of stream, -1 on error. */
static ssize_t fill(rp_conn *c, rp_resp *r, char *err, size_t errlen)
{
    if (c->in_pos == c->in.len)
        c->in.len = c->in_pos = 0;
    host_buf_reserve(&c->in, READ_CHUNK);
    for (;;) {
        ssize_t n = recv(c->fd, c->in.p + c->in.len, READ_CHUNK, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(err, errlen, "receive: %s", errno == EAGAIN ? "timed out" : strerror(errno));
        c->in.len += (size_t)n;
        r->recv += (uint64_t)n;
        return n;
    }
}

/* Returns the next CRLF-terminated line (NUL-terminated in place, CRLF stripped), or NULL. */
static char *read_line(rp_conn *c, rp_resp *r, char *err, size_t errlen)
{
    for (;;) {
        char *start = c->in.p ? c->in.p + c->in_pos : NULL;
        char *eol = start ? memmem(start, c->in.len - c->in_pos, "\r\n", 2) : NULL;
        if (eol) {
            *eol = '\0';
            c->in_pos = (size_t)(eol + 2 - c->in.p);
            return start;
        }
        if (c->in.len - c->in_pos > MAX_HEADER_BYTES) {
            fail(err, errlen, "reply line longer than %u bytes", MAX_HEADER_BYTES);
            return NULL;
        }
        if (c->in_pos) {   /* keep the partial line: move it to the front before reading on */
            memmove(c->in.p, c->in.p + c->in_pos, c->in.len - c->in_pos);
            c->in.len -= c->in_pos;
            c->in_pos = 0;
        }
        ssize_t n = fill(c, r, err, errlen);
        if (n <= 0) {
            if (n == 0)
                fail(err, errlen, "connection closed before the reply was complete");
            return NULL;
        }
    }
}

/* Moves exactly n body bytes into r->body. */
static int read_exact(rp_conn *c, rp_resp *r, uint64_t n, char *err, size_t errlen)
{
    if (r->body.len + n > MAX_BODY_BYTES)
        return fail(err, errlen, "reply body over %llu bytes", (unsigned long long)MAX_BODY_BYTES);
    host_buf_reserve(&r->body, (size_t)n);
    while (n > 0) {
        size_t have = c->in.len - c->in_pos;
        if (have == 0) {
            ssize_t got = fill(c, r, err, errlen);
            if (got <= 0)
                return got == 0 ? fail(err, errlen, "connection closed in the reply body") : -1;
            continue;
        }
        size_t take = have < n ? have : (size_t)n;
        host_buf_put(&r->body, c->in.p + c->in_pos, take);
        c->in_pos += take;
        n -= take;
    }
    return 0;
}

static int read_chunked(rp_conn *c, rp_resp *r, char *err, size_t errlen)
{
    for (;;) {   /* bounded by MAX_BODY_BYTES: every chunk but the last adds at least a byte */
        char *line = read_line(c, r, err, errlen);
        if (!line)
            return -1;
        char *end;
        errno = 0;
        unsigned long long size = strtoull(line, &end, 16);
        if (end == line || errno || (*end && *end != ';' && *end != ' '))
            return fail(err, errlen, "bad chunk size line '%.40s'", line);
        if (size == 0)
            break;
        if (read_exact(c, r, size, err, errlen))
            return -1;
        line = read_line(c, r, err, errlen);
        if (!line || *line)
            return line ? fail(err, errlen, "chunk not followed by CRLF") : -1;
    }
    for (int i = 0; i < 100; i++) {   /* trailers, up to the empty line */
        char *line = read_line(c, r, err, errlen);
        if (!line)
            return -1;
        if (!*line)
            return 0;
    }
    return fail(err, errlen, "more than 100 trailer lines");
}

static int read_to_close(rp_conn *c, rp_resp *r, char *err, size_t errlen)
{
    host_buf_put(&r->body, c->in.p + c->in_pos, c->in.len - c->in_pos);
    c->in_pos = c->in.len;
    for (;;) {   /* ends at EOF, on error, or at the body limit */
        ssize_t n = fill(c, r, err, errlen);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        if (r->body.len + (size_t)n > MAX_BODY_BYTES)
            return fail(err, errlen, "reply body over %llu bytes", (unsigned long long)MAX_BODY_BYTES);
        host_buf_put(&r->body, c->in.p + c->in_pos, (size_t)n);
        c->in_pos = c->in.len;
    }
}

typedef struct {
    int64_t content_length;   /* -1 when absent */
    bool chunked, close;
} framing;

static int read_head(rp_conn *c, rp_resp *r, framing *fr, char *err, size_t errlen)
{
    char *line = read_line(c, r, err, errlen);
    if (!line)
        return -1;
    int minor;
    if (sscanf(line, "HTTP/1.%d %3d", &minor, &r->status) != 2)
        return fail(err, errlen, "bad status line '%.60s'", line);
    *fr = (framing){.content_length = -1, .close = minor == 0};
    for (int i = 0; i < 200; i++) {
        if (!(line = read_line(c, r, err, errlen)))
            return -1;
        if (!*line)
            return 0;
        char *colon = strchr(line, ':');
        if (!colon)
            return fail(err, errlen, "bad header line '%.60s'", line);
        *colon = '\0';
        const char *v = colon + 1 + strspn(colon + 1, " \t");
        if (strcasecmp(line, "Content-Length") == 0)
            fr->content_length = strtoll(v, NULL, 10);
        else if (strcasecmp(line, "Transfer-Encoding") == 0)
            fr->chunked = strcasestr(v, "chunked") != NULL;
        else if (strcasecmp(line, "Connection") == 0)
            fr->close = strcasestr(v, "close") != NULL;
    }
    return fail(err, errlen, "more than 200 header lines");
}

/* One request and its reply over the open connection. *got is set once reply bytes arrive. */
static int exchange(rp_conn *c, const char *method, const char *path, const char *body, size_t len, rp_resp *r,
                    bool *got, char *err, size_t errlen)
{
    char head[1024];
    int hlen = snprintf(head, sizeof head,
                        "%s %s HTTP/1.1\r\nHost: %s%s%s:%s\r\nContent-Type: application/json\r\n"
                        "Content-Length: %zu\r\n\r\n",
                        method, path, strchr(c->url->host, ':') ? "[" : "", c->url->host,
                        strchr(c->url->host, ':') ? "]" : "", c->url->port, len);
    if (hlen < 0 || (size_t)hlen >= sizeof head)
        return fail(err, errlen, "request path too long");
    if (send_all(c, head, (size_t)hlen, body, len, err, errlen))
        return -1;
    r->sent += (uint64_t)hlen + len;
    uint64_t before = r->recv;
    framing fr = {.content_length = -1};
    int rc = read_head(c, r, &fr, err, errlen);
    *got = r->recv > before;
    if (rc)
        return -1;
    if (fr.chunked)
        rc = read_chunked(c, r, err, errlen);
    else if (fr.content_length >= 0)
        rc = read_exact(c, r, (uint64_t)fr.content_length, err, errlen);
    else
        rc = read_to_close(c, r, err, errlen), fr.close = true;
    if (rc == 0 && fr.close)
        rp_conn_close(c);
    return rc;
}

int rp_send(rp_conn *c, const char *method, const char *path, const char *body, size_t len, rp_resp *r,
            char *err, size_t errlen)
{
    r->status = 0;
    r->body.len = 0;
    /* A kept-alive connection the server closed while idle fails before any reply byte:
     * that request was never processed, so it is retried once on a new connection. */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && conn_open(c, err, errlen))
            return -1;
        bool reused = c->reused, got = false;
        if (exchange(c, method, path, body, len, r, &got, err, errlen) == 0) {
            if (c->fd >= 0)
                c->reused = true;
            return 0;
        }
        rp_conn_close(c);
        r->body.len = 0;
        if (!reused || got)
            return -1;
    }
    return -1;
}
