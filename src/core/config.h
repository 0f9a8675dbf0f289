/* config: blogd.conf parsing ("key = value" lines), defaults and validation. */
#ifndef BLOGD_CONFIG_H
#define BLOGD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_STR_MAX 512

struct config {
        char listen[CONFIG_STR_MAX]; /* "unix:/path" or "host:port" */
        long backlog;
        long workers;                   /* 0: two per CPU */
        long max_requests;              /* recycle a worker after this many requests; 0: never */
        long shutdown_timeout;          /* seconds a draining worker gets before SIGKILL */
        long request_slowlog_timeout;   /* ms: a request running longer is logged once; 0: off */
        long request_terminate_timeout; /* s: its worker is killed and replaced; 0: off */
        char metrics[4];                /* "on": requests counted by route and code */
        char pid_file[CONFIG_STR_MAX];
        char log_file[CONFIG_STR_MAX];
        char log_level[16];
        char templates[CONFIG_STR_MAX];
        char site_name[128];
        char base_url[256];  /* the site's absolute URL (feed links), never the Host header */
        long session_idle;   /* seconds a session lives without a request */
        long session_max;    /* seconds a session lives at most */
        long login_failures; /* failed logins per account or address ... */
        long login_window;   /* ... within this many seconds, then 429 until it has passed */
        long login_hashes;   /* password hashes a host's workers compute at once */
        char db_host[CONFIG_STR_MAX];
        long db_port;
        char db_socket[CONFIG_STR_MAX];
        char db_user[128];
        char db_password[256];
        char db_name[128];
        long db_connect_timeout;
        long db_read_timeout;
        long db_write_timeout;
        char db_replicas[CONFIG_STR_MAX]; /* MariaDB replicas reads go to (core/serverlist.h) */
        long replica_max_lag; /* ms: a replica further behind the primary is not read from */
        long ryw_timeout;     /* ms: how long a replica may take to show a visitor's write */
        long max_body;
        long max_comment_chars;
        char comment_delete[8];     /* owner (the writer's browser and authors) or anyone */
        char comment_moderation[8]; /* off, links or all: which new comments are held */
        long moderation_links;      /* links a comment may have before `links` holds it */
        long comment_rate;          /* comments a minute per client address per host; 0: no limit */
        long retry_after;
        long page_posts;    /* posts per page of the index */
        long page_comments; /* comments per page of a post and of /comments/ */
        char cache[16];     /* off, db or auto: see cache/cache.h */
        long cache_bytes;   /* the host's page arena, shared by its workers */
        char csrf_secret_file[CONFIG_STR_MAX];
        char user[64];         /* the account blogd serves as (core/privs.h); empty: the caller */
        char listen_group[64]; /* group of a unix listen socket; empty: the user's primary group */
        char listen_mode[8];   /* octal mode of a unix listen socket */
        char sandbox[8];       /* on: workers run under a seccomp filter */
        char allow_from[CONFIG_STR_MAX]; /* peers a TCP listener serves (core/addrlist.h) */
        char sql_dir[CONFIG_STR_MAX];    /* blogd migrate: the migrations and seeds */
        char migrate_user[128];          /* blogd migrate's account; empty: db_user */
        char migrate_password[256];      /* its password, when migrate_user is set */

        /* Not options: filled at start and reload from csrf_secret_file. */
        unsigned char csrf_secret[64];
        size_t csrf_secret_len;
};

void config_defaults(struct config *c);
/* Loads the file over the defaults. On failure writes a reason to err and returns false. */
bool config_load(struct config *c, const char *path, char *err, size_t errlen);
/* Loads (or creates) the CSRF key named by csrf_secret_file into c. */
bool config_load_secret(struct config *c, char *err, size_t errlen);
/* Applies one "key=value" override (command line -o). */
bool config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);

#endif
