/* hosts: the blogd_host rows, one per live blogd host on the database (its heartbeat). */
#ifndef BLOGD_HOSTS_H
#define BLOGD_HOSTS_H

#include <stdbool.h>
#include <stdint.h>

/* Stores (or refreshes) host id's row, to expire ttl_us microseconds from now, with its beat
 * number (store/replicas.h); false if the row may not have been stored. */
bool hosts_beat(uint64_t id, uint64_t ttl_us, uint64_t beat);
/* The beat of host id's row on a server (a replica); false if it did not answer. */
bool hosts_beat_seen(unsigned server, uint64_t id, uint64_t *beat);
/* How many other hosts' rows are alive, and change_seq 2 (the count of changes made outside
 * blogd); false if the database did not say. */
bool hosts_peek(uint64_t id, uint64_t *others, uint64_t *foreign);
/* Removes host id's row: it is going away for good. */
void hosts_leave(uint64_t id);

#endif
