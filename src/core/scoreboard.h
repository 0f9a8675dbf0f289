/* scoreboard: per-worker state in shared memory, so the master can say what a dead worker did. */
#ifndef BLOGD_SCOREBOARD_H
#define BLOGD_SCOREBOARD_H

#include <stdbool.h>
#include <sys/types.h>

struct score {
        pid_t pid;
        unsigned generation;
        bool watcher; /* the host's watcher (src/heartbeat.c), not a worker */
        unsigned long long requests;
        bool busy;
        char request_id[40];
        char request[200]; /* "METHOD /path" of the request in hand */
};

/* Maps n zeroed slots shared by the master and every worker it forks. */
struct score *scoreboard_create(size_t n);
void scoreboard_destroy(struct score *sb, size_t n);

#endif
