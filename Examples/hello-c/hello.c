/*
 * hello-c: a Pattern Server plugin in plain C, written against the plugin headers alone.
 *
 *   GET /api/v1/hello          -> 200 {"message":"hello from C"}      (public, inline)
 *   GET /api/v1/hello/{name}   -> 200 {"message":"hello, <name>"}     (public; 400 when
 *                                 {name} is malformed percent-encoding)
 *   every response             -> X-Hello-C: 1                         (RESPONSE middleware)
 *
 * It shows what a careful plugin does: checks the host's tables before using a slot, keeps
 * the table pointers (they live as long as the process) as its only state, immutable after
 * init, so handlers may run on any worker thread; lets the host write and escape its JSON;
 * reports its health and logs through the host.
 */
#include <pattern_plugin.h>
#include <pattern_plugin_util.h>

static const pattern_http_api *http;
static const pattern_json_api *json;

/* {"message": text}; the host escapes the text and sets Content-Type (status 200 by default). */
static pattern_status respond_message(pattern_request *request, pattern_str text) {
    pattern_status status = json->begin_object(request, PATTERN_STR(""));
    if (status == PATTERN_OK && (status = json->write_string(request, PATTERN_STR("message"), text)) == PATTERN_OK)
        status = json->end_object(request);
    return status;
}

/* ----- routes and middleware ----------------------------------------------------------- */

static pattern_status hello(pattern_request *request, void *userdata) {
    (void)userdata;
    return respond_message(request, PATTERN_STR("hello from C"));
}

static pattern_status hello_name(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str name = {NULL, 0};
    pattern_status found = http->path_param(request, PATTERN_STR("name"), &name);
    if (found == PATTERN_INVALID) /* malformed percent-encoding: the client's fault */
        return http->respond_error(request, 400, PATTERN_STR("validation_error"), PATTERN_STR("name: must be percent-encoded"),
                                   PATTERN_STR("[{\"field\":\"name\",\"message\":\"must be percent-encoded\"}]"));
    if (found != PATTERN_OK)
        return PATTERN_INTERNAL; /* the route has {name}, so this is the host's fault: 500 */
    /* A path is bounded by the host's request-line limit, far below this buffer's. */
    pattern_buffer text = PATTERN_BUFFER_INIT(65536);
    pattern_buffer_append(&text, PATTERN_STR("hello, "));
    pattern_buffer_append(&text, name);
    pattern_status status = text.failed ? PATTERN_INTERNAL : respond_message(request, pattern_buffer_str(&text));
    pattern_buffer_free(&text);
    return status;
}

static int32_t tag_response(pattern_request *request, void *userdata) {
    (void)userdata;
    http->add_header(request, PATTERN_STR("X-Hello-C"), PATTERN_STR("1"));
    return PATTERN_CONTINUE;
}

/* ----- OpenAPI operations (the host adds the tags and the {name} parameter) -------------- */

#define GREETING                                                                          \
    "\"200\":{\"description\":\"A greeting\",\"content\":"                                   \
    "{\"application/json\":{\"schema\":{\"type\":\"object\",\"required\":[\"message\"],"  \
    "\"properties\":{\"message\":{\"type\":\"string\"}}}}}}"

static const char hello_openapi[] =
    "{\"operationId\":\"helloC\",\"summary\":\"Greets from a C plugin\",\"security\":[],\"responses\":{" GREETING "}}";
static const char hello_name_openapi[] =
    "{\"operationId\":\"helloCName\",\"summary\":\"Greets the given name from a C plugin\",\"security\":[],"
    "\"responses\":{" GREETING ",\"400\":{\"description\":\"validation_error: malformed percent-encoding\","
    "\"content\":{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/Error\"}}}}}}";

/* ----- init and the descriptor --------------------------------------------------------- */

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    /* json (1.6) comes after core, log and http in the host table: checking it covers all four. */
    if (host->abi_major != PATTERN_ABI_MAJOR || !PATTERN_HAS_FIELD(host, pattern_host_v1, json) ||
        !PATTERN_HAS_FIELD(host->json, pattern_json_api, end_object))
        return pattern_fail(error, PATTERN_VERSION, "hello-c needs a host of ABI 1.6 or later (json)");
    http = host->http;
    json = host->json;
    const pattern_route routes[] = {
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("GET"), .path = PATTERN_LIT("/api/v1/hello"),
         .handler = hello, .flags = PATTERN_PUBLIC | PATTERN_INLINE, .openapi = PATTERN_LIT(hello_openapi)},
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("GET"), .path = PATTERN_LIT("/api/v1/hello/{name}"),
         .handler = hello_name, .flags = PATTERN_PUBLIC, .openapi = PATTERN_LIT(hello_name_openapi)},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        pattern_status status = http->add_route(self, &routes[i]);
        if (status != PATTERN_OK)
            return pattern_fail(error, status, "hello-c: the host refused a route");
    }
    const pattern_middleware tagger = {.struct_size = sizeof(pattern_middleware), .phase = PATTERN_PHASE_RESPONSE,
                                       .run = tag_response, .flags = PATTERN_INLINE};
    pattern_status status = http->add_middleware(self, &tagger);
    if (status != PATTERN_OK)
        return pattern_fail(error, status, "hello-c: the host refused the response middleware");
    host->core->report_health(self, PATTERN_HEALTH_OK, PATTERN_STR(""));
    host->log->write(self, PATTERN_LOG_INFO, PATTERN_STR("ready: 2 routes, 1 response middleware"));
    return PATTERN_OK;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor), .abi_major = PATTERN_ABI_MAJOR, .abi_minor = PATTERN_ABI_MINOR,
    .name = PATTERN_LIT("hello-c"), .version = PATTERN_LIT("1.0.0"),
    .description = PATTERN_LIT("Example plugin in plain C: greetings and an X-Hello-C header"), .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
