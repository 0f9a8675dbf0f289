/* listenq: a listening socket's accept queue through NETLINK_SOCK_DIAG (see the header). */
#include "core/listenq.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sends one dump request and reads the answers until done; match() looks at each message. */
static bool ask(const void *req, size_t len, bool (*match)(const struct nlmsghdr *, void *),
                void *ctx)
{
        int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (s < 0)
                return false;
        struct timeval tv = {0, 100 * 1000};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bool found = false, done = false;
        if (sendto(s, req, len, 0, (struct sockaddr *)&nl, sizeof(nl)) == (ssize_t)len) {
                char buf[8192] __attribute__((aligned(4)));
                while (!done) {
                        ssize_t n = recv(s, buf, sizeof(buf), 0);
                        if (n <= 0)
                                break;
                        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
                             h = NLMSG_NEXT(h, n)) {
                                if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
                                        done = true;
                                        break;
                                }
                                if (!found && match(h, ctx))
                                        found = true;
                        }
                }
        }
        close(s);
        return found;
}

struct want {
        uint64_t ino;
        uint32_t queued, backlog;
};

static bool unix_match(const struct nlmsghdr *h, void *ctx)
{
        struct want *w = ctx;
        const struct unix_diag_msg *msg = NLMSG_DATA(h);
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*msg)) || msg->udiag_ino != w->ino)
                return false;
        int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));
        for (const struct rtattr *a = (const struct rtattr *)(msg + 1); RTA_OK(a, len);
             a = RTA_NEXT(a, len)) {
                if (a->rta_type == UNIX_DIAG_RQLEN &&
                    RTA_PAYLOAD(a) >= (int)sizeof(struct unix_diag_rqlen)) {
                        const struct unix_diag_rqlen *q = RTA_DATA(a);
                        w->queued = q->udiag_rqueue;
                        w->backlog = q->udiag_wqueue;
                        return true;
                }
        }
        return false;
}

static bool inet_match(const struct nlmsghdr *h, void *ctx)
{
        struct want *w = ctx;
        const struct inet_diag_msg *msg = NLMSG_DATA(h);
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*msg)) || msg->idiag_inode != w->ino)
                return false;
        w->queued = msg->idiag_rqueue;
        w->backlog = msg->idiag_wqueue;
        return true;
}

bool listenq_read(int fd, uint32_t *queued, uint32_t *backlog)
{
        struct stat st;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        if (fstat(fd, &st) != 0 || getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
                return false;
        struct want w = {(uint64_t)st.st_ino, 0, 0};
        bool ok;
        if (ss.ss_family == AF_UNIX) {
                struct {
                        struct nlmsghdr h;
                        struct unix_diag_req r;
                } req = {{.nlmsg_len = sizeof(req),
                          .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                          .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
                         {.sdiag_family = AF_UNIX,
                          .udiag_states = 1u << TCP_LISTEN,
                          .udiag_show = UDIAG_SHOW_RQLEN}};
                ok = ask(&req, sizeof(req), unix_match, &w);
        } else if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
                struct {
                        struct nlmsghdr h;
                        struct inet_diag_req_v2 r;
                } req = {{.nlmsg_len = sizeof(req),
                          .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                          .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
                         {.sdiag_family = (unsigned char)ss.ss_family,
                          .sdiag_protocol = IPPROTO_TCP,
                          .idiag_states = 1u << TCP_LISTEN}};
                req.r.id.idiag_sport = ss.ss_family == AF_INET
                                           ? ((struct sockaddr_in *)&ss)->sin_port
                                           : ((struct sockaddr_in6 *)&ss)->sin6_port;
                ok = ask(&req, sizeof(req), inet_match, &w);
        } else {
                return false;
        }
        if (ok) {
                *queued = w.queued;
                *backlog = w.backlog;
        }
        return ok;
}
