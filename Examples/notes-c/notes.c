/*
 * notes-c: an authenticated, database-backed plugin in plain C (ABI 1.6): each user's notes.
 *   POST /api/v1/notes       {"title": 1-200 characters, "body"?: at most 10,000} -> 201, the note
 *   GET  /api/v1/notes       -> 200 {"items": [the caller's notes, newest first, at most 100]}
 *   GET  /api/v1/notes/{id}  -> 200, the note; 404 when it is not one of the caller's
 * The host does the rest: 401 without a principal (no route is PATTERN_PUBLIC), 415,
 * json_error and validation_error naming the field (json sub-table), ids and timestamps (core).
 */
#include <pattern_plugin.h>
#include <pattern_plugin_util.h>

static const pattern_core_api *core;
static const pattern_http_api *http;
static const pattern_db_api *db;
static const pattern_json_api *json;

#define NOTE_COLUMNS "id, title, body, created_at"
#define TEXT(str) ((pattern_value){.type = PATTERN_VALUE_TEXT, .bytes = (str)})
static const pattern_str fields[] = {PATTERN_LIT("id"), PATTERN_LIT("title"), PATTERN_LIT("body"), PATTERN_LIT("created_at")};

/* Writes one note (NOTE_COLUMNS, in order) as an object. The writes fail only on a misplaced
 * key, which this code never makes. */
static void write_note(pattern_request *request, pattern_str key, const pattern_str values[4]) {
    json->begin_object(request, key);
    for (size_t i = 0; i < 4; i++)
        json->write_string(request, fields[i], values[i]);
    json->end_object(request);
}

static void write_note_row(pattern_request *request, pattern_str key, const pattern_rows *rows, size_t row) {
    pattern_str values[4];
    for (size_t column = 0; column < 4; column++) {
        pattern_value value = TEXT(((pattern_str){NULL, 0}));
        db->value(rows, row, column, &value);
        values[column] = value.bytes;
    }
    write_note(request, key, values);
}

/* The caller's user id; the host answered 401 before the handler when there is none. */
static pattern_str caller(const pattern_request *request) {
    pattern_principal principal = {.struct_size = sizeof principal};
    http->get_principal(request, &principal);
    return principal.user_id;
}

static pattern_status create_note(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_json_node note;
    pattern_str title = {NULL, 0}, body = {NULL, 0};
    pattern_status status = json->body(request, &note);
    if (status != PATTERN_OK)
        return status; /* 415 or json_error, already answered */
    json->string(request, note, PATTERN_STR("title"), PATTERN_JSON_REQUIRED, 1, 200, &title);
    json->string(request, note, PATTERN_STR("body"), 0, 0, 10000, &body);
    if ((status = json->check(request)) != PATTERN_OK)
        return status; /* validation_error naming the fields, already answered */
    char id[PATTERN_ID_MAX_BYTES], now[PATTERN_TIMESTAMP_BYTES];
    size_t id_len = 0; /* set by new_id */
    if ((status = core->new_id(PATTERN_STR("note"), id, sizeof id, &id_len)) != PATTERN_OK ||
        (status = core->timestamp(now, sizeof now)) != PATTERN_OK)
        return status;
    const pattern_str values[4] = {{id, id_len}, title, body, {now, sizeof now}};
    const pattern_value params[] = {TEXT(values[0]), TEXT(caller(request)), TEXT(title), TEXT(body), TEXT(values[3])};
    status = db->execute(NULL, PATTERN_STR("INSERT INTO notes_c_notes (id, owner_id, title, body, created_at) "
                                           "VALUES (?, ?, ?, ?, ?)"), params, 5, NULL);
    if (status == PATTERN_OK && (status = http->set_status(request, 201)) == PATTERN_OK)
        write_note(request, PATTERN_STR(""), values);
    return status;
}

static pattern_status list_notes(pattern_request *request, void *userdata) {
    (void)userdata;
    const pattern_value owner = TEXT(caller(request));
    pattern_rows *rows = NULL;
    pattern_status status = db->execute(
        NULL, PATTERN_STR("SELECT " NOTE_COLUMNS " FROM notes_c_notes WHERE owner_id = ? ORDER BY id DESC LIMIT 100"),
        &owner, 1, &rows);
    if (status != PATTERN_OK)
        return status;
    json->begin_object(request, PATTERN_STR("")); /* {"items":[...]} */
    json->begin_array(request, PATTERN_STR("items"));
    for (size_t row = 0; row < db->row_count(rows); row++)
        write_note_row(request, PATTERN_STR(""), rows, row);
    json->end_array(request);
    json->end_object(request);
    db->release(rows);
    return PATTERN_OK;
}

static pattern_status get_note(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_value params[2] = {TEXT(((pattern_str){NULL, 0})), TEXT(caller(request))};
    pattern_rows *rows = NULL;
    pattern_status status = PATTERN_NOT_FOUND; /* also for an {id} that is not percent-encoded well */
    if (http->path_param(request, PATTERN_STR("id"), &params[0].bytes) == PATTERN_OK)
        status = db->execute(NULL, PATTERN_STR("SELECT " NOTE_COLUMNS " FROM notes_c_notes WHERE id = ? AND owner_id = ?"),
                             params, 2, &rows);
    if (status == PATTERN_OK && db->row_count(rows) == 1)
        write_note_row(request, PATTERN_STR(""), rows, 0);
    else if (status == PATTERN_OK || status == PATTERN_NOT_FOUND) /* no such note, or another user's */
        status = http->respond_error(request, 404, PATTERN_STR("not_found"), PATTERN_STR("No such note."), PATTERN_STR(""));
    db->release(rows); /* NULL is fine */
    return status;
}

/* ----- OpenAPI operations (the host adds tags, the bearer `security`, the {id} parameter) ----- */

#define JSON_OF(schema) "\"content\":{\"application/json\":{\"schema\":" schema "}}"
#define ERROR(status, why) "\"" status "\":{\"description\":\"" why "\"," JSON_OF("{\"$ref\":\"#/components/schemas/Error\"}") "}"
#define STRING(more) "{\"type\":\"string\"" more "}"
#define NOTE                                                                                                  \
    "{\"type\":\"object\",\"required\":[\"id\",\"title\",\"body\",\"created_at\"],\"properties\":{\"id\":" STRING("")   \
    ",\"title\":" STRING("") ",\"body\":" STRING("") ",\"created_at\":" STRING(",\"format\":\"date-time\"") "}}"
#define RESPONSES(ok, more) ",\"responses\":{" ok "," ERROR("401", "No valid credential") more "}}"

static const char create_openapi[] =
    "{\"operationId\":\"createNote\",\"summary\":\"Creates a note of the caller's\",\"requestBody\":{\"required\":true,"
    JSON_OF("{\"type\":\"object\",\"required\":[\"title\"],\"properties\":{\"title\":" STRING(",\"minLength\":1,\"maxLength\":200")
            ",\"body\":" STRING(",\"maxLength\":10000") "}}") "}"
    RESPONSES("\"201\":{\"description\":\"The note\"," JSON_OF(NOTE) "}",
              "," ERROR("400", "json_error or validation_error") "," ERROR("415", "Not JSON"));
static const char list_openapi[] =
    "{\"operationId\":\"listNotes\",\"summary\":\"The caller's notes, newest first (at most 100)\""
    RESPONSES("\"200\":{\"description\":\"The notes\"," JSON_OF("{\"type\":\"object\",\"required\":[\"items\"],"
              "\"properties\":{\"items\":{\"type\":\"array\",\"items\":" NOTE "}}}") "}", "");
static const char get_openapi[] = "{\"operationId\":\"getNote\",\"summary\":\"One note of the caller's\""
    RESPONSES("\"200\":{\"description\":\"The note\"," JSON_OF(NOTE) "}", "," ERROR("404", "No such note of the caller's"));

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, json) || !PATTERN_HAS_FIELD(host->json, pattern_json_api, write_raw) ||
        !PATTERN_HAS_FIELD(host->core, pattern_core_api, timestamp))
        return pattern_fail(error, PATTERN_VERSION, "notes-c needs a host of ABI 1.6 (json, core.new_id)");
    core = host->core, http = host->http, db = host->db, json = host->json;
    pattern_status status = db->add_migration(self, 1, PATTERN_STR(
        "CREATE TABLE notes_c_notes (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, title TEXT NOT NULL, "
        "body TEXT NOT NULL, created_at TEXT NOT NULL);"
        "CREATE INDEX notes_c_notes_owner ON notes_c_notes (owner_id, id)"));
    if (status != PATTERN_OK)
        return pattern_fail(error, status, "notes-c: the migration failed");
    const pattern_route routes[] = {
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("POST"), .path = PATTERN_LIT("/api/v1/notes"),
         .handler = create_note, .openapi = PATTERN_LIT(create_openapi)},
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("GET"), .path = PATTERN_LIT("/api/v1/notes"),
         .handler = list_notes, .openapi = PATTERN_LIT(list_openapi)},
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("GET"), .path = PATTERN_LIT("/api/v1/notes/{id}"),
         .handler = get_note, .openapi = PATTERN_LIT(get_openapi)},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if ((status = http->add_route(self, &routes[i])) != PATTERN_OK)
            return pattern_fail(error, status, "notes-c: the host refused a route");
    return PATTERN_OK;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor), .abi_major = PATTERN_ABI_MAJOR, .abi_minor = PATTERN_ABI_MINOR,
    .name = PATTERN_LIT("notes-c"), .version = PATTERN_LIT("1.0.0"),
    .description = PATTERN_LIT("Example plugin in plain C: each user's notes, in the database"), .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
