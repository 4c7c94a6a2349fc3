/* deadline.c - a point in time for pthread_cond_timedwait. */
#include "deadline.h"

#include <math.h>

struct timespec host_deadline(double seconds)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    double end = (double)t.tv_sec + (double)t.tv_nsec / 1e9 + seconds;
    t.tv_sec = (time_t)end;
    t.tv_nsec = (long)((end - floor(end)) * 1e9);
    return t;
}
