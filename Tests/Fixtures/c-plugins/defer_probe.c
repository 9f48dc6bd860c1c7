/* Deferred-response fixture (ABI 1.4): routes that finish their responses later, never, or
 * as a stream a slow client cannot keep up with, and counters of what the host told them.
 *   GET /api/v1/defer-probe/later?ms=N     201 "ready" with X-Later: yes, N ms after the request
 *   GET /api/v1/defer-probe/never          never finished (the host answers 504)
 *   GET /api/v1/defer-probe/flood?kib=N    streams N KiB of 'x' as fast as the client takes it
 *   GET /api/v1/defer-probe/ticks?every=MS an event stream of "tick" every MS (20) ms until
 *                                          cancelled, pinged when idle for 200 ms; each tick's
 *                                          data is the wall-clock time it was sent, in µs
 *   GET /api/v1/defer-probe/twice          the status of a second defer, as the body
 *   GET /api/v1/defer-probe/inline         an inline route's defer status, as the body (of the
 *                                          deferred response when it is PATTERN_OK)
 *   GET /api/v1/defer-probe/stale          the status of finish on the last `never` handle
 *   GET /api/v1/defer-probe/stats          {"cancels","drains","busy","timer_fires"}
 *   POST /api/v1/defer-probe/timer?delay=D&interval=I&cancel_after=K   a timer cancelled by
 *        its own K-th call (0: never), counted in timer_fires */
#include <pattern_plugin.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

static const pattern_http_api *http;
static const pattern_responses_api *responses;
static const pattern_timer_api *timers;
static atomic_long cancels, drains, busy, timer_fires;
static _Atomic pattern_response last_never;

static long query_long(pattern_request *request, const char *name, long fallback) {
    pattern_str value = {0};
    char digits[24] = {0};
    if (http->query_param(request, (pattern_str){name, strlen(name)}, &value) != PATTERN_OK || value.len >= 24)
        return fallback;
    memcpy(digits, value.ptr, value.len);
    return strtol(digits, NULL, 10);
}

static pattern_status text(pattern_request *request, const char *body) {
    http->set_status(request, 200);
    return http->write_body(request, (pattern_str){body, strlen(body)});
}

static void count_cancel(pattern_response response, void *userdata) {
    (void)response, (void)userdata;
    cancels++;
}

/* later: a one-shot timer finishes the response. */
static void finish_later(pattern_timer timer, void *userdata) {
    (void)timer;
    pattern_response response = (pattern_response)(uintptr_t)userdata;
    responses->set_status(response, 201);
    responses->add_header(response, STR("X-Later"), STR("yes"));
    responses->write(response, STR("ready"));
    responses->finish(response);
}

static pattern_status later(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_response response;
    pattern_timer timer;
    if (http->defer(request, &response) != PATTERN_OK) return PATTERN_INTERNAL;
    return timers->start((uint64_t)query_long(request, "ms", 100), 0, finish_later, (void *)(uintptr_t)response, &timer);
}

static pattern_status never(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_response response;
    if (http->defer(request, &response) != PATTERN_OK) return PATTERN_INTERNAL;
    last_never = response;
    return responses->set_callbacks(response, NULL, count_cancel, NULL);
}

/* flood: write 64 KiB pieces until BUSY, continue on drain. */
typedef struct flood_state {
    pattern_response response;
    long left;
} flood_state;

static char piece[65536];

static void pour(pattern_response response, void *userdata) {
    flood_state *state = userdata;
    while (state->left > 0) {
        size_t size = state->left < (long)sizeof piece ? (size_t)state->left : sizeof piece;
        pattern_status status = responses->write(response, (pattern_str){piece, size});
        if (status == PATTERN_BUSY) {
            busy++;
            return; /* on_drain calls pour again */
        }
        if (status != PATTERN_OK) {
            free(state);
            return;
        }
        state->left -= (long)size;
    }
    responses->finish(response);
    free(state);
}

static void drained(pattern_response response, void *userdata) {
    drains++;
    pour(response, userdata);
}

static pattern_status flood(pattern_request *request, void *userdata) {
    (void)userdata;
    flood_state *state = malloc(sizeof *state);
    state->left = query_long(request, "kib", 1024) * 1024;
    if (http->defer(request, &state->response) != PATTERN_OK) return PATTERN_INTERNAL;
    responses->set_callbacks(state->response, drained, count_cancel, state);
    responses->add_header(state->response, STR("Content-Type"), STR("application/octet-stream"));
    responses->begin_stream(state->response);
    pour(state->response, state);
    return PATTERN_OK;
}

/* ticks: an endless event stream; its timer ends when sending fails (the stream is gone). */
static void tick(pattern_timer timer, void *userdata) {
    pattern_response response = (pattern_response)(uintptr_t)userdata;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char sent[24];
    int length = snprintf(sent, sizeof sent, "%lld", (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000);
    if (responses->send_event(response, STR("tick"), (pattern_str){sent, (size_t)length}, STR("")) == PATTERN_NOT_FOUND)
        timers->cancel(timer);
}

static pattern_status ticks(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_response response;
    pattern_timer timer;
    if (http->defer(request, &response) != PATTERN_OK) return PATTERN_INTERNAL;
    responses->set_callbacks(response, NULL, count_cancel, NULL);
    responses->begin_events(response, 200);
    uint64_t every = (uint64_t)query_long(request, "every", 20);
    return timers->start(every, every, tick, (void *)(uintptr_t)response, &timer);
}

static pattern_status twice(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_response response, again;
    if (http->defer(request, &response) != PATTERN_OK) return PATTERN_INTERNAL;
    char body[16];
    snprintf(body, sizeof body, "%d", http->defer(request, &again));
    responses->write(response, (pattern_str){body, strlen(body)});
    return responses->finish(response);
}

static pattern_status inline_defer(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_response response;
    char body[16];
    pattern_status status = http->defer(request, &response);
    snprintf(body, sizeof body, "%d", status);
    if (status != PATTERN_OK) return text(request, body);
    responses->write(response, (pattern_str){body, strlen(body)});
    return responses->finish(response);
}

static pattern_status stale(pattern_request *request, void *userdata) {
    (void)userdata;
    char body[16];
    snprintf(body, sizeof body, "%d", responses->finish(last_never));
    return text(request, body);
}

static pattern_status stats(pattern_request *request, void *userdata) {
    (void)userdata;
    char body[160];
    snprintf(body, sizeof body, "{\"cancels\":%ld,\"drains\":%ld,\"busy\":%ld,\"timer_fires\":%ld}",
             (long)cancels, (long)drains, (long)busy, (long)timer_fires);
    http->add_header(request, STR("Content-Type"), STR("application/json"));
    return text(request, body);
}

/* timer: counts its calls and cancels itself from its cancel_after-th call. */
typedef struct countdown {
    long left;
} countdown;

static void fire(pattern_timer timer, void *userdata) {
    countdown *state = userdata;
    timer_fires++;
    if (state && --state->left == 0) {
        timers->cancel(timer);
        free(state);
    }
}

static pattern_status timer(pattern_request *request, void *userdata) {
    (void)userdata;
    long cancel_after = query_long(request, "cancel_after", 0);
    countdown *state = NULL;
    if (cancel_after > 0) {
        state = malloc(sizeof *state);
        state->left = cancel_after;
    }
    pattern_timer id;
    pattern_status status = timers->start((uint64_t)query_long(request, "delay", 0),
                                          (uint64_t)query_long(request, "interval", 0), fire, state, &id);
    char body[32];
    snprintf(body, sizeof body, "%llu", (unsigned long long)id);
    return status == PATTERN_OK ? text(request, body) : status;
}

static pattern_status add(pattern_plugin *self, const char *method, const char *path, pattern_handler_fn handler,
                          uint32_t flags) {
    const pattern_route route = {
        .struct_size = sizeof(pattern_route), .method = {method, strlen(method)}, .path = {path, strlen(path)},
        .handler = handler, .flags = PATTERN_PUBLIC | flags,
    };
    return http->add_route(self, &route);
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    (void)error;
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, timers)) return PATTERN_VERSION;
    http = host->http;
    responses = host->responses;
    timers = host->timers;
    memset(piece, 'x', sizeof piece);
    pattern_status status = PATTERN_OK;
    status = status ? status : add(self, "GET", "/api/v1/defer-probe/later", later, 0);
    status = status ? status : add(self, "GET", "/api/v1/defer-probe/never", never, 0);
    status = status ? status : add(self, "GET", "/api/v1/defer-probe/flood", flood, 0);
    status = status ? status : add(self, "GET", "/api/v1/defer-probe/ticks", ticks, 0);
    status = status ? status : add(self, "GET", "/api/v1/defer-probe/twice", twice, 0);
    status = status ? status : add(self, "GET", "/api/v1/defer-probe/inline", inline_defer, PATTERN_INLINE);
    status = status ? status : add(self, "GET", "/api/v1/defer-probe/stale", stale, 0);
    status = status ? status : add(self, "GET", "/api/v1/defer-probe/stats", stats, 0);
    status = status ? status : add(self, "POST", "/api/v1/defer-probe/timer", timer, 0);
    return status;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("defer-probe"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: deferred and streamed responses, timers"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
