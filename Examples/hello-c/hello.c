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

#include <stdint.h>
#include <string.h>

/* A pattern_str of a string literal or char array: LIT in initializers, STR in expressions. */
#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

/* ----- the host functions this plugin uses, copied in init ----------------------------- */

static struct {
    pattern_status (*path_param)(const pattern_request *, pattern_str, pattern_str *);
    pattern_status (*set_status)(pattern_request *, int32_t);
    pattern_status (*add_header)(pattern_request *, pattern_str, pattern_str);
    pattern_status (*write_body)(pattern_request *, pattern_str);
    pattern_status (*respond_error)(pattern_request *, int32_t, pattern_str, pattern_str, pattern_str);
} http;

/* ----- JSON output --------------------------------------------------------------------- */

/* Buffers body bytes and hands them to the host in a few write_body calls. */
typedef struct body_writer {
    pattern_request *request;
    pattern_status status;
    size_t used;
    char buffer[512];
} body_writer;

static void body_flush(body_writer *w) {
    if (w->used > 0 && w->status == PATTERN_OK)
        w->status = http.write_body(w->request, (pattern_str){w->buffer, w->used});
    w->used = 0;
}

static void body_append(body_writer *w, const char *bytes, size_t len) {
    while (len > 0) {
        if (w->used == sizeof w->buffer)
            body_flush(w);
        size_t n = sizeof w->buffer - w->used;
        if (n > len)
            n = len;
        memcpy(w->buffer + w->used, bytes, n);
        w->used += n;
        bytes += n;
        len -= n;
    }
}

/* Length of the well-formed UTF-8 sequence at s[0..len), or 0 when it is malformed
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_sequence_length(const unsigned char *s, size_t len) {
    unsigned char c = s[0];
    size_t n;
    uint32_t min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; min = 0x80; cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; min = 0x800; cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; min = 0x10000; cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Appends `text` as the inside of a JSON string: quotes, backslashes and control
 * characters escaped, malformed UTF-8 replaced by U+FFFD, so the body is always valid JSON. */
static void body_append_json_escaped(body_writer *w, pattern_str text) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)text.ptr;
    size_t i = 0;
    while (i < text.len) {
        unsigned char c = s[i];
        if (c == '"') {
            body_append(w, "\\\"", 2);
        } else if (c == '\\') {
            body_append(w, "\\\\", 2);
        } else if (c == '\n') {
            body_append(w, "\\n", 2);
        } else if (c == '\r') {
            body_append(w, "\\r", 2);
        } else if (c == '\t') {
            body_append(w, "\\t", 2);
        } else if (c < 0x20 || c == 0x7F) {
            char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            body_append(w, escape, sizeof escape);
        } else {
            size_t n = utf8_sequence_length(s + i, text.len - i);
            if (n == 0) {
                body_append(w, "\\ufffd", 6);
                n = 1;
            } else {
                body_append(w, (const char *)s + i, n);
            }
            i += n;
            continue;
        }
        i++;
    }
}

static pattern_status respond_json_start(pattern_request *request) {
    pattern_status status = http.set_status(request, 200);
    if (status == PATTERN_OK)
        status = http.add_header(request, STR("Content-Type"), STR("application/json"));
    return status;
}

/* ----- routes -------------------------------------------------------------------------- */

static pattern_status hello(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_status status = respond_json_start(request);
    if (status != PATTERN_OK)
        return status;
    return http.write_body(request, STR("{\"message\":\"hello from C\"}"));
}

static pattern_status hello_name(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str name = {NULL, 0};
    pattern_status found = http.path_param(request, STR("name"), &name);
    if (found == PATTERN_INVALID) /* malformed percent-encoding: the client's fault */
        return http.respond_error(request, 400, STR("validation_error"), STR("name: must be percent-encoded"),
                                  STR("[{\"field\":\"name\",\"message\":\"must be percent-encoded\"}]"));
    if (found != PATTERN_OK)
        return PATTERN_INTERNAL; /* the route has {name}, so this is the host's fault: 500 */
    pattern_status status = respond_json_start(request);
    if (status != PATTERN_OK)
        return status;
    body_writer w = {.request = request, .status = PATTERN_OK, .used = 0};
    body_append(&w, "{\"message\":\"hello, ", 19);
    body_append_json_escaped(&w, name);
    body_append(&w, "\"}", 2);
    body_flush(&w);
    return w.status;
}

/* ----- middleware ---------------------------------------------------------------------- */

static int32_t tag_response(pattern_request *request, void *userdata) {
    (void)userdata;
    http.add_header(request, STR("X-Hello-C"), STR("1"));
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

static pattern_status fail(pattern_error *error, const char *message) {
    if (error != NULL && error->struct_size >= sizeof *error) {
        size_t n = strlen(message);
        if (n >= sizeof error->message)
            n = sizeof error->message - 1;
        memcpy(error->message, message, n);
        error->message[n] = '\0';
    }
    return PATTERN_VERSION;
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self,
                           pattern_error *error) {
    /* core, log and http come first in the host table: checking http covers all three. */
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, http) || host->abi_major != PATTERN_ABI_MAJOR)
        return fail(error, "hello-c needs a host table of ABI 1.x with core, log and http");
    const pattern_http_api *http_api = host->http;
    const pattern_core_api *core_api = host->core;
    const pattern_log_api *log_api = host->log;
    if (!PATTERN_HAS_FIELD(http_api, pattern_http_api, respond_error))
        return fail(error, "hello-c needs http.add_route .. http.respond_error (ABI 1.0)");
    if (!PATTERN_HAS_FIELD(core_api, pattern_core_api, report_health))
        return fail(error, "hello-c needs core.report_health (ABI 1.0)");
    if (!PATTERN_HAS_FIELD(log_api, pattern_log_api, write))
        return fail(error, "hello-c needs log.write (ABI 1.0)");

    http.path_param = http_api->path_param;
    http.set_status = http_api->set_status;
    http.add_header = http_api->add_header;
    http.write_body = http_api->write_body;
    http.respond_error = http_api->respond_error;

    const pattern_route routes[] = {
        {.struct_size = sizeof(pattern_route), .method = LIT("GET"), .path = LIT("/api/v1/hello"),
         .handler = hello, .flags = PATTERN_PUBLIC | PATTERN_INLINE,
         .openapi = LIT(hello_openapi)},
        {.struct_size = sizeof(pattern_route), .method = LIT("GET"),
         .path = LIT("/api/v1/hello/{name}"), .handler = hello_name, .flags = PATTERN_PUBLIC,
         .openapi = LIT(hello_name_openapi)},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        pattern_status status = http_api->add_route(self, &routes[i]);
        if (status != PATTERN_OK) {
            fail(error, "hello-c: the host refused a route");
            return status;
        }
    }
    const pattern_middleware tagger = {
        .struct_size = sizeof(pattern_middleware), .phase = PATTERN_PHASE_RESPONSE,
        .order = 0, .run = tag_response, .flags = PATTERN_INLINE,
    };
    pattern_status status = http_api->add_middleware(self, &tagger);
    if (status != PATTERN_OK) {
        fail(error, "hello-c: the host refused the response middleware");
        return status;
    }

    core_api->report_health(self, PATTERN_HEALTH_OK, STR(""));
    log_api->write(self, PATTERN_LOG_INFO, STR("ready: 2 routes, 1 response middleware"));
    return PATTERN_OK;
}

/* ----- the descriptor ------------------------------------------------------------------ */

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("hello-c"),
    .version = LIT("1.0.0"),
    .description = LIT("Example plugin in plain C: greetings and an X-Hello-C header"),
    .requires = NULL,
    .requires_count = 0,
    .init = init,
    .shutdown = NULL,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
