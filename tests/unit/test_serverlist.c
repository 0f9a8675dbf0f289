/* test_serverlist: db_replicas' list (src/core/serverlist.c) and the duration options
 * replica_max_lag and ryw_timeout (src/core/config.c): every accepted spelling, every refused
 * one, the limits. */
#include "check.h"
#include "core/config.h"
#include "core/serverlist.h"

#include <stdio.h>
#include <string.h>

static struct serverlist l;
static char err[256];

static bool parse(const char *s)
{
        return serverlist_parse(s, 3306, &l, err, sizeof(err));
}

static long ms(const char *key, const char *value, bool *ok)
{
        struct config c;
        config_defaults(&c);
        *ok = config_set(&c, key, value, err, sizeof(err));
        return strcmp(key, "ryw_timeout") == 0 ? c.ryw_timeout : c.replica_max_lag;
}

int main(void)
{
        CHECK(parse(""));
        CHECK_EQ_SIZE(l.count, 0);
        CHECK(parse(" , ,\t"));
        CHECK_EQ_SIZE(l.count, 0);
        CHECK(parse("/run/r1.sock, db2.example:3307 10.0.0.3,[::1]:3308, [fe80::1]"));
        CHECK_EQ_SIZE(l.count, 5);
        CHECK_EQ_STR(l.server[0].socket, "/run/r1.sock");
        CHECK_EQ_STR(l.server[1].host, "db2.example");
        CHECK_EQ_INT(l.server[1].port, 3307);
        CHECK_EQ_STR(l.server[2].host, "10.0.0.3");
        CHECK_EQ_INT(l.server[2].port, 3306);
        CHECK_EQ_STR(l.server[3].host, "::1");
        CHECK_EQ_INT(l.server[3].port, 3308);
        CHECK_EQ_STR(l.server[4].host, "fe80::1");
        CHECK_EQ_INT(l.server[4].port, 3306);
        CHECK(parse("a,b,c,d,e,f,g,h"));
        CHECK_EQ_SIZE(l.count, SERVERLIST_MAX);
        const char *bad[] = {"a,b,c,d,e,f,g,h,i",
                             "db::1",
                             "db:",
                             "db:0",
                             "db:65536",
                             "db:12a",
                             "[::1",
                             "[::1]x",
                             "[::1]:",

                             "db;x",
                             "db\"",
                             ":3306",
                             "relative/path.sock"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err[0] = '\0';
                if (!CHECK(!parse(bad[i])))
                        fprintf(stderr, "    accepted \"%s\"\n", bad[i]);
                CHECK(err[0] != '\0');
        }
        /* A socket path: up to sun_path's 107 bytes. */
        char path[120] = "/";
        memset(path + 1, 'a', 106);
        path[107] = '\0';
        CHECK(parse(path));
        path[107] = 'a';
        path[108] = '\0';
        CHECK(!parse(path));
        char host[SERVERLIST_NAME_MAX + 2];
        memset(host, 'h', sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        CHECK(!parse(host));

        /* Durations: seconds (decimals, an "s") or milliseconds. */
        bool ok;
        CHECK_EQ_INT(ms("replica_max_lag", "1", &ok), 1000);
        CHECK(ok);
        CHECK_EQ_INT(ms("replica_max_lag", "0.25", &ok), 250);
        CHECK(ok);
        CHECK_EQ_INT(ms("replica_max_lag", "2s", &ok), 2000);
        CHECK(ok);
        CHECK_EQ_INT(ms("replica_max_lag", "1.5s", &ok), 1500);
        CHECK(ok);
        CHECK_EQ_INT(ms("replica_max_lag", "10ms", &ok), 10);
        CHECK(ok);
        CHECK_EQ_INT(ms("replica_max_lag", "3600", &ok), 3600000);
        CHECK(ok);
        CHECK_EQ_INT(ms("ryw_timeout", "0", &ok), 0);
        CHECK(ok);
        CHECK_EQ_INT(ms("ryw_timeout", "0.2", &ok), 200);
        CHECK(ok);
        CHECK_EQ_INT(ms("ryw_timeout", "60", &ok), 60000);
        CHECK(ok);
        const char *refused[] = {"9ms", "0.009", "3601", "3600.001", "1.2345", "-1",
                                 "+1",  "1e3",   "",     "s",        "ms",     ".5",
                                 "1.",  "1 s",   "0x10", "01",       "1.5ms",  "1ss"};
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                ms("replica_max_lag", refused[i], &ok);
                if (!CHECK(!ok))
                        fprintf(stderr, "    accepted \"%s\"\n", refused[i]);
        }
        ms("ryw_timeout", "61", &ok);
        CHECK(!ok);
        struct config c;
        config_defaults(&c);
        CHECK_EQ_INT(c.replica_max_lag, 1000);
        CHECK_EQ_INT(c.ryw_timeout, 200);
        CHECK_EQ_STR(c.db_replicas, "");
        CHECK(config_set(&c, "db_replicas", "/a.sock, b:1", err, sizeof(err)));
        CHECK(!config_set(&c, "db_replicas", "b:x", err, sizeof(err)));
        return check_summary();
}
