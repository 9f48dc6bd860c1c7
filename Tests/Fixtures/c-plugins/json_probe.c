/* json fixture (ABI 1.6): every reader and writer of the json sub-table and core.new_id /
 * core.timestamp, from plain C, so their statuses and answers can be tested directly.
 *   POST /api/v1/test/json/read    body: {"count": 0-10, "ratio": number, "flag": bool,
 *       "author": {"name": 1-5 characters, required}, "tags": [strings of 1-5 characters],
 *       "note"?: string}. Answers the standard errors, or 200 with what was read: the values,
 *       "statuses" of the optional reads and "types" of some members (PATTERN_JSON_*).
 *   POST /api/v1/test/json/edges  body: {} -> 200 {"<case>": status, ...} for misuse of the
 *       functions, and a fresh id and timestamp.
 */
#include <pattern_plugin.h>
#include <pattern_plugin_util.h>

#include <math.h>
#include <string.h>

static const pattern_core_api *core;
static const pattern_json_api *json;

static pattern_status read_body(pattern_request *r, void *userdata) {
    (void)userdata;
    pattern_json_node body, author, tags = 0, tag;
    pattern_status status = json->body(r, &body);
    if (status != PATTERN_OK)
        return status;
    int64_t count = -1;
    double ratio = -1;
    int32_t flag = -1;
    pattern_str name = {NULL, 0}, note = PATTERN_STR("default"), text[8];
    size_t tag_count = 0, read_tags = 0;
    json->integer(r, body, PATTERN_STR("count"), PATTERN_JSON_REQUIRED, 0, 10, &count);
    json->number(r, body, PATTERN_STR("ratio"), PATTERN_JSON_REQUIRED, &ratio);
    json->boolean(r, body, PATTERN_STR("flag"), PATTERN_JSON_REQUIRED, &flag);
    if (json->object(r, body, PATTERN_STR("author"), PATTERN_JSON_REQUIRED, &author) == PATTERN_OK)
        json->string(r, author, PATTERN_STR("name"), PATTERN_JSON_REQUIRED, 1, 5, &name);
    pattern_status tags_status = json->array(r, body, PATTERN_STR("tags"), 0, &tags, &tag_count);
    for (size_t i = 0; tags_status == PATTERN_OK && i < tag_count && i < 8; i++)
        if (json->element(r, tags, i, &tag) == PATTERN_OK &&
            json->string(r, tag, PATTERN_STR(""), PATTERN_JSON_REQUIRED, 1, 5, &text[read_tags]) == PATTERN_OK)
            read_tags++;
    pattern_status note_status = json->string(r, body, PATTERN_STR("note"), 0, 0, 0, &note);
    if (count == 7)
        json->problem(r, body, PATTERN_STR("count"), PATTERN_STR("must not be 7"));
    if ((status = json->check(r)) != PATTERN_OK)
        return status;
    json->begin_object(r, PATTERN_STR(""));
    json->write_integer(r, PATTERN_STR("count"), count);
    json->write_number(r, PATTERN_STR("ratio"), ratio);
    json->write_bool(r, PATTERN_STR("flag"), flag);
    json->write_string(r, PATTERN_STR("name"), name);
    json->begin_array(r, PATTERN_STR("tags"));
    for (size_t i = 0; i < read_tags; i++)
        json->write_string(r, PATTERN_STR(""), text[i]);
    json->end_array(r);
    json->write_string(r, PATTERN_STR("note"), note);
    json->begin_object(r, PATTERN_STR("statuses"));
    json->write_integer(r, PATTERN_STR("tags"), tags_status);
    json->write_integer(r, PATTERN_STR("note"), note_status);
    json->write_integer(r, PATTERN_STR("element_past_end"), json->element(r, tags, tag_count, &tag));
    json->end_object(r);
    json->begin_object(r, PATTERN_STR("types"));
    static const pattern_str members[] = {PATTERN_LIT("count"), PATTERN_LIT("ratio"), PATTERN_LIT("flag"),
                                          PATTERN_LIT("author"), PATTERN_LIT("tags"), PATTERN_LIT("note"),
                                          PATTERN_LIT("missing")};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        json->write_integer(r, members[i], json->type(r, body, members[i]));
    json->write_integer(r, PATTERN_STR("body"), json->type(r, body, PATTERN_STR("")));
    json->end_object(r);
    return json->end_object(r);
}

static pattern_status edges(pattern_request *r, void *userdata) {
    (void)userdata;
    char id[PATTERN_ID_MAX_BYTES], small[8], now[PATTERN_TIMESTAMP_BYTES];
    size_t id_len = 0, needed = 0, untouched = 12345;
    pattern_json_node node = 0;
    int64_t number = 0;
    /* Before body(): the readers answer PATTERN_STATE. */
    pattern_status before_body = json->integer(r, 1, PATTERN_STR("x"), 0, 0, 1, &number);
    pattern_status id_status = core->new_id(PATTERN_STR("probe"), id, sizeof id, &id_len);
    pattern_status small_id = core->new_id(PATTERN_STR("probe"), small, sizeof small, &needed);
    pattern_status bad_prefix = core->new_id(PATTERN_STR("Bad_Prefix"), id, sizeof id, &untouched);
    pattern_status long_prefix = core->new_id(PATTERN_STR("abcdefghijklmnopqrstuvwxyz0123456"), id, sizeof id, &untouched);
    pattern_status small_time = core->timestamp(small, sizeof small);
    core->timestamp(now, sizeof now);
    pattern_status body_status = json->body(r, &node);
    pattern_status body_again = json->body(r, &node);
    struct { const char *name; pattern_status status; } cases[] = {
        {"before_body", before_body}, {"id", id_status}, {"small_id", small_id}, {"bad_prefix", bad_prefix},
        {"long_prefix", long_prefix}, {"small_timestamp", small_time}, {"body", body_status},
        {"body_again", body_again}, {"unknown_node", json->integer(r, 99, PATTERN_STR("x"), 0, 0, 1, &number)},
        {"problem_unknown_node", json->problem(r, 99, PATTERN_STR("x"), PATTERN_STR("why"))},
        {"problem_empty_message", json->problem(r, node, PATTERN_STR("x"), PATTERN_STR(""))},
        {"key_at_top", json->write_null(r, PATTERN_STR("key"))},
        {"end_unopened", json->end_object(r)},
    };
    json->begin_object(r, PATTERN_STR(""));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        json->write_integer(r, (pattern_str){cases[i].name, strlen(cases[i].name)}, cases[i].status);
    json->write_integer(r, PATTERN_STR("needed"), (int64_t)needed);
    json->write_integer(r, PATTERN_STR("untouched"), (int64_t)untouched);
    json->write_string(r, PATTERN_STR("new_id"), (pattern_str){id, id_len});
    json->write_string(r, PATTERN_STR("timestamp"), (pattern_str){now, sizeof now});
    json->write_integer(r, PATTERN_STR("nan"), json->write_number(r, PATTERN_STR("x"), NAN));
    json->write_integer(r, PATTERN_STR("missing_key"), json->write_null(r, PATTERN_STR("")));
    json->write_integer(r, PATTERN_STR("raw_bad"), json->write_raw(r, PATTERN_STR("raw_bad_value"), PATTERN_STR("{nope")));
    json->write_raw(r, PATTERN_STR("raw"), PATTERN_STR(" [1, {\"a\": null}] "));
    json->write_integer(r, PATTERN_STR("end_array_in_object"), json->end_array(r));
    return json->end_object(r);
}

static pattern_status init(const pattern_host_v1 *host, pattern_plugin *self, pattern_error *error) {
    if (!PATTERN_HAS_FIELD(host, pattern_host_v1, json) || !PATTERN_HAS_FIELD(host->json, pattern_json_api, write_raw))
        return pattern_fail(error, PATTERN_VERSION, "json-probe needs ABI 1.6");
    core = host->core;
    json = host->json;
    const pattern_route routes[] = {
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("POST"), .path = PATTERN_LIT("/api/v1/test/json/read"),
         .handler = read_body, .flags = PATTERN_PUBLIC},
        {.struct_size = sizeof(pattern_route), .method = PATTERN_LIT("POST"), .path = PATTERN_LIT("/api/v1/test/json/edges"),
         .handler = edges, .flags = PATTERN_PUBLIC},
    };
    for (size_t i = 0; i < 2; i++)
        if (host->http->add_route(self, &routes[i]) != PATTERN_OK)
            return pattern_fail(error, PATTERN_INTERNAL, "json-probe: a route was refused");
    return PATTERN_OK;
}

static const pattern_plugin_descriptor descriptor = {
    .struct_size = sizeof(pattern_plugin_descriptor), .abi_major = PATTERN_ABI_MAJOR, .abi_minor = PATTERN_ABI_MINOR,
    .name = PATTERN_LIT("json-probe"), .version = PATTERN_LIT("1.0.0"), .init = init,
};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) {
    return &descriptor;
}
