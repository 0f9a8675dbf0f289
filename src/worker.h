/* worker: one process of the pool; accepts and serves one FastCGI request at a time. */
#ifndef BLOGD_WORKER_H
#define BLOGD_WORKER_H

#include <signal.h>
#include <sys/types.h>

#include "core/config.h"
#include "core/scoreboard.h"

/*
 * Runs in the child after fork, with SIGTERM/SIGINT/SIGHUP blocked (inherited from the master).
 * Returns the process exit code; never returns while a request is in hand.
 */
int worker_main(const struct config *cfg, int listen_fd, struct score *score, pid_t master);

#endif
