/* groups.v1 fixture: test-only routes that call the groups plugin's "groups.v1" service the way
 * the chat plugin will, as the authenticated caller (the principal's user id is the owner):
 *   GET  /api/v1/groups-probe/{id}          get_group            200 with the service's JSON
 *   POST /api/v1/groups-probe/{id}/advance  advance_round_robin  200 with the service's JSON
 *   POST /api/v1/groups-probe/{id}/touch    touch_group          204
 *   GET  /api/v1/groups-probe-sleeptime?after=&limit=
 *                                           list_sleeptime_groups 200 with the service's JSON
 * `?owner=` on the first three replaces the caller as the owner (empty allowed), to reach the
 * service's argument checks. A status other than PATTERN_OK answers with an HTTP status
 * (INVALID 400, NOT_FOUND 404, STATE and CONFLICT 409, BUSY 503, else 500) and the message
 * "groups.v1 status N", so tests can tell every status apart. */
#include <pattern_plugin.h>
#include <pattern_groups_service.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;
static const pattern_groups_v1 *groups;

/* The JSON a service call reported, copied out of its callback. */
typedef struct answer {
    char *json;
    size_t len;
} answer;

static void keep(pattern_str json, void *userdata) {
    answer *out = userdata;
    out->json = malloc(json.len ? json.len : 1);
    if (!out->json) return;
    memcpy(out->json, json.ptr, json.len);
    out->len = json.len;
}

static pattern_status reply(pattern_request *request, pattern_status status, answer *out, int32_t ok_status) {
    if (status == PATTERN_OK) {
        http->set_status(request, ok_status);
        if (out && out->json) {
            http->add_header(request, STR("Content-Type"), STR("application/json"));
            http->write_body(request, (pattern_str){out->json, out->len});
        }
        if (out) free(out->json);
        return PATTERN_OK;
    }
    if (out) free(out->json);
    int32_t code = status == PATTERN_INVALID ? 400 : status == PATTERN_NOT_FOUND ? 404
                 : status == PATTERN_STATE || status == PATTERN_CONFLICT ? 409 : status == PATTERN_BUSY ? 503 : 500;
    char message[64];
    int n = snprintf(message, sizeof message, "groups.v1 status %d", status);
    return http->respond_error(request, code, STR("groups_probe"), (pattern_str){message, (size_t)n}, STR(""));
}

/* The group id of the route and the owner: `?owner=` when given, else the caller. */
static int arguments(pattern_request *request, pattern_str *group, pattern_str *owner, pattern_principal *principal) {
    if (http->path_param(request, STR("id"), group) != PATTERN_OK) return 0;
    if (http->query_param(request, STR("owner"), owner) == PATTERN_OK) return 1;
    principal->struct_size = sizeof *principal;
    if (http->get_principal(request, principal) != PATTERN_OK) return 0;
    *owner = principal->user_id;
    return 1;
}

static pattern_status get_group(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str group = {0}, owner = {0};
    pattern_principal principal;
    if (!arguments(request, &group, &owner, &principal)) return reply(request, PATTERN_INVALID, NULL, 0);
    answer out = {0};
    return reply(request, groups->get_group(group, owner, keep, &out), &out, 200);
}

static pattern_status advance(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str group = {0}, owner = {0};
    pattern_principal principal;
    if (!arguments(request, &group, &owner, &principal)) return reply(request, PATTERN_INVALID, NULL, 0);
    answer out = {0};
    return reply(request, groups->advance_round_robin(group, owner, keep, &out), &out, 200);
}

static pattern_status touch(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str group = {0}, owner = {0};
    pattern_principal principal;
    if (!arguments(request, &group, &owner, &principal)) return reply(request, PATTERN_INVALID, NULL, 0);
    return reply(request, groups->touch_group(group, owner), NULL, 204);
}

static pattern_status sleeptime(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str after = {0}, limit_text = {0};
    http->query_param(request, STR("after"), &after);
    char digits[16] = {0};
    uint32_t limit = 100;
    if (http->query_param(request, STR("limit"), &limit_text) == PATTERN_OK && limit_text.len < sizeof digits) {
        memcpy(digits, limit_text.ptr, limit_text.len);
        limit = (uint32_t)strtoul(digits, NULL, 10);
    }
    answer out = {0};
    return reply(request, groups->list_sleeptime_groups(after, limit, keep, &out), &out, 200);
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    http = host->http;
    host->services->lookup(STR(PATTERN_GROUPS_SERVICE_V1), (const void **)&groups);
    if (!PATTERN_HAS_FIELD(groups, pattern_groups_v1, list_sleeptime_groups)) {
        snprintf(error->message, sizeof error->message, "needs the groups plugin's groups.v1 service");
        return PATTERN_VERSION;
    }
    const pattern_route routes[] = {
        {.struct_size = sizeof(pattern_route), .method = LIT("GET"), .path = LIT("/api/v1/groups-probe/{id}"),
         .handler = get_group},
        {.struct_size = sizeof(pattern_route), .method = LIT("POST"), .path = LIT("/api/v1/groups-probe/{id}/advance"),
         .handler = advance},
        {.struct_size = sizeof(pattern_route), .method = LIT("POST"), .path = LIT("/api/v1/groups-probe/{id}/touch"),
         .handler = touch},
        {.struct_size = sizeof(pattern_route), .method = LIT("GET"), .path = LIT("/api/v1/groups-probe-sleeptime"),
         .handler = sleeptime},
    };
    pattern_status status = PATTERN_OK;
    for (size_t i = 0; status == PATTERN_OK && i < sizeof routes / sizeof routes[0]; i++)
        status = http->add_route(self, &routes[i]);
    return status;
}

static const pattern_str requirements[] = {LIT("groups")};

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("groups-probe"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: test-only routes calling the groups.v1 service"),
    .requires = requirements,
    .requires_count = 1,
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
