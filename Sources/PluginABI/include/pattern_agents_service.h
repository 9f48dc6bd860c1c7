/*
 * pattern_agents_service.h: the "agents.v1" named service, and the agents plugin's events.
 *
 * Provided by the agents plugin so other plugins (groups, chat, MCP ...) can ask about
 * agents without reading the agents plugin's tables. Look it up in init, after declaring
 * `requires = ["agents"]` so the provider has already run:
 *
 *     const pattern_agents_v1 *agents = NULL;
 *     host->services->lookup((pattern_str){PATTERN_AGENTS_SERVICE_V1,
 *                            sizeof(PATTERN_AGENTS_SERVICE_V1) - 1}, (const void **)&agents);
 *     if (agents == NULL || !PATTERN_HAS_FIELD(agents, pattern_agents_v1, find_agent)) refuse;
 *
 * Versioning follows pattern_plugin.h: the struct starts with struct_size and only grows at
 * its end; check PATTERN_HAS_FIELD before calling a function a later version added.
 *
 * Events (on the host bus, JSON payloads):
 *   topic "agent.deleted"   {"type":"agent_deleted","agent_id","owner_id","timestamp"}
 *                           published after the deleting transaction has committed, so a
 *                           subscriber may run its own transaction (e.g. drop memberships).
 *   topic "agent:<id>"      API.md's WebSocket events for that agent:
 *                           agent_state_changed {agent_id, old_state, new_state, timestamp},
 *                           memory_updated {agent_id, memory_type, timestamp}.
 */
#ifndef PATTERN_AGENTS_SERVICE_H
#define PATTERN_AGENTS_SERVICE_H

#include "pattern_plugin.h"

#define PATTERN_AGENTS_SERVICE_V1 "agents.v1"
#define PATTERN_AGENT_DELETED_TOPIC "agent.deleted"

/* The facts about one agent, borrowed for the duration of the callback it is passed to. */
typedef struct pattern_agent_info {
    uint32_t struct_size;
    pattern_str id;          /* "agent_01j..." */
    pattern_str owner_id;    /* the owning user's id */
    pattern_str name;        /* unique per owner, 1-128 characters */
    pattern_str agent_type;  /* "generic", "pattern", ... or a custom string */
    int32_t is_active;       /* 0 when the agent is suspended */
} pattern_agent_info;

/* Receives one agent's facts; copy what you keep. */
typedef void (*pattern_agent_info_fn)(const pattern_agent_info *info, void *userdata);

typedef struct pattern_agents_v1 {
    uint32_t struct_size;
    /* Finds agent `agent_id`. When `owner_id` is not empty the agent must also belong to that
     * user: another user's agent is PATTERN_NOT_FOUND, exactly like a missing one. On
     * PATTERN_OK, `fn` (which may be NULL) was called once, before the return, with the
     * agent's facts. PATTERN_BUSY or PATTERN_INTERNAL when the database failed.
     * Thread-safe; reads committed data only (it uses its own read connection), so it may be
     * called from inside the caller's own transaction. */
    pattern_status (*find_agent)(pattern_str agent_id, pattern_str owner_id, pattern_agent_info_fn fn,
                                 void *userdata);
    /* The number of agents `owner_id` has (every user's when empty), into *count. */
    pattern_status (*count_agents)(pattern_str owner_id, int64_t *count);
} pattern_agents_v1;

#endif /* PATTERN_AGENTS_SERVICE_H */
