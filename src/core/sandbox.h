/* sandbox: the seccomp filter a worker (and the watcher) runs under once it is set up. */
#ifndef BLOGD_SANDBOX_H
#define BLOGD_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Loads a filter that allows only the system calls a set-up worker makes: reading, writing
 * and polling its sockets, (re)connecting to MariaDB (a local socket, or TCP with name
 * lookups), memory, time, signals, randomness, the log, and exit. Anything else (execve,
 * ptrace, fork, mount, setuid, opening a file for writing...) kills the process with SIGSYS,
 * which the master logs and answers with a fresh worker. Irreversible (no_new_privs is set).
 * Returns false, with the reason in err, if the kernel refused the filter.
 */
bool sandbox_enter(char *err, size_t errlen);

/* The `sandbox` option applied by a process named who: "off" loads nothing; so does a
 * sanitizer build (ASan's reports need calls the filter forbids), with a warning. False (and
 * logged) if the filter could not be loaded: the process must not serve without it. */
bool sandbox_start(const char *setting, const char *who);

#endif
