/*
 * scoreboard: what the host's processes are doing, in shared memory: one slot per worker
 * (written only by its worker, read by the master and by any worker answering /_blogd/status)
 * and the host's totals (restarts by cause, slow requests, busy workers, the listen queue).
 * Writers store without locks; readers see each number whole (_Atomic, relaxed).
 */
#ifndef BLOGD_SCOREBOARD_H
#define BLOGD_SCOREBOARD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a worker's request is (request_slowlog_timeout says it). */
enum score_phase { SCORE_IDLE, SCORE_READING, SCORE_DATABASE, SCORE_RENDER, SCORE_WRITE };
#define SCORE_PHASES 5
extern const char *const score_phase_names[SCORE_PHASES]; /* "idle", "reading", ... */

struct score {
        pid_t pid;
        unsigned generation;       /* the master's, for draining */
        unsigned cache_generation; /* pages are served only within one (reload bumps it) */
        bool watcher;              /* the host's watcher (src/heartbeat.c), not a worker */
        unsigned long long requests;
        bool busy;
        _Atomic unsigned phase;    /* enum score_phase */
        _Atomic uint64_t begun_ns; /* clock_now_ns() when the request in hand began */
        _Atomic uint64_t last_us;  /* how long the last request took */
        unsigned fds;              /* descriptors open when the worker began serving */
        char method[8];            /* of the request in hand, or the last one */
        char uri[160];             /* its path, without the query string */
        char route[24];            /* the route's name (pages/routes.c), "other" if none */
        char request_id[40];
};

enum restart_cause { RESTART_CRASH, RESTART_RECYCLE, RESTART_RELOAD, RESTART_TIMEOUT };
#define RESTART_CAUSES 4
extern const char *const restart_cause_names[RESTART_CAUSES];

/* The host's figures, besides the slots. */
struct score_totals {
        uint64_t start_unix; /* the master's start, seconds since the epoch */
        _Atomic uint64_t restarts[RESTART_CAUSES];
        _Atomic uint64_t accepted;      /* requests begun by every worker since the start */
        _Atomic uint64_t slow;          /* requests the slow log told of */
        _Atomic uint64_t active;        /* workers on a request now */
        _Atomic uint64_t max_active;    /* the most at once */
        _Atomic uint64_t all_busy;      /* requests begun with every worker busy */
        _Atomic uint64_t workers;       /* the current generation's worker count */
        _Atomic uint64_t exited_cpu_us; /* user + system CPU of the workers that have exited */
        _Atomic uint64_t master_fds, max_fds; /* the master's open descriptors and its limit */
        /* The listen socket's queue, sampled by the master (core/listenq.h); -1: unknown. */
        _Atomic int64_t listen_queue, listen_queue_max, listen_queue_len;
};

/* Maps n zeroed slots and the totals, shared by the master and every worker it forks. */
struct score *scoreboard_create(size_t n);
void scoreboard_destroy(struct score *sb, size_t n);
/* The board's slots and how many (NULL, 0 before scoreboard_create). */
struct score *scoreboard_slots(size_t *n);
struct score_totals *scoreboard_totals(void);

/* In a worker: its own slot, which score_phase() then writes (no-ops without one). */
void score_attach(struct score *own);
void score_phase(enum score_phase p);
enum score_phase score_current_phase(void);
/* A request begins / ends in this worker: the busy count, its maximum, and "every worker
 * busy" (for the status page). */
void score_begin(struct score *s, uint64_t now_ns);
void score_end(struct score *s, uint64_t now_ns);
/* The descriptors this process has open (/proc/self/fd; a worker counts before its sandbox,
 * which does not allow reading directories). */
unsigned score_count_fds(void);

#endif
