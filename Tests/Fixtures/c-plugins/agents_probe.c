/* Agents fixture: calls the chat slots of the "agents.v1" service from plain C, against the
 * header alone, so each slot's statuses and JSON can be tested directly.
 *   POST /api/v1/test/agents/{slot}   body: {"a": "...", "b": "...", "n": N} as the slot takes
 *       them (agent_record: a = agent id, b = owner id; find_agent_by_name: a = owner id,
 *       b = name; set_state: a = agent id, b = state JSON text; record_activity: a = agent id,
 *       n = messages; memory_tool: a = request JSON text)
 *   answers 200 {"status": N, "json": <what the callback got, or null>}.
 * The body is read with a deliberately small parser: flat, string values without escapes
 * except \" and \\, which the tests respect. */
#include <pattern_plugin.h>
#include <pattern_agents_service.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;
static const pattern_agents_v1 *agents;

/* The string member `key` of a flat JSON object, unescaped into `out` (NUL-terminated). */
static size_t member(pattern_str body, const char *key, char *out, size_t capacity) {
    char needle[16];
    snprintf(needle, sizeof needle, "\"%s\":", key);
    const char *start = NULL;
    for (size_t i = 0; i + strlen(needle) <= body.len; i++)
        if (memcmp(body.ptr + i, needle, strlen(needle)) == 0) { start = body.ptr + i + strlen(needle); break; }
    size_t n = 0;
    if (!start) { out[0] = 0; return 0; }
    while (start < body.ptr + body.len && *start == ' ') start++;
    if (*start != '"') { /* a number */
        while (start < body.ptr + body.len && n + 1 < capacity && (*start == '-' || (*start >= '0' && *start <= '9')))
            out[n++] = *start++;
        out[n] = 0;
        return n;
    }
    for (const char *p = start + 1; p < body.ptr + body.len && *p != '"' && n + 1 < capacity; p++) {
        if (*p == '\\' && p + 1 < body.ptr + body.len) p++;
        out[n++] = *p;
    }
    out[n] = 0;
    return n;
}

typedef struct answer {
    char *json;
    size_t len;
} answer;

static void receive(pattern_str json, void *userdata) {
    answer *a = userdata;
    a->json = malloc(json.len ? json.len : 1);
    if (a->json) {
        memcpy(a->json, json.ptr, json.len);
        a->len = json.len;
    }
}

static pattern_status respond(pattern_request *request, pattern_status status, answer *a) {
    char *body = malloc(a->len + 64);
    if (!body) return PATTERN_INTERNAL;
    int n = sprintf(body, "{\"status\":%d,\"json\":", status);
    size_t length = (size_t)n;
    if (a->json) { memcpy(body + length, a->json, a->len); length += a->len; }
    else { memcpy(body + length, "null", 4); length += 4; }
    body[length++] = '}';
    http->set_status(request, 200);
    http->add_header(request, STR("Content-Type"), STR("application/json"));
    pattern_status written = http->write_body(request, (pattern_str){body, length});
    free(body);
    free(a->json);
    return written;
}

static pattern_status call(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str slot = {0};
    http->path_param(request, STR("slot"), &slot);
    pattern_str body = http->body(request);
    static _Thread_local char a[8192], b[8192], n[32];
    size_t a_len = member(body, "a", a, sizeof a), b_len = member(body, "b", b, sizeof b);
    member(body, "n", n, sizeof n);
    pattern_str first = {a, a_len}, second = {b, b_len};
    answer got = {0};
    pattern_status status;
#define IS(name) (slot.len == sizeof(name) - 1 && memcmp(slot.ptr, name, slot.len) == 0)
    if (IS("agent_record")) status = agents->agent_record(first, second, receive, &got);
    else if (IS("find_agent_by_name")) status = agents->find_agent_by_name(first, second, receive, &got);
    else if (IS("set_state")) status = agents->set_state(first, second);
    else if (IS("record_activity")) status = agents->record_activity(first, strtoll(n, NULL, 10));
    else if (IS("memory_tool")) status = agents->memory_tool(first, receive, &got);
    else return http->respond_error(request, 404, STR("not_found"), STR("no such slot"), STR(""));
    return respond(request, status, &got);
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    http = host->http;
    if (host->services->lookup(STR(PATTERN_AGENTS_SERVICE_V1), (const void **)&agents) != PATTERN_OK ||
        !PATTERN_HAS_FIELD(agents, pattern_agents_v1, memory_tool)) {
        snprintf(error->message, sizeof error->message, "no agents.v1 service with the chat slots");
        return PATTERN_NOT_FOUND;
    }
    const pattern_route route = {
        .struct_size = sizeof(pattern_route), .method = LIT("POST"), .path = LIT("/api/v1/test/agents/{slot}"),
        .handler = call, .flags = PATTERN_PUBLIC,
    };
    return http->add_route(self, &route);
}

static const pattern_str requires[] = {LIT("agents")};

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor), .abi_major = PATTERN_ABI_MAJOR, .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("agents_probe"), .version = LIT("1.0.0"), .description = LIT("calls the chat slots of agents.v1"),
    .requires = requires, .requires_count = 1, .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
