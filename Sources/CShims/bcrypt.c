/* See include/bcrypt_shim.h. */
#define _GNU_SOURCE
#include "bcrypt_shim.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/* explicit_bzero is glibc >= 2.25; a volatile function pointer keeps the wipe from being
 * optimised away on any libc. */
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;

int shim_bcrypt_gensalt(unsigned long cost, const unsigned char *random, int random_len,
                        char *out, int out_cap) {
    if (random == NULL || random_len < 16 || out == NULL || out_cap < CRYPT_GENSALT_OUTPUT_SIZE) {
        return -1;
    }
    if (crypt_gensalt_rn("$2b$", cost, (const char *)random, random_len, out, out_cap) == NULL) {
        return -1;
    }
    return out[0] == '*' ? -1 : 0;
}

int shim_bcrypt_crypt(const char *phrase, const char *setting, char *out, int out_cap) {
    if (phrase == NULL || setting == NULL || out == NULL || out_cap <= 0) {
        return -1;
    }
    struct crypt_data *data = calloc(1, sizeof(struct crypt_data));
    if (data == NULL) {
        return -1;
    }
    int result = -1;
    const char *hashed = crypt_rn(phrase, setting, data, (int)sizeof(struct crypt_data));
    if (hashed != NULL && hashed[0] != '*') {
        size_t length = strlen(hashed);
        if (length < (size_t)out_cap) {
            memcpy(out, hashed, length + 1);
            result = (int)length;
        }
    }
    wipe_memset(data, 0, sizeof(struct crypt_data));
    free(data);
    return result;
}
