/* hex: one hexadecimal digit each way, for every coder of bytes that does not go through
 * libsodium's sodium_bin2hex/sodium_hex2bin (which the keys, nonces and tokens use). */
#ifndef BLOGD_HEX_H
#define BLOGD_HEX_H

/* 0-15, or -1 if c is not a hex digit (either case). */
static inline int hex_value(unsigned char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* The lowercase digit of v (0-15). */
static inline char hex_digit(unsigned v)
{
        return "0123456789abcdef"[v & 15];
}

#endif
