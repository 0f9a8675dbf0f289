/* main: command line, configuration, then hand over to the pool. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/config.h"
#include "core/log.h"
#include "core/privs.h"
#include "migrate.h"
#include "pool.h"
#include "store/db.h"
#include "user.h"
#include "view/view.h"

static void usage(FILE *out)
{
        fputs("usage: blogd [-c blogd.conf] [-t] [-S]\n"
              "       blogd migrate [-c blogd.conf] [--status] [--seed tutorial|large] ...\n"
              "       blogd user [-c blogd.conf] add|passwd|list|remove NAME ...\n"
              "  -c FILE  configuration file (default /etc/blogd/blogd.conf)\n"
              "  -t       check the configuration (and its `user`) and templates, then exit\n"
              "  -S       print every SQL statement blogd prepares, one per line, and exit\n"
              "  migrate  apply the database migrations, seed (blogd migrate --help)\n"
              "  user     the authors' accounts (blogd user --help)\n"
              "signals: SIGTERM/SIGINT drain and stop, SIGHUP reloads configuration and\n"
              "templates with fresh workers\n",
              out);
}

int main(int argc, char **argv)
{
        const char *path = "/etc/blogd/blogd.conf";
        bool check_only = false;
        int opt;
        if (argc > 1 && strcmp(argv[1], "migrate") == 0)
                return migrate_main(argc - 1, argv + 1);
        if (argc > 1 && strcmp(argv[1], "user") == 0)
                return user_main(argc - 1, argv + 1);
        while ((opt = getopt(argc, argv, "c:thS")) != -1) {
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 't':
                        check_only = true;
                        break;
                case 'S':
                        for (int i = 0; i < STMT_COUNT; i++)
                                printf("%s\n", db_stmt_sql((enum db_stmt_id)i));
                        return 0;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (sodium_init() < 0) {
                fprintf(stderr, "blogd: libsodium failed to initialise\n");
                return 1;
        }
        struct config cfg;
        char err[512];
        config_defaults(&cfg);
        if (!config_load(&cfg, path, err, sizeof(err))) {
                fprintf(stderr, "blogd: %s\n", err);
                return 1;
        }
        /* config_load accepted only the values these name (its ONE_OF options). */
        enum log_level level = LOG_INFO;
        log_parse_level(cfg.log_level, &level);
        /* Before anything is opened or created as root: who blogd will serve as. */
        struct privs privs;
        if (!privs_resolve(&cfg, &privs, err, sizeof(err))) {
                fprintf(stderr, "blogd: %s\n", err);
                return 1;
        }
        if (!config_load_secret(&cfg, err, sizeof(err))) {
                fprintf(stderr, "blogd: %s\n", err);
                return 1;
        }
        if (check_only) {
                if (!view_load(cfg.templates, err, sizeof(err))) {
                        fprintf(stderr, "blogd: %s\n", err);
                        return 1;
                }
                view_unload();
                printf("blogd: configuration %s and templates in %s are fine%s%s\n", path,
                       cfg.templates, privs.drop ? "; started as root, it serves as " : "",
                       privs.name);
                return 0;
        }
        if (!log_open(cfg.log_file, level)) {
                fprintf(stderr, "blogd: cannot open log %s: %s\n", cfg.log_file, strerror(errno));
                return 1;
        }
        int code = pool_run(path, &cfg, &privs);
        log_close();
        return code;
}
