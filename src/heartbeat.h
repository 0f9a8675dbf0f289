/* heartbeat: the host's watcher process: its heartbeat, the cache lease and outside changes. */
#ifndef BLOGD_HEARTBEAT_H
#define BLOGD_HEARTBEAT_H

#include <sys/types.h>

#include "core/config.h"

/* Runs in a child of the master (stop signals blocked, as in workers); returns its exit code. */
int heartbeat_main(const struct config *cfg, pid_t master);

#endif
