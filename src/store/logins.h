/*
 * logins: failed logins, counted in the database so that every worker of every host sees
 * the same count. A failure counts against two subjects, the account name and the client's
 * address, each a short keyed hash (hex, NUL-terminated) made by the caller.
 */
#ifndef BLOGD_LOGINS_H
#define BLOGD_LOGINS_H

#include <stdint.h>

#include "store/db.h"

/* Seconds until both subjects have fewer than limit failures in the last window seconds;
 * 0: neither is locked. */
enum db_status logins_wait(const char *name_subject, const char *addr_subject, long window,
                           long limit, uint64_t *seconds);
enum db_status logins_failed(const char *name_subject, const char *addr_subject);
/* A right password clears the account's count (not the address's). */
enum db_status logins_forget(const char *name_subject);
/* Deletes some failures older than the window (a bounded number per call). */
enum db_status logins_purge(long window);

#endif
