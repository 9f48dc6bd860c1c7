/* ABI 1.4 fixture for the outbound client: GET /probe?url=... makes one outbound call and
 * answers with what the client delivered, as JSON:
 *   {"start": <status of client->start>, "status": <head status or 0>, "headers": [[name, value]...],
 *    "body_len": N, "body_fnv": "<FNV-1a 64 of the body, hex>", "body": "<first body_limit bytes>",
 *    "events": [{"event", "data", "id"}...], "outcome": <PATTERN_CLIENT_*>, "message": "...",
 *    "data_while_paused": N, "cancel": <status of cancel or -1>, "order_ok": 0|1}
 * Query parameters: url, method, body, header1 and header2 ("Name: value"; a header line no
 * query value can hold, with control characters, comes as the request's body), redirects=1,
 * events=1, connect_ms, first_byte_ms, idle_ms, total_ms, max_bytes, max_event_bytes (1.6), body_limit (65536),
 * cancel_ms (cancel after that long), pause_ms (pause at the head for that long).
 * The handler waits on a condition variable for on_complete: fine for a test fixture, never
 * for a plugin (relay-c shows the deferred way). */
#include <pattern_plugin.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;
static const pattern_client_api *client;

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

static void append(buffer *b, const char *bytes, size_t len) {
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) abort();
        b->data = grown;
        b->cap = cap;
    }
    if (len) memcpy(b->data + b->len, bytes, len);
    b->len += len;
    b->data[b->len] = 0;
}

static void append_text(buffer *b, const char *text) { append(b, text, strlen(text)); }

static void append_json_string(buffer *b, const char *bytes, size_t len) {
    append(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)bytes[i];
        char escaped[8];
        if (c == '"' || c == '\\') {
            escaped[0] = '\\';
            escaped[1] = (char)c;
            append(b, escaped, 2);
        } else if (c < 0x20 || c >= 0x7f) {
            snprintf(escaped, sizeof escaped, "\\u%04x", c);
            append(b, escaped, 6);
        } else {
            append(b, (const char *)&c, 1);
        }
    }
    append(b, "\"", 1);
}

typedef struct probe {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int has_head, done, paused;
    int status, outcome;
    int head_calls, data_calls, complete_calls, order_ok;
    unsigned long data_while_paused;
    unsigned long long body_len, fnv;
    size_t body_limit;
    buffer headers, body, events, message;
} probe;

static void on_head(pattern_client_call call, int32_t status, const pattern_header *headers, size_t count,
                    void *userdata) {
    (void)call;
    probe *p = userdata;
    pthread_mutex_lock(&p->lock);
    p->head_calls++;
    if (p->data_calls || p->complete_calls) p->order_ok = 0;
    p->status = status;
    for (size_t i = 0; i < count; i++) {
        append_text(&p->headers, p->headers.len ? ",[" : "[");
        append_json_string(&p->headers, headers[i].name.ptr, headers[i].name.len);
        append_text(&p->headers, ",");
        append_json_string(&p->headers, headers[i].value.ptr, headers[i].value.len);
        append_text(&p->headers, "]");
    }
    p->has_head = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static void on_data(pattern_client_call call, pattern_str bytes, void *userdata) {
    (void)call;
    probe *p = userdata;
    pthread_mutex_lock(&p->lock);
    p->data_calls++;
    if (p->complete_calls) p->order_ok = 0;
    if (p->paused) p->data_while_paused++;
    for (size_t i = 0; i < bytes.len; i++) {
        p->fnv ^= (unsigned char)bytes.ptr[i];
        p->fnv *= 0x100000001b3ULL;
    }
    p->body_len += bytes.len;
    if (p->body.len < p->body_limit) {
        size_t room = p->body_limit - p->body.len;
        append(&p->body, bytes.ptr, bytes.len < room ? bytes.len : room);
    }
    pthread_mutex_unlock(&p->lock);
}

static void on_event(pattern_client_call call, pattern_str event, pattern_str data, pattern_str id, void *userdata) {
    (void)call;
    probe *p = userdata;
    pthread_mutex_lock(&p->lock);
    p->data_calls++;
    if (p->paused) p->data_while_paused++;
    append_text(&p->events, p->events.len ? ",{\"event\":" : "{\"event\":");
    append_json_string(&p->events, event.ptr, event.len);
    append_text(&p->events, ",\"data\":");
    append_json_string(&p->events, data.ptr, data.len);
    append_text(&p->events, ",\"id\":");
    append_json_string(&p->events, id.ptr, id.len);
    append_text(&p->events, "}");
    pthread_mutex_unlock(&p->lock);
}

static void on_complete(pattern_client_call call, int32_t outcome, pattern_str message, void *userdata) {
    (void)call;
    probe *p = userdata;
    pthread_mutex_lock(&p->lock);
    p->complete_calls++;
    p->outcome = outcome;
    append(&p->message, message.ptr, message.len);
    p->done = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static long query_number(pattern_request *request, pattern_str name, long fallback) {
    pattern_str value;
    if (http->query_param(request, name, &value) != PATTERN_OK || value.len == 0 || value.len > 20) return fallback;
    char text[24];
    memcpy(text, value.ptr, value.len);
    text[value.len] = 0;
    return strtol(text, NULL, 10);
}

/* "Name: value" into a header; 0 when it has no colon. */
static int add_header_line(pattern_str value, pattern_header *out) {
    const char *colon = memchr(value.ptr, ':', value.len);
    if (!colon) return 0;
    out->name = (pattern_str){value.ptr, (size_t)(colon - value.ptr)};
    const char *start = colon + 1;
    while (start < value.ptr + value.len && *start == ' ') start++;
    out->value = (pattern_str){start, (size_t)(value.ptr + value.len - start)};
    return 1;
}

static int add_header_param(pattern_request *request, pattern_str name, pattern_header *out) {
    pattern_str value;
    return http->query_param(request, name, &value) == PATTERN_OK && add_header_line(value, out);
}

static void deadline_after(struct timespec *at, long ms) {
    clock_gettime(CLOCK_REALTIME, at);
    at->tv_sec += ms / 1000;
    at->tv_nsec += (ms % 1000) * 1000000L;
    if (at->tv_nsec >= 1000000000L) {
        at->tv_sec++;
        at->tv_nsec -= 1000000000L;
    }
}

static pattern_status probe_handler(pattern_request *request, void *userdata) {
    (void)userdata;
    probe *p = calloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    p->fnv = 0xcbf29ce484222325ULL;
    p->order_ok = 1;
    p->body_limit = (size_t)query_number(request, STR("body_limit"), 65536);

    pattern_client_request call_request = {.struct_size = sizeof call_request, .method = STR("GET")};
    http->query_param(request, STR("url"), &call_request.url);
    http->query_param(request, STR("method"), &call_request.method);
    http->query_param(request, STR("body"), &call_request.body);
    pattern_header headers[3];
    size_t header_count = 0;
    pattern_str body_line = http->body(request);
    if (body_line.len > 0) header_count += add_header_line(body_line, &headers[header_count]);
    header_count += add_header_param(request, STR("header1"), &headers[header_count]);
    header_count += add_header_param(request, STR("header2"), &headers[header_count]);
    call_request.headers = headers;
    call_request.header_count = header_count;
    call_request.connect_timeout_ms = (uint32_t)query_number(request, STR("connect_ms"), 0);
    call_request.first_byte_timeout_ms = (uint32_t)query_number(request, STR("first_byte_ms"), 0);
    call_request.idle_timeout_ms = (uint32_t)query_number(request, STR("idle_ms"), 0);
    call_request.total_timeout_ms = (uint32_t)query_number(request, STR("total_ms"), 0);
    call_request.max_response_bytes = (uint64_t)query_number(request, STR("max_bytes"), 0);
    call_request.max_event_bytes = (uint64_t)query_number(request, STR("max_event_bytes"), 0);
    if (query_number(request, STR("redirects"), 0)) call_request.flags |= PATTERN_CLIENT_FOLLOW_REDIRECTS;
    if (query_number(request, STR("events"), 0)) call_request.flags |= PATTERN_CLIENT_EVENTS;
    call_request.on_head = on_head;
    call_request.on_data = on_data;
    call_request.on_event = on_event;
    call_request.on_complete = on_complete;
    call_request.userdata = p;

    long cancel_ms = query_number(request, STR("cancel_ms"), -1);
    long pause_ms = query_number(request, STR("pause_ms"), 0);
    int cancel_status = -1;
    pattern_client_call call = 0;
    pattern_status started = client->start(&call_request, &call);
    pthread_mutex_lock(&p->lock);
    if (started == PATTERN_OK) {
        if (pause_ms > 0) {
            while (!p->has_head && !p->done) pthread_cond_wait(&p->changed, &p->lock);
            if (!p->done) {
                /* Paused here, on the handler's thread: data that was already on its way may
                 * still be delivered before the pause lands, so count only after a settle. */
                pthread_mutex_unlock(&p->lock);
                client->pause(call, 1);
                struct timespec settle = {0, 50 * 1000000L};
                nanosleep(&settle, NULL);
                pthread_mutex_lock(&p->lock);
                p->paused = 1;
                struct timespec until;
                deadline_after(&until, pause_ms);
                while (!p->done && pthread_cond_timedwait(&p->changed, &p->lock, &until) == 0) {
                }
                p->paused = 0;
                pthread_mutex_unlock(&p->lock);
                client->pause(call, 0);
                pthread_mutex_lock(&p->lock);
            }
        }
        if (cancel_ms >= 0) {
            struct timespec until;
            deadline_after(&until, cancel_ms);
            while (!p->done && pthread_cond_timedwait(&p->changed, &p->lock, &until) == 0) {
            }
            pthread_mutex_unlock(&p->lock);
            cancel_status = client->cancel(call);
            pthread_mutex_lock(&p->lock);
        }
        while (!p->done) pthread_cond_wait(&p->changed, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    /* After on_complete the call is gone: cancel must say so. */
    int stale = started == PATTERN_OK ? client->cancel(call) : -1;

    buffer out = {0};
    char line[512];
    snprintf(line, sizeof line,
             "{\"start\":%d,\"status\":%d,\"outcome\":%d,\"body_len\":%llu,\"body_fnv\":\"%016llx\","
             "\"data_while_paused\":%lu,\"cancel\":%d,\"cancel_after_complete\":%d,\"order_ok\":%d,"
             "\"head_calls\":%d,\"complete_calls\":%d,\"headers\":[",
             started, p->status, p->outcome, p->body_len, p->fnv, p->data_while_paused, cancel_status, stale,
             p->order_ok && p->complete_calls == 1, p->head_calls, p->complete_calls);
    append_text(&out, line);
    if (p->headers.len) append(&out, p->headers.data, p->headers.len);
    append_text(&out, "],\"events\":[");
    if (p->events.len) append(&out, p->events.data, p->events.len);
    append_text(&out, "],\"message\":");
    append_json_string(&out, p->message.data ? p->message.data : "", p->message.len);
    append_text(&out, ",\"body\":");
    append_json_string(&out, p->body.data ? p->body.data : "", p->body.len);
    append_text(&out, "}");
    http->set_status(request, 200);
    http->add_header(request, STR("Content-Type"), STR("application/json"));
    http->write_body(request, (pattern_str){out.data, out.len});
    free(out.data);
    free(p->headers.data);
    free(p->body.data);
    free(p->events.data);
    free(p->message.data);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
    return PATTERN_OK;
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    http = host->http;
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, client)) {
        snprintf(error->message, sizeof error->message, "the host has no outbound client (ABI < 1.4)");
        return PATTERN_VERSION;
    }
    client = host->client;
    const pattern_route route = {
        .struct_size = sizeof(pattern_route), .method = LIT("GET"), .path = LIT("/probe"),
        .handler = probe_handler, .flags = PATTERN_PUBLIC,
    };
    return http->add_route(self, &route);
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("client-probe"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: one outbound call per request, answered as JSON"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
