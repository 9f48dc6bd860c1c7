/* settings_probe: GET /api/v1/settings-probe answers what config->setting returns to a plugin
 * for a few keys: host settings are readable, another plugin's section ([auth]) is not. */
#include <pattern_plugin.h>
#include <stdio.h>
#include <string.h>

#define STR(s) ((pattern_str){s, sizeof(s) - 1})
static const pattern_host_v1 *host;

static pattern_status report(pattern_request *r, void *u) {
    (void)u;
    static const char *const keys[] = {"server.port", "cors.allowed_origins", "auth", "auth.jwt_secret",
                                       "auth.bcrypt_cost", "settings_probe.flag"};
    char out[2048];
    size_t used = (size_t)snprintf(out, sizeof out, "{");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        pattern_str json = {0, 0};
        pattern_status status = host->config->setting((pattern_str){keys[i], strlen(keys[i])}, &json);
        used += (size_t)snprintf(out + used, sizeof out - used, "%s\"%s\":%.*s", i ? "," : "", keys[i],
                                 status == PATTERN_OK ? (int)json.len : 4, status == PATTERN_OK ? json.ptr : "null");
    }
    snprintf(out + used, sizeof out - used, "}");
    host->http->set_status(r, 200);
    host->http->add_header(r, STR("Content-Type"), STR("application/json"));
    host->http->write_body(r, (pattern_str){out, strlen(out)});
    return PATTERN_OK;
}

static pattern_status init(const pattern_host_v1 *h, pattern_plugin *self, pattern_error *e) {
    (void)e;
    host = h;
    pattern_route route = {sizeof route, STR("GET"), STR("/api/v1/settings-probe"), report, NULL, PATTERN_PUBLIC,
                           STR(""), STR("")};
    return h->http->add_route(self, &route);
}

static const pattern_plugin_descriptor descriptor = {
    sizeof descriptor, PATTERN_ABI_MAJOR, PATTERN_ABI_MINOR, STR("settings_probe"), STR("1.0.0"),
    STR("test probe: what config->setting shows a plugin"), NULL, 0, init, NULL};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) { return &descriptor; }
