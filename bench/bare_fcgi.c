/*
 * bare_fcgi: the FastCGI ceiling for scripts/bench.py.
 *
 * A libfcgi responder that does no work at all: it answers every request with one fixed
 * page (the bytes of blogd's GET /2/, captured by bench.py) and the same headers blogd
 * sends, composed into one buffer and written with one FCGX_PutStr, like blogd does. Only
 * X-Request-Id changes per request (nginx's REQUEST_ID param, as in blogd).
 *
 * The master opens the unix socket, forks NPROCS workers (each blocks in FCGX_Accept_r on
 * the shared socket, one request at a time), writes PIDFILE and waits. SIGTERM/SIGINT to
 * the master stops the workers and removes the socket.
 *
 * usage: bare_fcgi SOCKET NPROCS HEADERS BODY PIDFILE
 *   HEADERS  the response header lines after "Status" (one per line, without X-Request-Id);
 *            the first line must be the "Status: ..." line.
 *   BODY     the response body, sent as is.
 *
 * Build: cc -std=c11 -O2 bare_fcgi.c $(pkg-config --cflags --libs fcgi)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROCS 64

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
        (void)sig;
        stopping = 1;
}

static char *read_file(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "bare_fcgi: %s: %s\n", path, strerror(errno));
                return NULL;
        }
        size_t cap = 4096, n = 0;
        char *data = malloc(cap);
        while (data) {
                n += fread(data + n, 1, cap - n, f);
                if (n < cap)
                        break;
                cap *= 2;
                char *grown = realloc(data, cap);
                if (!grown)
                        free(data);
                data = grown;
        }
        if (ferror(f)) {
                free(data);
                data = NULL;
        }
        fclose(f);
        *len = n;
        return data;
}

/*
 * Split HEADERS into the Status line and the rest, each line ending in CRLF, and build the
 * fixed tail: the rest of the headers, the blank line, the body.
 */
static bool build_response(const char *hdr, size_t hdr_len, const char *body, size_t body_len,
                           char *status, size_t status_cap, char **tail, size_t *tail_len)
{
        *tail = malloc(hdr_len * 2 + 2 + body_len + 1);
        if (!*tail)
                return false;
        size_t t = 0, i = 0;
        bool first = true;
        status[0] = '\0';
        while (i < hdr_len) {
                size_t end = i;
                while (end < hdr_len && hdr[end] != '\n')
                        end++;
                size_t line_end = end;
                if (line_end > i && hdr[line_end - 1] == '\r')
                        line_end--;
                if (line_end > i) {
                        if (first) {
                                if (line_end - i + 3 > status_cap ||
                                    strncmp(hdr + i, "Status:", 7) != 0)
                                        return false;
                                memcpy(status, hdr + i, line_end - i);
                                memcpy(status + (line_end - i), "\r\n", 3);
                                first = false;
                        } else {
                                memcpy(*tail + t, hdr + i, line_end - i);
                                t += line_end - i;
                                memcpy(*tail + t, "\r\n", 2);
                                t += 2;
                        }
                }
                i = end + 1;
        }
        if (first)
                return false;
        memcpy(*tail + t, "\r\n", 2);
        t += 2;
        memcpy(*tail + t, body, body_len);
        *tail_len = t + body_len;
        return true;
}

static int serve(int listen_fd, const char *status, const char *tail, size_t tail_len)
{
        FCGX_Request rq;
        if (FCGX_InitRequest(&rq, listen_fd, 0) != 0)
                return 1;
        size_t status_len = strlen(status);
        size_t cap = status_len + 64 + tail_len;
        char *out = malloc(cap);
        if (!out)
                return 1;
        while (FCGX_Accept_r(&rq) >= 0) {
                const char *rid = FCGX_GetParam("REQUEST_ID", rq.envp);
                char id[48];
                if (!rid || strlen(rid) >= sizeof(id))
                        rid = "0";
                int n = snprintf(id, sizeof(id), "%s", rid);
                size_t len = 0;
                memcpy(out + len, status, status_len);
                len += status_len;
                memcpy(out + len, "X-Request-Id: ", 14);
                len += 14;
                memcpy(out + len, id, (size_t)n);
                len += (size_t)n;
                memcpy(out + len, "\r\n", 2);
                len += 2;
                memcpy(out + len, tail, tail_len);
                len += tail_len;
                FCGX_PutStr(out, (int)len, rq.out);
                FCGX_Finish_r(&rq);
        }
        return 0;
}

int main(int argc, char **argv)
{
        if (argc != 6) {
                fprintf(stderr, "usage: %s SOCKET NPROCS HEADERS BODY PIDFILE\n", argv[0]);
                return 2;
        }
        const char *sock = argv[1];
        int nprocs = atoi(argv[2]);
        if (nprocs < 1 || nprocs > MAX_PROCS) {
                fprintf(stderr, "bare_fcgi: NPROCS must be 1..%d\n", MAX_PROCS);
                return 2;
        }
        size_t hdr_len, body_len, tail_len = 0;
        char *hdr = read_file(argv[3], &hdr_len);
        char *body = read_file(argv[4], &body_len);
        char status[256];
        char *tail = NULL;
        if (!hdr || !body ||
            !build_response(hdr, hdr_len, body, body_len, status, sizeof(status), &tail,
                            &tail_len)) {
                fprintf(stderr, "bare_fcgi: cannot build the response (HEADERS must start "
                                "with a Status: line)\n");
                return 1;
        }

        if (FCGX_Init() != 0) {
                fprintf(stderr, "bare_fcgi: FCGX_Init failed\n");
                return 1;
        }
        unlink(sock);
        int fd = FCGX_OpenSocket(sock, 1024);
        if (fd < 0) {
                fprintf(stderr, "bare_fcgi: cannot listen on %s\n", sock);
                return 1;
        }
        chmod(sock, 0660);

        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_stop;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);

        pid_t master = getpid();
        pid_t kids[MAX_PROCS];
        for (int i = 0; i < nprocs; i++) {
                pid_t pid = fork();
                if (pid < 0) {
                        perror("bare_fcgi: fork");
                        nprocs = i;
                        stopping = 1;
                        break;
                }
                if (pid == 0) {
                        sa.sa_handler = SIG_DFL;
                        sigaction(SIGTERM, &sa, NULL);
                        sigaction(SIGINT, &sa, NULL);
                        prctl(PR_SET_PDEATHSIG, SIGTERM);
                        if (getppid() != master)
                                _exit(0);
                        _exit(serve(fd, status, tail, tail_len));
                }
                kids[i] = pid;
        }

        FILE *pf = fopen(argv[5], "w");
        if (pf) {
                fprintf(pf, "%ld\n", (long)master);
                fclose(pf);
        }

        int alive = nprocs;
        while (!stopping && alive > 0) {
                int st;
                pid_t pid = wait(&st);
                if (pid > 0) {
                        alive--;
                        fprintf(stderr, "bare_fcgi: worker %ld exited unexpectedly\n", (long)pid);
                }
        }
        for (int i = 0; i < nprocs; i++)
                kill(kids[i], SIGTERM);
        while (wait(NULL) > 0 || errno == EINTR)
                ;
        unlink(sock);
        unlink(argv[5]);
        return 0;
}
