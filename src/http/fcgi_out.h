/* fcgi_out: a whole FastCGI response, end-of-request records included, in one writev. */
#ifndef BLOGD_HTTP_FCGI_OUT_H
#define BLOGD_HTTP_FCGI_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/*
 * Writes segs (the CGI headers and the body, in order) to fd as the FCGI_STDOUT stream of
 * request_id, then the empty FCGI_STDOUT record that ends it and FCGI_END_REQUEST (status 0,
 * request complete). Records carry up to 65,528 bytes each; a response of up to that size is
 * one writev, a larger one a writev per 64 records. Partial writes are continued; on a
 * non-blocking fd it waits for room up to timeout_ms per stall. Returns false (errno set) if
 * the peer went away or stalled longer; the response is then incomplete and the connection
 * must be closed.
 */
bool fcgi_out_write(int fd, unsigned request_id, const struct iovec *segs, size_t nsegs,
                    int timeout_ms);

#endif
