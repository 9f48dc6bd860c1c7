/* auth_probe: a test plugin for the auth plugin's integration tests (compiled by
 * Tests/integration/auth_support.py). It shows what auth hands other plugins:
 *   GET  /api/v1/auth-probe/principal  (protected)  the principal the middleware set
 *   POST /api/v1/auth-probe/agents     (permission write_agents)  a stand-in "write"
 *   GET  /api/v1/auth-probe/events     (public)     the events published so far, as
 *                                                   [{"topic": ..., "payload": {...}}, ...]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern_plugin.h"

static const pattern_host_v1 *host;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *events;          /* "{...},{...}" */
static size_t events_len;

#define STR(s) ((pattern_str){s, sizeof(s) - 1})

static void append(char **buffer, size_t *len, const char *bytes, size_t count) {
    char *grown = realloc(*buffer, *len + count + 1);
    if (grown == NULL) return;
    memcpy(grown + *len, bytes, count);
    *len += count;
    grown[*len] = 0;
    *buffer = grown;
}

static void append_quoted(char **buffer, size_t *len, pattern_str text) {
    append(buffer, len, "\"", 1);
    for (size_t i = 0; i < text.len; i++) {
        unsigned char c = (unsigned char)text.ptr[i];
        char escaped[8];
        if (c == '"' || c == '\\') {
            escaped[0] = '\\';
            escaped[1] = (char)c;
            append(buffer, len, escaped, 2);
        } else if (c < 0x20) {
            snprintf(escaped, sizeof escaped, "\\u%04x", c);
            append(buffer, len, escaped, 6);
        } else {
            append(buffer, len, (const char *)&text.ptr[i], 1);
        }
    }
    append(buffer, len, "\"", 1);
}

static void on_event(pattern_str topic, pattern_str json, void *userdata) {
    (void)userdata;
    pthread_mutex_lock(&lock);
    if (events_len > 0) append(&events, &events_len, ",", 1);
    append(&events, &events_len, "{\"topic\":", 9);
    append_quoted(&events, &events_len, topic);
    append(&events, &events_len, ",\"payload\":", 11);
    append(&events, &events_len, json.ptr, json.len);
    append(&events, &events_len, "}", 1);
    pthread_mutex_unlock(&lock);
}

static pattern_status respond_json(pattern_request *request, int32_t status, const char *body, size_t len) {
    host->http->set_status(request, status);
    host->http->add_header(request, STR("Content-Type"), STR("application/json"));
    host->http->write_body(request, (pattern_str){body, len});
    return PATTERN_OK;
}

static pattern_status list_events(pattern_request *request, void *userdata) {
    (void)userdata;
    char *body = NULL;
    size_t len = 0;
    append(&body, &len, "[", 1);
    pthread_mutex_lock(&lock);
    if (events_len > 0) append(&body, &len, events, events_len);
    pthread_mutex_unlock(&lock);
    append(&body, &len, "]", 1);
    pattern_status status = respond_json(request, 200, body, len);
    free(body);
    return status;
}

static pattern_status show_principal(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_principal principal;
    memset(&principal, 0, sizeof principal);
    principal.struct_size = sizeof principal;
    if (host->http->get_principal(request, &principal) != PATTERN_OK) {
        return respond_json(request, 200, "null", 4);
    }
    char *body = NULL;
    size_t len = 0;
    char number[96];
    append(&body, &len, "{\"user_id\":", 11);
    append_quoted(&body, &len, principal.user_id);
    snprintf(number, sizeof number, ",\"is_admin\":%s,\"rate_limit\":%lld,\"api_key_id\":",
             principal.is_admin ? "true" : "false", (long long)principal.rate_limit);
    append(&body, &len, number, strlen(number));
    if (principal.api_key_id.len > 0) {
        append_quoted(&body, &len, principal.api_key_id);
    } else {
        append(&body, &len, "null", 4);
    }
    append(&body, &len, ",\"permissions\":[", 16);
    for (size_t i = 0; i < principal.permission_count; i++) {
        if (i > 0) append(&body, &len, ",", 1);
        append_quoted(&body, &len, principal.permissions[i]);
    }
    append(&body, &len, "],\"session_id\":", 15);
    if (principal.session_id.len > 0) {
        append_quoted(&body, &len, principal.session_id);
    } else {
        append(&body, &len, "null", 4);
    }
    snprintf(number, sizeof number, ",\"expires_at\":%lld,\"rate_limit_above_policy\":%s}",
             (long long)principal.expires_at, principal.rate_limit_above_policy ? "true" : "false");
    append(&body, &len, number, strlen(number));
    pattern_status status = respond_json(request, 200, body, len);
    free(body);
    return status;
}

static pattern_status write_agent(pattern_request *request, void *userdata) {
    (void)userdata;
    return respond_json(request, 201, "{\"created\":true}", 16);
}

static pattern_status add(pattern_plugin *self, const char *method, const char *path, pattern_handler_fn fn,
                          uint32_t flags, const char *permission) {
    pattern_route route;
    memset(&route, 0, sizeof route);
    route.struct_size = sizeof route;
    route.method = (pattern_str){method, strlen(method)};
    route.path = (pattern_str){path, strlen(path)};
    route.handler = fn;
    route.flags = flags;
    route.permission = (pattern_str){permission, strlen(permission)};
    return host->http->add_route(self, &route);
}

static pattern_status init(const pattern_host_v1 *table, pattern_plugin *self, pattern_error *error) {
    (void)error;
    host = table;
    if (host->events->subscribe(self, STR(""), on_event, NULL) != PATTERN_OK) return PATTERN_INTERNAL;
    if (add(self, "GET", "/api/v1/auth-probe/events", list_events, PATTERN_PUBLIC, "") != PATTERN_OK) return PATTERN_INTERNAL;
    if (add(self, "GET", "/api/v1/auth-probe/principal", show_principal, 0, "") != PATTERN_OK) return PATTERN_INTERNAL;
    if (add(self, "POST", "/api/v1/auth-probe/agents", write_agent, 0, "write_agents") != PATTERN_OK) {
        return PATTERN_INTERNAL;
    }
    return PATTERN_OK;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = STR("auth-probe"),
    .version = STR("1.0.0"),
    .description = STR("test plugin: shows the principal and the events auth publishes"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) { return &descriptor; }
