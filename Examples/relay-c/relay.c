/* relay-c: a Pattern Server plugin in plain C that relays an upstream HTTP(S) resource.
 *
 *   [relay]
 *   upstream = "https://models.example.com/v1/status"
 *
 * GET /api/v1/relay fetches `upstream` with the host's outbound client and streams it back.
 * The handler defers its response and returns at once: no thread waits for the upstream.
 *   on_head     -> responses->set_status + begin_stream (the upstream's status and type)
 *   on_data     -> responses->write; PATTERN_BUSY (the client reads slowly): keep the piece,
 *                  pause the upstream call, write it again in on_drain and resume
 *   on_complete -> responses->finish, or a 502 when no head came
 *   on_cancel   -> the client left: cancel the upstream call
 * On a 1.5 host the route is INLINE and the call PATTERN_CLIENT_ON_LOOP: the whole exchange
 * stays on one event loop, with no thread hop (the callbacks only hand bytes on, never block).
 * Build: cc -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I <include> relay.c */
#include <pattern_plugin.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;
static const pattern_responses_api *responses;
static const pattern_client_api *client;
static const pattern_log_api *logs;
static pattern_plugin *plugin;
static char upstream[2048];
/* PATTERN_CLIENT_ON_LOOP on hosts that know it (1.5), with the route INLINE. */
static uint32_t call_flags;

/* One relayed request. Two owners: the upstream call (until on_complete) and the deferred
 * response (until finish succeeded or on_cancel ran); the last one frees it. */
typedef struct relay {
    atomic_int owners;
    pthread_mutex_t lock;
    pattern_response response;
    pattern_client_call call;
    int head_sent;
    /* A piece the client could not take yet (write answered PATTERN_BUSY). */
    char *pending;
    size_t pending_len;
} relay;

static void release(relay *r) {
    if (atomic_fetch_sub(&r->owners, 1) == 1) {
        pthread_mutex_destroy(&r->lock);
        free(r->pending);
        free(r);
    }
}

static void on_head(pattern_client_call call, int32_t status, const pattern_header *headers, size_t count,
                    void *userdata) {
    (void)call;
    relay *r = userdata;
    responses->set_status(r->response, status);
    for (size_t i = 0; i < count; i++) {
        if (headers[i].name.len == 12 && strncasecmp(headers[i].name.ptr, "content-type", 12) == 0)
            responses->add_header(r->response, STR("Content-Type"), headers[i].value);
    }
    pthread_mutex_lock(&r->lock);
    r->head_sent = responses->begin_stream(r->response) == PATTERN_OK;
    pthread_mutex_unlock(&r->lock);
}

static void on_data(pattern_client_call call, pattern_str bytes, void *userdata) {
    relay *r = userdata;
    pthread_mutex_lock(&r->lock);
    if (responses->write(r->response, bytes) == PATTERN_BUSY) {
        /* Nothing was taken: keep the piece and stop the upstream until the client drains. */
        r->pending = malloc(bytes.len ? bytes.len : 1);
        if (r->pending) {
            memcpy(r->pending, bytes.ptr, bytes.len);
            r->pending_len = bytes.len;
            client->pause(call, 1);
        } else {
            client->cancel(call);
        }
    }
    pthread_mutex_unlock(&r->lock);
}

static void on_drain(pattern_response response, void *userdata) {
    relay *r = userdata;
    pthread_mutex_lock(&r->lock);
    if (r->pending && responses->write(response, (pattern_str){r->pending, r->pending_len}) == PATTERN_OK) {
        free(r->pending);
        r->pending = NULL;
        r->pending_len = 0;
        client->pause(r->call, 0);
    }
    pthread_mutex_unlock(&r->lock);
}

static void on_cancel(pattern_response response, void *userdata) {
    (void)response;
    relay *r = userdata;
    pthread_mutex_lock(&r->lock);
    pattern_client_call call = r->call;
    pthread_mutex_unlock(&r->lock);
    client->cancel(call); /* PATTERN_NOT_FOUND when it has completed: fine */
    release(r);
}

static void on_complete(pattern_client_call call, int32_t outcome, pattern_str message, void *userdata) {
    (void)call;
    relay *r = userdata;
    pthread_mutex_lock(&r->lock);
    int head_sent = r->head_sent;
    pthread_mutex_unlock(&r->lock);
    if (outcome != PATTERN_CLIENT_OK) {
        if (logs->enabled(PATTERN_LOG_WARN)) {
            char line[400];
            int n = snprintf(line, sizeof line, "upstream call ended with %d: %.*s", outcome, (int)message.len, message.ptr);
            logs->write(plugin, PATTERN_LOG_WARN, (pattern_str){line, n > 0 && (size_t)n < sizeof line ? (size_t)n : 0});
        }
        if (!head_sent) {
            int32_t status = outcome == PATTERN_CLIENT_TIMEOUT ? 504 : 502;
            responses->respond_error(r->response, status, status == 504 ? STR("gateway_timeout") : STR("bad_gateway"),
                                     STR("The upstream did not answer."), STR(""));
        }
    }
    /* A failure mid-stream aborts: the client sees a cut-off body, never a complete one. */
    pattern_status ended = outcome != PATTERN_CLIENT_OK && head_sent ? responses->abort(r->response)
                                                                     : responses->finish(r->response);
    if (ended == PATTERN_OK) release(r);
    release(r);
}

static pattern_status relay_handler(pattern_request *request, void *userdata) {
    (void)userdata;
    relay *r = calloc(1, sizeof *r);
    if (!r) return PATTERN_INTERNAL;
    pthread_mutex_init(&r->lock, NULL);
    atomic_init(&r->owners, 2);
    if (http->defer(request, &r->response) != PATTERN_OK) {
        pthread_mutex_destroy(&r->lock);
        free(r);
        return http->respond_error(request, 501, STR("not_implemented"),
                                   STR("This server cannot defer responses."), STR(""));
    }
    responses->set_callbacks(r->response, on_drain, on_cancel, r);
    pattern_client_request call = {
        .struct_size = sizeof call,
        .method = STR("GET"),
        .url = {upstream, strlen(upstream)},
        .on_head = on_head,
        .on_data = on_data,
        .on_complete = on_complete,
        .userdata = r,
        .flags = call_flags,
    };
    pthread_mutex_lock(&r->lock);
    pattern_status started = client->start(&call, &r->call);
    pthread_mutex_unlock(&r->lock);
    if (started != PATTERN_OK) {
        responses->respond_error(r->response, 503, STR("unavailable"), STR("The upstream call could not start."), STR(""));
        if (responses->finish(r->response) == PATTERN_OK) release(r);
        release(r);
    }
    return PATTERN_OK;
}

/* The "upstream" string of the plugin's config section ({"upstream": "..."}), unescaped. */
static int read_upstream(pattern_str json) {
    const char *key = "\"upstream\"";
    const char *end = json.ptr + json.len;
    const char *at = json.ptr;
    while (at + strlen(key) <= end && strncmp(at, key, strlen(key)) != 0) at++;
    if (at + strlen(key) > end) return 0;
    at += strlen(key);
    while (at < end && (*at == ' ' || *at == ':')) at++;
    if (at >= end || *at != '"') return 0;
    size_t length = 0;
    for (at++; at < end && *at != '"'; at++) {
        if (*at == '\\' && at + 1 < end) at++; /* \" \\ \/ : URLs need no other escapes */
        if (length + 1 >= sizeof upstream) return 0;
        upstream[length++] = *at;
    }
    upstream[length] = 0;
    return at < end && length > 0;
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, client) || !PATTERN_HAS_FIELD(host->http, pattern_http_api, defer)) {
        snprintf(error->message, sizeof error->message, "relay-c needs a host with ABI 1.4 (deferred responses, client)");
        return PATTERN_VERSION;
    }
    http = host->http;
    responses = host->responses;
    client = host->client;
    logs = host->log;
    plugin = self;
    int on_loop = host->abi_minor >= 5;
    call_flags = on_loop ? PATTERN_CLIENT_ON_LOOP : 0;
    if (!read_upstream(host->config->plugin_config(self))) {
        snprintf(error->message, sizeof error->message, "[relay] upstream: expected an http(s) URL");
        return PATTERN_INVALID;
    }
    const pattern_route route = {
        .struct_size = sizeof(pattern_route), .method = LIT("GET"), .path = LIT("/api/v1/relay"),
        .handler = relay_handler, .flags = PATTERN_PUBLIC | (on_loop ? PATTERN_INLINE : 0),
        .openapi = LIT("{\"summary\":\"Relays the configured upstream resource\",\"responses\":{\"200\":"
                       "{\"description\":\"The upstream's answer, streamed\"},\"502\":{\"description\":"
                       "\"The upstream failed\"}}}"),
    };
    return http->add_route(self, &route);
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("relay"),
    .version = LIT("0.1.0"),
    .description = LIT("Relays a configured upstream URL through the host's outbound client (example)"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
