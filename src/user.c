/*
 * user: `blogd user add|passwd|list|remove`, the authors' accounts, through the store as the
 * workers use it (db_user's account). A password is read from standard input (its first
 * line), or asked for twice without echo on a terminal; only its Argon2id hash is stored
 * (core/password.h), and neither is ever printed or logged.
 */
#include "user.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/config.h"
#include "core/log.h"
#include "core/password.h"
#include "http/credentials.h"
#include "http/utf8.h"
#include "store/authors.h"
#include "store/db.h"
#include "store/sessions.h"

static void usage(FILE *out)
{
        fputs("usage: blogd user [-c blogd.conf] add NAME       (password on stdin, or asked)\n"
              "       blogd user [-c blogd.conf] passwd NAME    (ends the account's sessions)\n"
              "       blogd user [-c blogd.conf] list\n"
              "       blogd user [-c blogd.conf] remove NAME [--reassign OTHER]\n"
              "  names: 1 to 32 letters, digits, '.', '_' or '-', a letter or digit first;\n"
              "  passwords: 8 characters or more. remove refuses an account that still has\n"
              "  posts unless --reassign gives them to another account.\n",
              out);
}

/* One line of at most PASSWORD_MAX bytes into pw (NUL-terminated); false at EOF or if longer. */
static bool read_line(FILE *in, char *pw, size_t cap)
{
        if (!fgets(pw, (int)cap, in))
                return false;
        size_t n = strlen(pw);
        if (n && pw[n - 1] != '\n' && !feof(in))
                return false; /* longer than cap */
        pw[strcspn(pw, "\r\n")] = '\0';
        return true;
}

static bool prompt(const char *question, char *pw, size_t cap)
{
        struct termios old, quiet;
        fputs(question, stderr);
        fflush(stderr);
        bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
        if (tty) {
                quiet = old;
                quiet.c_lflag &= ~(tcflag_t)ECHO;
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        bool ok = read_line(stdin, pw, cap);
        if (tty) {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
                fputc('\n', stderr);
        }
        return ok;
}

/* The new password, checked; false (said why) if there is none fit to use. */
static bool new_password(const char *name, char *pw, size_t cap)
{
        bool ok;
        if (isatty(STDIN_FILENO)) {
                char again[PASSWORD_MAX + 2], q[96];
                snprintf(q, sizeof(q), "New password for %s: ", name);
                ok = prompt(q, pw, cap) && prompt("Again: ", again, sizeof(again));
                if (ok && strcmp(pw, again) != 0) {
                        fprintf(stderr, "blogd user: the two passwords differ\n");
                        ok = false;
                }
                sodium_memzero(again, sizeof(again));
                if (!ok)
                        return false;
        } else if (!read_line(stdin, pw, cap)) {
                fprintf(stderr,
                        "blogd user: no password on standard input (one line, at most "
                        "%d bytes)\n",
                        PASSWORD_MAX);
                return false;
        }
        size_t chars = 0, len = strlen(pw);
        if (!utf8_check_text(pw, len, &chars) || len > PASSWORD_MAX) {
                fprintf(stderr, "blogd user: the password is not UTF-8 text of at most %d bytes\n",
                        PASSWORD_MAX);
                return false;
        }
        if (chars < PASSWORD_MIN) {
                fprintf(stderr, "blogd user: the password is shorter than %d characters\n",
                        PASSWORD_MIN);
                return false;
        }
        return true;
}

static bool hash_new_password(const char *name, char hash[PASSWORD_HASH_MAX])
{
        char pw[PASSWORD_MAX + 2];
        bool ok = new_password(name, pw, sizeof(pw));
        if (ok && !password_hash(pw, strlen(pw), hash)) {
                fprintf(stderr, "blogd user: hashing the password failed (out of memory?)\n");
                ok = false;
        }
        sodium_memzero(pw, sizeof(pw));
        return ok;
}

static bool db_failed(enum db_status st, const char *what)
{
        if (st == DB_OK)
                return false;
        fprintf(stderr, "blogd user: %s failed (%s); see the messages above\n", what,
                st == DB_UNAVAILABLE ? "database unavailable" : "database error");
        return true;
}

static bool find(const char *name, struct author *a)
{
        if (!account_name_valid(name, strlen(name))) {
                fprintf(stderr, "blogd user: \"%s\" is not an account name\n", name);
                return false;
        }
        if (db_failed(authors_find(name, strlen(name), a), "looking the account up"))
                return false;
        if (!a->found)
                fprintf(stderr, "blogd user: there is no account %s\n", name);
        return a->found;
}

static int cmd_add(const char *name)
{
        if (!account_name_valid(name, strlen(name))) {
                fprintf(stderr,
                        "blogd user: \"%s\" is not an account name (1 to %d letters, "
                        "digits, '.', '_' or '-', a letter or digit first)\n",
                        name, ACCOUNT_NAME_MAX);
                return 1;
        }
        char hash[PASSWORD_HASH_MAX];
        if (!hash_new_password(name, hash))
                return 1;
        uint64_t id;
        enum db_status st = authors_add(name, strlen(name), hash, &id);
        sodium_memzero(hash, sizeof(hash));
        if (st == DB_DUPLICATE) {
                fprintf(stderr,
                        "blogd user: the account %s exists already (blogd user passwd "
                        "sets its password)\n",
                        name);
                return 1;
        }
        if (db_failed(st, "adding the account"))
                return 1;
        printf("blogd user: added %s\n", name);
        return 0;
}

static int cmd_passwd(const char *name)
{
        struct author a;
        if (!find(name, &a))
                return 1;
        char hash[PASSWORD_HASH_MAX];
        if (!hash_new_password(a.name, hash))
                return 1;
        enum db_status st = authors_set_hash(a.id, hash);
        sodium_memzero(hash, sizeof(hash));
        if (db_failed(st, "storing the password") ||
            db_failed(sessions_end_all(a.id), "ending the account's sessions"))
                return 1;
        printf("blogd user: the password of %s is set; its sessions are ended\n", a.name);
        return 0;
}

static void print_row(void *ctx, const struct author_row *a)
{
        (void)ctx;
        char when[32] = "?";
        time_t t = (time_t)a->created_at;
        struct tm tm;
        if (gmtime_r(&t, &tm))
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
        printf("%-32s %6llu %9llu  %s%s\n", a->name, (unsigned long long)a->posts,
               (unsigned long long)a->sessions, when, a->has_password ? "" : "  (no password)");
}

static int cmd_list(void)
{
        printf("%-32s %6s %9s  %s\n", "NAME", "POSTS", "SESSIONS", "CREATED");
        return db_failed(authors_list(print_row, NULL), "listing the accounts") ? 1 : 0;
}

static int cmd_remove(const char *name, const char *reassign)
{
        struct author a, to;
        if (!find(name, &a) || (reassign && !find(reassign, &to)))
                return 1;
        if (reassign && to.id == a.id) {
                fprintf(stderr, "blogd user: cannot give %s's posts to %s itself\n", a.name,
                        a.name);
                return 1;
        }
        uint64_t posts = 0;
        if (db_failed(authors_post_count(a.id, &posts), "counting the account's posts"))
                return 1;
        if (posts && !reassign) {
                fprintf(stderr,
                        "blogd user: %s has %llu posts; give them to another account "
                        "with --reassign OTHER\n",
                        a.name, (unsigned long long)posts);
                return 1;
        }
        if (posts && db_failed(authors_reassign(a.id, to.id), "reassigning the posts"))
                return 1;
        enum db_status st = authors_remove(a.id);
        if (st == DB_ERROR) {
                fprintf(stderr, "blogd user: %s still has posts (written meanwhile?); try again\n",
                        a.name);
                return 1;
        }
        if (db_failed(st, "removing the account"))
                return 1;
        if (posts)
                printf("blogd user: removed %s; its %llu posts are now %s's\n", a.name,
                       (unsigned long long)posts, to.name);
        else
                printf("blogd user: removed %s\n", a.name);
        return 0;
}

int user_main(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"reassign", required_argument, NULL, 'r'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *path = "/etc/blogd/blogd.conf", *reassign = NULL;
        int opt;
        while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 'r':
                        reassign = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        const char *cmd = optind < argc ? argv[optind] : "";
        const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;
        int want = strcmp(cmd, "list") == 0 ? 1 : 2;
        bool known = strcmp(cmd, "add") == 0 || strcmp(cmd, "passwd") == 0 ||
                     strcmp(cmd, "list") == 0 || strcmp(cmd, "remove") == 0;
        if (!known || argc - optind != want || (reassign && strcmp(cmd, "remove") != 0)) {
                usage(stderr);
                return 2;
        }
        if (sodium_init() < 0) {
                fprintf(stderr, "blogd user: libsodium failed to initialise\n");
                return 1;
        }
        static struct config cfg;
        char err[512];
        config_defaults(&cfg);
        if (!config_load(&cfg, path, err, sizeof(err))) {
                fprintf(stderr, "blogd user: %s\n", err);
                return 1;
        }
        log_open(NULL, LOG_WARN); /* the store's messages, on stderr */
        if (!db_library_init()) {
                fprintf(stderr, "blogd user: the MariaDB client library failed to initialise\n");
                return 1;
        }
        db_init(&cfg);
        int code = 1;
        if (!db_connect())
                fprintf(stderr,
                        "blogd user: cannot use database %s (is it migrated? blogd "
                        "migrate -c %s)\n",
                        cfg.db_name, path);
        else if (strcmp(cmd, "add") == 0)
                code = cmd_add(name);
        else if (strcmp(cmd, "passwd") == 0)
                code = cmd_passwd(name);
        else if (strcmp(cmd, "list") == 0)
                code = cmd_list();
        else
                code = cmd_remove(name, reassign);
        db_close();
        db_library_end();
        return code;
}
