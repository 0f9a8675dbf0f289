/* changes: reads the change sequences the page cache validates its pages against. */
#include "store/changes.h"

#include "store/db.h"

bool changes_seq(uint64_t scope_a, uint64_t scope_b, uint64_t seq[2])
{
        struct db_value p[2] = {DB_INT_VALUE(scope_a), DB_INT_VALUE(scope_b)};
        bool found;
        return db_query_ints(STMT_CHANGE_SEQ, p, 2, seq, 2, &found) == DB_OK && found;
}
