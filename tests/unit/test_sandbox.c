/* test_sandbox: the seccomp filter lets a worker's calls through and kills on anything else. */
#include "check.h"
#include "core/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Runs body in a child under the filter; returns its wait status. */
static int in_sandbox(void (*body)(void))
{
        pid_t pid = fork();
        if (pid == 0) {
                char err[256];
                if (!sandbox_enter(err, sizeof(err))) {
                        fprintf(stderr, "sandbox_enter: %s\n", err);
                        _exit(3);
                }
                body();
                _exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        return status;
}

static bool killed_by_sigsys(int status)
{
        return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

/* What a worker does: memory, time, its sockets, reading a file, randomness, naps. */
static void allowed_calls(void)
{
        void *big = malloc(8 << 20); /* mmap */
        free(big);
        char *small = malloc(100);
        free(small);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        nanosleep(&(struct timespec){0, 1000}, NULL);
        int families[] = {AF_UNIX, AF_INET, AF_INET6};
        for (size_t i = 0; i < 3; i++) {
                int s = socket(families[i], SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (s >= 0)
                        close(s);
        }
        int fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
                close(fd);
        char buf[8];
        if (getrandom(buf, sizeof(buf), 0) < 0)
                _exit(4);
        prctl(PR_SET_NAME, "sandboxed");
        if (write(STDOUT_FILENO, "", 0) < 0)
                _exit(5);
}

static void call_execve(void)
{
        char *argv[] = {"/bin/true", NULL};
        execve("/bin/true", argv, NULL);
}

static void call_fork(void)
{
        (void)syscall(SYS_fork);
}

static void call_ptrace(void)
{
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static void call_setuid(void)
{
        (void)setuid(0);
}

static void call_open_for_writing(void)
{
        (void)open("/tmp/blogd-sandbox-test", O_WRONLY | O_CREAT, 0600);
}

static void call_packet_socket(void)
{
        (void)socket(AF_PACKET, SOCK_RAW, 0);
}

static void call_kill(void)
{
        kill(getppid(), 0);
}

int main(void)
{
        int st = in_sandbox(allowed_calls);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
                fprintf(stderr, "    allowed calls: status 0x%x\n", st);
        CHECK(killed_by_sigsys(in_sandbox(call_execve)));
        CHECK(killed_by_sigsys(in_sandbox(call_fork)));
        CHECK(killed_by_sigsys(in_sandbox(call_ptrace)));
        CHECK(killed_by_sigsys(in_sandbox(call_setuid)));
        CHECK(killed_by_sigsys(in_sandbox(call_open_for_writing)));
        CHECK(killed_by_sigsys(in_sandbox(call_packet_socket)));
        CHECK(killed_by_sigsys(in_sandbox(call_kill)));
        return check_summary();
}
