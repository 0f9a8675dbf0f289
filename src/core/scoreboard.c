/* scoreboard: per-worker state in shared memory, so the master can say what a dead worker did. */
#include "core/scoreboard.h"

#include <stddef.h>
#include <sys/mman.h>

struct score *scoreboard_create(size_t n)
{
        void *p = mmap(NULL, n * sizeof(struct score), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p;
}

void scoreboard_destroy(struct score *sb, size_t n)
{
        if (sb)
                munmap(sb, n * sizeof(struct score));
}
