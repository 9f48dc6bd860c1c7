/*
 * pattern_login_throttle.h: the "ratelimit.login.v1" named service.
 *
 * Provided by the ratelimit plugin, used by the auth plugin: failed logins are counted per
 * username so a password cannot be guessed from many IP addresses. Auth asks `retry_after`
 * BEFORE verifying the password (and answers 429 with Retry-After when it is > 0), and calls
 * `record_failure` only when the verification failed. It is a throttle, never a lockout:
 * attempts are allowed again once the window frees up.
 *
 * Look it up lazily (after start), since auth does not require ratelimit:
 *     const pattern_login_throttle_v1 *t;
 *     host->services->lookup((pattern_str){"ratelimit.login.v1", 18}, (const void **)&t);
 * When it is absent, logins are simply not throttled per username.
 */
#ifndef PATTERN_LOGIN_THROTTLE_H
#define PATTERN_LOGIN_THROTTLE_H

#include "pattern_plugin.h"

#define PATTERN_LOGIN_THROTTLE_SERVICE_V1 "ratelimit.login.v1"

typedef struct pattern_login_throttle_v1 {
    uint32_t struct_size;
    /* Seconds until this username may try again (rounded up), 0 when it may try now.
     * `username` is compared case-insensitively. Thread-safe. */
    int64_t (*retry_after)(pattern_str username);
    /* Charges one failed attempt to this username. Thread-safe. */
    void (*record_failure)(pattern_str username);
} pattern_login_throttle_v1;

#endif
