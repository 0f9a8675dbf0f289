/* check: a tiny header-only assertion helper for the unit tests (one executable per test). */
#ifndef BLOGD_TEST_CHECK_H
#define BLOGD_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_passed_;
static unsigned check_failed_;

/* Records one result; on failure prints "file:line: FAILED: expr" plus an optional detail. */
static inline int check_record_(int ok, const char *file, int line, const char *expr)
{
        if (ok) {
                check_passed_++;
        } else {
                check_failed_++;
                fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, expr);
        }
        return ok;
}

static inline void check_str_(const char *got, const char *want, const char *file, int line,
                              const char *expr)
{
        int ok = got && want ? strcmp(got, want) == 0 : got == want;
        if (!check_record_(ok, file, line, expr))
                fprintf(stderr, "    got \"%s\", want \"%s\"\n", got ? got : "(null)",
                        want ? want : "(null)");
}

static inline void check_mem_(const void *got, size_t got_len, const void *want, size_t want_len,
                              const char *file, int line, const char *expr)
{
        int ok = got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0);
        if (!check_record_(ok, file, line, expr))
                fprintf(stderr, "    got %zu bytes, want %zu bytes (or contents differ)\n", got_len,
                        want_len);
}

static inline void check_int_(long long got, long long want, const char *file, int line,
                              const char *expr)
{
        if (!check_record_(got == want, file, line, expr))
                fprintf(stderr, "    got %lld, want %lld\n", got, want);
}

static inline void check_size_(size_t got, size_t want, const char *file, int line,
                               const char *expr)
{
        if (!check_record_(got == want, file, line, expr))
                fprintf(stderr, "    got %zu, want %zu\n", got, want);
}

#define CHECK(cond) check_record_(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ_STR(got, want) check_str_((got), (want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_EQ_MEM(got, got_len, want, want_len)                                                 \
        check_mem_((got), (got_len), (want), (want_len), __FILE__, __LINE__,                       \
                   #got "[0.." #got_len ") == " #want "[0.." #want_len ")")
#define CHECK_EQ_INT(got, want)                                                                    \
        check_int_((long long)(got), (long long)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_EQ_SIZE(got, want)                                                                   \
        check_size_((size_t)(got), (size_t)(want), __FILE__, __LINE__, #got " == " #want)

/* Prints "N passed, N failed" and returns the process exit code (0 only if nothing failed). */
static inline int check_summary(void)
{
        printf("%u passed, %u failed\n", check_passed_, check_failed_);
        return check_failed_ ? 1 : 0;
}

#endif
