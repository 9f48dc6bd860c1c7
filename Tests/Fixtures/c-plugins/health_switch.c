/* Health fixture: POST /api/v1/health-switch?level=ok|warning|error&message=... makes the
 * plugin report that health, so tests can watch /api/v1/health follow every change. */
#include <pattern_plugin.h>

#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static pattern_plugin *plugin;
static const pattern_core_api *core;
static const pattern_http_api *http;

static int equals(pattern_str text, const char *literal) {
    return text.len == strlen(literal) && memcmp(text.ptr, literal, text.len) == 0;
}

static pattern_status switch_health(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str level = {0}, message = {0};
    http->query_param(request, STR("level"), &level);
    http->query_param(request, STR("message"), &message);
    int32_t value = equals(level, "ok") ? PATTERN_HEALTH_OK
                  : equals(level, "warning") ? PATTERN_HEALTH_WARNING
                  : equals(level, "error") ? PATTERN_HEALTH_ERROR : -1;
    if (value < 0)
        return http->respond_error(request, 400, STR("validation_error"), STR("level: ok, warning or error"),
                                   STR(""));
    core->report_health(plugin, value, message);
    return http->set_status(request, 204);
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    (void)error;
    plugin = self;
    core = host->core;
    http = host->http;
    const pattern_route route = {
        .struct_size = sizeof(pattern_route), .method = LIT("POST"), .path = LIT("/api/v1/health-switch"),
        .handler = switch_health, .flags = PATTERN_PUBLIC,
    };
    return http->add_route(self, &route);
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("health-switch"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: reports the health it is told to"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
