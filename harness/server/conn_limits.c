/* conn_limits.c - slow, idle and too many clients. libmicrohttpd times only inactivity, so a client
 * that trickles a byte every few seconds would hold its connection for ever; here a watchdog
 * thread holds every open connection (up to --max-connections, ~1,000) with the deadline of the
 * step it is in, and shuts down the socket of one past it. */
#include "conn_limits.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "duration.h"
#include "health.h"
#include "log.h"
#include "xalloc.h"

/* Connections over --max-connections are still accepted, to be answered 503, up to this many;
 * beyond, they are refused at once. libmicrohttpd's own limit is higher still, by as many again,
 * for the refused ones not yet cleaned up: at its limit it stops accepting, and new clients would
 * wait unanswered in the kernel's queue. */
enum { OVERFLOW = 32 };

typedef struct conn {
    struct conn *prev, *next;
    srv_limits *l;
    int fd;
    bool over;           /* accepted over --max-connections: its request is answered 503 */
    bool answered;       /* a request was: the next one starts at its request line */
    double start;        /* the current request's start, CLOCK_MONOTONIC seconds */
    double deadline;     /* when the watchdog shuts it down; 0 for never */
    const char *step;    /* what the deadline waits for, for the log line */
    char addr[INET6_ADDRSTRLEN + 8];
    void *next_context;  /* the socket context of the callback the events are passed on to */
} conn;

struct srv_limits {
    srv_limits_config cfg;
    MHD_NotifyConnectionCallback next;   /* libmicrohttpd keeps one such callback: this passes */
    void *next_cls;                      /* each event on, with a socket context of its own */
    struct MHD_OptionItem options[5];
    pthread_t watchdog;
    pthread_mutex_t mu;   /* guards all below and every conn's fields but fd and addr */
    pthread_cond_t wake;  /* a deadline earlier than next_wake was set, or stopping */
    double next_wake;
    bool stopping;
    conn *head;
    unsigned open;        /* between NOTIFY_CONNECTION STARTED and CLOSED */
    bool full;            /* over --max-connections since the last log line said so */
    unsigned long turned_away;   /* connections over the limit since then */
};

static const char READ_HEADER_STEP[] = "its request headers were not in within --read-header-timeout";
static const char READ_STEP[] = "its request body was not in within --read-timeout";
static const char IDLE_STEP[] = "no next request came within --idle-timeout";

static struct timespec mono_timespec(double t)
{
    double whole = floor(t);
    return (struct timespec){.tv_sec = (time_t)whole, .tv_nsec = (long)((t - whole) * 1e9)};
}

/* Sets c's deadline (at = 0: none), under l->mu. */
static void set_deadline(conn *c, double at, const char *step)
{
    srv_limits *l = c->l;
    c->deadline = at;
    c->step = step;
    if (at > 0 && at < l->next_wake)
        pthread_cond_signal(&l->wake);
}

static double step_timeout(const srv_limits *l, const char *step)
{
    return step == READ_HEADER_STEP ? l->cfg.read_header_timeout
           : step == READ_STEP      ? l->cfg.read_timeout
                                    : l->cfg.idle_timeout;
}

/* The socket is shut down, not closed: libmicrohttpd closes the descriptor only after
 * NOTIFY_CONNECTION CLOSED (0.9.75 daemon.c, MHD_cleanup_connections), which takes l->mu to
 * unlink c, so the descriptor cannot have been reused by then. The connection's own thread then
 * reads end-of-file and closes it as if the client had. */
static void expire(conn *c)
{
    srv_limits *l = c->l;
    char limit[32];
    srv_format_duration(step_timeout(l, c->step), limit, sizeof limit);
    host_log(c->step == IDLE_STEP ? HOST_LOG_DEBUG : HOST_LOG_INFO, "closed the connection of %s: %s %s",
             c->addr, c->step, limit);
    shutdown(c->fd, SHUT_RDWR);
    c->deadline = 0;
}

static void *watchdog(void *arg)
{
    srv_limits *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stopping) {
        double now = srv_now_mono();
        l->next_wake = now + 3600;
        for (conn *c = l->head; c; c = c->next) {
            if (c->deadline > 0 && c->deadline <= now)
                expire(c);
            else if (c->deadline > 0 && c->deadline < l->next_wake)
                l->next_wake = c->deadline;
        }
        struct timespec until = mono_timespec(l->next_wake);
        pthread_cond_timedwait(&l->wake, &l->mu, &until);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static void describe_client(struct MHD_Connection *mc, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *a = ci ? ci->client_addr : NULL;
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (a && a->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, host, sizeof host);
        port = ntohs(((const struct sockaddr_in *)a)->sin_port);
        snprintf(out, len, "%s:%u", host, port);
    } else if (a && a->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, host, sizeof host);
        port = ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
        snprintf(out, len, "[%s]:%u", host, port);
    } else {
        snprintf(out, len, "?");
    }
}

/* STARTED: track the connection, with the deadline of its first request's headers; CLOSED:
 * forget it. Over --max-connections it is marked for a 503, past OVERFLOW more refused at once. */
static void notify(void *cls, struct MHD_Connection *mc, void **socket_context,
                   enum MHD_ConnectionNotificationCode code)
{
    srv_limits *l = cls;
    conn *c = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        c = host_xcalloc(1, sizeof *c);
        c->l = l;
        c->fd = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD)->connect_fd;
        describe_client(mc, c->addr, sizeof c->addr);
        pthread_mutex_lock(&l->mu);
        c->next = l->head;
        if (l->head)
            l->head->prev = c;
        l->head = c;
        l->open++;
        c->over = l->open > l->cfg.max_connections;
        if (c->over && !l->full)
            host_log(HOST_LOG_ERROR, "%u connections open, the limit (--max-connections): new ones are "
                     "answered 503, or refused", l->cfg.max_connections);
        l->full |= c->over;
        l->turned_away += c->over;
        c->start = srv_now_mono();
        if (l->open > l->cfg.max_connections + OVERFLOW)
            shutdown(c->fd, SHUT_RDWR);
        else
            set_deadline(c, c->start + l->cfg.read_header_timeout, READ_HEADER_STEP);
        pthread_mutex_unlock(&l->mu);
        *socket_context = c;
        if (l->next)
            l->next(l->next_cls, mc, &c->next_context, code);
        return;
    }
    if (!c)
        return;
    if (l->next)
        l->next(l->next_cls, mc, &c->next_context, code);
    pthread_mutex_lock(&l->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    l->open--;
    if (l->full && l->open < l->cfg.max_connections) {
        host_log(HOST_LOG_INFO, "%u connections open, under --max-connections again (%lu were turned away)",
                 l->open, l->turned_away);
        l->full = false;
        l->turned_away = 0;
    }
    pthread_mutex_unlock(&l->mu);
    free(c);
    *socket_context = NULL;
}

static conn *conn_of(struct MHD_Connection *mc)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void srv_limits_request_line(struct MHD_Connection *mc)
{
    conn *c = conn_of(mc);
    pthread_mutex_lock(&c->l->mu);
    if (c->answered) {   /* a first request starts at the connection's start, a later one here */
        c->start = srv_now_mono();
        set_deadline(c, c->start + c->l->cfg.read_header_timeout, READ_HEADER_STEP);
    }
    pthread_mutex_unlock(&c->l->mu);
}

void srv_limits_headers_in(struct MHD_Connection *mc)
{
    conn *c = conn_of(mc);
    pthread_mutex_lock(&c->l->mu);
    set_deadline(c, c->start + c->l->cfg.read_timeout, READ_STEP);
    pthread_mutex_unlock(&c->l->mu);
}

/* The reply may take as long as the client reads it: libmicrohttpd's inactivity timeout
 * (--idle-timeout) closes a connection whose client stops reading. */
void srv_limits_body_in(struct MHD_Connection *mc)
{
    conn *c = conn_of(mc);
    pthread_mutex_lock(&c->l->mu);
    set_deadline(c, 0, NULL);
    pthread_mutex_unlock(&c->l->mu);
}

/* libmicrohttpd's inactivity timeout restarts at every byte, so a next request trickled in
 * slowly would never end: its request line must be in within --idle-timeout. */
void srv_limits_reply_sent(struct MHD_Connection *mc)
{
    conn *c = conn_of(mc);
    pthread_mutex_lock(&c->l->mu);
    c->answered = true;
    set_deadline(c, srv_now_mono() + c->l->cfg.idle_timeout, IDLE_STEP);
    pthread_mutex_unlock(&c->l->mu);
}

bool srv_limits_admitted(struct MHD_Connection *mc)
{
    return !conn_of(mc)->over;   /* set once, before the connection's first request */
}

unsigned srv_limits_max_connections(const srv_limits *l)
{
    return l->cfg.max_connections;
}

srv_limits *srv_limits_new(const srv_limits_config *cfg, MHD_NotifyConnectionCallback next, void *next_cls)
{
    srv_limits *l = host_xcalloc(1, sizeof *l);
    l->cfg = *cfg;
    l->next = next;
    l->next_cls = next_cls;
    /* libmicrohttpd counts whole seconds, 0 meaning never: round up */
    unsigned idle_s = (unsigned)ceil(cfg->idle_timeout);
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections + 2 * OVERFLOW, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_client, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, idle_s ? idle_s : 1, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify, l},
        {MHD_OPTION_END, 0, NULL},
    };
    _Static_assert(sizeof options == sizeof l->options, "l->options holds them all");
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        l->options[i] = options[i];
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&l->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&l->mu, NULL);
    l->next_wake = srv_now_mono();
    if (pthread_create(&l->watchdog, NULL, watchdog, l) != 0)
        host_oom(sizeof l->watchdog);   /* as the allocations: the process cannot go on */
    return l;
}

void srv_limits_free(srv_limits *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->stopping = true;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->watchdog, NULL);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

const struct MHD_OptionItem *srv_limits_options(srv_limits *l)
{
    return l->options;
}
