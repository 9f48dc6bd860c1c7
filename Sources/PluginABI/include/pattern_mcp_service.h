/*
 * pattern_mcp_service.h: the "mcp.v1" named service.
 *
 * Provided by the mcp plugin so the chat plugin (or any other) can offer an agent the tools of
 * its owner's MCP servers and call them, without knowing how a server is reached (a stdio child
 * or a Streamable HTTP endpoint), its secrets, or the protocol. The chat plugin does not require
 * the mcp plugin: look the service up per use (it is there once the mcp plugin has loaded):
 *
 *     const pattern_mcp_v1 *mcp = NULL;
 *     if (host->services->lookup((pattern_str){PATTERN_MCP_SERVICE_V1, sizeof(PATTERN_MCP_SERVICE_V1) - 1},
 *                                (const void **)&mcp) == PATTERN_OK) { ... }
 *
 * Versioning follows pattern_plugin.h: the struct starts with struct_size and only grows at its
 * end; check PATTERN_HAS_FIELD before calling a function a later version added.
 *
 * Tool names are "mcp:<server name>/<tool name>": a server name (unique per user, 1 to 64 of
 * A-Z a-z 0-9 _ . -) of the owner's registered MCP servers, then the tool's name as the server
 * lists it. Payloads are JSON (UTF-8). Every function is thread-safe and never waits on an MCP
 * server (it may read the database).
 *
 * No slot of the vtable is NULL up to its struct_size (the provider fills every one); a slot
 * past struct_size is one the provider's version lacks: check PATTERN_HAS_FIELD first.
 */
#ifndef PATTERN_MCP_SERVICE_H
#define PATTERN_MCP_SERVICE_H

#include "pattern_plugin.h"

#define PATTERN_MCP_SERVICE_V1 "mcp.v1"

/* Receives a JSON answer, borrowed for the duration of the callback; copy what you keep. */
typedef void (*pattern_mcp_json_fn)(pattern_str json, void *userdata);

/* Where one tool call reports. The struct is read during call_tool only; userdata must stay
 * valid until on_complete has returned. on_complete runs exactly once: on the calling thread,
 * before call_tool returns, when the outcome is known at once (no such server or tool, not
 * connected, too many calls); otherwise on a worker thread, at the latest [mcp]
 * call_timeout_seconds (or the request's timeout_ms) plus about a second after call_tool.
 *
 *   PATTERN_OK:   the server's tools/call result, as MCP defines it:
 *                 {"content": [{"type": "text", "text": "..."} | {"type": "image", ...} ...],
 *                  "isError": true | false (may be absent: false), "structuredContent": {...}?}
 *                 A tool's own failure is such a result with "isError": true.
 *   otherwise:    {"type": "<an error type of docs/api>", "message": "..."} with, by status:
 *     PATTERN_NOT_FOUND  "not_found": the owner has no enabled server of that name, or it lists
 *                        no such tool
 *     PATTERN_BUSY       "service_unavailable": the server is not connected (or the connection
 *                        ended during the call), or the database is busy; "rate_limit": [mcp]
 *                        max_concurrent_calls calls to that server are in flight
 *     PATTERN_STATE      "gateway_timeout": no answer in time (the call was cancelled with the
 *                        server through notifications/cancelled)
 *     PATTERN_INTERNAL   "provider_error": the server answered a JSON-RPC error, a malformed
 *                        result, or more than [mcp] max_message_bytes
 *   The message never contains a secret (env or header values). */
typedef struct pattern_mcp_call_sink {
    uint32_t struct_size;
    void *userdata;
    void (*on_complete)(void *userdata, pattern_status status, pattern_str json);
} pattern_mcp_call_sink;

typedef struct pattern_mcp_v1 {
    uint32_t struct_size;
    /* The usable MCP tools among `tools`, for a model: request
     *   {"owner_id": "user_...", "tools": ["mcp:files/read", "send_message", ...]}
     * (names without the "mcp:" prefix are skipped). Calls `receive` once, before returning
     * PATTERN_OK, with
     *   [{"name": "mcp:files/read", "description": "...", "parameters": {JSON Schema object}}]
     * in the order asked, leaving out the tools of servers that are unknown, disabled or not
     * connected and the tools a server does not list now. PATTERN_INVALID: malformed JSON
     * (receive not called). Reads the database; does not call any server.
     * Both functions answer PATTERN_STATE (and call nothing) only if used before the mcp plugin
     * has provided the service, which cannot happen through services->lookup. */
    pattern_status (*list_tools)(pattern_str request_json, pattern_mcp_json_fn receive, void *userdata);
    /* Starts a tool call: request
     *   {"owner_id": "user_...", "tool": "mcp:files/read", "arguments": {...},
     *    "timeout_ms": 60000}        optional; absent or 0: [mcp] call_timeout_seconds
     * PATTERN_OK: the sink is called (see above). PATTERN_INVALID: malformed JSON, arguments
     * that are not an object, or a sink without on_complete (the sink is never called). Every
     * other failure comes through on_complete. The request is borrowed for the call. */
    pattern_status (*call_tool)(pattern_str request_json, const pattern_mcp_call_sink *sink);
} pattern_mcp_v1;

#endif /* PATTERN_MCP_SERVICE_H */
