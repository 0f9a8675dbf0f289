/* test_metrics: the per-worker counters (src/core/metrics.c) in shared memory: children that
 * count in their own blocks, sums over the live blocks and the retired one, a block folded
 * into the retired one when its worker is gone (the sums never go back, the block starts
 * again from zero), the last route and code indices taking what is out of range, the
 * histogram's buckets at their bounds, and nothing counted with metrics off. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/metrics.h"

#define SLOTS 8

static struct metrics_sum sum;

static uint64_t requests(unsigned route, unsigned code)
{
        return sum.requests[route][metrics_code_index(code)];
}

/* A child that serves n requests of route with code in slot, then exits. */
static void child(size_t slot, unsigned route, unsigned code, unsigned n, bool on)
{
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                metrics_attach(slot, on);
                for (unsigned i = 0; i < n; i++)
                        metrics_request(route, code, 100 * (i % 3));
                metrics_db_error();
                _exit(0);
        }
        int st;
        CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
}

int main(void)
{
        bool alive[SLOTS] = {false};
        CHECK(metrics_create(SLOTS));
        child(0, 1, 200, 10, true);
        child(1, 1, 200, 5, true);
        child(2, 2, 404, 3, true);
        alive[0] = alive[1] = alive[2] = true;
        metrics_read(&sum, alive, SLOTS);
        CHECK_EQ_INT((int)requests(1, 200), 15);
        CHECK_EQ_INT((int)requests(2, 404), 3);
        CHECK_EQ_INT((int)sum.db_errors, 3);
        /* Durations 0, 100, 200 us in turn: 0 and 100 in the bucket up to 100 us (le), 200 next. */
        CHECK_EQ_INT((int)sum.buckets[1][0], 4 + 3 + 2 + 2);
        CHECK_EQ_INT((int)sum.buckets[1][1], 3 + 1);
        CHECK_EQ_INT((int)sum.sum_us[1], 100 * (3 + 2) + 200 * (3 + 1));
        /* Slot 1's worker is gone: folded, the sums the same, the block zero for the next. */
        metrics_retire(1);
        alive[1] = false;
        metrics_read(&sum, alive, SLOTS);
        CHECK_EQ_INT((int)requests(1, 200), 15);
        alive[1] = true;
        child(1, 1, 200, 1, true);
        metrics_read(&sum, alive, SLOTS);
        CHECK_EQ_INT((int)requests(1, 200), 16);
        /* Out of range: the last route ("other") and the last code (any other). */
        child(3, 1000, 299, 2, true);
        alive[3] = true;
        metrics_read(&sum, alive, SLOTS);
        CHECK_EQ_INT((int)sum.requests[METRICS_ROUTES - 1][METRICS_CODES - 1], 2);
        /* metrics = off: requests uncounted, database errors still counted. */
        child(4, 1, 200, 7, false);
        alive[4] = true;
        metrics_read(&sum, alive, SLOTS);
        CHECK_EQ_INT((int)requests(1, 200), 16);
        CHECK_EQ_INT((int)sum.db_errors, 6);
        /* A slow duration lands in +Inf. */
        child(5, 3, 500, 0, true);
        pid_t pid = fork();
        if (pid == 0) {
                metrics_attach(5, true);
                metrics_request(3, 500, 5 * 1000 * 1000);
                _exit(0);
        }
        int st;
        CHECK(waitpid(pid, &st, 0) == pid);
        alive[5] = true;
        metrics_read(&sum, alive, SLOTS);
        CHECK_EQ_INT((int)sum.buckets[3][METRICS_BUCKETS - 1], 1);
        metrics_destroy();
        return check_summary();
}
