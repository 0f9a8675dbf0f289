/*
 * gate: a bound on how many processes of the pool do one costly thing at once (an Argon2id
 * hash holds PASSWORD_MEMLIMIT: core/password.h), in memory the master maps before forking.
 * A slot holds the pid of the process in it; the master frees the slots of a process that
 * died inside (gate_release), so a crash never narrows the gate.
 */
#ifndef BLOGD_GATE_H
#define BLOGD_GATE_H

#include <stdbool.h>
#include <sys/types.h>

#define GATE_MAX 64

struct gate;

/* In the master, before forking: GATE_MAX free slots, shared with every child. */
struct gate *gate_create(void);
void gate_destroy(struct gate *g);
/* Takes one of the first limit slots for this process, waiting up to wait_ms for one to be
 * free; false if none was. */
bool gate_enter(struct gate *g, unsigned limit, unsigned wait_ms);
void gate_leave(struct gate *g);
/* In the master, for a child that ended: frees whatever slot it held. */
void gate_release(struct gate *g, pid_t pid);

#endif
