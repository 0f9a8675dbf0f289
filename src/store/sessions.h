/*
 * sessions: the store's typed calls for signed-in sessions, each known by the hash of its id
 * (a NUL-terminated hex string, http/session.h): start, find (within the idle and absolute limits),
 * touch, end.
 */
#ifndef BLOGD_SESSIONS_H
#define BLOGD_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

#define SESSION_AUTHOR_NAME_MAX 32

struct session_row {
        bool found;
        uint32_t author_id;
        char author[SESSION_AUTHOR_NAME_MAX + 1];
        uint64_t idle; /* seconds since it was last touched */
};

enum db_status sessions_start(const char *hash, uint32_t author_id);
/* The live session with this hash: last seen less than idle seconds ago and started less than
 * max seconds ago; out->found false if there is none. */
enum db_status sessions_find(const char *hash, long idle, long max, struct session_row *out);
enum db_status sessions_touch(const char *hash);
enum db_status sessions_end(const char *hash);
/* Ends every session of an author (a new password). */
enum db_status sessions_end_all(uint32_t author_id);
/* Deletes some expired sessions (a bounded number per call). */
enum db_status sessions_purge(long idle, long max);

#endif
