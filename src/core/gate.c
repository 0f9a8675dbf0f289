/* gate: at most N processes of the pool inside at once; slots are pids in shared memory. */
#include "core/gate.h"

#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct gate {
        _Atomic int32_t slot[GATE_MAX]; /* 0: free, else the pid inside */
};

/* How often a process waiting for a slot looks again. */
#define GATE_POLL_MS 5

struct gate *gate_create(void)
{
        void *p = mmap(NULL, sizeof(struct gate), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return NULL;
        struct gate *g = p;
        for (unsigned i = 0; i < GATE_MAX; i++)
                atomic_init(&g->slot[i], 0);
        return g;
}

void gate_destroy(struct gate *g)
{
        if (g)
                munmap(g, sizeof(*g));
}

bool gate_enter(struct gate *g, unsigned limit, unsigned wait_ms)
{
        if (limit > GATE_MAX)
                limit = GATE_MAX;
        int32_t self = (int32_t)getpid();
        for (unsigned waited = 0;; waited += GATE_POLL_MS) {
                for (unsigned i = 0; i < limit; i++) {
                        int32_t free_slot = 0;
                        if (atomic_compare_exchange_strong(&g->slot[i], &free_slot, self))
                                return true;
                }
                if (waited >= wait_ms)
                        return false;
                struct timespec ts = {0, GATE_POLL_MS * 1000000L};
                nanosleep(&ts, NULL);
        }
}

void gate_leave(struct gate *g)
{
        gate_release(g, getpid());
}

void gate_release(struct gate *g, pid_t pid)
{
        if (!g)
                return;
        for (unsigned i = 0; i < GATE_MAX; i++) {
                int32_t held = (int32_t)pid;
                atomic_compare_exchange_strong(&g->slot[i], &held, 0);
        }
}
