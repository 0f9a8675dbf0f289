/* config: blogd.conf parsing ("key = value" lines), defaults and validation. */
#include "core/config.h"

#include "core/addrlist.h"
#include "core/digits.h"
#include "core/secret.h"
#include "core/serverlist.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum opt_type { OPT_STR, OPT_LONG, OPT_MS };

typedef bool (*opt_check)(const char *value, char *err, size_t errlen);

struct option {
        const char *name;
        enum opt_type type;
        size_t offset;
        size_t size;         /* OPT_STR: capacity of the field */
        long min, max;       /* OPT_LONG: accepted range */
        const char *choices; /* OPT_STR: "a|b|c", the only values accepted; NULL: any */
        opt_check check;     /* OPT_STR: a further check of the value; NULL: none */
};

#define FIELD_SIZE(f) sizeof(((struct config *)0)->f)
#define STR(f)                                                                                     \
        {                                                                                          \
#f, OPT_STR, offsetof(struct config, f), FIELD_SIZE(f), 0, 0, NULL, NULL           \
        }
#define ONE_OF(f, list)                                                                            \
        {                                                                                          \
#f, OPT_STR, offsetof(struct config, f), FIELD_SIZE(f), 0, 0, list, NULL           \
        }
#define CHECKED(f, fn)                                                                             \
        {                                                                                          \
#f, OPT_STR, offsetof(struct config, f), FIELD_SIZE(f), 0, 0, NULL, fn             \
        }
/* A duration kept in milliseconds, written in seconds ("0.2", "1s") or "200ms". */
#define MS(f, lo, hi)                                                                              \
        {                                                                                          \
#f, OPT_MS, offsetof(struct config, f), 0, lo, hi, NULL, NULL                      \
        }
#define NUM(f, lo, hi)                                                                             \
        {                                                                                          \
#f, OPT_LONG, offsetof(struct config, f), 0, lo, hi, NULL, NULL                    \
        }

static bool check_addrlist(const char *value, char *err, size_t errlen)
{
        struct addrlist l;
        return addrlist_parse(value, &l, err, errlen);
}

static bool check_servers(const char *value, char *err, size_t errlen)
{
        struct serverlist l;
        return serverlist_parse(value, 3306, &l, err, errlen);
}

static bool check_mode(const char *value, char *err, size_t errlen)
{
        unsigned mode;
        if (digits_parse_mode(value, &mode))
                return true;
        snprintf(err, errlen, "expected an octal mode such as 0660, got \"%s\"", value);
        return false;
}

/* An absolute http(s) URL without a query, fragment or trailing slash: links are made by
 * appending a path. */
static bool check_base_url(const char *value, char *err, size_t errlen)
{
        size_t n = strlen(value);
        const char *host = strncmp(value, "https://", 8) == 0  ? value + 8
                           : strncmp(value, "http://", 7) == 0 ? value + 7
                                                               : NULL;
        bool ok = host && *host && *host != '/' && value[n - 1] != '/' &&
                  strcspn(value, "?#\"<>'& \t\r\n") == n;
        if (!ok)
                snprintf(err, errlen,
                         "expected an absolute http:// or https:// URL without a trailing slash, "
                         "query or quotes, got \"%s\"",
                         value);
        return ok;
}

/* Every option; conf/blogd.conf documents each of them. */
static const struct option options[] = {
    STR(listen),
    NUM(backlog, 1, 65535),
    NUM(workers, 0, 1024),
    NUM(max_requests, 0, 1000000000),
    NUM(shutdown_timeout, 1, 3600),
    NUM(request_slowlog_timeout, 0, 3600L * 1000),
    NUM(request_terminate_timeout, 0, 86400),
    ONE_OF(metrics, "on|off"),
    STR(pid_file),
    STR(log_file),
    ONE_OF(log_level, "error|warn|info|debug"),
    STR(templates),
    STR(site_name),
    CHECKED(base_url, check_base_url),
    NUM(session_idle, 60, 365L * 86400),
    NUM(session_max, 60, 365L * 86400),
    NUM(login_failures, 1, 1000),
    NUM(login_window, 1, 86400),
    NUM(login_hashes, 1, 64),
    STR(db_host),
    NUM(db_port, 1, 65535),
    STR(db_socket),
    STR(db_user),
    STR(db_password),
    STR(db_name),
    NUM(db_connect_timeout, 1, 3600),
    NUM(db_read_timeout, 1, 3600),
    NUM(db_write_timeout, 1, 3600),
    CHECKED(db_replicas, check_servers),
    MS(replica_max_lag, 10, 3600L * 1000),
    MS(ryw_timeout, 0, 60L * 1000),
    NUM(max_body, 1024, 64L * 1024 * 1024),
    NUM(max_comment_chars, 1, 1000000),
    ONE_OF(comment_delete, "owner|anyone"),
    ONE_OF(comment_moderation, "off|links|all"),
    NUM(moderation_links, 0, 1000),
    NUM(comment_rate, 0, 100000),
    NUM(retry_after, 1, 3600),
    NUM(page_posts, 1, 200),
    NUM(page_comments, 1, 200),
    ONE_OF(cache, "off|db|auto"),
    NUM(cache_bytes, 0, 1024L * 1024 * 1024),
    STR(csrf_secret_file),
    STR(user), /* accounts are looked up once the whole file is read (core/privs.c) */
    STR(listen_group),
    CHECKED(listen_mode, check_mode),
    ONE_OF(sandbox, "on|off"),
    CHECKED(allow_from, check_addrlist),
    STR(sql_dir),
    STR(migrate_user),
    STR(migrate_password),
};

void config_defaults(struct config *c)
{
        memset(c, 0, sizeof(*c));
        snprintf(c->listen, sizeof(c->listen), "unix:/run/blogd/blogd.sock");
        c->backlog = 1024;
        c->workers = 0;
        c->max_requests = 0;
        c->request_slowlog_timeout = 1000;
        c->request_terminate_timeout = 30;
        snprintf(c->metrics, sizeof(c->metrics), "on");
        c->shutdown_timeout = 10;
        snprintf(c->log_level, sizeof(c->log_level), "info");
        snprintf(c->templates, sizeof(c->templates), "templates");
        snprintf(c->site_name, sizeof(c->site_name), "blogd");
        snprintf(c->base_url, sizeof(c->base_url), "http://localhost");
        c->session_idle = 2 * 3600;
        c->session_max = 7 * 86400;
        c->login_failures = 5;
        c->login_window = 15 * 60;
        c->login_hashes = 2;
        snprintf(c->db_host, sizeof(c->db_host), "localhost");
        c->db_port = 3306;
        snprintf(c->db_user, sizeof(c->db_user), "blogd");
        snprintf(c->db_name, sizeof(c->db_name), "blog");
        c->db_connect_timeout = 2;
        c->db_read_timeout = 5;
        c->db_write_timeout = 5;
        c->replica_max_lag = 1000;
        c->ryw_timeout = 200;
        c->max_body = 256 * 1024;
        c->max_comment_chars = 10000;
        snprintf(c->comment_delete, sizeof(c->comment_delete), "owner");
        snprintf(c->comment_moderation, sizeof(c->comment_moderation), "off");
        c->moderation_links = 2;
        c->comment_rate = 5;
        c->retry_after = 5;
        c->page_posts = 20;
        c->page_comments = 50;
        snprintf(c->cache, sizeof(c->cache), "auto");
        c->cache_bytes = 64L * 1024 * 1024;
        snprintf(c->listen_mode, sizeof(c->listen_mode), "0660");
        snprintf(c->sandbox, sizeof(c->sandbox), "on");
        snprintf(c->allow_from, sizeof(c->allow_from), "127.0.0.1, ::1");
        snprintf(c->sql_dir, sizeof(c->sql_dir), "sql");
}

/*
 * A duration: seconds with up to three decimals and an optional "s" ("1", "0.25", "2s"), or
 * whole milliseconds ("200ms"). False for anything else (signs, exponents, spaces inside).
 */
static bool parse_ms(const char *s, uint64_t max, uint64_t *out)
{
        size_t n = strlen(s);
        uint64_t v;
        if (n > 2 && strcmp(s + n - 2, "ms") == 0)
                return digits_parse(s, n - 2, max, out);
        if (n > 1 && s[n - 1] == 's')
                n--;
        size_t whole = strcspn(s, ".");
        if (whole > n)
                whole = n;
        if (!digits_parse(s, whole, max / 1000, &v))
                return false;
        uint64_t frac = 0, scale = 100;
        if (whole < n) {
                size_t digits = n - whole - 1;
                if (digits == 0 || digits > 3)
                        return false;
                for (size_t i = whole + 1; i < n; i++, scale /= 10) {
                        if (s[i] < '0' || s[i] > '9')
                                return false;
                        frac += (uint64_t)(s[i] - '0') * scale;
                }
        }
        if (v * 1000 + frac > max)
                return false;
        *out = v * 1000 + frac;
        return true;
}

/* Whether value is one of the '|'-separated words of choices (case-insensitively). */
static bool one_of(const char *choices, const char *value)
{
        size_t n = strlen(value);
        for (const char *p = choices; *p;) {
                size_t len = strcspn(p, "|");
                if (len == n && strncasecmp(p, value, n) == 0)
                        return true;
                p += len + (p[len] == '|');
        }
        return false;
}

bool config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen)
{
        for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
                const struct option *o = &options[i];
                if (strcmp(o->name, key) != 0)
                        continue;
                char *field = (char *)c + o->offset;
                if (o->type == OPT_STR) {
                        size_t n = strlen(value);
                        if (n >= o->size) {
                                snprintf(err, errlen, "%s: value too long (max %zu bytes)", key,
                                         o->size - 1);
                                return false;
                        }
                        if (o->choices && !one_of(o->choices, value)) {
                                snprintf(err, errlen, "%s: expected one of %s, got \"%s\"", key,
                                         o->choices, value);
                                return false;
                        }
                        char why[200] = "";
                        if (o->check && !o->check(value, why, sizeof(why))) {
                                snprintf(err, errlen, "%s: %s", key, why);
                                return false;
                        }
                        memcpy(field, value, n + 1);
                        return true;
                }
                uint64_t u;
                long v = 0;
                bool ok = o->type == OPT_MS
                              ? parse_ms(value, (uint64_t)o->max, &u)
                              : digits_parse(value, strlen(value), (uint64_t)o->max, &u);
                if (ok)
                        v = (long)u;
                if (ok && o->type == OPT_MS && v < o->min) {
                        snprintf(err, errlen,
                                 "%s: expected a duration from %ld ms to %ld s (\"0.2\", \"1s\","
                                 " \"200ms\"), got \"%s\"",
                                 key, o->min, o->max / 1000, value);
                        return false;
                }
                if (!ok && o->type == OPT_MS) {
                        snprintf(err, errlen,
                                 "%s: expected a duration in seconds (\"0.2\", \"1s\") or"
                                 " milliseconds (\"200ms\") up to %ld s, got \"%s\"",
                                 key, o->max / 1000, value);
                        return false;
                }
                if (!ok || v < o->min) {
                        snprintf(err, errlen, "%s: expected an integer in [%ld, %ld], got \"%s\"",
                                 key, o->min, o->max, value);
                        return false;
                }
                memcpy(field, &v, sizeof(v));
                return true;
        }
        snprintf(err, errlen, "unknown option \"%s\"", key);
        return false;
}

static char *trim(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

bool config_load(struct config *c, const char *path, char *err, size_t errlen)
{
        FILE *f = fopen(path, "r");
        if (!f) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return false;
        }
        char line[1024];
        unsigned lineno = 0;
        bool ok = true;
        while (ok && fgets(line, sizeof(line), f)) {
                lineno++;
                if (!strchr(line, '\n') && !feof(f)) {
                        snprintf(err, errlen, "%s:%u: line too long", path, lineno);
                        ok = false;
                        break;
                }
                char *s = trim(line);
                if (*s == '\0' || *s == '#')
                        continue;
                char *eq = strchr(s, '=');
                if (!eq) {
                        snprintf(err, errlen, "%s:%u: expected \"key = value\"", path, lineno);
                        ok = false;
                        break;
                }
                *eq = '\0';
                char msg[256];
                if (!config_set(c, trim(s), trim(eq + 1), msg, sizeof(msg))) {
                        snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
                        ok = false;
                }
        }
        fclose(f);
        return ok;
}

bool config_load_secret(struct config *c, char *err, size_t errlen)
{
        return secret_load(c->csrf_secret_file, c->csrf_secret, &c->csrf_secret_len, err, errlen);
}
