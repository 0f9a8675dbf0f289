/* hex: the value of one hexadecimal digit, shared by every decoder of client or file bytes. */
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

#endif
