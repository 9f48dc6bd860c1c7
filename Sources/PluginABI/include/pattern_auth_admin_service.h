/*
 * pattern_auth_admin_service.h: the "auth.admin.v1" named service.
 *
 * Provided by the auth plugin for operators' tools (another plugin's command, say) to create
 * an administrator; `pattern-server auth create-admin` does the same from the command line:
 *     const pattern_auth_admin_v1 *admin;
 *     host->services->lookup(PATTERN_STR(PATTERN_AUTH_ADMIN_SERVICE_V1), (const void **)&admin);
 * Check PATTERN_HAS_FIELD before using a function added after create_admin.
 *
 * No slot of the vtable is NULL up to its struct_size (the provider fills every one); a slot
 * past struct_size is one the provider's version lacks: check PATTERN_HAS_FIELD first.
 */
#ifndef PATTERN_AUTH_ADMIN_SERVICE_H
#define PATTERN_AUTH_ADMIN_SERVICE_H

#include "pattern_plugin.h"

#define PATTERN_AUTH_ADMIN_SERVICE_V1 "auth.admin.v1"

typedef struct pattern_auth_admin_v1 {
    uint32_t struct_size;
    /* Creates an active administrator with this username and password (docs/api/auth.md:
     * username 3-64 of [A-Za-z0-9_.-], unique case-insensitively; password >= 8 characters,
     * <= 1024 bytes). Blocks for one bcrypt hash. On PATTERN_OK `result->message` holds the
     * new user's id; otherwise one line saying why: PATTERN_INVALID for a username or password
     * that breaks the rules, PATTERN_CONFLICT when the username is taken, PATTERN_INTERNAL
     * for a storage failure. Never logs or echoes the password. Thread-safe. */
    pattern_status (*create_admin)(pattern_str username, pattern_str password, pattern_error *result);
} pattern_auth_admin_v1;

#endif
