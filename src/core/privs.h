/* privs: the account blogd serves as (`user`), its listen socket's owner, the drop from root. */
#ifndef BLOGD_PRIVS_H
#define BLOGD_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/config.h"

/*
 * Like nginx and PHP-FPM, blogd started as root does as root only what needs it (open the
 * listen socket and the log, write the pid file, read the CSRF key, map shared memory, load
 * the templates), then becomes `user` for good, before any worker or the watcher is forked.
 * It never serves as root: started as root without `user`, or with an account of uid 0, it
 * refuses to start. Not root, it runs as whoever started it: `user` may be empty or name
 * that account, and naming another is an error.
 */
struct privs {
        bool drop;          /* started as root: become uid/gid after the set-up */
        char name[64];      /* the account (for initgroups); empty when not dropping */
        uid_t uid;          /* the account's ids (the caller's when not dropping) */
        gid_t gid;          /* its primary group */
        gid_t listen_gid;   /* group given to a unix listen socket */
        mode_t listen_mode; /* mode the socket is created with */
};

/* Whether the accounts c names exist (what a reload can check once blogd is no longer root:
 * a change of account itself takes a restart). */
bool privs_names_exist(const struct config *c, char *err, size_t errlen);

/* Resolves user, listen_group and listen_mode against the accounts and who we are now;
 * on failure writes a reason to err. `blogd -t` runs it too. */
bool privs_resolve(const struct config *c, struct privs *p, char *err, size_t errlen);
/* The umask under which bind() creates a unix socket with exactly listen_mode. */
mode_t privs_socket_umask(const struct privs *p);
/* Gives a just-created unix socket to user:listen_group (not following a symlink) and checks
 * that the path is that socket, with listen_mode. */
bool privs_own_socket(const struct privs *p, const char *path, char *err, size_t errlen);
/* Gives the open log file to the account, so that a reopen after the drop (reload) can write
 * it, as nginx does with its logs. Only when dropping, only a regular file. */
void privs_own_log(const struct privs *p, int fd);
/* Becomes the account for good: groups, gid, uid; checks that root cannot be had back.
 * A no-op when not dropping. */
bool privs_drop(const struct privs *p, char *err, size_t errlen);
/* After the drop: warns about what the master does again later as the account and could not
 * (SIGHUP: read the configuration, the CSRF key and the templates, reopen the log; at exit:
 * remove the pid file and, when own_socket, the unix socket it created). */
void privs_check_access(const struct privs *p, const char *config_path, const struct config *c,
                        bool own_socket);

#endif
