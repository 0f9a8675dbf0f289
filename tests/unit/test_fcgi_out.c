/* test_fcgi_out: a response written as FastCGI records (src/http/fcgi_out.c), read back and parsed.
 */
#include "check.h"
#include "http/fcgi_out.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a reader of the stream saw. */
struct parsed {
        unsigned char *stdout_bytes;
        size_t stdout_len;
        size_t records;   /* stdout records with content */
        size_t max_len;   /* the longest of them */
        bool ended;       /* the empty stdout record came */
        bool completed;   /* then FCGI_END_REQUEST, status 0, request complete */
        bool well_formed; /* every header right, nothing after the end */
};

static unsigned char *read_all(int fd, size_t *len, unsigned slow_us)
{
        size_t cap = 1 << 16, n = 0;
        unsigned char *b = malloc(cap);
        for (;;) {
                if (n == cap)
                        b = realloc(b, cap *= 2);
                size_t room = cap - n;
                ssize_t r = read(fd, b + n, slow_us && room > 4096 ? 4096 : room);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                n += (size_t)r;
                if (slow_us)
                        usleep(slow_us);
        }
        *len = n;
        return b;
}

static struct parsed parse(const unsigned char *s, size_t n, unsigned request_id)
{
        struct parsed p = {.stdout_bytes = malloc(n + 1), .well_formed = true};
        size_t i = 0;
        while (i + 8 <= n && !p.completed) {
                const unsigned char *h = s + i;
                unsigned id = (unsigned)h[2] << 8 | h[3];
                size_t len = (size_t)h[4] << 8 | h[5], pad = h[6];
                if (h[0] != 1 || id != request_id || i + 8 + len + pad > n) {
                        p.well_formed = false;
                        break;
                }
                const unsigned char *body = h + 8;
                if (h[1] == 6 && !p.ended) {
                        if (len == 0) {
                                p.ended = true;
                        } else {
                                memcpy(p.stdout_bytes + p.stdout_len, body, len);
                                p.stdout_len += len;
                                p.records++;
                                if (len > p.max_len)
                                        p.max_len = len;
                        }
                } else if (h[1] == 3 && p.ended && len == 8) {
                        static const unsigned char zero[8];
                        p.completed = memcmp(body, zero, 8) == 0;
                } else {
                        p.well_formed = false;
                        break;
                }
                i += 8 + len + pad;
        }
        if (i != n)
                p.well_formed = false;
        return p;
}

/*
 * Writes segs from a child process (so a large response can fill the socket while the parent
 * reads) and returns what the parent parsed. nonblocking: the writer's end is non-blocking
 * with a small send buffer and the reader is slow, so writes come back partial or EAGAIN.
 */
static struct parsed roundtrip(const struct iovec *segs, size_t nsegs, unsigned request_id,
                               bool nonblocking, int *child_ok)
{
        int sv[2];
        struct parsed none = {0};
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
                return none;
        pid_t pid = fork();
        if (pid == 0) {
                close(sv[0]);
                if (nonblocking) {
                        int small = 4096;
                        setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
                        fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
                }
                _exit(fcgi_out_write(sv[1], request_id, segs, nsegs, 5000) ? 0 : 1);
        }
        close(sv[1]);
        size_t n;
        unsigned char *raw = read_all(sv[0], &n, nonblocking ? 50 : 0);
        close(sv[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        *child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        struct parsed p = parse(raw, n, request_id);
        free(raw);
        return p;
}

static unsigned char *pattern(size_t n)
{
        unsigned char *b = malloc(n ? n : 1);
        uint32_t x = 2463534242u;
        for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                b[i] = (unsigned char)x;
        }
        return b;
}

/* The payload split into pieces of the given sizes (cycled), zero-length ones included. */
static size_t split(unsigned char *data, size_t n, const size_t *sizes, size_t nsizes,
                    struct iovec *segs, size_t max)
{
        size_t k = 0, off = 0;
        while (off < n && k < max) {
                size_t want = sizes[k % nsizes];
                size_t len = want < n - off ? want : n - off;
                segs[k].iov_base = data + off;
                segs[k].iov_len = len;
                off += len;
                k++;
        }
        return k;
}

static void check_response(size_t n, const size_t *sizes, size_t nsizes, unsigned request_id,
                           bool nonblocking)
{
        unsigned char *data = pattern(n);
        static struct iovec segs[20000];
        size_t k = split(data, n, sizes, nsizes, segs, sizeof(segs) / sizeof(segs[0]));
        int child_ok = 0;
        struct parsed p = roundtrip(segs, k, request_id, nonblocking, &child_ok);
        CHECK(child_ok);
        CHECK(p.well_formed);
        CHECK(p.ended);
        CHECK(p.completed);
        CHECK_EQ_MEM(p.stdout_bytes, p.stdout_len, data, n);
        CHECK(p.max_len <= 65535);
        /* As few records as the size allows: one per 65,528 bytes. */
        CHECK_EQ_SIZE(p.records, (n + 65527) / 65528);
        if (!child_ok || !p.well_formed || p.stdout_len != n)
                fprintf(stderr, "    (response of %zu bytes in %zu pieces, id %u%s)\n", n, k,
                        request_id, nonblocking ? ", non-blocking" : "");
        free(p.stdout_bytes);
        free(data);
}

static void test_sizes(void)
{
        static const size_t whole[] = {SIZE_MAX};
        static const size_t head_body[] = {300, SIZE_MAX};
        size_t ns[] = {0, 1, 7, 8, 4500, 65527, 65528, 65529, 65535, 65536, 131056, 200000};
        for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
                check_response(ns[i], whole, 1, 1, false);
                check_response(ns[i], head_body, 2, 65535, false);
        }
}

static void test_many_pieces(void)
{
        /* Thousands of tiny pieces (and empty ones) fill a batch mid-record. */
        static const size_t tiny[] = {3, 0, 1, 17};
        check_response(30000, tiny, 4, 7, false);
        check_response(200000, (const size_t[]){61, 4093}, 2, 258, false);
}

static void test_large(void)
{
        /* Over 64 records: more than one writev. */
        static const size_t whole[] = {SIZE_MAX};
        check_response(5 * 1000 * 1000, whole, 1, 3, false);
        /* Exactly one writev's worth of records (64), then one byte more: a 65th record. */
        check_response(64 * 65528, whole, 1, 3, false);
        check_response(64 * 65528 + 1, whole, 1, 3, false);
        /* Pieces that end exactly where a record ends. */
        check_response(3 * 65528, (const size_t[]){65528}, 1, 5, false);
        check_response(65528 + 1000, (const size_t[]){65528, SIZE_MAX}, 2, 6, false);
}

static void test_partial_writes(void)
{
        /* A non-blocking socket that takes 4 KiB at a time, read slowly. */
        static const size_t head_body[] = {250, SIZE_MAX};
        check_response(300000, head_body, 2, 9, true);
}

static void test_peer_gone(void)
{
        int sv[2];
        CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        close(sv[0]);
        struct iovec seg = {"hello", 5};
        errno = 0;
        CHECK(!fcgi_out_write(sv[1], 1, &seg, 1, 1000));
        CHECK(errno == EPIPE);
        close(sv[1]);
}

int main(void)
{
        signal(SIGPIPE, SIG_IGN);
        test_sizes();
        test_many_pieces();
        test_large();
        test_partial_writes();
        test_peer_gone();
        return check_summary();
}
