/* test_replicas: the rule that picks a replica for a read (src/store/replicas.c) and the beat
 * times the staleness measure rests on: fresh enough or not at the bound, the order reads are
 * spread in, unreachable ones skipped, read-only mode (the newest beat, whatever its age). */
#include "check.h"
#include "store/replicas.h"

#include <stdint.h>

#define MS (1000ull * 1000ull)

int main(void)
{
        struct replica_view v[3] = {
            {true, 10, 1000 * MS}, {true, 12, 1200 * MS}, {false, 20, 2000 * MS}};
        uint64_t lag = 500 * MS;
        /* Within the bound, from the start index on. */
        CHECK_EQ_INT(replicas_choose(v, 3, 0, false, 1400 * MS, lag), 0);
        CHECK_EQ_INT(replicas_choose(v, 3, 1, false, 1400 * MS, lag), 1);
        CHECK_EQ_INT(replicas_choose(v, 3, 2, false, 1400 * MS, lag), 0); /* 2 unreachable */
        /* At the bound exactly: still in; a nanosecond past it: out. */
        CHECK_EQ_INT(replicas_choose(v, 3, 0, false, 1500 * MS, lag), 0);
        CHECK_EQ_INT(replicas_choose(v, 3, 0, false, 1500 * MS + 1, lag), 1);
        CHECK_EQ_INT(replicas_choose(v, 3, 0, false, 1700 * MS + 1, lag), -1); /* the primary */
        /* fresh_at a moment ahead of now (stored after now was read): fresh. */
        CHECK_EQ_INT(replicas_choose(v, 3, 1, false, 1100 * MS, lag), 1);
        /* Unknown freshness is never fresh. */
        struct replica_view unknown[1] = {{true, 5, 0}};
        CHECK_EQ_INT(replicas_choose(unknown, 1, 0, false, 1, UINT64_MAX), -1);
        CHECK_EQ_INT(replicas_choose(v, 0, 0, false, 1, lag), -1);
        /* Read-only: the reachable one with the newest beat, however old. */
        CHECK_EQ_INT(replicas_choose(v, 3, 0, true, 100000 * MS, lag), 1);
        v[2].reachable = true;
        CHECK_EQ_INT(replicas_choose(v, 3, 0, true, 100000 * MS, lag), 2);
        struct replica_view none[2] = {{false, 9, 9}, {true, 0, 0}};
        CHECK_EQ_INT(replicas_choose(none, 2, 0, true, 1, lag), -1);

        /* The beats' times, shared: numbers from 1, remembered for REPLICAS_BEATS beats. */
        CHECK_EQ_SIZE(replicas_count(), 0);
        CHECK(replicas_shared_init(2));
        CHECK_EQ_SIZE(replicas_count(), 2);
        CHECK_EQ_INT(replicas_beat_time(1), 0); /* not sent yet */
        uint64_t first = replicas_beat_sent(7 * MS);
        CHECK_EQ_INT(first, 1);
        CHECK_EQ_INT(replicas_beat_time(1), 7 * MS);
        CHECK_EQ_INT(replicas_beat_time(0), 0);
        CHECK_EQ_INT(replicas_beat_time(2), 0); /* not ours: a future number */
        for (uint64_t i = 2; i <= REPLICAS_BEATS + 1; i++)
                CHECK_EQ_INT(replicas_beat_sent(i * MS), i);
        CHECK_EQ_INT(replicas_beat_time(1), 0); /* forgotten */
        CHECK_EQ_INT(replicas_beat_time(2), 2 * MS);
        CHECK_EQ_INT(replicas_beat_time(REPLICAS_BEATS + 1), (REPLICAS_BEATS + 1) * MS);
        /* Views and the primary's state, as workers read them. */
        struct replica_view seen = {true, 2, 2 * MS}, got;
        replicas_note(1, &seen);
        replicas_view(1, &got);
        CHECK(got.reachable && got.beat == 2 && got.fresh_at == 2 * MS);
        replicas_view(5, &got);
        CHECK(!got.reachable);
        CHECK(!replicas_read_only());
        replicas_primary_up(false);
        CHECK(replicas_read_only());
        replicas_primary_up(true);
        CHECK(!replicas_read_only());
        CHECK_EQ_INT(replicas_lag_ns(0, 5 * MS), UINT64_MAX);
        CHECK_EQ_INT(replicas_lag_ns(1, 5 * MS), 3 * MS);
        /* A reload with another list forgets what was measured. */
        CHECK(replicas_shared_init(3));
        replicas_view(1, &got);
        CHECK(!got.reachable && got.fresh_at == 0);
        CHECK_EQ_INT(replicas_beat_time(REPLICAS_BEATS + 1), (REPLICAS_BEATS + 1) * MS);
        replicas_shared_destroy();
        CHECK_EQ_SIZE(replicas_count(), 0);
        return check_summary();
}
