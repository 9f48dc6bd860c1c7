/* sse-c: a Server-Sent Events stream in plain C, on the host's timers (ABI 1.4).
 *
 *   GET /api/v1/count?to=N&every=MS   (public; N <= 1000, MS 10..10000, defaults 10 and 1000)
 *
 * streams `event: count` / `data: 1` ... `data: N`, one every MS milliseconds, then
 * `event: done`. No thread waits: the handler defers its response and returns; a timer sends
 * each event from a worker; when the client leaves, on_cancel marks the stream and its next
 * tick stops the timer (only ticks touch a stream, and they never overlap).
 *
 *   cc -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I Sources/PluginABI/include \
 *      count.c -o libsse_c.so
 */
#include <pattern_plugin.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))
#define MAX_STREAMS 4096

static const pattern_http_api *http;
static const pattern_responses_api *responses;
static const pattern_timer_api *timers;

/* One stream: its response, its timer and how far it has counted. */
typedef struct stream {
    pattern_response response;
    pattern_timer timer;
    long next, to;
    int in_use;
    atomic_int cancelled; /* set by on_cancel, read by the next tick */
} stream;

static stream streams[MAX_STREAMS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long query_number(pattern_request *request, const char *name, long fallback, long low, long high) {
    pattern_str value = {0};
    if (http->query_param(request, (pattern_str){name, strlen(name)}, &value) != PATTERN_OK) return fallback;
    char digits[16] = {0};
    if (value.len == 0 || value.len >= sizeof digits) return -1;
    memcpy(digits, value.ptr, value.len);
    char *end = NULL;
    long number = strtol(digits, &end, 10);
    return *end == 0 && number >= low && number <= high ? number : -1;
}

static void release(stream *s) {
    pthread_mutex_lock(&lock);
    s->in_use = 0;
    pthread_mutex_unlock(&lock);
}

/* Timer callback (worker thread): the next number, or the end. */
static void tick(pattern_timer timer, void *userdata) {
    stream *s = userdata;
    if (s->cancelled || s->next > s->to) {
        timers->cancel(timer);
        if (!s->cancelled) {
            responses->send_event(s->response, STR("done"), STR(""), STR(""));
            responses->finish(s->response);
        }
        release(s);
        return;
    }
    char number[24];
    int length = snprintf(number, sizeof number, "%ld", s->next);
    /* PATTERN_BUSY: a slow reader; this number is sent on the next tick instead. */
    if (responses->send_event(s->response, STR("count"), (pattern_str){number, (size_t)length},
                              (pattern_str){number, (size_t)length}) == PATTERN_OK)
        s->next++;
}

/* The client left (or the server stops): the next tick ends the stream's timer. */
static void cancelled(pattern_response response, void *userdata) {
    (void)response;
    ((stream *)userdata)->cancelled = 1;
}

static pattern_status count(pattern_request *request, void *userdata) {
    (void)userdata;
    long to = query_number(request, "to", 10, 1, 1000);
    long every = query_number(request, "every", 1000, 10, 10000);
    if (to < 0 || every < 0)
        return http->respond_error(request, 400, STR("validation_error"),
                                   STR("to: 1 to 1000, every: 10 to 10000 milliseconds"), STR(""));
    stream *s = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_STREAMS && !s; i++)
        if (!streams[i].in_use) { s = &streams[i]; s->in_use = 1; }
    pthread_mutex_unlock(&lock);
    if (!s) return http->respond_error(request, 503, STR("service_unavailable"), STR("too many streams"), STR(""));
    s->next = 1;
    s->to = to;
    s->cancelled = 0;
    if (http->defer(request, &s->response) != PATTERN_OK) {
        release(s);
        return http->respond_error(request, 500, STR("internal_error"), STR("cannot defer"), STR(""));
    }
    responses->set_callbacks(s->response, NULL, cancelled, s);
    responses->begin_events(s->response, 0);
    timers->start((uint64_t)every, (uint64_t)every, tick, s, &s->timer);
    return PATTERN_OK;
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, timers)) {
        snprintf(error->message, sizeof error->message, "needs a host with ABI 1.4 (streams and timers)");
        return PATTERN_VERSION;
    }
    http = host->http;
    responses = host->responses;
    timers = host->timers;
    const pattern_route route = {
        .struct_size = sizeof(pattern_route), .method = LIT("GET"), .path = LIT("/api/v1/count"),
        .handler = count, .flags = PATTERN_PUBLIC,
        .openapi = LIT("{\"summary\":\"Counts to `to`, one Server-Sent Event every `every` ms\","
                       "\"responses\":{\"200\":{\"description\":\"text/event-stream of count events\"}}}"),
    };
    return http->add_route(self, &route);
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("sse-count"),
    .version = LIT("1.0.0"),
    .description = LIT("Example: a Server-Sent Events count on the host's timers"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
