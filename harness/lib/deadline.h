/* deadline.h - a point in time for pthread_cond_timedwait. */
#ifndef HOST_DEADLINE_H
#define HOST_DEADLINE_H

#include <time.h>

/* Now plus seconds on CLOCK_REALTIME, the clock pthread_cond_timedwait measures against. */
struct timespec host_deadline(double seconds);

#endif
