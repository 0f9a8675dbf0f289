/*
 * listenq: how many connections wait in a listening socket's queue, and its limit, as the
 * kernel tells through NETLINK_SOCK_DIAG (what `ss -l` shows as Recv-Q and Send-Q): for a
 * unix socket UNIX_DIAG_RQLEN, for TCP inet_diag's rqueue and wqueue. One request per call.
 */
#ifndef BLOGD_LISTENQ_H
#define BLOGD_LISTENQ_H

#include <stdbool.h>
#include <stdint.h>

/* The queue of listening socket fd now and its backlog; false if the kernel would not say. */
bool listenq_read(int fd, uint32_t *queued, uint32_t *backlog);

#endif
