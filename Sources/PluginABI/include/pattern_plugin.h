/*
 * pattern_plugin.h: the Pattern Server plugin ABI, version 1.
 *
 * This header is the whole contract between the host (pattern-server) and a plugin.
 * A plugin is a shared library that exports one C function, pattern_plugin_entry_v1,
 * and talks to the host only through the tables below. It can be written in any language
 * that can export a C symbol; plain C needs nothing but this file:
 *
 *     cc -shared -fPIC -fvisibility=hidden -I Sources/PluginABI/include my_plugin.c -o libmy.so
 *
 * Read it top to bottom: conventions, status codes, the descriptor a plugin exports, then
 * the host's service tables in the order a plugin meets them.
 *
 * ---------------------------------------------------------------------------------------
 * Versioning
 *   The major version is part of the entry symbol's name; the host refuses a plugin whose
 *   major differs. Minors only add: every public struct starts with `struct_size` and grows
 *   only at its end, so a reader checks PATTERN_HAS_FIELD(ptr, type, field) before touching
 *   a field that a later minor added, e.g. PATTERN_HAS_FIELD(host->http, pattern_http_api,
 *   defer). Every slot of a table the host hands out is non-NULL up to its struct_size: a
 *   host that lacks a function's behaviour fills the slot with one returning
 *   PATTERN_UNSUPPORTED. An older plugin runs on a newer host, and a newer
 *   plugin on an older host as long as it checks the tables' sizes before using new slots.
 *   Nothing is ever reordered or removed; fields added in a minor are optional.
 *
 * Ownership
 *   - pattern_str is (pointer, length) UTF-8, never assumed NUL-terminated.
 *   - What the host passes in is BORROWED until the callback returns: copy it to keep it.
 *   - What a plugin hands the host is COPIED before the host function returns.
 *   - Host-owned results (query rows) come with an explicit release function.
 *   - Nobody frees the other side's memory.
 *
 * Threads
 *   - The entry function, init and shutdown run on one control thread, before the host
 *     serves and after it has drained.
 *   - Handlers and middleware run concurrently on worker threads and may block (database,
 *     bcrypt) unless they were registered PATTERN_INLINE. Plugin state must therefore be
 *     immutable after init or internally synchronised.
 *   - Inline unless blocking (1.5): an INLINE handler or middleware that finds it must block
 *     this time (a cache miss) returns PATTERN_WOULD_BLOCK before changing anything; the
 *     host runs it again, and the rest of the exchange, on a worker, where http->may_block
 *     answers 1. A host older than 1.5 does not know the status: register such a callback
 *     INLINE only when the host's abi_minor is at least 5.
 *   - A pattern_request is valid only during the callback it was passed to, on that thread.
 *
 * Errors
 *   Host functions return a pattern_status. Plugins' own codes start at
 *   PATTERN_PLUGIN_STATUS_BASE. Never unwind (C++ exceptions, Swift traps, Rust panics)
 *   across a function of this header.
 *
 * Rules
 *   Plugins register routes, middleware, migrations and services in init only; after the
 *   host starts serving those tables are frozen (PATTERN_STATE). Plugins never exit, install
 *   signal handlers or open the database themselves. The host loads plugins with
 *   dlopen(RTLD_NOW | RTLD_LOCAL) and never unloads them.
 * ---------------------------------------------------------------------------------------
 */
#ifndef PATTERN_PLUGIN_H
#define PATTERN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PATTERN_ABI_MAJOR 1
#define PATTERN_ABI_MINOR 6

/* Export marker for the entry function (plugins build with -fvisibility=hidden). */
#define PATTERN_EXPORT __attribute__((visibility("default")))

/* True when `ptr` (a struct with struct_size first) is large enough to hold `field`. */
#define PATTERN_HAS_FIELD(ptr, type, field) \
    ((ptr) != NULL && offsetof(type, field) + sizeof(((type *)0)->field) <= (ptr)->struct_size)

/* ===== Conventions ===================================================================== */

/* A borrowed UTF-8 string or byte range; ptr may be NULL when len is 0. */
typedef struct pattern_str {
    const char *ptr;
    size_t len;
} pattern_str;

/* Status codes returned by host functions (and by plugin callbacks where noted). */
typedef int32_t pattern_status;
#define PATTERN_OK 0
#define PATTERN_INVALID 1     /* an argument is malformed or out of range */
#define PATTERN_NOT_FOUND 2   /* no such header, parameter, service, row ... */
#define PATTERN_UNSUPPORTED 3 /* this host does not implement the function */
#define PATTERN_VERSION 4     /* version mismatch (ABI, service, struct too small) */
#define PATTERN_STATE 5       /* not allowed now (e.g. registering after init) */
#define PATTERN_BUSY 6        /* a resource is busy; retrying later may succeed */
#define PATTERN_INTERNAL 7    /* a failure inside the host; details are in its log */
#define PATTERN_CONFLICT 8    /* a constraint was violated (e.g. a UNIQUE column) */
/* (1.5) Returned by an INLINE handler or middleware, before it changed anything, when it
 * must block this time: the host calls it again on a worker. Never from a worker, nor from
 * the RESPONSE and LOG phases (which run where the handler ran). */
#define PATTERN_WOULD_BLOCK 9
#define PATTERN_PLUGIN_STATUS_BASE 1000

/* Opaque handles. A pattern_plugin identifies the calling plugin to the host: it is handed
 * to init and is valid for the life of the process. */
typedef struct pattern_plugin pattern_plugin;
typedef struct pattern_request pattern_request;

/* ===== The descriptor a plugin exports ================================================= */

/* Filled by init on failure: one line saying why, NUL-terminated. */
typedef struct pattern_error {
    uint32_t struct_size;
    char message[256];
} pattern_error;

struct pattern_host_v1;

typedef struct pattern_plugin_descriptor {
    uint32_t struct_size;        /* sizeof(pattern_plugin_descriptor) of the plugin's header */
    uint16_t abi_major;          /* PATTERN_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;          /* PATTERN_ABI_MINOR the plugin was built against */
    pattern_str name;            /* unique, [a-z0-9_-]+, e.g. "auth"; config section name */
    pattern_str version;         /* the plugin's own version, e.g. "1.2.0" */
    pattern_str description;     /* one line for `pattern-server plugins` */
    const pattern_str *requires; /* names of plugins that must load first */
    size_t requires_count;
    /* Registers routes, middleware, migrations and services. Runs once, on the control
     * thread. Returns PATTERN_OK, or another status with error->message filled in. */
    pattern_status (*init)(const struct pattern_host_v1 *host, pattern_plugin *self,
                           pattern_error *error);
    /* Optional (may be NULL): runs once after the host has drained all requests. */
    void (*shutdown)(void);
} pattern_plugin_descriptor;

/* The one exported symbol. It must have no side effects and return a pointer to a
 * descriptor that lives as long as the process, so tools can inspect a plugin without
 * starting it. */
typedef const pattern_plugin_descriptor *(*pattern_plugin_entry_v1_fn)(void);
#define PATTERN_ENTRY_SYMBOL_V1 "pattern_plugin_entry_v1"

/* ===== Host table: core ================================================================ */

/* Health levels a plugin reports about itself (shown in GET /api/v1/health). */
#define PATTERN_HEALTH_OK 0
#define PATTERN_HEALTH_WARNING 1
#define PATTERN_HEALTH_ERROR 2

/* Counters of the host's transport (added in 1.1), for metrics. */
typedef struct pattern_transport_stats {
    uint32_t struct_size;                 /* set by the caller: how much it can take */
    uint64_t open_connections;            /* HTTP and WebSocket connections open now */
    uint64_t websocket_connections;       /* of those, upgraded to WebSocket */
    uint64_t websocket_messages_received; /* whole messages, since start */
    uint64_t websocket_messages_sent;     /* data messages queued to peers, since start */
    uint64_t requests_in_flight;          /* HTTP requests received and not yet answered */
} pattern_transport_stats;

typedef struct pattern_core_api {
    uint32_t struct_size;
    /* The host's version string, e.g. "0.1.0"; valid for the life of the process. */
    pattern_str (*host_version)(void);
    /* Sets this plugin's health entry (copied); any thread, any time. `message` may be empty.
     * PATTERN_OK; PATTERN_INVALID: `level` is not a PATTERN_HEALTH_* or `self` no plugin. */
    pattern_status (*report_health)(pattern_plugin *self, int32_t level, pattern_str message);
    /* --- added in 1.1 --- */
    /* The loaded plugins, in load order (complete once every init has run): for metrics
     * and admin views. plugin_at: PATTERN_OK with *name and *version (either pointer may be
     * NULL) valid for the life of the process; PATTERN_NOT_FOUND past the end. */
    size_t (*plugin_count)(void);
    pattern_status (*plugin_at)(size_t index, pattern_str *name, pattern_str *version);
    /* Fills the fields of `out` that its struct_size covers (the caller sets it). Any thread.
     * PATTERN_OK; PATTERN_INVALID: out is NULL, or called before the host serves. */
    pattern_status (*transport_stats)(pattern_transport_stats *out);
    /* --- added in 1.6 --- */
    /* A new resource id, "<prefix>_" and 26 lower-case Crockford base32 characters: 48 bits
     * of Unix milliseconds (ids sort by creation time) then 80 random bits, the ids the
     * first-party plugins mint ("user_01jd8x..."). Written to out[0 .. *out_len), not
     * NUL-terminated; it is prefix.len + 27 bytes long (at most PATTERN_ID_MAX_BYTES). Any
     * thread.
     *   PATTERN_OK       written.
     *   PATTERN_INVALID  `prefix` is not 1 to 32 of [a-z0-9], or out_len is NULL (nothing
     *                    written, *out_len untouched); or `capacity` is below the id's length:
     *                    *out_len is set to that length and nothing is written. */
    pattern_status (*new_id)(pattern_str prefix, char *out, size_t capacity, size_t *out_len);
    /* The current UTC time as RFC 3339 with milliseconds, "2026-11-26T17:12:32.123Z": always
     * PATTERN_TIMESTAMP_BYTES bytes written to out[0 ..), not NUL-terminated, the form of every
     * timestamp of the API. Any thread. PATTERN_INVALID (nothing written): out is NULL or
     * `capacity` is below PATTERN_TIMESTAMP_BYTES. */
    pattern_status (*timestamp)(char *out, size_t capacity);
} pattern_core_api;

/* (1.6) Buffer sizes for core.new_id and core.timestamp. */
#define PATTERN_ID_MAX_BYTES 59
#define PATTERN_TIMESTAMP_BYTES 24

/* ===== Host table: log ================================================================= */

#define PATTERN_LOG_DEBUG 0
#define PATTERN_LOG_INFO 1
#define PATTERN_LOG_WARN 2
#define PATTERN_LOG_ERROR 3

typedef struct pattern_log_api {
    uint32_t struct_size;
    /* 1 when `level` is logged at all (skip building expensive messages otherwise), 0 when it
     * is not or is no PATTERN_LOG_*. Any thread. */
    int32_t (*enabled)(int32_t level);
    /* Writes one line (copied) tagged with the plugin's name; an unknown level logs as INFO.
     * Any thread. Never log secrets. */
    void (*write)(pattern_plugin *self, int32_t level, pattern_str message);
} pattern_log_api;

/* ===== Host table: http ================================================================ */

/* Middleware phases, run in this order for every request. Within a phase, middleware run
 * by ascending `order`, ties broken by plugin name. The host logs the chain at start. */
#define PATTERN_PHASE_PRE_ROUTE 0    /* before routing: rewrite, reject early */
#define PATTERN_PHASE_AUTHENTICATE 1 /* sets the principal from credentials */
#define PATTERN_PHASE_RATE_LIMIT 2   /* may answer 429 */
#define PATTERN_PHASE_AUTHORIZE 3    /* extra checks; the host then enforces route flags */
#define PATTERN_PHASE_HANDLER 4      /* just before the route's handler */
#define PATTERN_PHASE_RESPONSE 5     /* may edit the response (headers) */
#define PATTERN_PHASE_LOG 6          /* observes the finished exchange; cannot change it */
#define PATTERN_PHASE_COUNT 7

/* What a middleware returns (or, from 1.5, PATTERN_WOULD_BLOCK: see "Threads"). */
#define PATTERN_CONTINUE 0 /* go on with the chain */
#define PATTERN_STOP 1     /* a response was set; skip to the RESPONSE phase */

/* Registration flags for routes and middleware. */
#define PATTERN_INLINE 0x1u /* never blocks: may run on the network thread (fast path) */
#define PATTERN_PUBLIC 0x2u /* route: no principal required (otherwise 401 without one) */
#define PATTERN_ADMIN 0x4u  /* route: the principal must be an admin (otherwise 403) */

/* A handler returns PATTERN_OK after setting the response; any other status without a
 * response makes the host answer the standard 500 body. */
typedef pattern_status (*pattern_handler_fn)(pattern_request *request, void *userdata);
/* A middleware returns PATTERN_CONTINUE or PATTERN_STOP. */
typedef int32_t (*pattern_middleware_fn)(pattern_request *request, void *userdata);

typedef struct pattern_route {
    uint32_t struct_size;
    pattern_str method;      /* "GET", "POST", ... (HEAD is served from GET automatically) */
    pattern_str path;        /* "/api/v1/agents/{id}": literal and {param} segments */
    pattern_handler_fn handler;
    void *userdata;          /* passed back to the handler, never touched by the host */
    uint32_t flags;          /* PATTERN_INLINE | PATTERN_PUBLIC | PATTERN_ADMIN */
    pattern_str permission;  /* a permission the principal must hold, or empty; an admin's
                              * principal without an api_key_id holds every permission, one
                              * with a key only the key's */
    /* An OpenAPI 3.1 Operation Object as JSON, or empty; served in GET /api/v1/openapi.json.
     * The host fills in what it leaves out: "operationId" (the method and the path, e.g.
     * "get_api_v1_notes_id"), "tags" ([the plugin's name]), "security" ([{"bearer":[]}] unless
     * PATTERN_PUBLIC; give [] for a public route), a "parameters" entry (a required string)
     * for each {param} not declared, and, without "responses", a default response with the
     * shared error body. Reference that body as {"$ref":"#/components/schemas/Error"}; the
     * bearer scheme is #/components/securitySchemes/bearer. */
    pattern_str openapi;
} pattern_route;

typedef struct pattern_middleware {
    uint32_t struct_size;
    int32_t phase;           /* PATTERN_PHASE_* */
    int32_t order;           /* lower runs first within the phase */
    pattern_middleware_fn run;
    void *userdata;
    uint32_t flags;          /* PATTERN_INLINE */
} pattern_middleware;

/* Who is making the request, set by the authenticating plugin. Strings are borrowed in
 * both directions (copied by set_principal; valid during the callback from get). */
typedef struct pattern_principal {
    uint32_t struct_size;
    pattern_str user_id;
    int32_t is_admin;
    const pattern_str *permissions;
    size_t permission_count;
    pattern_str api_key_id;  /* empty unless authenticated by an API key */
    int64_t rate_limit;      /* requests per minute for this credential, 0 = default */
    /* --- added in 1.3 --- */
    /* The login this credential belongs to: the session id of a token, the key id of an API
     * key; empty when it belongs to none. WebSocket connections opened with this principal
     * end when the authenticating plugin ends the session (pattern_ws_api.close_sessions). */
    pattern_str session_id;
    /* Unix seconds at which the credential stops being valid, 0 = never. A WebSocket
     * connection opened with it is closed then (4401, "token_expired") unless renewed. */
    int64_t expires_at;
    /* Nonzero when an administrator granted `rate_limit` above the server's policy (and the
     * operator allows that); otherwise a rate limiter applies the lower of the two. */
    int32_t rate_limit_above_policy;
} pattern_principal;

/* A finished exchange as an observer sees it (added in 1.2). */
typedef struct pattern_exchange_summary {
    uint32_t struct_size;         /* set by the caller: how much it can take */
    int32_t status;               /* the response status; 0 before one is set */
    pattern_str method;
    /* The matched route's template, empty when none matched. Each route's template stays at
     * one address for the life of the process, so its pointer identifies the route. */
    pattern_str route_template;
    uint64_t request_body_size;
    uint64_t response_body_size;
    uint64_t elapsed_nanoseconds; /* since the request's first byte arrived */
} pattern_exchange_summary;

typedef struct pattern_http_api {
    uint32_t struct_size;

    /* --- registration (init only; everything the structs point to is copied) --- */
    /* PATTERN_OK; PATTERN_INVALID: no handler, a method that is not upper-case letters, a
     * path that does not start with '/' or has an empty segment or a stray brace, the same
     * method and path as a route already registered (by any plugin; {a} and {b} in the same
     * place are the same), an `openapi` that is not a JSON object; PATTERN_STATE: after init.
     * Every refusal (of add_route, add_middleware, add_migration, services.provide) is
     * recorded and stops the start with its reason, even when init returns PATTERN_OK. */
    pattern_status (*add_route)(pattern_plugin *self, const pattern_route *route);
    /* PATTERN_OK; PATTERN_INVALID: no run callback or an unknown phase; PATTERN_STATE: after
     * init. */
    pattern_status (*add_middleware)(pattern_plugin *self, const pattern_middleware *mw);

    /* --- the request: call these only during a callback the request was passed to. Every
     *     pattern_str result, and every string an out-parameter receives, is borrowed until
     *     the request ends (the host keeps it for all of the request's callbacks); copy what
     *     must outlive it. Out-parameters may be NULL when only the status matters. --- */
    pattern_str (*method)(const pattern_request *request);
    pattern_str (*path)(const pattern_request *request);          /* raw, without the query */
    pattern_str (*query)(const pattern_request *request);         /* raw, without '?' */
    pattern_str (*route_template)(const pattern_request *request);/* "" when unmatched */
    pattern_str (*request_id)(const pattern_request *request);
    pattern_str (*client_ip)(const pattern_request *request);     /* the socket's peer */
    pattern_str (*body)(const pattern_request *request);
    /* First header with this name (case-insensitive): PATTERN_OK, or PATTERN_NOT_FOUND when
     * absent. */
    pattern_status (*header)(const pattern_request *request, pattern_str name,
                             pattern_str *value);
    size_t (*header_count)(const pattern_request *request);
    /* The index-th header as received: PATTERN_OK, PATTERN_NOT_FOUND past the end. */
    pattern_status (*header_at)(const pattern_request *request, size_t index,
                                pattern_str *name, pattern_str *value);
    /* A {param} of the matched route, percent-decoded ('+' stays '+'). PATTERN_OK;
     * PATTERN_NOT_FOUND: the route has no such parameter (or none matched); PATTERN_INVALID:
     * malformed percent-encoding. */
    pattern_status (*path_param)(const pattern_request *request, pattern_str name,
                                 pattern_str *value);
    /* A query parameter, percent-decoded ('+' is a space); first occurrence. PATTERN_INVALID
     * when the value is not text once decoded: malformed percent-encoding, bytes that are not
     * UTF-8, or a control character (U+0000-U+001F, U+007F-U+009F). */
    pattern_status (*query_param)(const pattern_request *request, pattern_str name,
                                  pattern_str *value);
    /* The matched route's flags (PATTERN_PUBLIC when none matched) and permission ("" when
     * it has none). */
    uint32_t (*route_flags)(const pattern_request *request);
    pattern_str (*route_permission)(const pattern_request *request);

    /* --- principal and per-request attributes (for plugin-to-plugin hand-over) --- */
    /* Sets who makes the request (everything copied; a later call replaces it). PATTERN_OK;
     * PATTERN_INVALID: p is NULL or its user_id empty. Fields beyond p->struct_size count as
     * zero/empty. */
    pattern_status (*set_principal)(pattern_request *request, const pattern_principal *p);
    /* The caller sets out->struct_size to the size of its pattern_principal: the host fills
     * the fields of 1.0 always, later fields only when struct_size covers them, and sets
     * out->struct_size to what it filled; the strings and the permission list are borrowed
     * until the request ends. PATTERN_OK; PATTERN_NOT_FOUND: the request is anonymous (never
     * in a handler of a route without PATTERN_PUBLIC); PATTERN_INVALID: out is NULL. */
    pattern_status (*get_principal)(const pattern_request *request, pattern_principal *out);
    /* Stores bytes under `key` for later callbacks of this request, any plugin's (both
     * copied; a later set replaces them). Always PATTERN_OK. */
    pattern_status (*set_attribute)(pattern_request *request, pattern_str key, pattern_str value);
    /* PATTERN_OK, *value borrowed until the request ends; PATTERN_NOT_FOUND: never set. */
    pattern_status (*get_attribute)(const pattern_request *request, pattern_str key,
                                    pattern_str *value);

    /* --- the response (copied; usable from HANDLER phase on, and by any middleware that
     *     then returns PATTERN_STOP) --- */
    /* PATTERN_OK; PATTERN_INVALID: outside 100-599, or 101 (upgrades are the host's). A
     * handler that sets no status answers 200 with a body, 204 without. */
    pattern_status (*set_status)(pattern_request *request, int32_t status);
    /* Adds a header. PATTERN_OK; PATTERN_INVALID: an empty name, one that is not an RFC 9110
     * token, a name the host writes itself (Content-Length, Transfer-Encoding, Connection,
     * Date, Server, Keep-Alive, Upgrade; any case), or a control character other than tab in
     * the value. */
    pattern_status (*add_header)(pattern_request *request, pattern_str name, pattern_str value);
    /* Appends to the body. Always PATTERN_OK. */
    pattern_status (*write_body)(pattern_request *request, pattern_str bytes);
    /* Replaces status, Content-Type and body with the standard JSON error body (headers
     * added before stay):
     *   {"error":{"type":"...","message":"...","fields":[...]},"timestamp":"<RFC 3339>"}
     * `type` is one of the API's error types (empty: the one of the status: 400 bad_request,
     * 401 unauthorized, 403 forbidden, 404 not_found, 409 conflict, 413 payload_too_large,
     * 415 unsupported_media_type, 429 rate_limit, 5xx internal_error ...); plugins also use
     * validation_error and json_error (400). For validation_error the message is
     * "<field>: <why>" and `fields_json` a JSON array of {"field","message"} objects naming
     * each field by its path ("title", "author.name", "tags[2]"); empty for no "fields".
     * PATTERN_OK; PATTERN_INVALID: a status outside 400-599, or fields_json that is not a
     * JSON array. */
    pattern_status (*respond_error)(pattern_request *request, int32_t status, pattern_str type,
                                    pattern_str message, pattern_str fields_json);
    int32_t (*response_status)(const pattern_request *request);   /* 0 before one is set */
    size_t (*response_body_size)(const pattern_request *request);
    /* Seconds since the request's first byte arrived. */
    double (*elapsed_seconds)(const pattern_request *request);
    /* --- added in 1.2 --- */
    /* Fills the fields of `out` that its struct_size covers: the facts an observer records
     * for every request (phase LOG), in one call instead of one each. */
    pattern_status (*exchange_summary)(const pattern_request *request, pattern_exchange_summary *out);
    /* --- added in 1.4 --- */
    /* Detaches the response from the handler, for work that waits (a model call, an
     * upstream): the handler then returns PATTERN_OK at once and its worker is free, and the
     * response is finished later, from any thread, through pattern_responses_api with *out.
     * Status and headers set before stay. Call it from a route's handler only, once.
     * From 1.5 an INLINE handler may defer too: the exchange then never leaves the event
     * loop when the work that finishes it (an outbound call with PATTERN_CLIENT_ON_LOOP)
     * runs there as well. PATTERN_STATE: called from middleware, twice, or (hosts before
     * 1.5) on an inline route; PATTERN_INVALID: out is NULL. */
    pattern_status (*defer)(pattern_request *request, uint64_t *out);
    /* --- added in 1.5 --- */
    /* 1 when the callback may block (it runs on a worker thread), 0 on the event loop
     * (an INLINE route or middleware), where blocking work returns PATTERN_WOULD_BLOCK. */
    int32_t (*may_block)(const pattern_request *request);
} pattern_http_api;

/* ===== Host table: database ============================================================ */
/* One SQL database shared by all plugins (SQLite by default). Each plugin owns its tables
 * (prefix them with the plugin's name) and keeps its SQL to the portable subset of SQLite
 * and PostgreSQL, with `?` placeholders. Every statement is parameterised. */

#define PATTERN_VALUE_NULL 0
#define PATTERN_VALUE_INT 1
#define PATTERN_VALUE_REAL 2
#define PATTERN_VALUE_TEXT 3
#define PATTERN_VALUE_BLOB 4

typedef struct pattern_value {
    int32_t type;      /* PATTERN_VALUE_* */
    int64_t integer;   /* INT */
    double real;       /* REAL */
    pattern_str bytes; /* TEXT (UTF-8) or BLOB */
} pattern_value;

/* A result set owned by the host; read it, then pattern_db_api.release it. */
typedef struct pattern_rows pattern_rows;
/* A transaction in progress; valid only inside the transaction callback. */
typedef struct pattern_txn pattern_txn;

/* Runs inside a transaction; return PATTERN_OK to commit, anything else to roll back. */
typedef pattern_status (*pattern_txn_fn)(pattern_txn *txn, void *userdata);

typedef struct pattern_db_api {
    uint32_t struct_size;
    /* Registers migration `version` (1, 2, 3 ... in order) of this plugin (init only) and,
     * when the database has not recorded it yet, applies it at once, so init can already use
     * its tables: in one transaction together with its record. `sql` may hold several
     * statements separated by semicolons (execute takes one). PATTERN_OK; PATTERN_STATE after
     * init; PATTERN_INVALID: `self` is no plugin; PATTERN_INTERNAL when a version is out of
     * order or the SQL fails (rolled back; the start stops with the database's message). A
     * database holding a later migration of the plugin than its last registered one (a
     * downgrade) stops the start after init. */
    pattern_status (*add_migration)(pattern_plugin *self, int32_t version, pattern_str sql);
    /* Runs one statement with `param_count` parameters (TEXT and BLOB bytes copied). `txn`
     * is NULL outside a transaction: reads then use a pooled reader connection, writes the
     * single writer. `rows` may be NULL when the result is not wanted; otherwise, on
     * PATTERN_OK only, *rows is set and must be released. Any thread (blocking: not from an
     * INLINE callback).
     *   PATTERN_OK
     *   PATTERN_CONFLICT  a constraint was violated (UNIQUE, NOT NULL, CHECK, FOREIGN KEY)
     *   PATTERN_BUSY      the database stayed locked past its busy timeout
     *   PATTERN_INVALID   bad SQL, no or more than one statement, a NUL byte, the wrong
     *                     number of parameters, an unknown PATTERN_VALUE_* type, params NULL
     *                     with param_count > 0, or a forbidden statement (transaction
     *                     control, ATTACH, setting a PRAGMA)
     *   PATTERN_STATE     before the host has a database (never inside init or later)
     *   PATTERN_INTERNAL  I/O, corruption, out of memory; failures are logged (warn). */
    pattern_status (*execute)(pattern_txn *txn, pattern_str sql, const pattern_value *params,
                              size_t param_count, pattern_rows **rows);
    /* Runs `fn` inside one write transaction on the writer connection: committed when `fn`
     * returns PATTERN_OK (then PATTERN_OK, or the commit's failure as execute's), rolled back
     * otherwise (then `fn`'s status). PATTERN_INVALID: fn is NULL. Do not nest. */
    pattern_status (*transaction)(pattern_txn_fn fn, void *userdata);
    size_t (*row_count)(const pattern_rows *rows);
    size_t (*column_count)(const pattern_rows *rows);
    /* "" past the last column; borrowed until release. */
    pattern_str (*column_name)(const pattern_rows *rows, size_t column);
    /* The value at (row, column), its bytes borrowed until release. PATTERN_OK;
     * PATTERN_NOT_FOUND past the last row or column. */
    pattern_status (*value)(const pattern_rows *rows, size_t row, size_t column,
                            pattern_value *out);
    /* Rows changed by the statement (INSERT/UPDATE/DELETE). */
    int64_t (*changes)(const pattern_rows *rows);
    /* Frees a result; NULL is fine. */
    void (*release)(pattern_rows *rows);
} pattern_db_api;

/* ===== Host table: named services ====================================================== */
/* Plugins offer each other functionality as versioned vtables under a name such as
 * "agents.v1". A vtable is a struct that starts with uint32_t struct_size and lives as long
 * as the process. Look services up in init (after the providers, which `requires` orders
 * first) and keep the pointer.
 * Each service has a header `pattern_<name>_service.h` declaring its vtable
 * `pattern_<name>_v1` and its name as a macro, `PATTERN_<NAME>_SERVICE_V1` ("<name>.v1"
 * or a dotted form of it: "auth.admin.v1"); look it up by the macro, never a literal:
 *     lookup(PATTERN_STR(PATTERN_AGENTS_SERVICE_V1), ...)   (PATTERN_STR: pattern_plugin_util.h) */
typedef struct pattern_services_api {
    uint32_t struct_size;
    /* Offers `vtable` under `name` (copied). PATTERN_OK; PATTERN_INVALID: no vtable, an empty
     * name or `self` no plugin; PATTERN_CONFLICT: another plugin provides that name. */
    pattern_status (*provide)(pattern_plugin *self, pattern_str name, const void *vtable);
    /* PATTERN_OK with *vtable set (the provider's pointer, for the life of the process);
     * PATTERN_NOT_FOUND: nobody provides `name` (yet). Any thread. Check the vtable's
     * struct_size before using a slot a later version of the service added. */
    pattern_status (*lookup)(pattern_str name, const void **vtable);
} pattern_services_api;

/* ===== Host table: events ============================================================== */
/* The host's event bus: (topic, JSON) pairs, e.g. topic "agent:agent_01j..." with an
 * API-shaped event object. Subscribers run synchronously on the publishing thread (a worker
 * thread, since inline routes must not publish) before publish returns, so they must be
 * quick; they get topic and payload borrowed for the call. */
typedef void (*pattern_event_fn)(pattern_str topic, pattern_str json, void *userdata);

typedef struct pattern_events_api {
    uint32_t struct_size;
    /* Delivers to every subscriber whose prefix matches the topic; copied. Any thread.
     * PATTERN_OK; PATTERN_STATE before the host runs. */
    pattern_status (*publish)(pattern_str topic, pattern_str json);
    /* Subscribes to topics starting with `prefix` ("" = all). Call it from init.
     * PATTERN_OK; PATTERN_INVALID: no fn or `self` no plugin. */
    pattern_status (*subscribe)(pattern_plugin *self, pattern_str prefix, pattern_event_fn fn,
                                void *userdata);
} pattern_events_api;

/* ===== Host table: WebSocket (1.1) ===================================================== */
/* RFC 6455 lives in the host, on the event loop; plugins see whole messages.
 *
 * A connection is a generation-tagged 64-bit id, never reused while the process lives; 0 is
 * never valid, and a stale id answers PATTERN_NOT_FOUND. Callbacks for one connection run
 * one at a time, in order: on the network thread for PATTERN_INLINE routes (which must never
 * block), else on worker threads. */
typedef uint64_t pattern_ws_connection;

typedef struct pattern_ws_route {
    uint32_t struct_size;
    pattern_str path;        /* the GET path that upgrades, e.g. "/ws/echo" */
    uint32_t flags;          /* PATTERN_INLINE | PATTERN_PUBLIC | PATTERN_ADMIN, as for routes: the
                              * upgrade request passes the middleware phases like any request */
    pattern_str permission;  /* a permission the principal must hold, or empty */
    /* After the 101 was sent; `request` is the upgrade request, valid during the call. Optional. */
    void (*on_open)(pattern_ws_connection connection, pattern_request *request, void *userdata);
    /* A complete message; text is valid UTF-8. Borrowed for the call. */
    void (*on_message)(pattern_ws_connection connection, int32_t is_text, pattern_str payload,
                       void *userdata);
    /* The connection is gone: the peer's close code, 1005 for a close without one, 1006 when
     * it dropped without a close frame, or the code the host closed with. Optional. */
    void (*on_close)(pattern_ws_connection connection, int32_t code, void *userdata);
    void *userdata;
} pattern_ws_route;

/* A command on the host's event socket (GET /api/v1/ws): a JSON text message whose "type" a
 * plugin registered. Runs on a worker thread; `json` is the whole message. Answer with send. */
typedef void (*pattern_ws_command_fn)(pattern_ws_connection connection, pattern_str user_id,
                                      pattern_str json, void *userdata);

/* May this user subscribe to `topic` ("agent:<id>", "group:<id>")? PATTERN_OK allows; any
 * other status refuses. Runs on a worker thread; may query the database. */
typedef pattern_status (*pattern_topic_authorizer_fn)(pattern_str user_id, int32_t is_admin,
                                                      pattern_str topic, void *userdata);

typedef struct pattern_ws_api {
    uint32_t struct_size;
    /* --- added in 1.1 --- */
    /* Registers a WebSocket route (init only; the struct's strings are copied). PATTERN_OK;
     * PATTERN_INVALID: no on_message, a path the router refuses or one taken (as
     * http->add_route), `self` no plugin; PATTERN_STATE: after init. A refusal stops the
     * start. */
    pattern_status (*add_route)(pattern_plugin *self, const pattern_ws_route *route);
    /* Queues a message to one connection (copied); any thread. A peer that stops reading is
     * closed with 1008 once its bounded send queue is full. PATTERN_OK (queued, not yet
     * sent); PATTERN_NOT_FOUND: the connection has ended (on_close came or is on its way);
     * PATTERN_STATE: before the host serves. */
    pattern_status (*send)(pattern_ws_connection connection, int32_t is_text, pattern_str payload);
    /* Starts the close handshake with `code` and `reason` (copied). PATTERN_OK;
     * PATTERN_INVALID: a code other than 1000, 1001, 1008, 1011, 3000-4999; PATTERN_NOT_FOUND:
     * the connection has ended; PATTERN_STATE: before the host serves. */
    pattern_status (*close)(pattern_ws_connection connection, int32_t code, pattern_str reason);
    /* Registers a command type of the event socket (init only). PATTERN_OK; PATTERN_INVALID:
     * no fn or `self` no plugin; PATTERN_CONFLICT: a built-in type (subscribe_* and
     * unsubscribe_* of agent, group and user, ping, authenticate) or one already registered
     * (the start stops). The user id and JSON given to fn are
     * borrowed for the call. */
    pattern_status (*add_command)(pattern_plugin *self, pattern_str type, pattern_ws_command_fn fn,
                                  void *userdata);
    /* Registers who may subscribe to topics starting with `prefix` (init only). PATTERN_OK;
     * PATTERN_INVALID: no fn, an empty prefix or `self` no plugin. Its arguments are borrowed
     * for the call. */
    pattern_status (*add_topic_authorizer)(pattern_plugin *self, pattern_str prefix,
                                           pattern_topic_authorizer_fn fn, void *userdata);
    /* Sends `json` to every event-socket connection subscribed to `topic`, except `except`
     * (0: none) -- e.g. typing, which is not echoed to the typist. Any thread. Events published
     * on the event bus reach subscribers the same way, without an exception. */
    pattern_status (*publish)(pattern_str topic, pattern_str json, pattern_ws_connection except);
    /* (publish: PATTERN_OK, also when nobody is subscribed; PATTERN_STATE before the host
     * serves.) */
    /* --- added in 1.3 --- */
    /* Ends the WebSocket connections (every route's) whose upgrade principal has this user id
     * and, when `session_id` is not empty, this session id: each is closed with
     * PATTERN_WS_CLOSE_UNAUTHORIZED and `reason` (e.g. "session_revoked"). An authenticating
     * plugin calls it whenever a login stops being valid: logout, password change, revoked
     * refresh family, deleted API key, user deactivated or deleted. Any thread; the closes
     * are queued to the event loops before it returns. PATTERN_OK (also when nothing
     * matched); PATTERN_INVALID for an empty user id. */
    pattern_status (*close_sessions)(pattern_str user_id, pattern_str session_id, pattern_str reason);
} pattern_ws_api;

/* The close code of a WebSocket connection whose login ended or expired (reasons
 * "session_revoked", "token_expired"). */
#define PATTERN_WS_CLOSE_UNAUTHORIZED 4401

/* ===== Host table: deferred and streamed responses (1.4) =============================== */
/* A response detached from its handler by http->defer. It is finished whole (a deferred
 * response), or streamed: begin_stream sends the head and each write is sent as it comes
 * (chunked transfer encoding; HTTP/1.0 clients get the body until the connection closes),
 * begin_events the same as Server-Sent Events. RESPONSE middleware runs when the head goes
 * out, LOG middleware when the response is finished.
 *
 * A handle is a generation-tagged id, never reused; 0 is never valid. Every function may be
 * called from any thread (calls on one handle are serialised by the host) and answers
 * PATTERN_NOT_FOUND once the handle is stale: finished, cancelled (its client disconnected,
 * the host shut down), or answered 504 `gateway_timeout` by the host because it was not
 * finished within [limits] pending_timeout_seconds (default 600). */
typedef uint64_t pattern_response;

/* Callbacks about a response, on a worker thread. */
typedef void (*pattern_response_fn)(pattern_response response, void *userdata);

typedef struct pattern_responses_api {
    uint32_t struct_size;
    /* Before the head is sent. PATTERN_INVALID for a status outside 100-599 or 101;
     * PATTERN_STATE after begin_stream/begin_events. */
    pattern_status (*set_status)(pattern_response response, int32_t status);
    /* As http->add_header. PATTERN_INVALID for a reserved or malformed name;
     * PATTERN_STATE after the head was sent. */
    pattern_status (*add_header)(pattern_response response, pattern_str name, pattern_str value);
    /* Before the head: appends to the body. After begin_stream: sends `bytes` as they are
     * (copied). PATTERN_BUSY when the client's unsent data would pass the send-queue bound
     * ([limits] stream_queue_bytes, default 1 MiB): nothing was taken; write again after
     * on_drain. PATTERN_STATE after begin_events (use send_event). */
    pattern_status (*write)(pattern_response response, pattern_str bytes);
    /* Replaces status and body with the standard error body (as http->respond_error).
     * PATTERN_STATE after the head was sent. */
    pattern_status (*respond_error)(pattern_response response, int32_t status, pattern_str type,
                                    pattern_str message, pattern_str fields_json);
    /* Sends the head now; later writes stream. PATTERN_STATE when already begun. */
    pattern_status (*begin_stream)(pattern_response response);
    /* begin_stream for Server-Sent Events: Content-Type text/event-stream, Cache-Control
     * no-cache, and a ": ping" comment whenever nothing was sent for `ping_interval_ms`
     * (0 = 15000) so proxies keep the stream open. */
    pattern_status (*begin_events)(pattern_response response, uint32_t ping_interval_ms);
    /* One event: `event` (empty: none, so the client's default "message"), `data` (sent as
     * one data: line per line of it), `id` (empty: none). `event` and `id` must not contain
     * line breaks (PATTERN_INVALID). PATTERN_BUSY as write; PATTERN_STATE before
     * begin_events. */
    pattern_status (*send_event)(pattern_response response, pattern_str event, pattern_str data,
                                 pattern_str id);
    /* Finishes the response: a deferred one is sent whole, a stream ends. The handle is
     * stale afterwards (PATTERN_OK, then PATTERN_NOT_FOUND). */
    pattern_status (*finish)(pattern_response response);
    /* Optional callbacks (NULL: none). on_drain: after a write or send_event answered
     * PATTERN_BUSY, once the queue has room again. on_cancel: once, when the response can
     * no longer be finished (client gone, pending deadline, shutdown): stop the work that
     * feeds it. Neither runs after finish returned. */
    pattern_status (*set_callbacks)(pattern_response response, pattern_response_fn on_drain,
                                    pattern_response_fn on_cancel, void *userdata);
    /* Ends the response as failed: the connection is closed without ending the body, so the
     * client sees a truncated response, never a complete one (use it when the source of a
     * stream fails part-way). on_cancel is not called. The handle is stale afterwards
     * (PATTERN_OK, then PATTERN_NOT_FOUND). */
    pattern_status (*abort)(pattern_response response);
} pattern_responses_api;

/* ===== Host table: timers (1.4) ======================================================== */
/* One-shot and repeating timers on the host's event loops; callbacks run on worker threads,
 * so they may block briefly (a database write), never for long. */
typedef uint64_t pattern_timer;
typedef void (*pattern_timer_fn)(pattern_timer timer, void *userdata);

typedef struct pattern_timer_api {
    uint32_t struct_size;
    /* Calls `fn` after `delay_ms`, then, when `interval_ms` > 0, again `interval_ms` after
     * each call returns (calls of one timer never overlap). *out gets the timer (never 0).
     * Any thread. PATTERN_INVALID: fn or out is NULL; PATTERN_STATE: the host is stopping. */
    pattern_status (*start)(uint64_t delay_ms, uint64_t interval_ms, pattern_timer_fn fn,
                            void *userdata, pattern_timer *out);
    /* No call of the timer starts after cancel returns (one already running finishes).
     * Any thread, also from the timer's own callback. PATTERN_NOT_FOUND: the timer is
     * unknown, a one-shot that has fired, or already cancelled. */
    pattern_status (*cancel)(pattern_timer timer);
} pattern_timer_api;

/* ===== Host table: outbound HTTP client (1.4) ========================================== */
/* HTTP/1.1 requests to other servers (model providers, MCP servers), driven by the host's
 * event loops: no thread waits for a response. HTTPS through OpenSSL: the peer's
 * certificate is verified against the system store (plus [outbound] ca_file), its name (or
 * IP address) checked, TLS 1.2 or later, ALPN http/1.1. Connections are kept alive and
 * reused per origin ([outbound] max_connections_per_origin, default 1024, across all event
 * loops; a call waits for a free one within its connect timeout); an idempotent request that a
 * reused connection's peer dropped unanswered is sent once more on a new connection.
 * HTTPS_PROXY (https URLs), http_proxy (http URLs) and NO_PROXY are honoured, both through a
 * CONNECT tunnel. Bodies are handed over as sent: content codings (gzip) are not decoded.
 *
 * Outbound policy (SSRF): after resolving the name, on every connect, targets on loopback,
 * link-local (169.254.169.254 included), private, CGNAT, unique-local, multicast and reserved
 * ranges, also in IPv4-mapped, NAT64 and 6to4 forms, are refused (PATTERN_CLIENT_REFUSED,
 * before any byte is sent) unless [outbound] allow_private_networks = true or the address is
 * in [outbound] allow (CIDRs); [outbound] deny_all = true refuses every target without even
 * a DNS query. Through a proxy, the proxy resolves names; IP-literal targets are still
 * judged. The host logs a call's origin and outcome (debug), never its path, query, headers
 * or body. */
typedef uint64_t pattern_client_call;

typedef struct pattern_header {
    pattern_str name;
    pattern_str value;
} pattern_header;

/* How a call ended: on_complete's `outcome`, with a one-line `message` for the log. */
#define PATTERN_CLIENT_OK 0          /* the whole response was delivered */
#define PATTERN_CLIENT_REFUSED 100   /* the outbound policy refused the target; nothing was sent */
#define PATTERN_CLIENT_DNS 101       /* the name did not resolve */
#define PATTERN_CLIENT_CONNECT 102   /* connection refused, reset or unreachable */
#define PATTERN_CLIENT_TLS 103       /* TLS handshake or certificate verification failed */
#define PATTERN_CLIENT_TIMEOUT 104   /* a connect, first-byte, idle or total timeout passed */
#define PATTERN_CLIENT_TOO_LARGE 105 /* the response passed max_response_bytes */
#define PATTERN_CLIENT_PROTOCOL 106  /* the peer broke HTTP/1.1 or closed in mid-response */
#define PATTERN_CLIENT_CANCELLED 107 /* cancel was called */
#define PATTERN_CLIENT_SHUTDOWN 108  /* the host is stopping */

/* Request flags. */
/* Follow up to 5 redirects (301, 302, 303, 307, 308 with a Location), each target checked by
 * the outbound policy; 303, and 301/302 after a POST, continue as GET without the body;
 * Authorization, Cookie and Proxy-Authorization are dropped when a hop leaves the origin. */
#define PATTERN_CLIENT_FOLLOW_REDIRECTS 0x1u
#define PATTERN_CLIENT_EVENTS 0x2u           /* the body is text/event-stream: on_event per event */
/* (1.5) Callbacks run on the event loop that drives the call instead of a worker: no thread
 * hop, so they must never block (answering a deferred response is fine). Started from an
 * event loop (an INLINE handler), the call is driven by that same loop. Hosts before 1.5
 * ignore the flag and call on workers, so callbacks must be correct on either. */
#define PATTERN_CLIENT_ON_LOOP 0x4u

typedef struct pattern_client_request {
    uint32_t struct_size;
    pattern_str method;
    pattern_str url;                 /* http://host[:port]/path?query or https://... */
    /* Host, Content-Length, Transfer-Encoding, Connection, Upgrade, TE, Keep-Alive,
     * Proxy-Connection and Trailer are the host's (PATTERN_INVALID). At most 128, 64 KiB. */
    const pattern_header *headers;
    size_t header_count;
    pattern_str body;                /* at most 64 MiB; sent with Content-Length */
    uint32_t connect_timeout_ms;     /* 0: 10000 (waiting for a slot, DNS, TCP, proxy and TLS) */
    uint32_t first_byte_timeout_ms;  /* 0: 60000, from the request sent to the response head */
    uint32_t idle_timeout_ms;        /* 0: 60000, between pieces of the body */
    uint32_t total_timeout_ms;       /* 0: no limit beyond the others */
    uint64_t max_response_bytes;     /* 0: 16 MiB (the body, after chunked decoding) */
    uint32_t flags;                  /* PATTERN_CLIENT_* */
    /* Callbacks run on worker threads (on the loop with PATTERN_CLIENT_ON_LOOP), one at a
     * time per call, in order: on_head once, then on_data per piece of the body (or, with
     * PATTERN_CLIENT_EVENTS, on_event per whole event), then on_complete exactly once, also
     * when there was no head; never inside start. Arguments are borrowed for the call.
     * on_head and on_data/on_event may be NULL. With
     * PATTERN_CLIENT_EVENTS only a 2xx body is read as events; another status's body (an
     * error document) comes through on_data. A redirect followed is not reported: on_head
     * describes the final response. */
    void (*on_head)(pattern_client_call call, int32_t status, const pattern_header *headers,
                    size_t header_count, void *userdata);
    void (*on_data)(pattern_client_call call, pattern_str bytes, void *userdata);
    void (*on_event)(pattern_client_call call, pattern_str event, pattern_str data, pattern_str id,
                     void *userdata);
    void (*on_complete)(pattern_client_call call, int32_t outcome, pattern_str message, void *userdata);
    void *userdata;
} pattern_client_request;

typedef struct pattern_client_api {
    uint32_t struct_size;
    /* Starts a request and returns at once; *out gets the call (never 0). Everything the
     * request points to is copied. PATTERN_OK: on_complete will be called exactly once.
     * PATTERN_INVALID: a malformed URL (http or https, no userinfo), method or header, a body
     * over 64 MiB, or no on_complete (nothing starts, no callback; the reason is logged).
     * PATTERN_BUSY: 65,536 calls are in flight. PATTERN_STATE: the host is not serving (yet
     * or any more). Any thread. */
    pattern_status (*start)(const pattern_client_request *request, pattern_client_call *out);
    /* Ends a call early: on_complete follows with PATTERN_CLIENT_CANCELLED (body pieces not
     * yet delivered are dropped). PATTERN_NOT_FOUND when the call's outcome was already
     * decided (on_complete is on its way or has run). Any thread, also from its callbacks. */
    pattern_status (*cancel)(pattern_client_call call);
    /* Back-pressure: while paused (nonzero), no on_head/on_data/on_event is delivered and the
     * host stops reading from the peer (idle timeouts do not run; the total timeout does).
     * A call that fails while paused completes at once; one that succeeds completes after
     * resume. The host also stops reading by itself while 1 MiB waits for delivery.
     * PATTERN_NOT_FOUND as cancel. */
    pattern_status (*pause)(pattern_client_call call, int32_t paused);
} pattern_client_api;

/* ===== Host table: child processes (1.4) =============================================== */
/* Programs a plugin runs (e.g. a local MCP server), with pipes driven by the event loops.
 * What a plugin may run is the plugin's own policy; the host executes exactly the file at
 * the path given (no PATH lookup, no shell; its last component must not be a symbolic link,
 * while directories on the way may be, e.g. /bin -> /usr/bin), reaps every child, caps
 * their number ([limits] max_processes, default 64), and at shutdown closes their stdin,
 * sends SIGTERM and, after a grace period, SIGKILL, and delivers every on_exit before the
 * plugins' shutdown callbacks run.
 *
 * A child starts with exactly the argv and environment given (nothing of the host's), its
 * stdin, stdout and stderr on pipes and no other descriptor, default signal dispositions and
 * no signal blocked, in a process group of its own (signals reach what it starts too), in
 * the host's working directory unless `cwd` says otherwise. A script (#!) runs too; its
 * interpreter opens it by its path, as interpreters do.
 *
 * Its stderr goes to the host log, one line at a time (long lines in 4 KiB pieces), tagged
 * with the plugin and pid: at most 200 lines at once and 50 a second per child; the lines
 * beyond are dropped and their number logged as a warning.
 *
 * A handle is a generation-tagged id, never reused; 0 is never valid. Once the child has
 * exited, every function answers PATTERN_NOT_FOUND (on_exit may still be on its way). */
typedef uint64_t pattern_process;

#define PATTERN_PROCESS_LINES 0x1u /* deliver stdout line by line (without the line break) */

typedef struct pattern_process_spec {
    uint32_t struct_size;
    pattern_str path;             /* absolute path of the executable */
    const pattern_str *argv;      /* argv[0] first; argc >= 1 */
    size_t argc;
    const pattern_str *env;       /* "NAME=value": the child's whole environment */
    size_t env_count;
    uint32_t flags;               /* PATTERN_PROCESS_LINES; other bits are refused */
    uint64_t max_line_bytes;      /* with LINES: a longer line kills the child (0: 1 MiB) */
    /* Callbacks on worker threads, one at a time per process, in order, starting after spawn
     * has filled *out; borrowed arguments. Each may be NULL.
     * on_stdout: a chunk, or with PATTERN_PROCESS_LINES one line without its line break (\n
     *   or \r\n; an unfinished last line comes at the exit). While more than 1 MiB of stdout
     *   waits for on_stdout, the host stops reading the pipe and the child waits to write.
     * on_drain: after write answered PATTERN_BUSY, once everything queued was written.
     * on_exit: exactly once per spawn that returned PATTERN_OK, after everything the child
     *   wrote to stdout before it exited was delivered: the exit code, or -1 and the signal
     *   that ended it. No callback follows it, so userdata may be freed there. */
    void (*on_stdout)(pattern_process process, pattern_str bytes, void *userdata);
    void (*on_drain)(pattern_process process, void *userdata);
    void (*on_exit)(pattern_process process, int32_t exit_code, int32_t signal, void *userdata);
    void *userdata;
    pattern_str cwd;              /* absolute working directory; empty: the host's */
} pattern_process_spec;

typedef struct pattern_process_api {
    uint32_t struct_size;
    /* Starts the program; *out gets the process. Any thread once the host serves (it waits
     * for the exec, about a millisecond). Everything the spec points to is copied.
     * PATTERN_INVALID: a relative path or cwd, no argv, a NUL byte, an environment entry
     * without "NAME=", unknown flags; PATTERN_NOT_FOUND: no executable regular file at
     * `path` (a symbolic link counts as none) or no directory at `cwd`; PATTERN_BUSY:
     * max_processes children are running; PATTERN_STATE: during init (the event loops start
     * after it: a timer started in init can spawn as soon as they run) or while the host
     * stops; PATTERN_INTERNAL: the system refused (pipes, clone, exec). Refusals other than
     * BUSY and STATE are logged with the reason. */
    pattern_status (*spawn)(pattern_plugin *self, const pattern_process_spec *spec,
                            pattern_process *out);
    /* Queues bytes for the child's stdin (copied); any size goes into an empty queue.
     * PATTERN_BUSY: the queue would pass 1 MiB (nothing was taken; on_drain follows);
     * PATTERN_STATE: stdin is closed or closing (close_stdin, terminate, or the child closed
     * its end); PATTERN_NOT_FOUND: the process has exited. */
    pattern_status (*write)(pattern_process process, pattern_str bytes);
    /* Closes stdin once the queued bytes are written (the child sees end of input). Again
     * is fine; PATTERN_NOT_FOUND once it has exited. */
    pattern_status (*close_stdin)(pattern_process process);
    /* Sends a signal to the child's process group (SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGUSR1,
     * SIGUSR2; others PATTERN_INVALID). PATTERN_NOT_FOUND: it has exited. */
    pattern_status (*signal)(pattern_process process, int32_t signal);
    /* Ends the child politely: closes stdin now (unwritten bytes are dropped), sends SIGTERM
     * after `grace_ms` and SIGKILL `grace_ms` later (0: 2000 each), to its process group;
     * on_exit follows. A sooner termination already under way keeps its schedule.
     * PATTERN_NOT_FOUND: it has exited. */
    pattern_status (*terminate)(pattern_process process, uint32_t grace_ms);
} pattern_process_api;

/* ===== Host table: metrics (reserved) ================================================== */
/* Reserved in 1.0: a later minor adds host-side metric registration. Until then metrics
 * are a named service ("metrics.v1") of the metrics plugin. */
typedef struct pattern_metrics_api {
    uint32_t struct_size;
} pattern_metrics_api;

/* ===== Host table: configuration ======================================================= */
typedef struct pattern_config_api {
    uint32_t struct_size;
    /* This plugin's config section ([name] in the TOML file) as a JSON object, "{}" when
     * absent. Valid for the life of the process. */
    pattern_str (*plugin_config)(pattern_plugin *self);
    /* A shared host setting by dotted key ("server.port", "limits.max_json_depth") as JSON,
     * after environment overrides: the host's sections [server] [database] [plugins] [cors]
     * [limits] [outbound] [log] only. PATTERN_OK with *json valid for the process's life;
     * PATTERN_NOT_FOUND when unset or unknown, and for every plugin section ("auth.jwt_secret"
     * included): a plugin reads its own through plugin_config, and no other plugin's. */
    pattern_status (*setting)(pattern_str key, pattern_str *json);
    /* The data directory (absolute path), for files a plugin must keep (e.g. secrets). */
    pattern_str (*data_dir)(void);
} pattern_config_api;

/* ===== Host table: secrets at rest (1.4) =============================================== */
/* Values a plugin must use later but never show (provider API keys, MCP headers, OAuth
 * tokens) are stored sealed: AES-256-GCM under the host's one key-encryption key (KEK), as
 * ASCII text that fits a TEXT column on SQLite and PostgreSQL alike:
 *
 *     pk1.<key id: 8 lower-case hex>.<base64url without padding of nonce(12) | ciphertext | tag(16)>
 *
 * Every value gets a fresh random nonce, so sealing the same plaintext twice gives different
 * texts. `associated` is authenticated but not stored: pass what the value belongs to (its
 * table, row id and column, e.g. "providers:prov_01j...:api_key") and the same bytes to open,
 * so a sealed value copied into another row does not open there. The key id names the KEK
 * without revealing it. Neither the host nor a plugin ever logs a plaintext or a key.
 *
 * The KEK is <data_dir>/secrets.key (made on first start, mode 0600) or the environment's
 * PATTERN_KEK. `pattern-server secrets rotate-key` replaces it: seal then uses the new key,
 * open accepts the old and the new, and every plugin's rotation callback re-seals its own
 * values. A plugin that keeps sealed values must therefore register one (on_rotate).
 *
 * Results go to buffers the caller provides: there is nothing to free. */

/* The largest plaintext, and the largest associated data, seal takes (bytes). */
#define PATTERN_SECRET_MAX_BYTES 1048576

/* A plugin's rotation callback: re-seals every value the plugin keeps (select them, open each,
 * seal it again, update it) in one database transaction, so each plugin's values move to the
 * new key all at once or not at all. Runs only in `pattern-server secrets rotate-key` (never
 * while the host serves), on the control thread, after every plugin's init, while seal uses
 * the new key and open accepts both. Returns PATTERN_OK, or another status with
 * error->message filled in (one line, NUL-terminated): the command then stops, names the
 * plugin, and keeps both keys until it is run again, so a callback must be safe to run more
 * than once (re-sealing a value already under the new key is fine). */
typedef pattern_status (*pattern_rotate_fn)(pattern_error *error, void *userdata);

typedef struct pattern_secrets_api {
    uint32_t struct_size;
    /* --- added in 1.4 --- */
    /* The length of the text seal makes of a plaintext of `plaintext_len` bytes (it depends on
     * the length alone), or 0 above PATTERN_SECRET_MAX_BYTES. Any thread. */
    size_t (*sealed_size)(size_t plaintext_len);
    /* Seals `plaintext`, bound to `associated`, into out[0 .. *out_len) under the current key:
     * ASCII, not NUL-terminated, *out_len == sealed_size(plaintext.len). Both inputs are
     * borrowed for the call. Any thread, from init on.
     *   PATTERN_OK        sealed.
     *   PATTERN_INVALID   `capacity` is below the size needed: *out_len is set to that size and
     *                     nothing is written. Also (with *out_len = 0) when an input is longer
     *                     than PATTERN_SECRET_MAX_BYTES, a pointer is NULL with a length above
     *                     0, or out_len is NULL.
     *   PATTERN_INTERNAL  the cipher failed; the host logs why. */
    pattern_status (*seal)(pattern_str plaintext, pattern_str associated, char *out,
                           size_t capacity, size_t *out_len);
    /* Opens a value seal made, given the same `associated` bytes, into out[0 .. *out_len): the
     * plaintext exactly as sealed. A buffer of sealed.len bytes is always large enough. Both
     * inputs are borrowed for the call. Any thread, from init on.
     *   PATTERN_OK        *out_len is the plaintext's length.
     *   PATTERN_INVALID   `sealed` is not a sealed value, or does not authenticate: a byte was
     *                     changed, it was truncated, or `associated` differs from the bytes it
     *                     was sealed with (*out_len = 0). Also when `capacity` is below the
     *                     plaintext's length: *out_len is set to that length (so a too-small
     *                     buffer is told apart by *out_len > capacity) and nothing is written.
     *                     And (*out_len = 0) when a pointer is NULL with a length above 0, or
     *                     out_len is NULL.
     *   PATTERN_VERSION   sealed under a key this host does not hold (another installation's,
     *                     or a key replaced without rotate-key), or in a format it does not
     *                     know (*out_len = 0).
     * A failed open leaves no plaintext in `out`. */
    pattern_status (*open)(pattern_str sealed, pattern_str associated, char *out,
                           size_t capacity, size_t *out_len);
    /* Registers a rotation callback of this plugin (init only). A plugin may register several;
     * they run in the order registered, plugins in load order. `userdata` is passed back
     * untouched.
     *   PATTERN_OK, PATTERN_INVALID (no plugin or no callback), PATTERN_STATE (after init). */
    pattern_status (*on_rotate)(pattern_plugin *self, pattern_rotate_fn fn, void *userdata);
} pattern_secrets_api;

/* ===== Host table: JSON bodies and responses (1.6) ===================================== */
/* What PluginKit gives Swift plugins, for plugins in C: the request's JSON body read by the
 * host, with the host's own answers to bad input, and a JSON writer bound to the response,
 * so a plugin needs no JSON parser or writer of its own. Like the http request functions,
 * call them during a route's handler (or a middleware that then returns PATTERN_STOP), on its
 * thread; they work on the request they are given.
 *
 * Reading. body() parses the request's body once and, when it cannot, answers the client
 * itself (the response is then set: return body()'s status from the handler):
 *   415 unsupported_media_type  Content-Type absent, or not application/json nor
 *                               application/<anything>+json (parameters such as charset are
 *                               ignored)
 *   400 json_error              not one JSON value ("The body is not valid JSON."), or nested
 *                               deeper than [limits] max_json_depth (default 64)
 * A pattern_json_node names one value of that body; 0 is never a node. The typed readers
 * read the member `field` of an object node, or, when `field` is empty, the node itself (an
 * array element). Each checks the type and the bounds it is given; instead of answering, it
 * records a problem naming the field by its path from the body ("title", "author.name",
 * "tags[2]") and why. After reading, check() answers them all at once:
 *   400 validation_error  {"error":{"type":"validation_error","message":"<field>: <why>",
 *                         "fields":[{"field":"<field>","message":"<why>"}, ...]},"timestamp"}
 *                         (the message names the first problem; `fields` lists all of them).
 * The reasons, as in every first-party plugin: "is required", "must not be null",
 * "must be a string" (an integer, a number, a boolean, an object, an array),
 * "must be at least N characters", "must be at most N characters", "must be at least N",
 * "must be at most N", and what a plugin records itself with problem().
 *
 * Every reader returns:
 *   PATTERN_OK         present, of the type, within bounds: *out is set.
 *   PATTERN_NOT_FOUND  absent or null, and `flags` lacks PATTERN_JSON_REQUIRED: nothing is
 *                      recorded and *out is left as it was (so initialise it to the default).
 *                      json->type tells absent from null when that matters (PATCH).
 *   PATTERN_INVALID    a problem was recorded: absent or null while REQUIRED, wrong type, out
 *                      of bounds, or `field` is not empty and `node` is not an object (that
 *                      problem names the node, "body" for the whole body: "must be an
 *                      object", recorded once). *out is left as it was. Also, with nothing
 *                      recorded, when `node` is not a node of this request's body.
 *   PATTERN_STATE      body() has not succeeded on this request (nothing recorded).
 * Strings come back unescaped, as UTF-8, borrowed until the callback returns; so do nodes.
 * Lengths count characters (Unicode scalar values), not bytes.
 *
 * Writing. Each write appends one value to the response body (as http->write_body does):
 * inside an object it takes the member's name as `key`, elsewhere `key` must be empty.
 * Strings and keys are escaped by the host (malformed UTF-8 becomes U+FFFD). The first write
 * of a response adds "Content-Type: application/json" unless a Content-Type was added; the
 * status is the plugin's (http->set_status; 200 when none is set). Each returns:
 *   PATTERN_OK         appended.
 *   PATTERN_INVALID    nothing appended: `key` empty inside an object or given outside one,
 *                      a second value at the top, a number that is not finite.
 *   PATTERN_STATE      end_object/end_array without the matching begin.
 * A document left open when the handler returns is sent as it is: end what you begin. The
 * writer appends to what http->write_body wrote and respond_error replaced, so use one of
 * them per response. */

typedef uint32_t pattern_json_node;

/* The type of a value, from json->type. */
#define PATTERN_JSON_ABSENT (-1)
#define PATTERN_JSON_NULL 0
#define PATTERN_JSON_BOOL 1
#define PATTERN_JSON_INTEGER 2 /* a number without fraction or exponent that fits int64_t */
#define PATTERN_JSON_NUMBER 3  /* any other number */
#define PATTERN_JSON_STRING 4
#define PATTERN_JSON_ARRAY 5
#define PATTERN_JSON_OBJECT 6

/* Reader flags. */
#define PATTERN_JSON_REQUIRED 0x1u /* absent or null is a problem ("is required", "must not be null") */

typedef struct pattern_json_api {
    uint32_t struct_size;
    /* --- added in 1.6 --- */
    /* Parses the body (once; later calls give the same root) into *root. PATTERN_OK;
     * PATTERN_INVALID: the client was answered 415 or 400 as above (return it from the
     * handler), or root is NULL (nothing answered). */
    pattern_status (*body)(pattern_request *request, pattern_json_node *root);
    /* The type of member `field` of `node` (of `node` itself when `field` is empty):
     * PATTERN_JSON_*, PATTERN_JSON_ABSENT when there is no such member, `node` is not a node
     * of this body, or `field` is not empty and `node` is not an object. */
    int32_t (*type)(const pattern_request *request, pattern_json_node node, pattern_str field);
    /* A string of `min_chars` to `max_chars` characters (max 0: no limit). */
    pattern_status (*string)(pattern_request *request, pattern_json_node node, pattern_str field,
                             uint32_t flags, size_t min_chars, size_t max_chars, pattern_str *out);
    /* An integer (no fraction, fits int64_t) from `min` to `max`. */
    pattern_status (*integer)(pattern_request *request, pattern_json_node node, pattern_str field,
                              uint32_t flags, int64_t min, int64_t max, int64_t *out);
    /* Any number (an integer too). */
    pattern_status (*number)(pattern_request *request, pattern_json_node node, pattern_str field,
                             uint32_t flags, double *out);
    /* true or false, as 1 or 0. */
    pattern_status (*boolean)(pattern_request *request, pattern_json_node node, pattern_str field,
                              uint32_t flags, int32_t *out);
    /* An object: *out names it, for reading its members (their paths start with its own). */
    pattern_status (*object)(pattern_request *request, pattern_json_node node, pattern_str field,
                             uint32_t flags, pattern_json_node *out);
    /* An array: *out names it and *count is its length; read its elements with element. */
    pattern_status (*array)(pattern_request *request, pattern_json_node node, pattern_str field,
                            uint32_t flags, pattern_json_node *out, size_t *count);
    /* Element `index` of an array node, for the readers with an empty `field`.
     * PATTERN_NOT_FOUND past the end; PATTERN_INVALID when `array` is not an array node. */
    pattern_status (*element)(pattern_request *request, pattern_json_node array, size_t index,
                              pattern_json_node *out);
    /* Records a problem of the plugin's own about member `field` of `node` (`node` itself
     * when `field` is empty; the member need not be present), e.g. "must be one of draft,
     * published". PATTERN_OK; PATTERN_INVALID (nothing recorded) when `node` is not a node of
     * this body or `message` is empty; PATTERN_STATE before body() succeeded. */
    pattern_status (*problem)(pattern_request *request, pattern_json_node node, pattern_str field,
                              pattern_str message);
    /* PATTERN_OK when no problem was recorded; otherwise answers 400 validation_error as
     * above and returns PATTERN_INVALID (return it from the handler). */
    pattern_status (*check)(pattern_request *request);

    /* --- writing the response --- */
    pattern_status (*begin_object)(pattern_request *request, pattern_str key);
    pattern_status (*end_object)(pattern_request *request);
    pattern_status (*begin_array)(pattern_request *request, pattern_str key);
    pattern_status (*end_array)(pattern_request *request);
    pattern_status (*write_string)(pattern_request *request, pattern_str key, pattern_str value);
    pattern_status (*write_integer)(pattern_request *request, pattern_str key, int64_t value);
    pattern_status (*write_number)(pattern_request *request, pattern_str key, double value);
    pattern_status (*write_bool)(pattern_request *request, pattern_str key, int32_t value);
    pattern_status (*write_null)(pattern_request *request, pattern_str key);
    /* A value that already is JSON text (e.g. a column holding JSON), checked and copied as
     * it is: PATTERN_INVALID when it is not one JSON value or nests deeper than
     * [limits] max_json_depth. */
    pattern_status (*write_raw)(pattern_request *request, pattern_str key, pattern_str json);
} pattern_json_api;

/* ===== Host table: command-line commands (1.6) ========================================== */
/* A plugin adds subcommands to the server's command line, `pattern-server <plugin> <command>
 * [arguments...]` (the auth plugin's `pattern-server auth create-admin --username root`),
 * by registering them in init.
 * Running one: the host reads the configuration, boots every plugin as for serving (database
 * open and migrations applied, secrets and services available) but opens no socket, calls the
 * command's `run` once on the main thread, shuts the plugins down and exits with the code
 * `run` returned (by convention 0 done, 1 failed, 2 bad arguments). The command prints its
 * result to stdout and its errors to stderr itself; the host logs at level error only.
 * Arguments: the words after the command name, in order, less the host's own options
 * (--config FILE, --plugin-dir DIR, --data-dir DIR) wherever they stand.
 * Errors the host answers itself: the plugin is not loaded → exit 1; the plugin has no such
 * command → exit 2; each with one line on stderr naming what there is.
 * `pattern-server help` lists every loaded plugin's commands with their usage and summary
 * (it boots the plugins to learn them). */
/* Runs the command; `arguments` (count of them) are borrowed for the call. Returns the
 * process's exit code. */
typedef int32_t (*pattern_command_fn)(const pattern_str *arguments, size_t count, void *userdata);

typedef struct pattern_command {
    uint32_t struct_size;
    pattern_str name;       /* 1-32 of [a-z0-9-], starting with a letter; unique in the plugin */
    pattern_str usage;      /* its arguments for help, e.g. "--username NAME"; may be empty */
    pattern_str summary;    /* one line for help */
    pattern_command_fn run;
    void *userdata;         /* passed back to run untouched */
} pattern_command;

typedef struct pattern_cli_api {
    uint32_t struct_size;
    /* Registers a command of this plugin (init only). The strings are copied.
     *   PATTERN_OK
     *   PATTERN_INVALID   no plugin, no command or no `run`, a struct_size below this
     *                     version's, a name that breaks the rule, or a summary that is empty
     *   PATTERN_CONFLICT  this plugin already registered a command by that name
     *   PATTERN_STATE     after init */
    pattern_status (*add_command)(pattern_plugin *self, const pattern_command *command);
} pattern_cli_api;

/* ===== The host table handed to init =================================================== */
/* The table and every sub-table it points to are filled once and live, unchanged, as long as
 * the process: keep the pointers init receives (no copy of a slot is needed). No pointer and
 * no slot up to a table's struct_size is NULL. */
typedef struct pattern_host_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    const pattern_core_api *core;
    const pattern_log_api *log;
    const pattern_http_api *http;
    const pattern_db_api *db;
    const pattern_services_api *services;
    const pattern_events_api *events;
    const pattern_ws_api *ws;
    const pattern_metrics_api *metrics;
    const pattern_config_api *config;
    /* --- added in 1.4 --- */
    const pattern_responses_api *responses;
    const pattern_timer_api *timers;
    const pattern_client_api *client;
    const pattern_process_api *process;
    const pattern_secrets_api *secrets;
    /* --- added in 1.6 --- */
    const pattern_json_api *json;
    const pattern_cli_api *cli; /* command-line commands */
    /* New sub-tables are added here, at the end, in later minors. */
} pattern_host_v1;

#ifdef __cplusplus
}
#endif

#endif /* PATTERN_PLUGIN_H */
