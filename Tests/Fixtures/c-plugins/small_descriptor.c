/* Loader fixture: an "older plugin" whose descriptor is shorter than today's: its
 * struct_size ends before `shutdown`, as if built against a header that did not have it yet.
 * The bytes where a newer descriptor keeps `shutdown` hold a poison pointer, so a host that
 * reads past struct_size crashes at shutdown instead of exiting 0. Serves one route:
 *   GET /api/v1/old-small -> 200 {"ok":true}
 */
#include <pattern_plugin.h>

#include <stdint.h>

#define LIT(literal) {literal, sizeof(literal) - 1}

/* The descriptor as the older header declared it: today's layout up to and including init. */
typedef struct old_descriptor {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    pattern_str name;
    pattern_str version;
    pattern_str description;
    const pattern_str *requires;
    size_t requires_count;
    pattern_status (*init)(const struct pattern_host_v1 *host, pattern_plugin *self,
                           pattern_error *error);
} old_descriptor;

_Static_assert(sizeof(old_descriptor) == offsetof(pattern_plugin_descriptor, shutdown),
               "the old descriptor ends where today's `shutdown` begins");

static const pattern_http_api *http;

static pattern_status old_small(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_status status = http->set_status(request, 200);
    if (status == PATTERN_OK)
        status = http->add_header(request, (pattern_str)LIT("Content-Type"),
                                  (pattern_str)LIT("application/json"));
    if (status == PATTERN_OK)
        status = http->write_body(request, (pattern_str)LIT("{\"ok\":true}"));
    return status;
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self,
                           pattern_error *error) {
    (void)error;
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, http) ||
        !PATTERN_HAS_FIELD(host->http, pattern_http_api, write_body))
        return PATTERN_VERSION;
    http = host->http;
    const pattern_route route = {
        .struct_size = sizeof(pattern_route),
        .method = LIT("GET"),
        .path = LIT("/api/v1/old-small"),
        .handler = old_small,
        .flags = PATTERN_PUBLIC,
        .openapi = LIT("{\"operationId\":\"oldSmall\",\"security\":[],\"responses\":{\"200\":"
                       "{\"description\":\"Always {\\\"ok\\\": true}\"}}}"),
    };
    return http->add_route(self, &route);
}

/* The old descriptor, followed by a poison pointer where a newer `shutdown` would be. */
static const struct {
    old_descriptor descriptor;
    uintptr_t poison;
} image = {
    .descriptor = {
        .struct_size = sizeof(old_descriptor),
        .abi_major = PATTERN_ABI_MAJOR,
        .abi_minor = PATTERN_ABI_MINOR,
        .name = LIT("old-small"),
        .version = LIT("0.9.0"),
        .description = LIT("Fixture: a descriptor that ends before shutdown"),
        .init = init,
    },
    .poison = (uintptr_t)0xdeadbeefdeadbeefull,
};

_Static_assert(offsetof(__typeof__(image), poison) == offsetof(pattern_plugin_descriptor, shutdown),
               "the poison sits exactly where a newer descriptor keeps `shutdown`");

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return (const pattern_plugin_descriptor *)&image.descriptor;
}
