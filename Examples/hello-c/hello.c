/*
 * hello-c: a Pattern Server plugin in plain C, written against pattern_plugin.h alone.
 *
 *   GET /api/v1/hello          -> 200 {"message":"hello from C"}      (public, inline)
 *   GET /api/v1/hello/{name}   -> 200 {"message":"hello, <name>"}     (public; 400 when
 *                                 {name} is malformed percent-encoding)
 *   every response             -> X-Hello-C: 1                         (RESPONSE middleware)
 *
 * It shows what a careful plugin does: checks each host table's struct_size before using a
 * slot, copies the function pointers it needs in init (its only state, immutable afterwards,
 * so handlers may run on any worker thread), JSON-escapes what it echoes, reports its health
 * and logs through the host.
 */
#include <pattern_plugin.h>
#include <pattern_plugin_util.h>

/* ----- the host functions this plugin uses, copied in init ----------------------------- */

static struct {
    pattern_status (*path_param)(const pattern_request *, pattern_str, pattern_str *);
    pattern_status (*set_status)(pattern_request *, int32_t);
    pattern_status (*add_header)(pattern_request *, pattern_str, pattern_str);
    pattern_status (*write_body)(pattern_request *, pattern_str);
    pattern_status (*respond_error)(pattern_request *, int32_t, pattern_str, pattern_str, pattern_str);
} http;

static pattern_status respond_json_start(pattern_request *request) {
    pattern_status status = http.set_status(request, 200);
    if (status == PATTERN_OK)
        status = http.add_header(request, PATTERN_STR("Content-Type"), PATTERN_STR("application/json"));
    return status;
}

/* ----- routes -------------------------------------------------------------------------- */

static pattern_status hello(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_status status = respond_json_start(request);
    if (status != PATTERN_OK)
        return status;
    return http.write_body(request, PATTERN_STR("{\"message\":\"hello from C\"}"));
}

static pattern_status hello_name(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str name = {NULL, 0};
    pattern_status found = http.path_param(request, PATTERN_STR("name"), &name);
    if (found == PATTERN_INVALID) /* malformed percent-encoding: the client's fault */
        return http.respond_error(request, 400, PATTERN_STR("validation_error"), PATTERN_STR("name: must be percent-encoded"),
                                  PATTERN_STR("[{\"field\":\"name\",\"message\":\"must be percent-encoded\"}]"));
    if (found != PATTERN_OK)
        return PATTERN_INTERNAL; /* the route has {name}, so this is the host's fault: 500 */
    pattern_status status = respond_json_start(request);
    if (status != PATTERN_OK)
        return status;
    /* A path is bounded by the host's request-line limit, far below this buffer's. */
    pattern_buffer body = PATTERN_BUFFER_INIT(65536);
    pattern_buffer_append(&body, PATTERN_STR("{\"message\":\"hello, "));
    pattern_buffer_json_escape(&body, name);
    pattern_buffer_append(&body, PATTERN_STR("\"}"));
    status = body.failed ? PATTERN_INTERNAL : http.write_body(request, pattern_buffer_str(&body));
    pattern_buffer_free(&body);
    return status;
}

/* ----- middleware ---------------------------------------------------------------------- */

static int32_t tag_response(pattern_request *request, void *userdata) {
    (void)userdata;
    http.add_header(request, PATTERN_STR("X-Hello-C"), PATTERN_STR("1"));
    return PATTERN_CONTINUE;
}

/* ----- OpenAPI operations -------------------------------------------------------------- */

#define GREETING                                                                          \
    "\"200\":{\"description\":\"A greeting\",\"content\":"                                   \
    "{\"application/json\":{\"schema\":{\"type\":\"object\",\"required\":[\"message\"],"  \
    "\"properties\":{\"message\":{\"type\":\"string\"}}}}}}"

static const char hello_openapi[] =
    "{\"operationId\":\"helloC\",\"summary\":\"Greets from a C plugin\","
    "\"tags\":[\"hello-c\"],\"security\":[],\"responses\":{" GREETING "}}";

static const char hello_name_openapi[] =
    "{\"operationId\":\"helloCName\",\"summary\":\"Greets the given name from a C plugin\","
    "\"tags\":[\"hello-c\"],\"security\":[],"
    "\"parameters\":[{\"name\":\"name\",\"in\":\"path\",\"required\":true,"
    "\"description\":\"Who to greet (percent-decoded)\",\"schema\":{\"type\":\"string\"}}],"
    "\"responses\":{" GREETING ",\"400\":{\"description\":\"validation_error: malformed percent-encoding\","
    "\"content\":{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/Error\"}}}}}}";

/* ----- init ---------------------------------------------------------------------------- */

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self,
                           pattern_error *error) {
    /* core, log and http come first in the host table: checking http covers all three. */
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, http) || host->abi_major != PATTERN_ABI_MAJOR)
        return pattern_fail(error, PATTERN_VERSION, "hello-c needs a host table of ABI 1.x with core, log and http");
    const pattern_http_api *http_api = host->http;
    const pattern_core_api *core_api = host->core;
    const pattern_log_api *log_api = host->log;
    if (!PATTERN_HAS_FIELD(http_api, pattern_http_api, respond_error))
        return pattern_fail(error, PATTERN_VERSION, "hello-c needs http.add_route .. http.respond_error (ABI 1.0)");
    if (!PATTERN_HAS_FIELD(core_api, pattern_core_api, report_health))
        return pattern_fail(error, PATTERN_VERSION, "hello-c needs core.report_health (ABI 1.0)");
    if (!PATTERN_HAS_FIELD(log_api, pattern_log_api, write))
        return pattern_fail(error, PATTERN_VERSION, "hello-c needs log.write (ABI 1.0)");

    http.path_param = http_api->path_param;
    http.set_status = http_api->set_status;
    http.add_header = http_api->add_header;
    http.write_body = http_api->write_body;
    http.respond_error = http_api->respond_error;

    const pattern_route routes[] = {
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("GET"), .path = PATTERN_LIT("/api/v1/hello"),
         .handler = hello, .flags = PATTERN_PUBLIC | PATTERN_INLINE,
         .openapi = PATTERN_LIT(hello_openapi)},
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("GET"),
         .path = PATTERN_LIT("/api/v1/hello/{name}"), .handler = hello_name, .flags = PATTERN_PUBLIC,
         .openapi = PATTERN_LIT(hello_name_openapi)},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        pattern_status status = http_api->add_route(self, &routes[i]);
        if (status != PATTERN_OK)
            return pattern_fail(error, status, "hello-c: the host refused a route");
    }
    const pattern_middleware tagger = {
        .struct_size = sizeof(pattern_middleware), .phase = PATTERN_PHASE_RESPONSE,
        .order = 0, .run = tag_response, .flags = PATTERN_INLINE,
    };
    pattern_status status = http_api->add_middleware(self, &tagger);
    if (status != PATTERN_OK)
        return pattern_fail(error, status, "hello-c: the host refused the response middleware");

    core_api->report_health(self, PATTERN_HEALTH_OK, PATTERN_STR(""));
    log_api->write(self, PATTERN_LOG_INFO, PATTERN_STR("ready: 2 routes, 1 response middleware"));
    return PATTERN_OK;
}

/* ----- the descriptor ------------------------------------------------------------------ */

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = PATTERN_LIT("hello-c"),
    .version = PATTERN_LIT("1.0.0"),
    .description = PATTERN_LIT("Example plugin in plain C: greetings and an X-Hello-C header"),
    .requires = NULL,
    .requires_count = 0,
    .init = init,
    .shutdown = NULL,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
