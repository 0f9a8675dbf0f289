/* replicas: the shared record of each replica's freshness, and the rule that picks one. */
#include "store/replicas.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

struct slot {
        _Atomic bool reachable;
        _Atomic uint64_t beat, fresh_at;
};

struct shared {
        _Atomic bool primary_down;
        _Atomic uint64_t next_beat;            /* kept across watchers (reloads) */
        _Atomic uint64_t sent[REPLICAS_BEATS]; /* sent[n % REPLICAS_BEATS]: when beat n went */
        struct slot replica[SERVERLIST_MAX];
};

static struct {
        struct shared *sh;
        size_t count;
} rs;

bool replicas_shared_init(size_t count)
{
        if (count > SERVERLIST_MAX)
                count = SERVERLIST_MAX;
        if (count == 0 && !rs.sh)
                return true;
        if (!rs.sh) {
                void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
                if (p == MAP_FAILED)
                        return false;
                rs.sh = p;
                atomic_store(&rs.sh->next_beat, 1);
        }
        /* A reload with another list: what was measured belongs to the old one. */
        if (count != rs.count)
                for (size_t i = 0; i < SERVERLIST_MAX; i++) {
                        struct replica_view none = {false, 0, 0};
                        rs.count = SERVERLIST_MAX;
                        replicas_note(i, &none);
                }
        rs.count = count;
        return true;
}

void replicas_shared_destroy(void)
{
        if (rs.sh)
                munmap(rs.sh, sizeof(struct shared));
        memset(&rs, 0, sizeof(rs));
}

size_t replicas_count(void)
{
        return rs.sh ? rs.count : 0;
}

uint64_t replicas_beat_sent(uint64_t now)
{
        if (!rs.sh)
                return 0;
        uint64_t n = atomic_fetch_add(&rs.sh->next_beat, 1);
        atomic_store(&rs.sh->sent[n % REPLICAS_BEATS], now);
        return n;
}

uint64_t replicas_beat_time(uint64_t n)
{
        if (!rs.sh || n == 0)
                return 0;
        uint64_t next = atomic_load(&rs.sh->next_beat);
        if (n >= next || next - n > REPLICAS_BEATS)
                return 0; /* not ours (another run of the host wrote it) or forgotten */
        return atomic_load(&rs.sh->sent[n % REPLICAS_BEATS]);
}

void replicas_note(size_t i, const struct replica_view *v)
{
        if (!rs.sh || i >= rs.count)
                return;
        struct slot *s = &rs.sh->replica[i];
        /* Freshness first: a worker that sees the replica reachable sees its age too. */
        atomic_store(&s->fresh_at, v->fresh_at);
        atomic_store(&s->beat, v->beat);
        atomic_store(&s->reachable, v->reachable);
}

void replicas_primary_up(bool up)
{
        if (rs.sh)
                atomic_store(&rs.sh->primary_down, !up);
}

void replicas_view(size_t i, struct replica_view *out)
{
        memset(out, 0, sizeof(*out));
        if (!rs.sh || i >= rs.count)
                return;
        struct slot *s = &rs.sh->replica[i];
        out->reachable = atomic_load(&s->reachable);
        out->beat = atomic_load(&s->beat);
        out->fresh_at = atomic_load(&s->fresh_at);
}

bool replicas_read_only(void)
{
        return rs.sh && atomic_load(&rs.sh->primary_down);
}

int replicas_choose(const struct replica_view *v, size_t n, size_t start, bool read_only,
                    uint64_t now, uint64_t max_lag_ns)
{
        int best = -1;
        for (size_t k = 0; k < n; k++) {
                size_t i = (start + k) % n;
                if (!v[i].reachable)
                        continue;
                if (read_only) {
                        if (v[i].beat && (best < 0 || v[i].beat > v[best].beat))
                                best = (int)i;
                        continue;
                }
                /* fresh_at may be a moment ahead of a now read before it was stored. */
                if (v[i].fresh_at && (now <= v[i].fresh_at || now - v[i].fresh_at <= max_lag_ns))
                        return (int)i;
        }
        return best;
}

int replicas_pick(size_t start, uint64_t max_lag_ns)
{
        struct replica_view v[SERVERLIST_MAX];
        size_t n = replicas_count();
        if (n == 0)
                return -1;
        bool ro = replicas_read_only();
        for (size_t i = 0; i < n; i++)
                replicas_view(i, &v[i]);
        return replicas_choose(v, n, start, ro, clock_now_ns(), max_lag_ns);
}

uint64_t replicas_lag_ns(size_t i, uint64_t now)
{
        struct replica_view v;
        replicas_view(i, &v);
        if (!v.reachable || !v.fresh_at)
                return UINT64_MAX;
        return now > v.fresh_at ? now - v.fresh_at : 0;
}
