/* fcgi_out: a whole FastCGI response, end-of-request records included, in one writev. */
#include "http/fcgi_out.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>

/* FastCGI 1.0 record layout (the specification, section 3.3 and 5.5). */
#define FCGI_VERSION_1 1
#define FCGI_END_REQUEST 3
#define FCGI_STDOUT 6
#define FCGI_HEADER_LEN 8
/* The most a record carries (65,535), rounded down to 8 so no record needs padding. */
#define RECORD_MAX 65528
/* One writev: up to this many records, and this many pieces (well under IOV_MAX). */
#define BATCH_RECORDS 64
#define BATCH_IOV 256

struct out {
        int fd;
        int timeout_ms;
        unsigned request_id;
        int niov, nrec;
        struct iovec iov[BATCH_IOV];
        unsigned char hdr[BATCH_RECORDS][FCGI_HEADER_LEN];
        unsigned char end[2 * FCGI_HEADER_LEN + 8];
};

static void put_header(unsigned char *h, unsigned type, unsigned request_id, size_t len)
{
        h[0] = FCGI_VERSION_1;
        h[1] = (unsigned char)type;
        h[2] = (unsigned char)(request_id >> 8);
        h[3] = (unsigned char)request_id;
        h[4] = (unsigned char)(len >> 8);
        h[5] = (unsigned char)len;
        h[6] = 0; /* padding */
        h[7] = 0;
}

/* Waits until fd takes more bytes; false on timeout (errno ETIMEDOUT) or error. */
static bool wait_writable(struct out *o)
{
        for (;;) {
                struct pollfd p = {.fd = o->fd, .events = POLLOUT};
                int rc = poll(&p, 1, o->timeout_ms);
                if (rc > 0)
                        return true;
                if (rc == 0) {
                        errno = ETIMEDOUT;
                        return false;
                }
                if (errno != EINTR)
                        return false;
        }
}

/* Writes every pending piece, continuing after partial writes; empties the batch. */
static bool flush(struct out *o)
{
        struct iovec *v = o->iov;
        int n = o->niov;
        while (n > 0) {
                ssize_t w = writev(o->fd, v, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_writable(o))
                                continue;
                        return false;
                }
                size_t done = (size_t)w;
                while (n > 0 && done >= v->iov_len) {
                        done -= v->iov_len;
                        v++;
                        n--;
                }
                if (n > 0) {
                        v->iov_base = (char *)v->iov_base + done;
                        v->iov_len -= done;
                }
        }
        o->niov = 0;
        o->nrec = 0;
        return true;
}

static bool add(struct out *o, const void *base, size_t len)
{
        if (o->niov == BATCH_IOV && !flush(o))
                return false;
        o->iov[o->niov].iov_base = (void *)(uintptr_t)base;
        o->iov[o->niov].iov_len = len;
        o->niov++;
        return true;
}

/* Starts a stdout record of len bytes. Its header lives in the batch until the batch is
 * written, so room is made first: a flush never strands a header it has not written. */
static bool add_record(struct out *o, size_t len)
{
        if ((o->nrec == BATCH_RECORDS || o->niov == BATCH_IOV) && !flush(o))
                return false;
        unsigned char *h = o->hdr[o->nrec++];
        put_header(h, FCGI_STDOUT, o->request_id, len);
        return add(o, h, FCGI_HEADER_LEN);
}

bool fcgi_out_write(int fd, unsigned request_id, const struct iovec *segs, size_t nsegs,
                    int timeout_ms)
{
        struct out o = {.fd = fd, .timeout_ms = timeout_ms, .request_id = request_id};
        size_t left = 0;
        for (size_t i = 0; i < nsegs; i++)
                left += segs[i].iov_len;
        size_t si = 0, off = 0;
        while (left > 0) {
                size_t rec = left < RECORD_MAX ? left : RECORD_MAX;
                if (!add_record(&o, rec))
                        return false;
                left -= rec;
                while (rec > 0) {
                        size_t avail = segs[si].iov_len - off;
                        if (avail == 0) {
                                si++;
                                off = 0;
                                continue;
                        }
                        size_t piece = avail < rec ? avail : rec;
                        if (!add(&o, (const char *)segs[si].iov_base + off, piece))
                                return false;
                        off += piece;
                        rec -= piece;
                }
        }
        /* The end of stdout (an empty record), then FCGI_END_REQUEST: appStatus 0,
         * protocolStatus FCGI_REQUEST_COMPLETE (0), three reserved bytes. */
        put_header(o.end, FCGI_STDOUT, request_id, 0);
        put_header(o.end + FCGI_HEADER_LEN, FCGI_END_REQUEST, request_id, 8);
        for (size_t i = 2 * FCGI_HEADER_LEN; i < sizeof(o.end); i++)
                o.end[i] = 0;
        return add(&o, o.end, sizeof(o.end)) && flush(&o);
}
