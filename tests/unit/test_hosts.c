/* test_hosts: the rules of the host's heartbeat, cache lease and write gate (src/cache/lease.c)
 * on a fake clock: the lease held, run out and dropped, another host appearing, re-registering
 * after a lapsed heartbeat, the write gate, the epochs; and, with two hosts polling, that no
 * lease of one is running when the other may first write. */
#include <stdio.h>
#include <string.h>

#include "cache/lease.h"
#include "check.h"

#define MS CLOCK_NS_PER_MS
/* A fake clock's start: any time but 0 (0 is "never" in the state). */
#define T0 (1000 * CLOCK_NS_PER_S)

static struct lease fresh(void)
{
        struct lease l;
        lease_init(&l);
        return l;
}

/* A lease is held from a poll that found the host alone until LEASE_NS after the poll began
 * (not after it ended), and not at all before the first poll. */
static void test_lease_held(void)
{
        struct lease l = fresh();
        CHECK(!lease_held(&l, T0));
        lease_renew(&l, T0, 0, T0 + 30 * MS); /* the poll took 30 ms */
        CHECK(lease_held(&l, T0 + 30 * MS));
        CHECK(lease_held(&l, T0 + LEASE_NS - 1));
        CHECK(!lease_held(&l, T0 + LEASE_NS));
        /* Renewed by each poll: held for as long as polls keep finding the host alone. */
        uint64_t t = T0;
        bool always = true;
        for (int i = 0; i < 50; i++, t += LEASE_POLL_NS) {
                lease_renew(&l, t, 0, t + 5 * MS);
                always = always && lease_held(&l, t + 5 * MS) && lease_held(&l, t + LEASE_POLL_NS);
        }
        CHECK(always);
}

/* A poll that fails renews nothing: the lease runs out by itself at its end. */
static void test_lease_runs_out(void)
{
        struct lease l = fresh();
        lease_renew(&l, T0, 0, T0 + MS);
        /* Polls at T0 + 100 ms, 200 ms, ... fail (the database is unreachable). */
        CHECK(lease_held(&l, T0 + 4 * LEASE_POLL_NS));
        CHECK(!lease_held(&l, T0 + LEASE_NS));
        CHECK(!lease_held(&l, T0 + 10 * LEASE_NS));
}

/* Another host alive: the lease is dropped at once, however long it had to run. */
static void test_another_host_appears(void)
{
        struct lease l = fresh();
        lease_renew(&l, T0, 0, T0 + MS);
        CHECK(lease_held(&l, T0 + LEASE_POLL_NS));
        lease_drop(&l); /* the poll at T0 + 100 ms saw another host */
        CHECK(!lease_held(&l, T0 + LEASE_POLL_NS));
        CHECK(!lease_held(&l, T0 + LEASE_POLL_NS + 1));
        /* Once it is gone, a poll that finds the host alone holds the lease again. */
        lease_renew(&l, T0 + 10 * LEASE_POLL_NS, 0, T0 + 10 * LEASE_POLL_NS + MS);
        CHECK(lease_held(&l, T0 + 10 * LEASE_POLL_NS + MS));
}

/* A new epoch (every page kept on the counters retires) on the first lease, after a gap in the
 * lease (dropped or run out: another host may have written meanwhile) and whenever change_seq
 * 2 moved (a change made outside blogd); never while polls renew in time with no change. */
static void test_epochs(void)
{
        struct lease l = fresh();
        CHECK_EQ_INT(lease_epoch(&l), 0);
        lease_renew(&l, T0, 0, T0 + MS);
        CHECK_EQ_INT(lease_epoch(&l), 1); /* the first lease */
        uint64_t t = T0;
        for (int i = 0; i < 20; i++) {
                t += LEASE_POLL_NS;
                lease_renew(&l, t, 0, t + MS);
        }
        CHECK_EQ_INT(lease_epoch(&l), 1); /* renewed in time, nothing outside */
        t += LEASE_POLL_NS;
        lease_renew(&l, t, 1, t + MS);
        CHECK_EQ_INT(lease_epoch(&l), 2); /* a change outside blogd */
        t += LEASE_POLL_NS;
        lease_renew(&l, t, 1, t + MS);
        CHECK_EQ_INT(lease_epoch(&l), 2); /* the same count again: no change */
        /* A gap: the next poll's answer comes exactly when the lease ends. */
        uint64_t end = t + LEASE_NS;
        lease_renew(&l, end - MS, 1, end);
        CHECK_EQ_INT(lease_epoch(&l), 3);
        /* Its answer one nanosecond before: no gap. */
        end = end - MS + LEASE_NS;
        lease_renew(&l, end - MS, 1, end - 1);
        CHECK_EQ_INT(lease_epoch(&l), 3);
        /* Dropped (another host), then renewed: a gap, whatever the clock says. */
        lease_drop(&l);
        lease_renew(&l, end, 1, end + MS);
        CHECK_EQ_INT(lease_epoch(&l), 4);
        /* A change outside and a gap at once: one new epoch. */
        lease_renew(&l, end + 10 * LEASE_NS, 2, end + 10 * LEASE_NS + MS);
        CHECK_EQ_INT(lease_epoch(&l), 5);
}

/* The write gate: closed before the first stored beat; opens LEASE_GATE_NS after the end of
 * the beat that registered the host (its row was stored by then at the latest); stays open
 * while beats come in time; closes when the last stored beat began LEASE_HOST_TTL_NS less the
 * margin ago (the row may be gone). */
static void test_write_gate(void)
{
        struct lease l = fresh();
        CHECK(!lease_may_write(&l, T0));
        CHECK(!lease_may_write(&l, T0 + 100 * LEASE_GATE_NS));
        uint64_t start = T0, end = T0 + 20 * MS; /* the beat took 20 ms */
        lease_beat(&l, start, end);
        CHECK(!lease_may_write(&l, end)); /* too early */
        CHECK(!lease_may_write(&l, end + LEASE_GATE_NS - 1));
        CHECK(lease_may_write(&l, end + LEASE_GATE_NS)); /* open */
        /* Beats every LEASE_BEAT_NS keep it open and do not restart the wait. */
        uint64_t t = start;
        bool open = true;
        for (int i = 0; i < 30; i++) {
                t += LEASE_BEAT_NS;
                lease_beat(&l, t, t + 20 * MS);
                open = open && lease_may_write(&l, t + 20 * MS) &&
                       lease_may_write(&l, t + LEASE_BEAT_NS);
        }
        CHECK(open);
        /* No beat stored since t: closed TTL less margin after its start, not before. */
        uint64_t lapse = t + LEASE_HOST_TTL_NS - LEASE_HOST_MARGIN_NS;
        CHECK(lease_may_write(&l, lapse - 1));
        CHECK(!lease_may_write(&l, lapse)); /* closed after the lapse */
        CHECK(!lease_may_write(&l, lapse + 100 * LEASE_GATE_NS));
}

/* A beat after the heartbeat lapsed registers the host anew: it waits the gate again, since
 * another host may have seen its row gone and taken a lease meanwhile. A late beat that is
 * not past the lapse keeps the registration. */
static void test_reregister_after_lapse(void)
{
        struct lease l = fresh();
        lease_beat(&l, T0, T0 + MS);
        uint64_t open_at = T0 + MS + LEASE_GATE_NS;
        CHECK(lease_may_write(&l, open_at));
        /* Late, but before the lapse: still registered, the gate stays open. */
        uint64_t late = T0 + LEASE_HOST_TTL_NS - LEASE_HOST_MARGIN_NS - MS;
        lease_beat(&l, late, late + MS);
        CHECK(lease_may_write(&l, late + MS));
        /* The next one after the lapse: registered anew at its end. */
        uint64_t again = late + LEASE_HOST_TTL_NS - LEASE_HOST_MARGIN_NS + MS;
        CHECK(!lease_may_write(&l, again));
        lease_beat(&l, again, again + 30 * MS);
        CHECK(!lease_may_write(&l, again + 30 * MS));
        CHECK(!lease_may_write(&l, again + 30 * MS + LEASE_GATE_NS - 1));
        CHECK(lease_may_write(&l, again + 30 * MS + LEASE_GATE_NS));
        /* A watcher started anew (reload, crash) beats at once: that is in time, no new wait. */
        uint64_t soon = again + 30 * MS + LEASE_GATE_NS + MS;
        lease_beat(&l, soon, soon + MS);
        CHECK(lease_may_write(&l, soon + MS));
}

/* Leaving: set once by the master, read by the watcher. */
static void test_leaving(void)
{
        struct lease l = fresh();
        CHECK(!lease_is_leaving(&l));
        lease_set_leaving(&l);
        CHECK(lease_is_leaving(&l));
}

/*
 * Why a lease is safe, with two hosts on a fake clock. Host A is alone and renews its lease at
 * every poll. Host B's first beat is stored at some time r; A's polls that begin at r or later
 * see B's row and drop the lease; one begun before r may not (its answer can come later). B
 * writes as soon as its gate opens. At that moment A must hold no lease: a write of B never
 * meets a page A serves from its counters. Tried for every phase of A's polls against r.
 */
static void test_two_hosts(void)
{
        unsigned unsafe = 0, tried = 0;
        for (uint64_t phase = 0; phase < LEASE_POLL_NS; phase += 7 * MS) {
                struct lease a = fresh(), b = fresh();
                uint64_t r = T0 + 3 * CLOCK_NS_PER_S + phase; /* B's row is stored */
                uint64_t b_start = r - 15 * MS;               /* B's beat was sent before */
                bool b_beat = false;
                for (uint64_t t = T0; t < r + 3 * CLOCK_NS_PER_S; t += MS) {
                        if ((t - T0) % LEASE_POLL_NS == 0) {   /* A polls */
                                uint64_t answer = t + 40 * MS; /* a slow answer */
                                if (t >= r)
                                        lease_drop(&a);
                                else
                                        lease_renew(&a, t, 0, answer);
                        }
                        if (!b_beat && t >= r) {
                                lease_beat(&b, b_start, r);
                                b_beat = true;
                        }
                        if (b_beat && lease_may_write(&b, t)) {
                                tried++;
                                if (lease_held(&a, t))
                                        unsafe++;
                                break;
                        }
                }
        }
        CHECK(tried > 0);
        CHECK_EQ_INT(unsafe, 0);
        /* The rule behind it: the gate is longer than a lease, and a host beating on time is
         * never taken for gone. */
        CHECK(LEASE_GATE_NS > LEASE_NS);
        CHECK(LEASE_BEAT_NS + LEASE_POLL_NS < LEASE_HOST_TTL_NS - LEASE_HOST_MARGIN_NS);
        printf("two hosts: %u phases of the polls against the new row, no lease at the first "
               "write\n",
               tried);
}

int main(void)
{
        test_lease_held();
        test_lease_runs_out();
        test_another_host_appears();
        test_epochs();
        test_write_gate();
        test_reregister_after_lapse();
        test_leaving();
        test_two_hosts();
        return check_summary();
}
