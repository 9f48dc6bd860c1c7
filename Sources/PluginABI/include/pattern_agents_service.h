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
 *   topic "agent:<id>"      the WebSocket events (docs/api/websocket-events.md) of that agent:
 *                           agent_state_changed {agent_id, old_state, new_state, timestamp},
 *                           memory_updated {agent_id, memory_type, timestamp}.
 *
 * The chat slots (added after find_agent and count_agents; check PATTERN_HAS_FIELD) let the
 * chat plugin run an agent's turn: read the agent with its core memory, find it by name, move
 * its state, count its messages and run the memory tools. Their payloads are JSON (UTF-8):
 *
 *   Agent record (agent_record, find_agent_by_name):
 *     {"id", "owner_id", "name", "agent_type", "system_prompt": "..." | null,
 *      "model_provider": "..." | null, "model_id": "..." | null, "tools": ["..."],
 *      "state": "ready" | "suspended" | "processing" | {"cooldown": {...}} | {"error": {...}},
 *      "message_count": n, "last_active_at": "..." | null,
 *      "memory": [{"label": "<memory_key>", "content": "..."}]}   core blocks, by label
 *
 *   Memory tool request (memory_tool):
 *     {"agent_id", "owner_id", "tool": "block_edit" | "recall" | "search_archival",
 *      "arguments": {...}}  block_edit {label, operation: "append"|"replace", content, old_content?}
 *                           recall {op: "insert"|"search", content?, query?, limit?}
 *                           search_archival {query, limit?}
 *   Answer: {"result": "<text for the model>", "is_error": false | true}. A tool the model
 *   used wrongly (a missing block, a bad argument) is is_error true with a message the model
 *   can act on, never a failing status. A successful change publishes memory_updated.
 *
 * The API slots (added after memory_tool; check PATTERN_HAS_FIELD) run the REST routes' own
 * code for a user, e.g. for the MCP plugin's /mcp tools; the caller has checked the user's
 * permission (the route's: read_agents, write_agents, read_memory, update_memory). On
 * PATTERN_OK `fn` gets the route's answer (docs/api/agents.md). A refusal the route would answer
 * with a 4xx or 5xx is the status below with `fn` called once with the error as JSON:
 *   {"status": <the route's HTTP status>, "type": "validation_error" | "not_found" | ...,
 *    "message": "...", "fields": [{"field", "message"}]}   fields only for validation
 *   PATTERN_INVALID (400), PATTERN_NOT_FOUND (404; another user's agent too),
 *   PATTERN_CONFLICT (409), PATTERN_BUSY (503, database busy), PATTERN_INTERNAL (500).
 *
 * No slot of the vtable is NULL up to its struct_size (the provider fills every one); a slot
 * past struct_size is one the provider's version lacks: check PATTERN_HAS_FIELD first.
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

/* Receives a JSON answer, borrowed for the duration of the callback; copy what you keep. */
typedef void (*pattern_agents_json_fn)(pattern_str json, void *userdata);

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

    /* --- chat slots (see the top of this file for the JSON). Each is thread-safe, runs on
     * the caller's thread, reads or writes the database briefly and never waits on the
     * network; each callback is called at most once, before the function returns, with a
     * JSON text borrowed for the call. PATTERN_BUSY or PATTERN_INTERNAL when the database
     * failed. --- */

    /* Agent `agent_id` with its core memory blocks (the agent record). When `owner_id` is not
     * empty the agent must be that user's (another user's is PATTERN_NOT_FOUND). */
    pattern_status (*agent_record)(pattern_str agent_id, pattern_str owner_id, pattern_agents_json_fn fn,
                                   void *userdata);
    /* The agent record of `owner_id`'s agent called `name` (names are unique per owner);
     * PATTERN_NOT_FOUND when there is none. */
    pattern_status (*find_agent_by_name)(pattern_str owner_id, pattern_str name, pattern_agents_json_fn fn,
                                         void *userdata);
    /* Sets the agent's state to `state_json` ("ready", "processing" or {"error": {"kind",
     * "message"}}) and, when it changed, publishes agent_state_changed on "agent:<id>" after
     * committing. PATTERN_STATE, changing nothing, when the agent is suspended: a suspension
     * always wins over the chat's own states. PATTERN_INVALID for a state it cannot parse,
     * PATTERN_NOT_FOUND for a missing agent. */
    pattern_status (*set_state)(pattern_str agent_id, pattern_str state_json);
    /* Records `messages` new messages of the agent: message_count += messages, and
     * last_active_at = now. PATTERN_NOT_FOUND for a missing agent. */
    pattern_status (*record_activity)(pattern_str agent_id, int64_t messages);
    /* Runs a built-in memory tool (request and answer above); `fn` gets the answer.
     * PATTERN_INVALID for a request that is not the JSON above (not the model's mistakes:
     * those are answers with is_error true), PATTERN_NOT_FOUND when the agent is not
     * owner_id's. */
    pattern_status (*memory_tool)(pattern_str request_json, pattern_agents_json_fn fn, void *userdata);

    /* --- API slots (see the top of this file). Thread-safe, brief database work on the
     * caller's thread; `fn` is called once, before the return, on every status listed there. --- */

    /* One page of owner_id's agents (GET /agents): `query_json` holds the query parameters as
     * a JSON object ({"page", "limit", "sort_by", "sort_desc", "is_active"}, each optional). */
    pattern_status (*list_agents)(pattern_str owner_id, pattern_str query_json, pattern_agents_json_fn fn,
                                  void *userdata);
    /* Creates an agent of owner_id from a POST /agents body; answers the AgentResponse. */
    pattern_status (*create_agent)(pattern_str owner_id, pattern_str body_json, pattern_agents_json_fn fn,
                                   void *userdata);
    /* The core memory blocks of owner_id's agent (GET /agents/{id}/memory): a JSON array. */
    pattern_status (*memory_blocks)(pattern_str agent_id, pattern_str owner_id, pattern_agents_json_fn fn,
                                    void *userdata);
    /* Applies a POST /agents/{id}/memory body ({memory_key, operation}) to owner_id's agent and
     * publishes memory_updated; answers the updated block. */
    pattern_status (*update_memory)(pattern_str agent_id, pattern_str owner_id, pattern_str body_json,
                                    pattern_agents_json_fn fn, void *userdata);
} pattern_agents_v1;

#endif /* PATTERN_AGENTS_SERVICE_H */
