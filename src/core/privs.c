/* privs: the account blogd serves as (`user`), its listen socket's owner, the drop from root. */
#include "core/privs.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digits.h"
#include "core/log.h"

#define REFUSE_ROOT "refusing to run as root; set `user` in blogd.conf"

static bool in_my_groups(gid_t g)
{
        if (g == getegid())
                return true;
        int n = getgroups(0, NULL);
        if (n <= 0)
                return false;
        gid_t *list = calloc((size_t)n, sizeof(*list));
        bool found = false;
        if (list) {
                n = getgroups(n, list);
                for (int i = 0; i < n && !found; i++)
                        found = list[i] == g;
                free(list);
        }
        return found;
}

static bool parse_mode(const char *s, mode_t *out)
{
        unsigned v;
        if (!digits_parse_mode(s, &v))
                return false;
        *out = (mode_t)v;
        return true;
}

bool privs_names_exist(const struct config *c, char *err, size_t errlen)
{
        if (*c->user && !getpwnam(c->user)) {
                snprintf(err, errlen, "user = %s: no such account", c->user);
                return false;
        }
        if (*c->listen_group && !getgrnam(c->listen_group)) {
                snprintf(err, errlen, "listen_group = %s: no such group", c->listen_group);
                return false;
        }
        return true;
}

bool privs_resolve(const struct config *c, struct privs *p, char *err, size_t errlen)
{
        memset(p, 0, sizeof(*p));
        p->drop = geteuid() == 0;
        p->uid = geteuid();
        p->gid = getegid();
        if (*c->user) {
                errno = 0;
                const struct passwd *pw = getpwnam(c->user);
                if (!pw) {
                        snprintf(err, errlen, "user = %s: no such account%s%s", c->user,
                                 errno ? ": " : "", errno ? strerror(errno) : "");
                        return false;
                }
                if (pw->pw_uid == 0) {
                        snprintf(err, errlen, "%s (user = %s has uid 0)", REFUSE_ROOT, c->user);
                        return false;
                }
                if (!p->drop && pw->pw_uid != geteuid()) {
                        const struct passwd *me = getpwuid(geteuid());
                        snprintf(err, errlen,
                                 "user = %s, but blogd runs as %s (uid %ld) and only root can "
                                 "become another account: leave `user` empty or start blogd as %s",
                                 c->user, me ? me->pw_name : "?", (long)geteuid(), c->user);
                        return false;
                }
                p->uid = pw->pw_uid;
                p->gid = pw->pw_gid;
                if (p->drop)
                        snprintf(p->name, sizeof(p->name), "%s", c->user);
        } else if (p->drop) {
                snprintf(err, errlen, "%s", REFUSE_ROOT);
                return false;
        }
        p->listen_gid = p->gid;
        if (*c->listen_group) {
                errno = 0;
                const struct group *gr = getgrnam(c->listen_group);
                if (!gr) {
                        snprintf(err, errlen, "listen_group = %s: no such group%s%s",
                                 c->listen_group, errno ? ": " : "", errno ? strerror(errno) : "");
                        return false;
                }
                p->listen_gid = gr->gr_gid;
                if (!p->drop && !in_my_groups(p->listen_gid)) {
                        snprintf(err, errlen,
                                 "listen_group = %s: blogd is not root and not in that group, so "
                                 "it cannot give the socket to it",
                                 c->listen_group);
                        return false;
                }
        }
        if (!parse_mode(c->listen_mode, &p->listen_mode)) {
                snprintf(err, errlen, "listen_mode must be an octal mode such as 0660, got \"%s\"",
                         c->listen_mode);
                return false;
        }
        return true;
}

mode_t privs_socket_umask(const struct privs *p)
{
        return (mode_t)(~p->listen_mode & 0777);
}

bool privs_own_socket(const struct privs *p, const char *path, char *err, size_t errlen)
{
        /* The path is in a directory the account may own: never follow a symlink there. */
        uid_t uid = p->drop ? p->uid : (uid_t)-1;
        if (fchownat(AT_FDCWD, path, uid, p->listen_gid, AT_SYMLINK_NOFOLLOW) != 0) {
                snprintf(err, errlen, "cannot give %s to uid %ld, gid %ld: %s", path, (long)p->uid,
                         (long)p->listen_gid, strerror(errno));
                return false;
        }
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
                snprintf(err, errlen, "%s is not the socket blogd just created", path);
                return false;
        }
        /* bind() made it with the umask set for it; a default ACL on the directory may not. */
        if ((st.st_mode & 07777) != p->listen_mode && chmod(path, p->listen_mode) != 0) {
                snprintf(err, errlen, "chmod %o %s: %s", (unsigned)p->listen_mode, path,
                         strerror(errno));
                return false;
        }
        return true;
}

void privs_own_log(const struct privs *p, int fd)
{
        struct stat st;
        if (!p->drop || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid == p->uid)
                return;
        if (fchown(fd, p->uid, (gid_t)-1) != 0)
                log_warn("cannot give the log file to %s: %s (a reload cannot reopen it)", p->name,
                         strerror(errno));
}

bool privs_drop(const struct privs *p, char *err, size_t errlen)
{
        if (!p->drop)
                return true;
        if (initgroups(p->name, p->gid) != 0) {
                snprintf(err, errlen, "initgroups(%s): %s", p->name, strerror(errno));
                return false;
        }
        if (setgid(p->gid) != 0) {
                snprintf(err, errlen, "setgid(%ld): %s", (long)p->gid, strerror(errno));
                return false;
        }
        if (setuid(p->uid) != 0) {
                snprintf(err, errlen, "setuid(%ld): %s", (long)p->uid, strerror(errno));
                return false;
        }
        uid_t ru, eu, su;
        gid_t rg, eg, sg;
        if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 || ru != p->uid ||
            eu != p->uid || su != p->uid || rg != p->gid || eg != p->gid || sg != p->gid) {
                snprintf(err, errlen, "after the drop to %s the ids are not %ld:%ld", p->name,
                         (long)p->uid, (long)p->gid);
                return false;
        }
        if (setuid(0) != -1 || seteuid(0) != -1) {
                snprintf(err, errlen, "root could be had back after the drop to %s", p->name);
                return false;
        }
        /* The kernel leaves a process that changed its ids non-dumpable; say so explicitly,
         * whatever fs.suid_dumpable holds: other processes of the account (nobody, in the
         * private stack, is not only blogd's) cannot ptrace blogd or read its memory (the
         * database password, the CSRF key) or its /proc files, and no core file is written:
         * PHP-FPM's default too (process.dumpable = no). Root can still attach a debugger. */
        if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) != 0 ||
            prctl(PR_GET_DUMPABLE, 0L, 0L, 0L, 0L) != 0) {
                snprintf(err, errlen, "prctl(PR_SET_DUMPABLE, 0): %s", strerror(errno));
                return false;
        }
        return true;
}

/* Warns unless the account may access(2) path with mode (it has dropped: access uses its ids). */
static void want_access(const char *path, int mode, const char *what, const char *who)
{
        if (*path && access(path, mode) != 0)
                log_warn("%s cannot %s %s (%s): %s", who, mode & W_OK ? "write" : "read", path,
                         strerror(errno), what);
}

/* The directory holding path, which must let the account remove path at exit. */
static void want_dir_writable(const char *path, const char *what, const char *who)
{
        char copy[CONFIG_STR_MAX];
        snprintf(copy, sizeof(copy), "%s", path);
        want_access(*path ? dirname(copy) : "", W_OK | X_OK, what, who);
}

void privs_check_access(const struct privs *p, const char *config_path, const struct config *c,
                        bool own_socket)
{
        if (!p->drop)
                return;
        const char *who = p->name;
        want_access(config_path, R_OK, "SIGHUP reloads will fail", who);
        want_access(c->csrf_secret_file, R_OK, "SIGHUP reloads will fail", who);
        want_access(c->templates, R_OK | X_OK, "SIGHUP reloads will fail", who);
        want_access(c->log_file, W_OK, "a reload cannot reopen the log", who);
        want_dir_writable(c->pid_file, "the pid file stays behind at exit", who);
        if (own_socket && strncmp(c->listen, "unix:", 5) == 0)
                want_dir_writable(c->listen + 5, "the socket stays behind at exit", who);
}
