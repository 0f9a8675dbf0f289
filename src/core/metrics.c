/* metrics: lock-free per-worker counters in shared memory, summed on reading (see the header). */
#include "core/metrics.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

/* Every status of enum http_status (http/status.h). */
const unsigned metrics_codes[METRICS_CODES - 1] = {200, 301, 303, 400, 403, 404, 405, 409,
                                                   413, 414, 415, 422, 429, 500, 503};
const uint64_t metrics_bucket_us[METRICS_BUCKETS - 1] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};

struct block {
        _Atomic uint64_t requests[METRICS_ROUTES][METRICS_CODES];
        _Atomic uint64_t buckets[METRICS_ROUTES][METRICS_BUCKETS];
        _Atomic uint64_t sum_us[METRICS_ROUTES];
        _Atomic uint64_t db_errors, db_reconnects;
        _Atomic uint64_t counts[METRICS_COUNTS];
};

struct region {
        _Atomic uint64_t seq; /* odd while the master folds a block into the retired one */
        struct block retired;
        struct block slot[];
};

static struct {
        struct region *r;
        size_t slots;
        struct block *own;
        bool requests;
} m;

static size_t region_bytes(size_t slots)
{
        return sizeof(struct region) + slots * sizeof(struct block);
}

bool metrics_create(size_t slots)
{
        void *p = mmap(NULL, region_bytes(slots), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return false;
        m.r = p;
        m.slots = slots;
        return true;
}

void metrics_destroy(void)
{
        if (m.r)
                munmap(m.r, region_bytes(m.slots));
        m.r = NULL;
}

void metrics_attach(size_t slot, bool record_requests)
{
        m.own = m.r && slot < m.slots ? &m.r->slot[slot] : NULL;
        m.requests = record_requests;
}

unsigned metrics_code_index(unsigned code)
{
        for (unsigned i = 0; i < METRICS_CODES - 1; i++)
                if (metrics_codes[i] == code)
                        return i;
        return METRICS_CODES - 1;
}

/* One writer per block: a plain load and store, no locked instruction on the request path. */
static void bump(_Atomic uint64_t *c, uint64_t by)
{
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by,
                              memory_order_relaxed);
}

void metrics_request(unsigned route, unsigned code, uint64_t duration_us)
{
        if (!m.own || !m.requests)
                return;
        if (route >= METRICS_ROUTES)
                route = METRICS_ROUTES - 1;
        unsigned b = 0;
        while (b < METRICS_BUCKETS - 1 && duration_us > metrics_bucket_us[b])
                b++;
        bump(&m.own->requests[route][metrics_code_index(code)], 1);
        bump(&m.own->buckets[route][b], 1);
        bump(&m.own->sum_us[route], duration_us);
}

void metrics_db_error(void)
{
        if (m.own)
                bump(&m.own->db_errors, 1);
}

void metrics_db_reconnect(void)
{
        if (m.own)
                bump(&m.own->db_reconnects, 1);
}

void metrics_ryw_wait(bool in_time)
{
        if (m.own)
                bump(&m.own->counts[in_time ? METRICS_RYW_OK : METRICS_RYW_TIMEOUT], 1);
}

void metrics_read_server(unsigned server)
{
        if (m.own && server < METRICS_SERVERS)
                bump(&m.own->counts[METRICS_READS + server], 1);
}

/* Adds block b to out (or, with into, to a block). */
static void add(struct metrics_sum *out, struct block *b)
{
        for (size_t r = 0; r < METRICS_ROUTES; r++) {
                for (size_t c = 0; c < METRICS_CODES; c++)
                        out->requests[r][c] +=
                            atomic_load_explicit(&b->requests[r][c], memory_order_relaxed);
                for (size_t k = 0; k < METRICS_BUCKETS; k++)
                        out->buckets[r][k] +=
                            atomic_load_explicit(&b->buckets[r][k], memory_order_relaxed);
                out->sum_us[r] += atomic_load_explicit(&b->sum_us[r], memory_order_relaxed);
        }
        out->db_errors += atomic_load_explicit(&b->db_errors, memory_order_relaxed);
        out->db_reconnects += atomic_load_explicit(&b->db_reconnects, memory_order_relaxed);
        for (size_t i = 0; i < METRICS_COUNTS; i++)
                out->counts[i] += atomic_load_explicit(&b->counts[i], memory_order_relaxed);
}

void metrics_retire(size_t slot)
{
        if (!m.r || slot >= m.slots)
                return;
        struct block *b = &m.r->slot[slot], *into = &m.r->retired;
        atomic_fetch_add_explicit(&m.r->seq, 1, memory_order_acq_rel);
        atomic_thread_fence(memory_order_seq_cst);
        for (size_t r = 0; r < METRICS_ROUTES; r++) {
                for (size_t c = 0; c < METRICS_CODES; c++)
                        bump(&into->requests[r][c], atomic_exchange(&b->requests[r][c], 0));
                for (size_t k = 0; k < METRICS_BUCKETS; k++)
                        bump(&into->buckets[r][k], atomic_exchange(&b->buckets[r][k], 0));
                bump(&into->sum_us[r], atomic_exchange(&b->sum_us[r], 0));
        }
        bump(&into->db_errors, atomic_exchange(&b->db_errors, 0));
        bump(&into->db_reconnects, atomic_exchange(&b->db_reconnects, 0));
        for (size_t i = 0; i < METRICS_COUNTS; i++)
                bump(&into->counts[i], atomic_exchange(&b->counts[i], 0));
        atomic_thread_fence(memory_order_seq_cst);
        atomic_fetch_add_explicit(&m.r->seq, 1, memory_order_acq_rel);
}

void metrics_read(struct metrics_sum *out, const bool *alive, size_t slots)
{
        if (!m.r)
                return;
        if (slots > m.slots)
                slots = m.slots;
        for (int tries = 0; tries < 100; tries++) {
                uint64_t s0 = atomic_load_explicit(&m.r->seq, memory_order_acquire);
                if (s0 & 1)
                        continue;
                memset(out, 0, sizeof(*out));
                add(out, &m.r->retired);
                for (size_t i = 0; i < slots; i++)
                        if (alive[i])
                                add(out, &m.r->slot[i]);
                atomic_thread_fence(memory_order_seq_cst);
                if (atomic_load_explicit(&m.r->seq, memory_order_acquire) == s0)
                        return;
        }
}
