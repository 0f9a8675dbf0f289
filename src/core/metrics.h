/*
 * metrics: the per-route request counters and duration histograms, and the database's error
 * and reconnect counts, in shared memory: one block per scoreboard slot, written by its worker
 * alone without locks (a relaxed load and store: one writer), summed by whoever reads them.
 * When a worker exits the master folds its block into the retired one (under a sequence
 * number readers retry on), so the sums never go back. Route and code are small indices: the
 * route's row in the site's table (pages/routes.c names them), a status code's place in
 * metrics_codes; the label sets are bounded by construction.
 */
#ifndef BLOGD_METRICS_H
#define BLOGD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define METRICS_ROUTES 32 /* rows of the site's table, the last one "other" */
#define METRICS_CODES 16  /* metrics_codes[], the last one any other code */
#define METRICS_BUCKETS 13
extern const unsigned metrics_codes[METRICS_CODES - 1];
/* Upper bounds of the duration buckets, in microseconds; the last bucket is +Inf. */
extern const uint64_t metrics_bucket_us[METRICS_BUCKETS - 1];

/* Other counts, by index: read-your-writes waits, and requests by the server their reads went
 * to (METRICS_READS + server: the primary, then each replica, store/db.h). */
#define METRICS_SERVERS 9 /* the primary and SERVERLIST_MAX replicas */
enum metrics_count {
        METRICS_RYW_OK,      /* a replica had the visitor's write in time */
        METRICS_RYW_TIMEOUT, /* ... did not: the primary served */
        METRICS_READS,
        METRICS_COUNTS = METRICS_READS + METRICS_SERVERS
};

struct metrics_sum {
        uint64_t requests[METRICS_ROUTES][METRICS_CODES];
        uint64_t buckets[METRICS_ROUTES][METRICS_BUCKETS]; /* per bucket, not cumulative */
        uint64_t sum_us[METRICS_ROUTES];
        uint64_t db_errors, db_reconnects;
        uint64_t counts[METRICS_COUNTS];
};

/* In the master, before forking: one block per slot and the retired one. */
bool metrics_create(size_t slots);
void metrics_destroy(void);
/* In a worker: its slot's block (recording is a no-op until then, and with metrics = off). */
void metrics_attach(size_t slot, bool record_requests);
unsigned metrics_code_index(unsigned code);
void metrics_request(unsigned route, unsigned code, uint64_t duration_us);
void metrics_db_error(void);
void metrics_db_reconnect(void);
void metrics_ryw_wait(bool in_time);
void metrics_read_server(unsigned server);
/* In the master, when the worker of slot has exited: its counts go to the retired block. */
void metrics_retire(size_t slot);
/* Everything counted since the master started: the retired block and every live slot's
 * (alive[i]: slot i has a worker). */
void metrics_read(struct metrics_sum *out, const bool *alive, size_t slots);

#endif
