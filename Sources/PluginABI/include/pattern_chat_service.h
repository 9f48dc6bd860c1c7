/*
 * pattern_chat_service.h: the "chat.v1" named service.
 *
 * Provided by the chat plugin so another plugin (the MCP plugin's /mcp tools) can send a
 * user's message to one of their agents or groups and get the turn's answer without
 * streaming, and read and search their history, running the same code as POST
 * /chat/messages, GET /messages and GET /messages/search. The chat plugin is optional:
 * look the service up per call (or in init without `requires`) and tell the user it needs
 * the chat plugin when it is missing:
 *
 *     const pattern_chat_v1 *chat = NULL;
 *     host->services->lookup((pattern_str){PATTERN_CHAT_SERVICE_V1,
 *                            sizeof(PATTERN_CHAT_SERVICE_V1) - 1}, (const void **)&chat);
 *
 * Versioning follows pattern_plugin.h: the struct starts with struct_size and only grows at
 * its end; check PATTERN_HAS_FIELD before calling a function a later version added.
 *
 * The caller has checked the user's permission (send_messages for send_message,
 * read_messages for the others) and passes the user as "owner_id"; another user's agent or
 * group is not found, exactly like a missing one. Payloads are UTF-8 JSON.
 *
 * Answers are the routes' (docs/api/chat.md): send_message's is POST /chat/messages' body
 * {"messages": [...], "usage": {...} | null}; history's and search's are the GET routes' pages. A refusal is the
 * error the route would answer, as JSON:
 *   {"status": <HTTP status>, "type": "validation_error" | "not_found" | "conflict" |
 *    "rate_limit" | "provider_error" | ..., "message": "...", "fields": [{"field", "message"}]}
 * beside PATTERN_INVALID (400), PATTERN_NOT_FOUND (404), PATTERN_CONFLICT (409),
 * PATTERN_BUSY (429, 503, 504) or PATTERN_INTERNAL (500, 502).
 *
 * No slot of the vtable is NULL up to its struct_size (the provider fills every one); a slot
 * past struct_size is one the provider's version lacks: check PATTERN_HAS_FIELD first.
 */
#ifndef PATTERN_CHAT_SERVICE_H
#define PATTERN_CHAT_SERVICE_H

#include "pattern_plugin.h"

#define PATTERN_CHAT_SERVICE_V1 "chat.v1"

/* Receives a JSON answer, borrowed for the duration of the callback; copy what you keep. */
typedef void (*pattern_chat_json_fn)(pattern_str json, void *userdata);

/* Receives send_message's outcome: PATTERN_OK with the answer, another status with the error
 * JSON. Borrowed for the duration of the callback. */
typedef void (*pattern_chat_reply_fn)(pattern_status status, pattern_str json, void *userdata);

typedef struct pattern_chat_v1 {
    uint32_t struct_size;

    /* Sends {"owner_id", "target", "content"} (target: an agent id, a group id or the name of
     * one of the owner's agents; content: a string or Pattern's tagged form) and runs the
     * turn as POST /chat/messages does, without streaming. `reply` is called exactly once,
     * whatever the status: for a refusal (unknown target, suspended agent, full queue ...)
     * before this returns, on the calling thread, and this returns the refusal's status;
     * otherwise later, on a worker thread, when the turn is over (possibly before this
     * returns), and this returns PATTERN_OK. Never waits on the model. Thread-safe. */
    pattern_status (*send_message)(pattern_str request_json, pattern_chat_reply_fn reply, void *userdata);

    /* GET /messages for `owner_id`: `query_json` holds its query parameters as a JSON object
     * ({"target", "limit", "offset", "page"}). `fn` is called once, before the return, with
     * the page or the error. Brief database work on the calling thread. */
    pattern_status (*history)(pattern_str owner_id, pattern_str query_json, pattern_chat_json_fn fn, void *userdata);

    /* GET /messages/search for `owner_id` ({"query", "agent_id", "role", "from_date",
     * "to_date", "page", "limit"}), answered like `history`. */
    pattern_status (*search)(pattern_str owner_id, pattern_str query_json, pattern_chat_json_fn fn, void *userdata);
} pattern_chat_v1;

#endif /* PATTERN_CHAT_SERVICE_H */
