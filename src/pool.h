/* pool: the master process; owns the listen socket and supervises the workers. */
#ifndef BLOGD_POOL_H
#define BLOGD_POOL_H

#include "core/config.h"

/* Runs the master until SIGTERM/SIGINT; returns the process exit code. */
int pool_run(const char *config_path, const struct config *initial);

#endif
