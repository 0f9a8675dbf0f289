/* pool: the master process; owns the listen socket and supervises the workers. */
#ifndef BLOGD_POOL_H
#define BLOGD_POOL_H

#include "core/config.h"
#include "core/privs.h"

/* Runs the master until SIGTERM/SIGINT; returns the process exit code. Started as root, it
 * becomes privs' account once its socket, log, pid file and shared memory are set up. */
int pool_run(const char *config_path, const struct config *initial, const struct privs *privs);

#endif
