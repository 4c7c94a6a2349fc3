/* churn.c - steady MODIFIED load from a thread of the fake itself: event i is applied at
 * start + i/rate, so 1,000 events/s arrive as one a millisecond, not in bursts. The thread
 * waits on the store's condition variable with the next due time, so stopping is immediate. */
#include <stdlib.h>
#include <string.h>

#include "fakeapi.h"
#include "xalloc.h"

struct fa_churn {
    pthread_t thread;
    fa_store *s;
    double rate, seconds, started;
    uint64_t planned, applied;
    char *prefix;
    bool stop, finished;
};

static void *churn_main(void *arg)
{
    fa_churn *ch = arg;
    fa_store *s = ch->s;
    pthread_mutex_lock(&s->mu);
    while (!ch->stop && !s->stopping && ch->applied < ch->planned) {
        double now = fa_now();
        uint64_t due = (uint64_t)((now - ch->started) * ch->rate) + 1;
        if (due > ch->planned)
            due = ch->planned;
        if (due > ch->applied) {
            /* behind: catch up in small batches, the lock free in between */
            size_t want = due - ch->applied > 64 ? 64 : (size_t)(due - ch->applied);
            pthread_mutex_unlock(&s->mu);
            size_t n = fa_store_modify(s, ch->prefix, want);
            pthread_mutex_lock(&s->mu);
            if (n == 0)
                break;   /* no node to touch */
            ch->applied += n;
            continue;
        }
        fa_store_wait_locked(s, ch->started + (double)ch->applied / ch->rate);
    }
    ch->finished = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Serializes starts and stops, so a churn is joined exactly once. */
static pthread_mutex_t control = PTHREAD_MUTEX_INITIALIZER;

static void stop_locked_control(fa_store *s)
{
    pthread_mutex_lock(&s->mu);
    fa_churn *ch = s->churn;
    s->churn = NULL;
    if (ch) {
        ch->stop = true;
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->mu);
    if (ch) {
        pthread_join(ch->thread, NULL);
        free(ch->prefix);
        free(ch);
    }
}

void fa_churn_stop(fa_store *s)
{
    pthread_mutex_lock(&control);
    stop_locked_control(s);
    pthread_mutex_unlock(&control);
}

void fa_churn_start(fa_store *s, double rate, double seconds, const char *prefix)
{
    pthread_mutex_lock(&control);
    stop_locked_control(s);
    fa_churn *ch = host_xcalloc(1, sizeof *ch);
    ch->s = s;
    ch->rate = rate;
    ch->seconds = seconds;
    ch->planned = (uint64_t)(rate * seconds + 0.5);
    ch->prefix = host_xstrdup(prefix);
    ch->started = fa_now();
    if (pthread_create(&ch->thread, NULL, churn_main, ch) != 0)
        host_oom(0);
    pthread_mutex_lock(&s->mu);
    s->churn = ch;
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_unlock(&control);
}

json_t *fa_churn_state(fa_store *s)
{
    json_t *o = json_object();
    pthread_mutex_lock(&s->mu);
    fa_churn *ch = s->churn;
    json_object_set_new(o, "running", json_boolean(ch && !ch->finished));
    if (ch) {
        json_object_set_new(o, "rate", json_real(ch->rate));
        json_object_set_new(o, "seconds", json_real(ch->seconds));
        json_object_set_new(o, "planned", json_integer((json_int_t)ch->planned));
        json_object_set_new(o, "applied", json_integer((json_int_t)ch->applied));
        json_object_set_new(o, "prefix", json_string(ch->prefix));
    }
    json_object_set_new(o, "resourceVersion", json_integer((json_int_t)s->rv));
    pthread_mutex_unlock(&s->mu);
    return o;
}
