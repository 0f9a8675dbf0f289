/*
 * lease: when a host may trust its own counters and when it may write. Why a lease is safe:
 * a host writes only LEASE_GATE_NS (two leases) after its row was stored (lease_may_write),
 * and every lease running by then began with a poll that came after the row, saw it, and so
 * ended the lease instead of renewing it.
 */
#include "cache/lease.h"

_Static_assert(LEASE_GATE_NS > LEASE_NS, "a lease running when a row is stored ends first");
_Static_assert(LEASE_BEAT_NS + LEASE_POLL_NS < LEASE_HOST_TTL_NS - LEASE_HOST_MARGIN_NS,
               "a host that beats on time never lapses");

void lease_init(struct lease *l)
{
        atomic_store(&l->until, 0);
        atomic_store(&l->epoch, 0);
        atomic_store(&l->foreign, UINT64_MAX);
        atomic_store(&l->live_since, 0);
        atomic_store(&l->beat_start, 0);
        atomic_store(&l->leaving, false);
}

/* A beat whose start is this much after the last stored one came after the row may have
 * expired (less a margin for the database's clock and the beat's own time). */
static bool lapsed(uint64_t last_beat_start, uint64_t t)
{
        return t >= last_beat_start + LEASE_HOST_TTL_NS - LEASE_HOST_MARGIN_NS;
}

void lease_beat(struct lease *l, uint64_t start, uint64_t end)
{
        uint64_t since = atomic_load(&l->live_since);
        uint64_t last = atomic_load(&l->beat_start);
        if (!since || start > last + LEASE_HOST_TTL_NS - LEASE_HOST_MARGIN_NS)
                atomic_store(&l->live_since, end); /* (re)registered just now */
        atomic_store(&l->beat_start, start);
}

void lease_renew(struct lease *l, uint64_t start, uint64_t foreign, uint64_t now)
{
        /* After a gap in the lease (another host may have written meanwhile) or a change made
         * outside blogd, no page kept on the counters can be trusted: a new epoch. */
        if (now >= atomic_load(&l->until) || atomic_load(&l->foreign) != foreign) {
                atomic_store(&l->foreign, foreign);
                atomic_fetch_add(&l->epoch, 1);
        }
        atomic_store(&l->until, start + LEASE_NS);
}

void lease_drop(struct lease *l)
{
        atomic_store(&l->until, 0);
}

bool lease_held(const struct lease *l, uint64_t now)
{
        return now < atomic_load(&l->until);
}

uint64_t lease_epoch(const struct lease *l)
{
        return atomic_load(&l->epoch);
}

bool lease_may_write(const struct lease *l, uint64_t now)
{
        uint64_t since = atomic_load(&l->live_since);
        uint64_t beat = atomic_load(&l->beat_start);
        return since && now >= since + LEASE_GATE_NS && !lapsed(beat, now);
}

void lease_set_leaving(struct lease *l)
{
        atomic_store(&l->leaving, true);
}

bool lease_is_leaving(const struct lease *l)
{
        return atomic_load(&l->leaving);
}
