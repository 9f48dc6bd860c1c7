/* Secrets fixture (ABI 1.4): keeps values sealed by the host in its own table, the way a
 * provider plugin keeps API keys, each bound to its row by the associated data
 * "secret_probe:<id>":
 *   PUT /api/v1/secret-probe/{id}      seals the body and stores it (204)
 *   GET /api/v1/secret-probe/{id}      opens it (200, the plaintext); 404 when absent; 409 with
 *                                      "open: status N" when the host refuses to open it
 *   GET /api/v1/secret-probe-buffers?length=N  the buffer contract with too-small buffers:
 *                                      "sealed_size=S;seal=ST/LEN;open=ST/LEN"
 * Its rotation callback re-seals every row in one transaction; with {"fail_rotation": true} in
 * its config section it refuses instead, with a message. */
#include <pattern_plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIT(literal) {literal, sizeof(literal) - 1}
#define STR(literal) ((pattern_str)LIT(literal))
#define MAX_ID 64

static const pattern_http_api *http;
static const pattern_db_api *db;
static const pattern_secrets_api *secrets;
static int fail_rotation;

/* "secret_probe:<id>" into `out`, or 0 when the id is too long. */
static size_t associated_data(pattern_str id, char out[MAX_ID + 16]) {
    if (id.len > MAX_ID) return 0;
    memcpy(out, "secret_probe:", 13);
    memcpy(out + 13, id.ptr, id.len);
    return 13 + id.len;
}

static pattern_status store(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str id = {0}, body = http->body(request);
    char ad[MAX_ID + 16];
    size_t ad_len;
    if (http->path_param(request, STR("id"), &id) != PATTERN_OK || !(ad_len = associated_data(id, ad)))
        return http->respond_error(request, 400, STR("validation_error"), STR("id: too long"), STR(""));
    size_t capacity = secrets->sealed_size(body.len), length = 0;
    char *sealed = capacity ? malloc(capacity) : NULL;
    if (!sealed) return PATTERN_INTERNAL;
    pattern_status status = secrets->seal(body, (pattern_str){ad, ad_len}, sealed, capacity, &length);
    if (status == PATTERN_OK) {
        pattern_value params[2] = {
            {.type = PATTERN_VALUE_TEXT, .bytes = id},
            {.type = PATTERN_VALUE_TEXT, .bytes = {sealed, length}},
        };
        status = db->execute(NULL, STR("INSERT INTO secret_probe_values (id, sealed) VALUES (?, ?) "
                                       "ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed"),
                             params, 2, NULL);
    }
    free(sealed);
    return status == PATTERN_OK ? http->set_status(request, 204) : status;
}

/* Opens `sealed` for row `id` into a new buffer (*out, *out_len); the host's status. */
static pattern_status open_value(pattern_str id, pattern_str sealed, char **out, size_t *out_len) {
    char ad[MAX_ID + 16];
    size_t ad_len = associated_data(id, ad);
    *out = malloc(sealed.len + 1); /* sealed.len is always enough */
    if (!*out) return PATTERN_INTERNAL;
    pattern_status status = secrets->open(sealed, (pattern_str){ad, ad_len}, *out, sealed.len, out_len);
    if (status != PATTERN_OK) {
        free(*out);
        *out = NULL;
    }
    return status;
}

static pattern_status fetch(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str id = {0};
    if (http->path_param(request, STR("id"), &id) != PATTERN_OK || id.len > MAX_ID)
        return http->respond_error(request, 400, STR("validation_error"), STR("id: too long"), STR(""));
    pattern_value param = {.type = PATTERN_VALUE_TEXT, .bytes = id};
    pattern_rows *rows = NULL;
    pattern_status status = db->execute(NULL, STR("SELECT sealed FROM secret_probe_values WHERE id = ?"),
                                        &param, 1, &rows);
    if (status != PATTERN_OK) return status;
    pattern_value sealed = {0};
    if (db->row_count(rows) == 0 || db->value(rows, 0, 0, &sealed) != PATTERN_OK) {
        db->release(rows);
        return http->respond_error(request, 404, STR("not_found"), STR("no such value"), STR(""));
    }
    char *plaintext = NULL;
    size_t length = 0;
    status = open_value(id, sealed.bytes, &plaintext, &length);
    db->release(rows);
    if (status != PATTERN_OK) {
        char message[64];
        int n = snprintf(message, sizeof message, "open: status %d", status);
        return http->respond_error(request, 409, STR("sealed_value_rejected"), (pattern_str){message, (size_t)n},
                                   STR(""));
    }
    http->set_status(request, 200);
    http->write_body(request, (pattern_str){plaintext, length});
    free(plaintext);
    return PATTERN_OK;
}

/* Seal and open with buffers one byte too small (and open's with none), as a C caller would
 * probe for the size. */
static pattern_status buffers(pattern_request *request, void *userdata) {
    (void)userdata;
    pattern_str text = {0};
    char digits[16] = {0};
    if (http->query_param(request, STR("length"), &text) != PATTERN_OK || text.len == 0 || text.len >= sizeof digits)
        return http->respond_error(request, 400, STR("validation_error"), STR("length: required"), STR(""));
    memcpy(digits, text.ptr, text.len);
    size_t length = strtoul(digits, NULL, 10);
    char *plaintext = calloc(length + 1, 1), *sealed = malloc(secrets->sealed_size(length) + 1);
    if (!plaintext || !sealed) return PATTERN_INTERNAL;
    memset(plaintext, 'x', length);
    size_t size = secrets->sealed_size(length), sealed_len = 99, opened_len = 99;
    pattern_status seal_small = secrets->seal((pattern_str){plaintext, length}, STR("ad"), sealed, size - 1, &sealed_len);
    secrets->seal((pattern_str){plaintext, length}, STR("ad"), sealed, size, &size);
    pattern_status open_small = length == 0 ? -1
        : secrets->open((pattern_str){sealed, size}, STR("ad"), plaintext, length - 1, &opened_len);
    char answer[128];
    int n = snprintf(answer, sizeof answer, "sealed_size=%zu;seal=%d/%zu;open=%d/%zu", secrets->sealed_size(length),
                     seal_small, sealed_len, open_small, opened_len);
    free(plaintext);
    free(sealed);
    http->set_status(request, 200);
    return http->write_body(request, (pattern_str){answer, (size_t)n});
}

/* Re-seals every row inside the transaction; any failure rolls all of them back. */
static pattern_status reseal_rows(pattern_txn *txn, void *userdata) {
    (void)userdata;
    pattern_rows *rows = NULL;
    pattern_status status = db->execute(txn, STR("SELECT id, sealed FROM secret_probe_values"), NULL, 0, &rows);
    if (status != PATTERN_OK) return status;
    for (size_t row = 0; status == PATTERN_OK && row < db->row_count(rows); row++) {
        pattern_value id = {0}, sealed = {0};
        db->value(rows, row, 0, &id);
        db->value(rows, row, 1, &sealed);
        char *plaintext = NULL, ad[MAX_ID + 16];
        size_t length = 0, ad_len = associated_data(id.bytes, ad);
        status = open_value(id.bytes, sealed.bytes, &plaintext, &length);
        if (status != PATTERN_OK) break;
        size_t capacity = secrets->sealed_size(length), resealed_len = 0;
        char *resealed = malloc(capacity);
        status = resealed ? secrets->seal((pattern_str){plaintext, length}, (pattern_str){ad, ad_len}, resealed,
                                          capacity, &resealed_len)
                          : PATTERN_INTERNAL;
        if (status == PATTERN_OK) {
            pattern_value params[2] = {
                {.type = PATTERN_VALUE_TEXT, .bytes = {resealed, resealed_len}},
                {.type = PATTERN_VALUE_TEXT, .bytes = id.bytes},
            };
            status = db->execute(txn, STR("UPDATE secret_probe_values SET sealed = ? WHERE id = ?"), params, 2, NULL);
        }
        memset(plaintext, 0, length);
        free(plaintext);
        free(resealed);
    }
    db->release(rows);
    return status;
}

static pattern_status rotate(pattern_error *error, void *userdata) {
    (void)userdata;
    if (fail_rotation) {
        snprintf(error->message, sizeof error->message, "told to fail by its config");
        return PATTERN_PLUGIN_STATUS_BASE;
    }
    pattern_status status = db->transaction(reseal_rows, NULL);
    if (status != PATTERN_OK) snprintf(error->message, sizeof error->message, "re-sealing failed (status %d)", status);
    return status;
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, secrets)) {
        snprintf(error->message, sizeof error->message, "needs a host with ABI 1.4 (secrets)");
        return PATTERN_VERSION;
    }
    http = host->http;
    db = host->db;
    secrets = host->secrets;
    pattern_str config = host->config->plugin_config(self);
    for (size_t i = 0; i + 20 <= config.len; i++)
        if (memcmp(config.ptr + i, "\"fail_rotation\":true", 20) == 0) fail_rotation = 1;
    const pattern_route routes[] = {
        {.struct_size = sizeof(pattern_route), .method = LIT("PUT"), .path = LIT("/api/v1/secret-probe/{id}"),
         .handler = store, .flags = PATTERN_PUBLIC},
        {.struct_size = sizeof(pattern_route), .method = LIT("GET"), .path = LIT("/api/v1/secret-probe/{id}"),
         .handler = fetch, .flags = PATTERN_PUBLIC},
        {.struct_size = sizeof(pattern_route), .method = LIT("GET"), .path = LIT("/api/v1/secret-probe-buffers"),
         .handler = buffers, .flags = PATTERN_PUBLIC},
    };
    pattern_status status = db->add_migration(
        self, 1, STR("CREATE TABLE secret_probe_values (id TEXT PRIMARY KEY, sealed TEXT NOT NULL)"));
    for (size_t i = 0; status == PATTERN_OK && i < sizeof routes / sizeof routes[0]; i++)
        status = http->add_route(self, &routes[i]);
    return status == PATTERN_OK ? secrets->on_rotate(self, rotate, NULL) : status;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor),
    .abi_major = PATTERN_ABI_MAJOR,
    .abi_minor = PATTERN_ABI_MINOR,
    .name = LIT("secret-probe"),
    .version = LIT("0.0.1"),
    .description = LIT("Fixture: values sealed by the host, re-sealed on key rotation"),
    .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
