/*
 * pattern_providers_service.h: the "providers.v1" named service.
 *
 * Provided by the providers plugin so the chat plugin (or any other) can say "complete this
 * conversation with this user's model provider, streaming deltas to me" without knowing the
 * provider's wire format, its key or its retries. Look it up in init after declaring
 * `requires = ["providers"]` (or look it up lazily, per call, when the dependency is optional):
 *
 *     const pattern_providers_v1 *providers = NULL;
 *     host->services->lookup((pattern_str){PATTERN_PROVIDERS_SERVICE_V1,
 *                            sizeof(PATTERN_PROVIDERS_SERVICE_V1) - 1}, (const void **)&providers);
 *
 * Versioning follows pattern_plugin.h: the struct starts with struct_size and only grows at its
 * end; check PATTERN_HAS_FIELD before calling a function a later version added.
 *
 * Payloads are JSON (UTF-8), so the conversation format can grow without new slots.
 *
 * Completion request (`complete`, borrowed for the duration of the call):
 *   {
 *     "owner_id": "user_...",            whose providers to use (required)
 *     "model_provider": "prov_..." | "openai" | "anthropic",
 *                                        a provider id of that owner, or a kind meaning the
 *                                        owner's default provider of that kind (required)
 *     "model": "...",                    the model name sent upstream (required)
 *     "messages": [                      in order; "system" messages are joined and sent the
 *                                        way the provider wants (Anthropic: top-level system)
 *       {"role": "system" | "user" | "assistant" | "tool",
 *        "content": "...",               text ("" allowed; never null)
 *        "tool_calls": [{"id", "name", "arguments": "<JSON text>"}],   assistant only, optional
 *        "tool_call_id": "..."}          tool only: the call this message answers
 *     ],
 *     "tools": [{"name", "description", "parameters": {JSON Schema object}}],   optional
 *     "tool_choice": "auto" | "none" | "required" | {"name": "..."},            optional
 *     "max_tokens": 1024,                optional (Anthropic requires one: default 1024)
 *     "temperature": 0.7,                optional
 *     "stream": true,                    deltas are reported through on_delta as they arrive
 *     "timeout_ms": 300000               the whole call, retries included ([chat]
 *                                        model_timeout_seconds); 0 or absent: 300000
 *   }
 *
 * Result (on_complete with PATTERN_OK):
 *   {"content": "...", "reasoning": "..." | null,
 *    "tool_calls": [{"id", "name", "arguments": "<JSON text>"}],   [] when none; arguments
 *                                                                   reassembled from fragments
 *    "finish_reason": "stop" | "tool_calls" | "length" | "...",    normalised: Anthropic's
 *                                                                   end_turn -> stop,
 *                                                                   tool_use -> tool_calls,
 *                                                                   max_tokens -> length
 *    "usage": {"input_tokens", "output_tokens"} | null,
 *    "model": "...", "provider_id": "prov_..."}
 *
 * Error (on_complete with any other status), the API's error types (docs/api/README.md):
 *   {"type": "provider_error" | "service_unavailable" | "provider_timeout" | "conflict",
 *    "message": "..."}
 *   provider_error      the provider refused the credentials or the request (4xx but 429)
 *   service_unavailable unreachable, refused by the outbound policy, or 429/529/5xx after retries
 *   provider_timeout    no whole answer within timeout_ms
 *   conflict            the owner has no usable (enabled) provider for model_provider
 *   The message never contains a key; it may quote the provider's own error message.
 *   The status beside the error JSON is a coarse hint; act on "type". The providers plugin
 *   passes PATTERN_INVALID with provider_error, PATTERN_BUSY with service_unavailable and
 *   provider_timeout, PATTERN_NOT_FOUND with conflict, PATTERN_STATE with a cancel's JSON.
 *
 * Retries (the providers plugin): 408, 429, 529 and 5xx answers, failed connections and a
 * stream that breaks before its first delta are tried again, at most 4 attempts in all, after
 * an exponential backoff with jitter (0.5 s, 1 s, 2 s …, each between half and all of it) or
 * exactly what the provider asked (`retry-after-ms`, `Retry-After` in seconds or an HTTP date),
 * never past timeout_ms; once a delta has gone to on_delta a failure is final. A stream that
 * ends without its end marker ([DONE], message_stop) is a failure.
 *
 * No slot of the vtable is NULL up to its struct_size (the provider fills every one); a slot
 * past struct_size is one the provider's version lacks: check PATTERN_HAS_FIELD first.
 */
#ifndef PATTERN_PROVIDERS_SERVICE_H
#define PATTERN_PROVIDERS_SERVICE_H

#include "pattern_plugin.h"

#define PATTERN_PROVIDERS_SERVICE_V1 "providers.v1"

/* Where one completion reports. The struct and userdata must stay valid until on_complete
 * has returned. Both functions run on a worker thread, one at a time and in order for one call
 * (never concurrently with each other), and never before `complete` has returned. */
typedef struct pattern_completion_sink {
    uint32_t struct_size;
    void *userdata;
    /* A streamed piece of the reply (only when the request asked for "stream": true):
     * kind "text" or "reasoning". The concatenated "text" pieces equal the result's content.
     * Borrowed for the call. May be NULL. */
    void (*on_delta)(void *userdata, pattern_str kind, pattern_str text);
    /* Exactly once: PATTERN_OK with the result JSON, or another status with the error JSON
     * (see above). Borrowed for the call. After it returns the sink is not touched again. */
    void (*on_complete)(void *userdata, pattern_status status, pattern_str json);
} pattern_completion_sink;

/* Receives a JSON answer, borrowed for the duration of the callback; copy what you keep. */
typedef void (*pattern_providers_json_fn)(pattern_str json, void *userdata);

typedef struct pattern_providers_v1 {
    uint32_t struct_size;
    /* Starts a completion (request JSON above). PATTERN_OK: the sink will be called, on_complete
     * exactly once, and *call_id (may be NULL) names the call for `cancel`. PATTERN_INVALID:
     * the request JSON is malformed (missing owner_id, model_provider, model or messages);
     * the sink is never called. Every other failure, including "no usable provider", is
     * reported through on_complete. Thread-safe; never blocks on the network (the provider is
     * looked up and its key opened on a worker, after this returns). PATTERN_BUSY (sink never
     * called) only while the host is stopping. */
    pattern_status (*complete)(pattern_str request_json, const pattern_completion_sink *sink, uint64_t *call_id);
    /* Ends a call early: on_complete follows (if it has not run yet) with PATTERN_STATE and
     * {"type": "service_unavailable", "message": "cancelled"}. PATTERN_NOT_FOUND when the call
     * has already completed. Thread-safe. */
    pattern_status (*cancel)(uint64_t call_id);
    /* What `complete` would use for {"owner_id", "model_provider", "model"}: calls `receive`
     * once, before returning PATTERN_OK, with {"provider_id", "provider": "openai"|"anthropic",
     * "model", "context_length": n | null} (context_length from the provider's model list when
     * it reported one). PATTERN_NOT_FOUND when the owner has no usable provider for it,
     * PATTERN_INVALID for malformed JSON. Reads the database; does not call the provider. */
    pattern_status (*resolve)(pattern_str request_json, pattern_providers_json_fn receive, void *userdata);
} pattern_providers_v1;

#endif /* PATTERN_PROVIDERS_SERVICE_H */
