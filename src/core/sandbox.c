/* sandbox: the seccomp filter a worker (and the watcher) runs under once it is set up. */
#include "core/sandbox.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>

/*
 * What a worker does after start-up, found with strace -f -c over the whole test suite and
 * a reconnect: FastCGI (accept, read, writev, poll, close), MariaDB (socket, connect,
 * send/recv, poll; getaddrinfo for a db_host reads /etc files and may ask netlink), malloc
 * (brk, mmap, munmap, mremap, madvise, mprotect), the page cache's robust mutex (futex),
 * clocks and naps, signals (the stop flag, rt_sigreturn), libsodium's getrandom, the log.
 */
static const int allowed[] = {
    /* descriptors and sockets */
    SCMP_SYS(read),
    SCMP_SYS(readv),
    SCMP_SYS(pread64),
    SCMP_SYS(write),
    SCMP_SYS(writev),
    SCMP_SYS(close),
    SCMP_SYS(fcntl),
    SCMP_SYS(lseek),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(statx),
    SCMP_SYS(ioctl),
    SCMP_SYS(dup),
    SCMP_SYS(accept),
    SCMP_SYS(accept4),
    SCMP_SYS(connect),
    SCMP_SYS(bind),
    SCMP_SYS(shutdown),
    SCMP_SYS(sendto),
    SCMP_SYS(sendmsg),
    SCMP_SYS(sendmmsg),
    SCMP_SYS(recvfrom),
    SCMP_SYS(recvmsg),
    SCMP_SYS(getsockopt),
    SCMP_SYS(setsockopt),
    SCMP_SYS(getsockname),
    SCMP_SYS(getpeername),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(select),
    SCMP_SYS(pselect6),
    SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),
    SCMP_SYS(epoll_ctl),
    /* memory */
    SCMP_SYS(brk),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(mprotect),
    SCMP_SYS(futex),
    SCMP_SYS(get_robust_list),
    SCMP_SYS(set_robust_list),
    /* time */
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(time),
    SCMP_SYS(nanosleep),
    SCMP_SYS(clock_nanosleep),
    /* signals and the process itself */
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigpending),
    SCMP_SYS(rt_sigtimedwait),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(getpid),
    SCMP_SYS(getppid),
    SCMP_SYS(gettid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid),
    SCMP_SYS(getgid),
    SCMP_SYS(getegid),
    SCMP_SYS(uname),
    SCMP_SYS(sched_yield),
    SCMP_SYS(getrandom),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
};

static bool add(scmp_filter_ctx ctx, int sys, unsigned n, const struct scmp_arg_cmp *args,
                char *err, size_t errlen)
{
        int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, sys, n, args);
        if (rc != 0) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, sys);
                snprintf(err, errlen, "seccomp rule for %s: %s", name ? name : "?", strerror(-rc));
                free(name);
                return false;
        }
        return true;
}

bool sandbox_enter(char *err, size_t errlen)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        if (!ctx) {
                snprintf(err, errlen, "seccomp_init failed");
                return false;
        }
        bool ok = true;
        for (size_t i = 0; ok && i < sizeof(allowed) / sizeof(allowed[0]); i++)
                ok = add(ctx, allowed[i], 0, NULL, err, errlen);
        /* Files are opened for reading only (name lookups read /etc/hosts and friends); a
         * worker never creates, writes or executes one. */
        struct scmp_arg_cmp rdonly[] = {
            SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY)};
        struct scmp_arg_cmp rdonly_at[] = {
            SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY)};
        ok = ok && add(ctx, SCMP_SYS(open), 1, rdonly, err, errlen) &&
             add(ctx, SCMP_SYS(openat), 1, rdonly_at, err, errlen);
        /* Sockets: local (MariaDB's socket), IP (MariaDB over TCP) and netlink (getaddrinfo
         * asks it which address families the host has). */
        int families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
        for (size_t i = 0; ok && i < sizeof(families) / sizeof(families[0]); i++) {
                struct scmp_arg_cmp fam[] = {SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i])};
                ok = add(ctx, SCMP_SYS(socket), 1, fam, err, errlen);
        }
        /* prctl: only reading or setting the process name. */
        struct scmp_arg_cmp name_ops[][1] = {{SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME)},
                                             {SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME)}};
        for (size_t i = 0; ok && i < 2; i++)
                ok = add(ctx, SCMP_SYS(prctl), 1, name_ops[i], err, errlen);
        if (ok) {
                int rc = seccomp_load(ctx); /* sets no_new_privs first (SCMP_FLTATR_CTL_NNP) */
                if (rc != 0) {
                        snprintf(err, errlen, "seccomp_load: %s", strerror(-rc));
                        ok = false;
                }
        }
        seccomp_release(ctx);
        return ok;
}

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

bool sandbox_start(const char *setting, const char *who)
{
        if (strcasecmp(setting, "off") == 0)
                return true;
#ifdef SANITIZED
        log_warn("%s: sandbox = on is not applied in a sanitizer build", who);
        return true;
#else
        char err[256];
        if (!sandbox_enter(err, sizeof(err))) {
                log_error("%s: cannot load the seccomp filter (sandbox = on): %s", who, err);
                return false;
        }
        return true;
#endif
}
