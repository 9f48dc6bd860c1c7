/* Child-process fixture (ABI 1.4): routes that drive pattern_process_api and report what the
 * callbacks saw, for Tests/integration/test_processes.py. Every route is public.
 *   POST /probe/process/spawn?path=P[&cwd=D][&lines=1][&max_line=N][&hold=1]   body: one "a:ARG" or
 *        "e:NAME=value" line per argv / environment entry  -> {"status":S,"slot":N}; with hold,
 *        on_stdout waits until /release, as a slow consumer would
 *   POST /probe/process/{slot}/write (body), /close, /signal?number=N, /terminate?grace_ms=N,
 *        /release  -> {"status":S}
 *   POST /probe/process/{slot}/fill  writes 64 KiB pieces until one is refused
 *        -> {"status":S,"accepted":BYTES}
 *   GET  /probe/process/{slot}  -> {"exited","exit_code","signal","output_hex","lines","drains",
 *        "late_output","overlap","write_after_exit"}
 *   POST /probe/process/many?n=N&path=P  spawns N children (argv = [P], no environment),
 *        waiting out PATTERN_BUSY  -> {"spawned":N,"refused":K};  GET /probe/process/many
 *        -> {"spawned","exited","failed"} (failed: a nonzero exit)
 *   GET  /probe/process/init-status  -> {"status":S}, what spawn answered during init
 * At shutdown it logs "process-probe shutdown: unfinished=N": children whose on_exit had not
 * run by then. */
#include <pattern_plugin.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))

#define MAX_RECORDS 512
#define MAX_OUTPUT (4u << 20)

static const pattern_http_api *http;
static const pattern_log_api *logs;
static const pattern_process_api *processes;
static pattern_plugin *plugin;
static pattern_status init_spawn_status = -1;

struct record {
    pthread_mutex_t lock;
    pthread_cond_t released;
    int held;
    pattern_process process;
    unsigned char *output;
    size_t output_len;
    int line_mode;
    size_t lines;
    int exited, exit_code, exit_signal;
    int drains;
    int late_output;
    int overlap;
    atomic_int in_callback;
    pattern_status write_after_exit;
};

static struct record *records[MAX_RECORDS];
static atomic_int record_count;
static atomic_long many_spawned, many_exited, many_failed;
static atomic_int unfinished;

/* ----- callbacks ---------------------------------------------------------------------- */

static void enter(struct record *r) {
    if (atomic_fetch_add(&r->in_callback, 1) != 0) r->overlap = 1;
}

static void leave(struct record *r) { atomic_fetch_sub(&r->in_callback, 1); }

static void append(struct record *r, const char *bytes, size_t len) {
    if (r->output_len + len > MAX_OUTPUT) return;
    memcpy(r->output + r->output_len, bytes, len);
    r->output_len += len;
}

static void on_stdout(pattern_process process, pattern_str bytes, void *userdata) {
    (void)process;
    struct record *r = userdata;
    enter(r);
    pthread_mutex_lock(&r->lock);
    while (r->held) pthread_cond_wait(&r->released, &r->lock);
    if (r->exited) r->late_output = 1;
    append(r, bytes.ptr, bytes.len);
    if (r->line_mode) {
        append(r, "\n", 1);
        r->lines++;
    }
    pthread_mutex_unlock(&r->lock);
    leave(r);
}

static void on_drain(pattern_process process, void *userdata) {
    (void)process;
    struct record *r = userdata;
    enter(r);
    pthread_mutex_lock(&r->lock);
    r->drains++;
    pthread_mutex_unlock(&r->lock);
    leave(r);
}

static void on_exit_record(pattern_process process, int32_t exit_code, int32_t signal, void *userdata) {
    struct record *r = userdata;
    enter(r);
    /* The handle is stale once the child is reaped: a write must say so, never crash. */
    pattern_status late = processes->write(process, STR("x"));
    pthread_mutex_lock(&r->lock);
    r->write_after_exit = late;
    r->exit_code = exit_code;
    r->exit_signal = signal;
    r->exited = 1;
    pthread_mutex_unlock(&r->lock);
    atomic_fetch_sub(&unfinished, 1);
    leave(r);
}

static void on_exit_many(pattern_process process, int32_t exit_code, int32_t signal, void *userdata) {
    (void)process;
    (void)userdata;
    if (exit_code != 0 || signal != 0) atomic_fetch_add(&many_failed, 1);
    atomic_fetch_add(&many_exited, 1);
    atomic_fetch_sub(&unfinished, 1);
}

/* ----- helpers ------------------------------------------------------------------------ */

static pattern_status reply(pattern_request *request, int32_t status, const char *json) {
    http->set_status(request, status);
    http->add_header(request, STR("Content-Type"), STR("application/json"));
    return http->write_body(request, (pattern_str){json, strlen(json)});
}

static long long number(pattern_str text, long long fallback) {
    if (text.len == 0 || text.len > 20) return fallback;
    char digits[21];
    memcpy(digits, text.ptr, text.len);
    digits[text.len] = 0;
    char *end = NULL;
    long long value = strtoll(digits, &end, 10);
    return *end == 0 ? value : fallback;
}

static long long query_number(pattern_request *request, const char *name, long long fallback) {
    pattern_str value = {0};
    if (http->query_param(request, (pattern_str){name, strlen(name)}, &value) != PATTERN_OK) return fallback;
    return number(value, fallback);
}

static struct record *record_of(pattern_request *request) {
    pattern_str slot = {0};
    http->path_param(request, STR("slot"), &slot);
    long long index = number(slot, -1);
    if (index < 0 || index >= atomic_load(&record_count)) return NULL;
    return records[index];
}

static pattern_status reply_status(pattern_request *request, pattern_status status) {
    char json[64];
    snprintf(json, sizeof json, "{\"status\":%d}", status);
    return reply(request, 200, json);
}

/* ----- routes ------------------------------------------------------------------------- */

static pattern_status spawn(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str path = {0}, cwd = {0};
    http->query_param(request, STR("path"), &path);
    http->query_param(request, STR("cwd"), &cwd);
    pattern_str body = http->body(request);
    pattern_str argv[64], env[64];
    size_t argc = 0, envc = 0;
    for (size_t start = 0; start < body.len;) {
        const char *newline = memchr(body.ptr + start, '\n', body.len - start);
        size_t end = newline ? (size_t)(newline - body.ptr) : body.len;
        pattern_str item = {body.ptr + start + 2, end - start >= 2 ? end - start - 2 : 0};
        if (end - start >= 2 && body.ptr[start] == 'a' && argc < 64) argv[argc++] = item;
        if (end - start >= 2 && body.ptr[start] == 'e' && envc < 64) env[envc++] = item;
        start = end + 1;
    }
    int slot = atomic_fetch_add(&record_count, 1);
    if (slot >= MAX_RECORDS) return reply(request, 507, "{\"error\":\"out of records\"}");
    struct record *r = calloc(1, sizeof *r);
    r->output = malloc(MAX_OUTPUT);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->released, NULL);
    r->held = query_number(request, "hold", 0) != 0;
    r->line_mode = query_number(request, "lines", 0) != 0;
    records[slot] = r;
    pattern_process_spec spec = {
        .struct_size = sizeof spec, .path = path, .argv = argv, .argc = argc, .env = env, .env_count = envc,
        .flags = r->line_mode ? PATTERN_PROCESS_LINES : 0, .max_line_bytes = (uint64_t)query_number(request, "max_line", 0),
        .on_stdout = on_stdout, .on_drain = on_drain, .on_exit = on_exit_record, .userdata = r, .cwd = cwd,
    };
    atomic_fetch_add(&unfinished, 1);
    pattern_status status = processes->spawn(plugin, &spec, &r->process);
    if (status != PATTERN_OK) atomic_fetch_sub(&unfinished, 1);
    char json[64];
    snprintf(json, sizeof json, "{\"status\":%d,\"slot\":%d}", status, slot);
    return reply(request, 200, json);
}

/* What POST /probe/process/{slot}/<action> does; the route's userdata. */
enum action { WRITE, CLOSE, SIGNAL, TERMINATE, RELEASE };

static pattern_status control(pattern_request *request, void *userdata) {
    struct record *r = record_of(request);
    if (!r) return reply(request, 404, "{}");
    switch ((enum action)(intptr_t)userdata) {
    case WRITE: return reply_status(request, processes->write(r->process, http->body(request)));
    case CLOSE: return reply_status(request, processes->close_stdin(r->process));
    case SIGNAL:
        return reply_status(request, processes->signal(r->process, (int32_t)query_number(request, "number", 0)));
    case TERMINATE:
        return reply_status(request, processes->terminate(r->process, (uint32_t)query_number(request, "grace_ms", 0)));
    case RELEASE:
        pthread_mutex_lock(&r->lock);
        r->held = 0;
        pthread_cond_broadcast(&r->released);
        pthread_mutex_unlock(&r->lock);
        return reply_status(request, PATTERN_OK);
    }
    return reply(request, 500, "{}");
}

static pattern_status fill(pattern_request *request, void *userdata) {
    (void)userdata;
    struct record *r = record_of(request);
    if (!r) return reply(request, 404, "{}");
    static const char piece[64 * 1024];
    long long accepted = 0;
    pattern_status status = PATTERN_OK;
    while (status == PATTERN_OK && accepted < (64ll << 20)) {
        status = processes->write(r->process, (pattern_str){piece, sizeof piece});
        if (status == PATTERN_OK) accepted += sizeof piece;
    }
    char json[96];
    snprintf(json, sizeof json, "{\"status\":%d,\"accepted\":%lld}", status, accepted);
    return reply(request, 200, json);
}

static pattern_status report(pattern_request *request, void *userdata) {
    (void)userdata;
    struct record *r = record_of(request);
    if (!r) return reply(request, 404, "{}");
    pthread_mutex_lock(&r->lock);
    size_t size = 256 + 2 * r->output_len;
    char *json = malloc(size);
    int length = snprintf(json, size, "{\"exited\":%d,\"exit_code\":%d,\"signal\":%d,\"lines\":%zu,\"drains\":%d,"
                          "\"late_output\":%d,\"overlap\":%d,\"write_after_exit\":%d,\"output_hex\":\"",
                          r->exited, r->exit_code, r->exit_signal, r->lines, r->drains, r->late_output, r->overlap,
                          r->write_after_exit);
    for (size_t i = 0; i < r->output_len; i++) length += snprintf(json + length, 3, "%02x", r->output[i]);
    pthread_mutex_unlock(&r->lock);
    snprintf(json + length, size - (size_t)length, "\"}");
    pattern_status status = reply(request, 200, json);
    free(json);
    return status;
}

static pattern_status spawn_many(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str path = {0};
    http->query_param(request, STR("path"), &path);
    long long count = query_number(request, "n", 0), refused = 0;
    pattern_process_spec spec = {
        .struct_size = sizeof spec, .path = path, .argv = &path, .argc = 1, .on_exit = on_exit_many,
    };
    for (long long i = 0; i < count;) {
        pattern_process process;
        atomic_fetch_add(&unfinished, 1);
        pattern_status status = processes->spawn(plugin, &spec, &process);
        if (status == PATTERN_OK) {
            atomic_fetch_add(&many_spawned, 1);
            i++;
            continue;
        }
        atomic_fetch_sub(&unfinished, 1);
        if (status != PATTERN_BUSY) {
            refused++;
            i++;
            continue;
        }
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    char json[96];
    snprintf(json, sizeof json, "{\"spawned\":%lld,\"refused\":%lld}", count - refused, refused);
    return reply(request, 200, json);
}

static pattern_status many_report(pattern_request *request, void *userdata) {
    (void)userdata;
    char json[128];
    snprintf(json, sizeof json, "{\"spawned\":%ld,\"exited\":%ld,\"failed\":%ld}", atomic_load(&many_spawned),
             atomic_load(&many_exited), atomic_load(&many_failed));
    return reply(request, 200, json);
}

static pattern_status init_status(pattern_request *request, void *userdata) {
    (void)userdata;
    return reply_status(request, init_spawn_status);
}

/* ----- registration ------------------------------------------------------------------- */

static const struct {
    const char *method, *path;
    pattern_handler_fn handler;
    enum action action;
} routes[] = {
    {"POST", "/probe/process/spawn", spawn, 0},
    {"POST", "/probe/process/many", spawn_many, 0},
    {"GET", "/probe/process/many", many_report, 0},
    {"GET", "/probe/process/init-status", init_status, 0},
    {"GET", "/probe/process/{slot}", report, 0},
    {"POST", "/probe/process/{slot}/write", control, WRITE},
    {"POST", "/probe/process/{slot}/close", control, CLOSE},
    {"POST", "/probe/process/{slot}/signal", control, SIGNAL},
    {"POST", "/probe/process/{slot}/terminate", control, TERMINATE},
    {"POST", "/probe/process/{slot}/release", control, RELEASE},
    {"POST", "/probe/process/{slot}/fill", fill, 0},
};

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, process) || !host->process) {
        snprintf(error->message, sizeof error->message, "this host has no process table");
        return PATTERN_UNSUPPORTED;
    }
    http = host->http;
    logs = host->log;
    processes = host->process;
    plugin = self;
    pattern_str true_path = STR("/usr/bin/true");
    pattern_process_spec spec = {.struct_size = sizeof spec, .path = true_path, .argv = &true_path, .argc = 1};
    pattern_process ignored;
    init_spawn_status = processes->spawn(self, &spec, &ignored);
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        pattern_route route = {
            .struct_size = sizeof route, .method = {routes[i].method, strlen(routes[i].method)},
            .path = {routes[i].path, strlen(routes[i].path)}, .handler = routes[i].handler,
            .userdata = (void *)(intptr_t)routes[i].action, .flags = PATTERN_PUBLIC,
        };
        pattern_status status = http->add_route(self, &route);
        if (status != PATTERN_OK) return status;
    }
    return PATTERN_OK;
}

static void stop(void) {
    char line[64];
    int length = snprintf(line, sizeof line, "process-probe shutdown: unfinished=%d", atomic_load(&unfinished));
    logs->write(plugin, PATTERN_LOG_INFO, (pattern_str){line, (size_t)length});
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("process-probe"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: drives child processes and reports their callbacks"),
    .init = init,
    .shutdown = stop,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
