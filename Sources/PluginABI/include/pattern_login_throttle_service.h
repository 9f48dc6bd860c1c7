/*
 * pattern_login_throttle_service.h: the "ratelimit.login.v1" named service.
 *
 * Provided by the ratelimit plugin, used by the auth plugin: failed logins are counted per
 * username AND client address, so a guesser is throttled from their own address without
 * locking the real user out of theirs. Across all addresses a username has a higher ceiling
 * that only slows answers down (at most one second), so a guesser with many addresses gains
 * little and the right password still logs in.
 *
 * For each password login a caller:
 *   1. asks `client_retry_after` BEFORE verifying the password, and answers 429 with
 *      Retry-After when it is > 0;
 *   2. waits `slowdown_milliseconds` (0 to 1000) before verifying, whatever the outcome, so the
 *      answer's timing says nothing before the wait is over;
 *   3. calls `record_client_failure` only when the verification failed.
 * It is a throttle, never a lockout: attempts are allowed again once the window frees up.
 *
 * Look it up lazily (after start), since auth does not require ratelimit:
 *     const pattern_login_throttle_v1 *t;
 *     host->services->lookup(PATTERN_STR(PATTERN_LOGIN_THROTTLE_SERVICE_V1), (const void **)&t);
 * When it is absent, logins are simply not throttled. Check
 * PATTERN_HAS_FIELD(t, pattern_login_throttle_v1, slowdown_milliseconds) before using the
 * functions added after the first two.
 *
 * No slot of the vtable is NULL up to its struct_size (the provider fills every one); a slot
 * past struct_size is one the provider's version lacks: check PATTERN_HAS_FIELD first.
 */
#ifndef PATTERN_LOGIN_THROTTLE_SERVICE_H
#define PATTERN_LOGIN_THROTTLE_SERVICE_H

#include "pattern_plugin.h"

#define PATTERN_LOGIN_THROTTLE_SERVICE_V1 "ratelimit.login.v1"

typedef struct pattern_login_throttle_v1 {
    uint32_t struct_size;
    /* The first version counted per username alone, so anyone's failures locked the real user
     * out. Kept for callers built against it: their attempts count as coming from one unknown
     * address (and towards the username's ceiling). Usernames compare case-insensitively.
     * Seconds until this username may try again (rounded up), 0 when it may try now. */
    int64_t (*retry_after)(pattern_str username);
    /* Charges one failed attempt to this username. Thread-safe. */
    void (*record_failure)(pattern_str username);

    /* --- added with the per-address count (check struct_size) --- */
    /* `request` is the login request being served (valid for the call, on the caller's thread):
     * the service takes its client address as the rate limiter does (trusted_proxies,
     * X-Forwarded-For). Thread-safe. */
    /* Seconds until this username may try again from this client (rounded up), 0 when now. */
    int64_t (*client_retry_after)(const pattern_request *request, pattern_str username);
    /* Charges one failed attempt to this username from this client, and to the username's
     * ceiling across addresses. */
    void (*record_client_failure)(const pattern_request *request, pattern_str username);
    /* Milliseconds (0 to 1000) to wait before answering an attempt for this username: more
     * than 0 once it has failed as often as its ceiling allows, from all addresses together. */
    int64_t (*slowdown_milliseconds)(pattern_str username);
} pattern_login_throttle_v1;

#endif
