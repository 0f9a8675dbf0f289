/* test_gate: the pool's bound on concurrent password hashes (core/gate.c) across real
 * processes: at most limit inside, a free slot taken after a wait, the slot of a process that
 * died inside given back by gate_release, a reload's larger limit used at once. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/gate.h"

/* A child that takes a slot, says so on the pipe, then waits to be killed. */
static pid_t holder(struct gate *g, unsigned limit)
{
        int fds[2];
        if (pipe(fds) != 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                char ok = gate_enter(g, limit, 0) ? 'y' : 'n';
                if (write(fds[1], &ok, 1) != 1)
                        _exit(2);
                pause();
                _exit(0);
        }
        char got = 0;
        close(fds[1]);
        if (read(fds[0], &got, 1) != 1 || got != 'y') {
                close(fds[0]);
                return -1;
        }
        close(fds[0]);
        return pid;
}

static void end(pid_t pid)
{
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

int main(void)
{
        struct gate *g = gate_create();
        CHECK(g != NULL);
        pid_t a = holder(g, 2), b = holder(g, 2);
        CHECK(a > 0 && b > 0);
        /* Both slots of limit 2 held: this process waits 30 ms, then gives up. */
        CHECK(!gate_enter(g, 2, 30));
        /* A reload's larger limit: the third slot is free at once. */
        CHECK(gate_enter(g, 3, 0));
        gate_leave(g);
        /* A holder killed inside: the master gives its slot back. */
        end(a);
        CHECK(!gate_enter(g, 2, 0));
        gate_release(g, a);
        CHECK(gate_enter(g, 2, 0));
        CHECK(!gate_enter(g, 2, 0)); /* one process, one slot each entry: b and we hold both */
        gate_leave(g);
        /* Leaving frees only this process's slot, never another's. */
        CHECK(gate_enter(g, 2, 0));
        gate_leave(g);
        /* b holds the second slot: with limit 1 the first is ours, with limit 2 none is left. */
        CHECK(gate_enter(g, 1, 0));
        CHECK(!gate_enter(g, 2, 0));
        gate_leave(g);
        end(b);
        gate_release(g, b);
        CHECK(gate_enter(g, 2, 0) && gate_enter(g, 2, 0));
        gate_leave(g);
        /* A limit past GATE_MAX is GATE_MAX. */
        CHECK(gate_enter(g, GATE_MAX + 10, 0));
        gate_leave(g);
        gate_destroy(g);
        return check_summary();
}
