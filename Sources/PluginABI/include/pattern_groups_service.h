/*
 * pattern_groups_service.h: the "groups.v1" named service.
 *
 * Provided by the groups plugin so the chat plugin (or any other) can route a message to a
 * group without reading the groups plugin's tables: a group with its coordination pattern
 * and members, the persisted round-robin turn, the group's activity time, and the groups a
 * sleeptime timer must look after. Look it up in init after declaring `requires = ["groups"]`:
 *
 *     const pattern_groups_v1 *groups = NULL;
 *     host->services->lookup((pattern_str){PATTERN_GROUPS_SERVICE_V1,
 *                            sizeof(PATTERN_GROUPS_SERVICE_V1) - 1}, (const void **)&groups);
 *     if (groups == NULL || !PATTERN_HAS_FIELD(groups, pattern_groups_v1, list_sleeptime_groups)) refuse;
 *
 * Versioning follows pattern_plugin.h: the struct starts with struct_size and only grows at
 * its end; check PATTERN_HAS_FIELD before calling a function a later version added.
 *
 * Threads: every function is thread-safe and may block briefly on the database (call it from
 * a worker thread, not from an event-loop callback registered PATTERN_INLINE). A callback
 * (`receive`) runs at most once, on the calling thread, before the function returns.
 *
 * Strings: arguments are borrowed for the call; the JSON handed to `receive` is borrowed for
 * the callback only (copy what you keep). Payloads are UTF-8 JSON objects, so they can grow
 * members without a new slot; readers ignore members they do not know.
 *
 * Statuses common to every function:
 *   PATTERN_OK        done; `receive` (when the function has one) was called once.
 *   PATTERN_INVALID   an argument is malformed (an empty group or owner id, a limit of 0).
 *   PATTERN_NOT_FOUND no such group of that owner. Another user's group is NOT_FOUND,
 *                     exactly like a missing one, so callers cannot probe other users' ids.
 *   PATTERN_BUSY      the database was busy; retrying later may succeed.
 *   PATTERN_INTERNAL  the database or the agents service failed (details in the server log).
 *   PATTERN_STATE     the groups plugin is not initialised (never seen after init).
 * `receive` is not called on any status but PATTERN_OK.
 *
 * The group JSON (get_group):
 *   {"id": "group_...", "owner_id": "user_...", "name", "description", "is_active": bool,
 *    "coordination_pattern": {...},   docs/api/groups.md's shape, every default filled in (see
 *                                     the groups plugin's CoordinationPattern.swift)
 *    "created_at", "updated_at", "last_active_at": "<RFC 3339>" | null,
 *    "members": [MEMBER, ...]}        in round-robin order (joined_at, then agent_id)
 * MEMBER:
 *   {"agent_id", "agent_name", "role": "regular" | "supervisor" | "observer" |
 *                                      {"specialist": {"domain": "..."}},
 *    "capabilities": ["..."], "metadata": {...}, "joined_at",
 *    "is_active": bool,               the membership is active
 *    "agent_is_active": bool,         the agent itself is not suspended (from agents.v1)
 *    "available": bool}               both of the above: the member may answer
 * A member whose agent has just been deleted (its clean-up still running) is left out.
 *
 * No slot of the vtable is NULL up to its struct_size (the provider fills every one); a slot
 * past struct_size is one the provider's version lacks: check PATTERN_HAS_FIELD first.
 */
#ifndef PATTERN_GROUPS_SERVICE_H
#define PATTERN_GROUPS_SERVICE_H

#include "pattern_plugin.h"

#define PATTERN_GROUPS_SERVICE_V1 "groups.v1"

/* Receives a JSON answer, borrowed for the duration of the callback; copy what you keep. */
typedef void (*pattern_groups_json_fn)(pattern_str json, void *userdata);

typedef struct pattern_groups_v1 {
    uint32_t struct_size;

    /* Group `group_id` of user `owner_id` (both required), with its members (the group JSON
     * above), into `receive` (may be NULL to test existence). Reads committed data. */
    pattern_status (*get_group)(pattern_str group_id, pattern_str owner_id, pattern_groups_json_fn receive,
                                void *userdata);

    /* Takes the next round-robin turn of a round_robin group, in ONE write transaction: reads
     * `current_index`, picks the member at that position (members in the group JSON's order,
     * the index taken modulo the member count), or with `skip_unavailable` the first
     * available member from that position on (wrapping), then stores
     * current_index = picked position + 1 (modulo the member count) in the group's
     * coordination_pattern. Concurrent calls are serialised by the database's single writer,
     * so no two calls get the same turn. `receive` (may be NULL) gets
     *   {"group_id", "index": <picked position>, "current_index": <stored next index>,
     *    "member": MEMBER}
     * With skip_unavailable false the member at the index is picked even when it is not
     * available ("available": false): the caller decides what to answer then. The group's
     * own is_active is not checked here (read it with get_group first).
     * Besides the common statuses:
     *   PATTERN_STATE     the group's pattern is not round_robin (nothing is written).
     *   PATTERN_CONFLICT  no member to pick: the group has no members, or skip_unavailable is
     *                     set and no member is available (nothing is written). */
    pattern_status (*advance_round_robin)(pattern_str group_id, pattern_str owner_id, pattern_groups_json_fn receive,
                                          void *userdata);

    /* Sets the group's last_active_at to now (a message was routed to it); `updated_at` is
     * not changed. PATTERN_OK or a common status. */
    pattern_status (*touch_group)(pattern_str group_id, pattern_str owner_id);

    /* One page of every user's active groups whose pattern is `sleeptime`, ordered by group
     * id: those with an id greater than `after_group_id` (empty: from the start), at most
     * `limit` (1 to 1000; PATTERN_INVALID otherwise). `receive` gets
     *   {"groups": [{"group_id", "owner_id", "check_interval": <ms>, "triggers": [{...}],
     *                "intervention_agent_id": "agent_..." | null,
     *                "last_active_at": "<RFC 3339>" | null}, ...],
     *    "next_after": "<the last group id of this page>" | null}
     * `next_after` is null when this page is the last one; pass it back as after_group_id for
     * the next page. `receive` must not be NULL (PATTERN_INVALID). */
    pattern_status (*list_sleeptime_groups)(pattern_str after_group_id, uint32_t limit, pattern_groups_json_fn receive,
                                            void *userdata);

    /* --- added after list_sleeptime_groups (check PATTERN_HAS_FIELD) --- */

    /* One page of owner_id's groups, exactly as GET /groups answers it ({items: [GroupResponse],
     * page, limit, total, total_pages}); `query_json` holds the query parameters as a JSON
     * object ({"page", "limit", "sort_by", "sort_desc", "is_active"}, each optional). The caller
     * has checked the user's read_groups permission. Unlike the functions above, a refusal
     * also calls `receive`, with the route's error as JSON: {"status": 400, "type":
     * "validation_error", "message", "fields": [{"field", "message"}]} beside PATTERN_INVALID
     * (PATTERN_BUSY / PATTERN_INTERNAL likewise with status 503 / 500). */
    pattern_status (*list_groups)(pattern_str owner_id, pattern_str query_json, pattern_groups_json_fn receive,
                                  void *userdata);
} pattern_groups_v1;

#endif /* PATTERN_GROUPS_SERVICE_H */
