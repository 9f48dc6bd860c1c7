/* Session fixture (ABI 1.3): an authenticator whose credentials say what they are, so tests
 * can drive the host's side of WebSocket sessions without a real login:
 *   Authorization: Bearer probe.<user>.<session>.<expires_at unix seconds, 0 = never>
 * sets that principal (anything else starting "probe." is refused with 401), and
 *   POST /api/v1/session-probe/revoke?user=U[&session=S]
 * ends those logins through ws->close_sessions. */
#include <pattern_plugin.h>

#include <stdlib.h>
#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;
static const pattern_ws_api *ws;

/* The next '.'-separated field of `rest`, advancing it. */
static pattern_str next_field(pattern_str *rest) {
    const char *dot = memchr(rest->ptr, '.', rest->len);
    size_t len = dot ? (size_t)(dot - rest->ptr) : rest->len;
    pattern_str field = {rest->ptr, len};
    rest->ptr += dot ? len + 1 : len;
    rest->len -= dot ? len + 1 : len;
    return field;
}

static int32_t authenticate(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str header = {0};
    if (http->header(request, STR("authorization"), &header) != PATTERN_OK) return PATTERN_CONTINUE;
    if (header.len < 13 || memcmp(header.ptr, "Bearer probe.", 13) != 0) return PATTERN_CONTINUE;
    pattern_str rest = {header.ptr + 13, header.len - 13};
    pattern_str user = next_field(&rest);
    pattern_str session = next_field(&rest);
    pattern_str expires = next_field(&rest);
    if (user.len == 0 || expires.len == 0 || expires.len > 20 || rest.len != 0) {
        http->respond_error(request, 401, STR("authentication_error"), STR("bad probe credential"), STR(""));
        return PATTERN_STOP;
    }
    char digits[21];
    memcpy(digits, expires.ptr, expires.len);
    digits[expires.len] = 0;
    pattern_principal principal = {
        .struct_size = sizeof(pattern_principal), .user_id = user, .session_id = session,
        .expires_at = strtoll(digits, NULL, 10),
    };
    http->set_principal(request, &principal);
    return PATTERN_CONTINUE;
}

static pattern_status revoke(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str user = {0}, session = {0};
    http->query_param(request, STR("user"), &user);
    http->query_param(request, STR("session"), &session);
    pattern_status status = ws->close_sessions(user, session, STR("session_revoked"));
    if (status != PATTERN_OK)
        return http->respond_error(request, 400, STR("validation_error"), STR("user: required"), STR(""));
    return http->set_status(request, 204);
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    (void)error;
    http = host->http;
    ws = host->ws;
    if (!PATTERN_HAS_FIELD(ws, pattern_ws_api, close_sessions)) return PATTERN_VERSION;
    const pattern_middleware middleware = {
        .struct_size = sizeof(pattern_middleware), .phase = PATTERN_PHASE_AUTHENTICATE, .run = authenticate,
    };
    const pattern_route route = {
        .struct_size = sizeof(pattern_route), .method = LIT("POST"), .path = LIT("/api/v1/session-probe/revoke"),
        .handler = revoke, .flags = PATTERN_PUBLIC,
    };
    pattern_status status = http->add_middleware(self, &middleware);
    return status == PATTERN_OK ? http->add_route(self, &route) : status;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("session-probe"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: self-describing credentials and session revocation"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
