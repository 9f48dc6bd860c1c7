/* ABI 1.5 fixture: work that stays on the event loop, and inline work that must block.
 *   GET /api/v1/inline-probe/relay?url=U   INLINE; defers and fetches U with
 *        PATTERN_CLIENT_ON_LOOP; answers {"status","body_len","outcome","same_thread"}, where
 *        same_thread is 1 when every callback ran on the handler's thread (the loop's)
 *   GET /api/v1/inline-probe/maybe-block   INLINE; answers PATTERN_WOULD_BLOCK while
 *        may_block is 0, then {"may_block","loop_attempts"} from where it may block
 *   GET /api/v1/inline-probe/middleware    INLINE; an INLINE AUTHENTICATE middleware answers
 *        PATTERN_WOULD_BLOCK on the loop when the request has "X-Block: yes" and records where
 *        it went on; the body is {"middleware_may_block","handler_may_block"}
 *   GET /api/v1/inline-probe/misplaced     a worker route answering PATTERN_WOULD_BLOCK (a
 *        plugin bug: the host answers 500) */
#include <pattern_plugin.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;
static const pattern_responses_api *responses;
static const pattern_client_api *client;
static atomic_long loop_attempts;

static pattern_status text(pattern_request *request, const char *body) {
    http->set_status(request, 200);
    http->add_header(request, STR("Content-Type"), STR("application/json"));
    return http->write_body(request, (pattern_str){body, strlen(body)});
}

typedef struct fetch {
    pattern_response response;
    pthread_t handler_thread;
    int same_thread;
    int status;
    size_t body_len;
} fetch;

static void note_thread(fetch *f) {
    if (!pthread_equal(f->handler_thread, pthread_self())) f->same_thread = 0;
}

static void on_head(pattern_client_call call, int32_t status, const pattern_header *headers, size_t count, void *userdata) {
    (void)call, (void)headers, (void)count;
    fetch *f = userdata;
    note_thread(f);
    f->status = status;
}

static void on_data(pattern_client_call call, pattern_str bytes, void *userdata) {
    (void)call;
    fetch *f = userdata;
    note_thread(f);
    f->body_len += bytes.len;
}

static void on_complete(pattern_client_call call, int32_t outcome, pattern_str message, void *userdata) {
    (void)call, (void)message;
    fetch *f = userdata;
    note_thread(f);
    char body[160];
    snprintf(body, sizeof body, "{\"status\":%d,\"body_len\":%zu,\"outcome\":%d,\"same_thread\":%d}", f->status,
             f->body_len, outcome, f->same_thread);
    responses->add_header(f->response, STR("Content-Type"), STR("application/json"));
    responses->write(f->response, (pattern_str){body, strlen(body)});
    responses->finish(f->response);
    free(f);
}

static pattern_status relay(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str url = {0};
    if (http->query_param(request, STR("url"), &url) != PATTERN_OK)
        return http->respond_error(request, 400, STR("validation_error"), STR("url is required"), STR(""));
    fetch *f = calloc(1, sizeof *f);
    if (!f) return PATTERN_INTERNAL;
    f->handler_thread = pthread_self();
    f->same_thread = http->may_block(request) == 0;
    pattern_status deferred = http->defer(request, &f->response);
    if (deferred != PATTERN_OK) {
        free(f);
        return deferred;
    }
    pattern_client_request call = {
        .struct_size = sizeof call, .method = STR("GET"), .url = url, .flags = PATTERN_CLIENT_ON_LOOP,
        .on_head = on_head, .on_data = on_data, .on_complete = on_complete, .userdata = f,
    };
    pattern_client_call id;
    if (client->start(&call, &id) != PATTERN_OK) {
        responses->respond_error(f->response, 503, STR("unavailable"), STR("the call did not start"), STR(""));
        responses->finish(f->response);
        free(f);
    }
    return PATTERN_OK;
}

static pattern_status maybe_block(pattern_request *request, void *userdata) {
    (void)userdata;
    if (!http->may_block(request)) {
        loop_attempts++;
        return PATTERN_WOULD_BLOCK;
    }
    char body[80];
    snprintf(body, sizeof body, "{\"may_block\":1,\"loop_attempts\":%ld}", (long)loop_attempts);
    return text(request, body);
}

static int32_t authenticate(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str wanted = {0};
    if (http->header(request, STR("x-block"), &wanted) != PATTERN_OK) return PATTERN_CONTINUE;
    if (!http->may_block(request)) return PATTERN_WOULD_BLOCK;
    http->set_attribute(request, STR("probe.middleware"), STR("1"));
    return PATTERN_CONTINUE;
}

static pattern_status middleware_report(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str ran = {0};
    int on_worker = http->get_attribute(request, STR("probe.middleware"), &ran) == PATTERN_OK;
    char body[80];
    snprintf(body, sizeof body, "{\"middleware_may_block\":%d,\"handler_may_block\":%d}", on_worker,
             http->may_block(request));
    return text(request, body);
}

static pattern_status misplaced(pattern_request *request, void *userdata) {
    (void)request, (void)userdata;
    return PATTERN_WOULD_BLOCK;
}

static pattern_status add(pattern_plugin *self, const char *path, pattern_handler_fn handler, uint32_t flags) {
    pattern_route route = {
        .struct_size = sizeof route, .method = STR("GET"), .path = {path, strlen(path)},
        .handler = handler, .flags = PATTERN_PUBLIC | flags,
    };
    return http->add_route(self, &route);
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    if (host->abi_minor < 5) {
        snprintf(error->message, sizeof error->message, "inline-probe needs ABI 1.5");
        return PATTERN_VERSION;
    }
    http = host->http;
    responses = host->responses;
    client = host->client;
    pattern_middleware middleware = {
        .struct_size = sizeof middleware, .phase = PATTERN_PHASE_AUTHENTICATE, .run = authenticate,
        .flags = PATTERN_INLINE,
    };
    pattern_status status = http->add_middleware(self, &middleware);
    status = status ? status : add(self, "/api/v1/inline-probe/relay", relay, PATTERN_INLINE);
    status = status ? status : add(self, "/api/v1/inline-probe/maybe-block", maybe_block, PATTERN_INLINE);
    status = status ? status : add(self, "/api/v1/inline-probe/middleware", middleware_report, PATTERN_INLINE);
    return status ? status : add(self, "/api/v1/inline-probe/misplaced", misplaced, 0);
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("inline_probe"),
    .version = LIT("0.1.0"),
    .description = LIT("ABI 1.5 fixture: on-loop calls and inline work that must block"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
