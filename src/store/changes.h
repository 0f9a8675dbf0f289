/* changes: the change_seq rows the triggers bump with every change (sql/002, sql/004). */
#ifndef BLOGD_CHANGES_H
#define BLOGD_CHANGES_H

#include <stdbool.h>
#include <stdint.h>

/* The sequences of two scopes (0 for a scope never changed); false if they cannot be read
 * now (the caller then knows nothing: fail closed). */
bool changes_seq(uint64_t scope_a, uint64_t scope_b, uint64_t seq[2]);

#endif
