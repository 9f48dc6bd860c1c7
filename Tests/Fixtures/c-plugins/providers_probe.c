/* Providers fixture: drives the "providers.v1" service the way the chat plugin will, so its
 * behaviour can be tested before chat exists.
 *   POST /api/v1/test/complete[?sse=1][&cancel_after_ms=N]
 *       passes the body to `complete`. Without sse: 200 {"status", "result", "deltas", "text",
 *       "violations", "call_id"} once on_complete has run ("text": the concatenated "text"
 *       deltas). With sse=1: each delta as an event named by its kind, then an event
 *       "complete" with the same JSON. cancel_after_ms cancels the call on a host timer.
 *       `complete` refusing the request: 200 {"status": N, "result": null, "refused": true}.
 *       "violations" counts callbacks that came before `complete` returned, or while another
 *       callback of the same call was running.
 *   POST /api/v1/test/cancel?id=N   {"status": <what cancel returned>}
 *   POST /api/v1/test/resolve       {"status", "result": <what resolve passed, or null>}
 */
#include <pattern_plugin.h>
#include <pattern_providers_service.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;
static const pattern_responses_api *responses;
static const pattern_timer_api *timers;
static const pattern_providers_v1 *providers;

/* One call. Freed when its last holder (on_complete, the cancel timer) lets go. */
typedef struct call {
    pattern_completion_sink sink;
    pattern_response response;
    uint64_t call_id;
    int sse;
    atomic_int references;
    atomic_int returned;
    atomic_int in_callback;
    atomic_int violations;
    size_t deltas;
    char *text;
    size_t text_len;
} call;

static void release(call *c) {
    if (atomic_fetch_sub(&c->references, 1) == 1) {
        free(c->text);
        free(c);
    }
}

static void enter(call *c) {
    if (!atomic_load(&c->returned)) atomic_fetch_add(&c->violations, 1);
    if (atomic_exchange(&c->in_callback, 1)) atomic_fetch_add(&c->violations, 1);
}

static void leave(call *c) { atomic_store(&c->in_callback, 0); }

static void on_delta(void *userdata, pattern_str kind, pattern_str text) {
    call *c = userdata;
    enter(c);
    c->deltas++;
    if (kind.len == 4 && memcmp(kind.ptr, "text", 4) == 0) {
        char *grown = realloc(c->text, c->text_len + text.len + 1);
        if (grown) {
            memcpy(grown + c->text_len, text.ptr, text.len);
            c->text = grown;
            c->text_len += text.len;
        }
    }
    if (c->sse) responses->send_event(c->response, kind, text, STR(""));
    leave(c);
}

/* Appends `text` to `out` as a JSON string body (without quotes). */
static size_t escape(char *out, const char *text, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '"' || ch == '\\') { out[n++] = '\\'; out[n++] = (char)ch; }
        else if (ch < 0x20) n += (size_t)sprintf(out + n, "\\u%04x", ch);
        else out[n++] = (char)ch;
    }
    return n;
}

static void on_complete(void *userdata, pattern_status status, pattern_str json) {
    call *c = userdata;
    enter(c);
    size_t capacity = json.len + c->text_len * 6 + 256;
    char *body = malloc(capacity);
    if (body) {
        size_t n = (size_t)snprintf(body, capacity, "{\"status\":%d,\"result\":", status);
        memcpy(body + n, json.ptr, json.len);
        n += json.len;
        n += (size_t)snprintf(body + n, capacity - n, ",\"deltas\":%zu,\"violations\":%d,\"call_id\":%llu,\"text\":\"",
                              c->deltas, atomic_load(&c->violations), (unsigned long long)c->call_id);
        n += escape(body + n, c->text ? c->text : "", c->text_len);
        n += (size_t)snprintf(body + n, capacity - n, "\"}");
        if (c->sse) {
            responses->send_event(c->response, STR("complete"), (pattern_str){body, n}, STR(""));
        } else {
            responses->set_status(c->response, 200);
            responses->add_header(c->response, STR("Content-Type"), STR("application/json"));
            responses->write(c->response, (pattern_str){body, n});
        }
        free(body);
    }
    responses->finish(c->response);
    leave(c);
    release(c);
}

static void cancel_later(pattern_timer timer, void *userdata) {
    (void)timer;
    call *c = userdata;
    providers->cancel(c->call_id);
    release(c);
}

static long query_long(pattern_request *request, const char *name, long fallback) {
    pattern_str value = {0};
    char digits[24] = {0};
    if (http->query_param(request, (pattern_str){name, strlen(name)}, &value) != PATTERN_OK || value.len == 0 ||
        value.len >= sizeof digits)
        return fallback;
    memcpy(digits, value.ptr, value.len);
    return strtol(digits, NULL, 10);
}

static pattern_status complete(pattern_request *request, void *userdata) {
    (void)userdata;
    call *c = calloc(1, sizeof *c);
    if (!c) return PATTERN_INTERNAL;
    c->sink = (pattern_completion_sink){.struct_size = sizeof(pattern_completion_sink), .userdata = c,
                                        .on_delta = on_delta, .on_complete = on_complete};
    c->sse = query_long(request, "sse", 0) == 1;
    long cancel_after = query_long(request, "cancel_after_ms", -1);
    atomic_init(&c->references, cancel_after >= 0 ? 2 : 1);
    pattern_status status = http->defer(request, &c->response);
    if (status != PATTERN_OK) {
        free(c);
        return status;
    }
    if (c->sse) responses->begin_events(c->response, 0);
    status = providers->complete(http->body(request), &c->sink, &c->call_id);
    atomic_store(&c->returned, 1);
    if (status != PATTERN_OK) {
        char body[96];
        int n = snprintf(body, sizeof body, "{\"status\":%d,\"result\":null,\"refused\":true}", status);
        if (c->sse) {
            responses->send_event(c->response, STR("complete"), (pattern_str){body, (size_t)n}, STR(""));
        } else {
            responses->set_status(c->response, 200);
            responses->write(c->response, (pattern_str){body, (size_t)n});
        }
        responses->finish(c->response);
        free(c);
        return PATTERN_OK;
    }
    if (cancel_after >= 0) {
        pattern_timer timer = 0;
        if (timers->start((uint64_t)cancel_after, 0, cancel_later, c, &timer) != PATTERN_OK) release(c);
    }
    return PATTERN_OK;
}

static pattern_status cancel(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_status status = providers->cancel((uint64_t)query_long(request, "id", 0));
    char body[32];
    int n = snprintf(body, sizeof body, "{\"status\":%d}", status);
    http->set_status(request, 200);
    return http->write_body(request, (pattern_str){body, (size_t)n});
}

typedef struct answer {
    char *json;
    size_t len;
} answer;

static void receive(pattern_str json, void *userdata) {
    answer *a = userdata;
    a->json = malloc(json.len);
    if (a->json) {
        memcpy(a->json, json.ptr, json.len);
        a->len = json.len;
    }
}

static pattern_status resolve(pattern_request *request, void *userdata) {
    (void)userdata;
    answer a = {0};
    pattern_status status = providers->resolve(http->body(request), receive, &a);
    char *body = malloc(a.len + 64);
    if (!body) return PATTERN_INTERNAL;
    int n = sprintf(body, "{\"status\":%d,\"result\":", status);
    if (a.json) memcpy(body + n, a.json, a.len);
    else memcpy(body + n, "null", 4);
    size_t length = (size_t)n + (a.json ? a.len : 4);
    body[length++] = '}';
    http->set_status(request, 200);
    pattern_status written = http->write_body(request, (pattern_str){body, length});
    free(body);
    free(a.json);
    return written;
}

static pattern_status add(pattern_plugin *self, const char *path, pattern_handler_fn handler) {
    const pattern_route route = {
        .struct_size = sizeof(pattern_route), .method = LIT("POST"), .path = {path, strlen(path)},
        .handler = handler, .flags = PATTERN_PUBLIC,
    };
    return http->add_route(self, &route);
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, timers)) return PATTERN_VERSION;
    http = host->http;
    responses = host->responses;
    timers = host->timers;
    if (host->services->lookup(STR(PATTERN_PROVIDERS_SERVICE_V1), (const void **)&providers) != PATTERN_OK) {
        snprintf(error->message, sizeof error->message, "no providers.v1 service");
        return PATTERN_NOT_FOUND;
    }
    pattern_status status = add(self, "/api/v1/test/complete", complete);
    status = status ? status : add(self, "/api/v1/test/cancel", cancel);
    return status ? status : add(self, "/api/v1/test/resolve", resolve);
}

static const pattern_str requirements[] = {LIT("providers")};

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("providers-probe"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: calls the providers.v1 service"),
    .requires = requirements,
    .requires_count = 1,
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
