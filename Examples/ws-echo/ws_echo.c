/*
 * ws-echo: a WebSocket echo route written in plain C against pattern_plugin.h alone.
 *
 * GET /ws/echo upgrades (RFC 6455 is the host's job) and every message comes back with its
 * type. The route is PATTERN_INLINE: echoing never blocks, so it runs on the network thread.
 * This is the endpoint the Autobahn cases (replayed by kosoku) test.
 *
 *   cc -shared -fPIC -fvisibility=hidden -I ../../Sources/PluginABI/include ws_echo.c -o libws_echo.so
 */
#include <string.h>

#include "pattern_plugin.h"

#define STR(literal) ((pattern_str){(literal), sizeof(literal) - 1})

/* Copied in init: the host table lives as long as the process. */
static const pattern_ws_api *ws;

static void on_message(pattern_ws_connection connection, int32_t is_text, pattern_str payload, void *userdata) {
    (void)userdata;
    ws->send(connection, is_text, payload);
}

static pattern_status init(const struct pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    /* The ws table's functions arrived in ABI 1.1: refuse clearly on an older host. */
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, ws) || !PATTERN_HAS_FIELD(host->ws, pattern_ws_api, send)) {
        strncpy(error->message, "this host has no WebSocket support (needs ABI 1.1)", sizeof error->message - 1);
        return PATTERN_VERSION;
    }
    ws = host->ws;
    pattern_ws_route route = {
        .struct_size = sizeof route,
        .path = STR("/ws/echo"),
        .flags = PATTERN_INLINE | PATTERN_PUBLIC,
        .on_message = on_message,
    };
    pattern_status status = ws->add_route(self, &route);
    if (status != PATTERN_OK) {
        strncpy(error->message, "could not register /ws/echo", sizeof error->message - 1);
        return status;
    }
    host->core->report_health(self, PATTERN_HEALTH_OK, STR(""));
    return PATTERN_OK;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor,
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = STR("ws-echo"),
    .version = STR("1.0.0"),
    .description = STR("Example C plugin: a WebSocket echo route at /ws/echo"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) { return &descriptor; }
