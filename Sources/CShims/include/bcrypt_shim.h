/* bcrypt through libxcrypt (crypt_gensalt_rn + crypt_rn), wrapped so Swift never sees
 * <crypt.h> or struct crypt_data. That struct is 32 KiB, so the shim keeps it off worker
 * threads' stacks: it heap-allocates it zeroed per call and wipes it before freeing. */
#ifndef PATTERN_BCRYPT_SHIM_H
#define PATTERN_BCRYPT_SHIM_H

#include <stddef.h>

/* Buffer sizes that always suffice (libxcrypt's CRYPT_GENSALT_OUTPUT_SIZE, CRYPT_OUTPUT_SIZE). */
#define SHIM_BCRYPT_SETTING_CAP 192
#define SHIM_BCRYPT_OUTPUT_CAP 384

/* Writes a "$2b$NN$<22 chars>" setting string for `cost` (4...31) built from `random`
 * (`random_len` >= 16 bytes) into `out` (NUL-terminated). Returns 0, or -1 on failure
 * (bad cost, short randomness, small buffer). */
int shim_bcrypt_gensalt(unsigned long cost, const unsigned char *random, int random_len,
                        char *out, int out_cap);

/* crypt_rn(phrase, setting) with a heap-allocated struct crypt_data. Copies the
 * NUL-terminated result into `out`. Returns its length, or -1 on failure (malformed
 * setting, unsupported method, phrase too long, small buffer). */
int shim_bcrypt_crypt(const char *phrase, const char *setting, char *out, int out_cap);

#endif
