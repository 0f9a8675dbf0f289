/* clock: the one monotonic clock of the program, in nanoseconds (timeouts, leases, backoffs). */
#ifndef BLOGD_CLOCK_H
#define BLOGD_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_NS_PER_MS 1000000ULL
#define CLOCK_NS_PER_S 1000000000ULL

/* CLOCK_MONOTONIC: never steps with the wall clock, so differences are durations. */
static inline uint64_t clock_now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * CLOCK_NS_PER_S + (uint64_t)ts.tv_nsec;
}

#endif
