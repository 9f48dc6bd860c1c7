"""ABI 1.6 for C authors, through Tests/Fixtures/c-plugins/json_probe.c: the json sub-table's
typed readers (paths, bounds, REQUIRED, types, problems), its writer, and core.new_id /
core.timestamp, with their statuses on misuse."""
import re

import pytest

from conftest import assert_error

PROBE = "libjson_probe.so"
OK, INVALID, NOT_FOUND, STATE = 0, 1, 2, 5
ABSENT, NULL, BOOL, INTEGER, NUMBER, STRING, ARRAY, OBJECT = -1, 0, 1, 2, 3, 4, 5, 6
VALID = {"count": 3, "ratio": 0.5, "flag": True, "author": {"name": "Ann"}, "tags": ["a", "bc"]}


@pytest.fixture(scope="module")
def server(start_server_module):
    return start_server_module(plugins=[PROBE])


def read(server, body):
    return server.post("/api/v1/test/json/read", json=body)


def problems(response) -> list:
    return assert_error(response, 400, "validation_error")["error"]["fields"]


def test_reads_every_type_and_writes_it_back(server):
    response = read(server, {**VALID, "note": "n\u00e9\"\n", "extra": [1]})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "count": 3, "ratio": 0.5, "flag": True, "name": "Ann", "tags": ["a", "bc"], "note": "n\u00e9\"\n",
        "statuses": {"tags": OK, "note": OK, "element_past_end": NOT_FOUND},
        "types": {"count": INTEGER, "ratio": NUMBER, "flag": BOOL, "author": OBJECT, "tags": ARRAY,
                  "note": STRING, "missing": ABSENT, "body": OBJECT},
    }


def test_optional_members_absent_or_null_keep_their_defaults(server):
    body = {key: value for key, value in VALID.items() if key != "tags"}
    answer = read(server, {**body, "note": None}).json()
    assert answer["note"] == "default" and answer["tags"] == []
    assert answer["statuses"]["note"] == NOT_FOUND and answer["statuses"]["tags"] == NOT_FOUND
    assert answer["types"]["note"] == NULL and answer["types"]["tags"] == ABSENT


def test_an_integer_written_with_a_zero_fraction_is_an_integer(server):
    assert read(server, {**VALID, "count": 4.0, "ratio": 2}).json()["count"] == 4


@pytest.mark.parametrize("change, field, why", [
    ({"count": 11}, "count", "must be at most 10"),
    ({"count": -1}, "count", "must be at least 0"),
    ({"count": 1.5}, "count", "must be an integer"),
    ({"count": "3"}, "count", "must be an integer"),
    ({"count": 7}, "count", "must not be 7"),  # a problem the plugin records itself
    ({"ratio": True}, "ratio", "must be a number"),
    ({"flag": 1}, "flag", "must be a boolean"),
    ({"author": "Ann"}, "author", "must be an object"),
    ({"author": {}}, "author.name", "is required"),
    ({"author": {"name": "Annabel"}}, "author.name", "must be at most 5 characters"),
    ({"tags": "a"}, "tags", "must be an array"),
    ({"tags": ["a", ""]}, "tags[1]", "must be at least 1 characters"),
    ({"tags": ["a", None]}, "tags[1]", "must not be null"),
    ({"note": 5}, "note", "must be a string"),
])
def test_problems_name_the_field_by_its_path(server, change, field, why):
    assert problems(read(server, {**VALID, **change})) == [{"field": field, "message": why}]


def test_every_problem_is_answered_at_once(server):
    fields = problems(read(server, {"author": {"name": ""}, "tags": [1]}))
    assert fields == [
        {"field": "count", "message": "is required"}, {"field": "ratio", "message": "is required"},
        {"field": "flag", "message": "is required"},
        {"field": "author.name", "message": "must be at least 1 characters"},
        {"field": "tags[0]", "message": "must be a string"},
    ]


def test_misuse_answers_its_documented_status(server):
    answer = server.post("/api/v1/test/json/edges", json={}).json()
    assert answer["before_body"] == STATE
    assert answer["body"] == OK and answer["body_again"] == OK
    assert answer["unknown_node"] == INVALID
    assert answer["problem_unknown_node"] == INVALID and answer["problem_empty_message"] == INVALID
    assert answer["key_at_top"] == INVALID and answer["end_unopened"] == STATE
    assert answer["nan"] == INVALID and answer["missing_key"] == INVALID and answer["raw_bad"] == INVALID
    assert answer["end_array_in_object"] == STATE
    assert answer["raw"] == [1, {"a": None}] and "raw_bad_value" not in answer


def test_new_id_and_timestamp(server):
    answer = server.post("/api/v1/test/json/edges", json={}).json()
    assert answer["id"] == OK and re.fullmatch(r"probe_[0-9a-hjkmnp-tv-z]{26}", answer["new_id"])
    assert answer["small_id"] == INVALID and answer["needed"] == len("probe_") + 26
    assert answer["bad_prefix"] == INVALID and answer["long_prefix"] == INVALID and answer["untouched"] == 12345
    assert answer["small_timestamp"] == INVALID
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", answer["timestamp"])
    later = server.post("/api/v1/test/json/edges", json={}).json()["new_id"]
    assert later > answer["new_id"] or later[:16] == answer["new_id"][:16]  # time-ordered
