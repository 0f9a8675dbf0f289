/* hosts: the heartbeat rows of blogd_host, as the watcher process writes and reads them. */
#include "store/hosts.h"

#include "store/db.h"

bool hosts_beat(uint64_t id, uint64_t ttl_us, uint64_t beat)
{
        struct db_value p[3] = {DB_INT_VALUE(id), DB_INT_VALUE(ttl_us), DB_INT_VALUE(beat)};
        return db_exec(STMT_HOST_BEAT, p, 3, NULL, NULL) == DB_OK;
}

bool hosts_beat_seen(unsigned server, uint64_t id, uint64_t *beat)
{
        struct db_value me = DB_INT_VALUE(id);
        bool found;
        return db_query_ints_on(server, STMT_BEAT_SEEN, &me, 1, beat, 1, &found) == DB_OK && found;
}

bool hosts_peek(uint64_t id, uint64_t *others, uint64_t *foreign)
{
        struct db_value me = DB_INT_VALUE(id);
        uint64_t row[2];
        bool found;
        if (db_query_ints(STMT_HOST_PEEK, &me, 1, row, 2, &found) != DB_OK || !found)
                return false;
        *others = row[0];
        *foreign = row[1];
        return true;
}

void hosts_leave(uint64_t id)
{
        struct db_value me = DB_INT_VALUE(id);
        db_exec(STMT_HOST_LEAVE, &me, 1, NULL, NULL);
}
