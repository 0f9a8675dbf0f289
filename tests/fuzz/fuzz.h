/* fuzz: the invariant check shared by the fuzz targets (kept in release builds, unlike assert). */
#ifndef BLOGD_FUZZ_H
#define BLOGD_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
                                #cond);                                                            \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#endif
