/* scoreboard: per-worker slots and the host's totals in one shared mapping (see the header). */
#include "core/scoreboard.h"

#include <dirent.h>
#include <sys/mman.h>
#include <time.h>

const char *const score_phase_names[SCORE_PHASES] = {"idle", "reading", "database", "render",
                                                     "write"};
const char *const restart_cause_names[RESTART_CAUSES] = {"crash", "recycle", "reload", "timeout"};

/* The totals take the mapping's first page; the slots follow. */
#define TOTALS_BYTES 4096
_Static_assert(sizeof(struct score_totals) <= TOTALS_BYTES, "the totals fit their page");

static struct {
        struct score_totals *totals;
        struct score *slots;
        size_t n;
        struct score *own;
} board;

struct score *scoreboard_create(size_t n)
{
        void *p = mmap(NULL, TOTALS_BYTES + n * sizeof(struct score), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return NULL;
        board.totals = p;
        board.slots = (struct score *)((char *)p + TOTALS_BYTES);
        board.n = n;
        board.totals->start_unix = (uint64_t)time(NULL);
        atomic_store(&board.totals->listen_queue, -1);
        atomic_store(&board.totals->listen_queue_max, -1);
        atomic_store(&board.totals->listen_queue_len, -1);
        return board.slots;
}

void scoreboard_destroy(struct score *sb, size_t n)
{
        if (sb && sb == board.slots) {
                munmap(board.totals, TOTALS_BYTES + n * sizeof(struct score));
                board.totals = NULL;
                board.slots = NULL;
                board.n = 0;
        }
}

struct score *scoreboard_slots(size_t *n)
{
        *n = board.n;
        return board.slots;
}

struct score_totals *scoreboard_totals(void)
{
        return board.totals;
}

void score_attach(struct score *own)
{
        board.own = own;
}

void score_phase(enum score_phase p)
{
        if (board.own)
                atomic_store_explicit(&board.own->phase, (unsigned)p, memory_order_relaxed);
}

enum score_phase score_current_phase(void)
{
        return board.own
                   ? (enum score_phase)atomic_load_explicit(&board.own->phase, memory_order_relaxed)
                   : SCORE_IDLE;
}

void score_begin(struct score *s, uint64_t now_ns)
{
        atomic_store_explicit(&s->begun_ns, now_ns, memory_order_relaxed);
        atomic_store_explicit(&s->phase, SCORE_READING, memory_order_relaxed);
        struct score_totals *t = board.totals;
        if (!t)
                return;
        atomic_fetch_add_explicit(&t->accepted, 1, memory_order_relaxed);
        uint64_t busy = atomic_fetch_add_explicit(&t->active, 1, memory_order_relaxed) + 1;
        uint64_t most = atomic_load_explicit(&t->max_active, memory_order_relaxed);
        while (busy > most &&
               !atomic_compare_exchange_weak_explicit(&t->max_active, &most, busy,
                                                      memory_order_relaxed, memory_order_relaxed))
                ;
        if (busy >= atomic_load_explicit(&t->workers, memory_order_relaxed))
                atomic_fetch_add_explicit(&t->all_busy, 1, memory_order_relaxed);
}

void score_end(struct score *s, uint64_t now_ns)
{
        uint64_t begun = atomic_load_explicit(&s->begun_ns, memory_order_relaxed);
        atomic_store_explicit(&s->last_us, (now_ns - begun) / 1000, memory_order_relaxed);
        atomic_store_explicit(&s->begun_ns, 0, memory_order_relaxed);
        atomic_store_explicit(&s->phase, SCORE_IDLE, memory_order_relaxed);
        if (board.totals)
                atomic_fetch_sub_explicit(&board.totals->active, 1, memory_order_relaxed);
}

unsigned score_count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return 0;
        unsigned n = 0;
        for (struct dirent *e; (e = readdir(d));)
                n += e->d_name[0] != '.';
        closedir(d);
        return n > 0 ? n - 1 : 0; /* less the one opendir holds */
}
