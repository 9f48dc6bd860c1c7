"""Examples/notes-c: a plain-C plugin on the ABI 1.6 json and core functions: typed body
fields with the host's 415 / json_error / validation_error answers, JSON written by the host,
ids, timestamps, per-user rows in its own table."""
import re

import pytest
import requests

from agents_support import Client, World, start_world
from conftest import AUTH, IO_TIMEOUT, NOTES_C, assert_error

NOTE_ID = re.compile(r"^note_[0-9a-hjkmnp-tv-z]{26}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def world(start_server_module) -> World:
    return start_world(start_server_module, plugins=(AUTH, NOTES_C))


@pytest.fixture
def alice(world) -> Client:
    return world.user()


def raw_post(client: Client, data: bytes, content_type: str | None = "application/json") -> requests.Response:
    headers = {"Authorization": f"Bearer {client.token}"}
    if content_type:
        headers["Content-Type"] = content_type
    return requests.post(client.server.url("/api/v1/notes"), data=data, headers=headers, timeout=IO_TIMEOUT)


def test_create_list_and_get(alice):
    created = alice.post("/notes", {"title": "Groceries \"today\"", "body": "milk\nbread \u00e9"})
    assert created.status_code == 201, created.text
    assert created.headers["Content-Type"] == "application/json"
    note = created.json()
    assert NOTE_ID.match(note["id"]), note["id"]
    assert TIMESTAMP.match(note["created_at"]), note["created_at"]
    assert note["title"] == "Groceries \"today\"" and note["body"] == "milk\nbread \u00e9"

    second = alice.post("/notes", {"title": "Only a title"}).json()
    assert second["body"] == ""
    assert second["id"] > note["id"]  # time-ordered ids

    listed = alice.get("/notes")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [second["id"], note["id"]]

    fetched = alice.get(f"/notes/{note['id']}")
    assert fetched.status_code == 200 and fetched.json() == note


def test_notes_are_per_user(world, alice):
    note = alice.post("/notes", {"title": "mine"}).json()
    bob = world.user()
    assert_error(bob.get(f"/notes/{note['id']}"), 404, "not_found")
    assert bob.get("/notes").json() == {"items": []}


def test_unknown_id_is_404(alice):
    assert_error(alice.get("/notes/note_nothing"), 404, "not_found")


@pytest.mark.parametrize("body, field, why", [
    ({}, "title", "is required"),
    ({"title": None}, "title", "must not be null"),
    ({"title": ""}, "title", "must be at least 1 characters"),
    ({"title": "x" * 201}, "title", "must be at most 200 characters"),
    ({"title": 7}, "title", "must be a string"),
    ({"title": "ok", "body": "x" * 10001}, "body", "must be at most 10000 characters"),
    ({"title": "ok", "body": ["not", "text"]}, "body", "must be a string"),
])
def test_validation_names_the_field(alice, body, field, why):
    error = assert_error(alice.post("/notes", body), 400, "validation_error")["error"]
    assert error["fields"] == [{"field": field, "message": why}]
    assert error["message"] == f"{field}: {why}"


def test_every_problem_is_listed(alice):
    error = assert_error(alice.post("/notes", {"title": 1, "body": 2}), 400, "validation_error")["error"]
    assert [problem["field"] for problem in error["fields"]] == ["title", "body"]


def test_lengths_count_characters_not_bytes(alice):
    assert alice.post("/notes", {"title": "\u00e9" * 200}).status_code == 201


def test_a_body_that_is_not_an_object_names_the_field(alice):
    error = assert_error(raw_post(alice, b"[1]"), 400, "validation_error")["error"]
    assert error["fields"] == [{"field": "body", "message": "must be an object"}]  # once, for both reads


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_is_415(alice, content_type):
    assert_error(raw_post(alice, b'{"title":"x"}', content_type), 415, "unsupported_media_type")


def test_json_with_charset_and_suffix_types_is_accepted(alice):
    assert raw_post(alice, b'{"title":"x"}', "application/json; charset=utf-8").status_code == 201
    assert raw_post(alice, b'{"title":"x"}', "application/merge-patch+json").status_code == 201


@pytest.mark.parametrize("data", [b"{", b'{"title":"x"} trailing', b"", b'{"title":"\\x"}'])
def test_malformed_json_is_json_error(alice, data):
    assert_error(raw_post(alice, data), 400, "json_error")


def test_nesting_past_max_json_depth_is_json_error(alice):
    deep = b'{"title":"x","body":' + b"[" * 64 + b"]" * 64 + b"}"
    error = assert_error(raw_post(alice, deep), 400, "json_error")["error"]
    assert "64" in error["message"]
    nested_to_the_limit = b'{"title":"x","extra":' + b"[" * 63 + b"]" * 63 + b"}"
    assert raw_post(alice, nested_to_the_limit).status_code == 201


def test_no_token_is_401(world):
    for method, path in (("POST", "/api/v1/notes"), ("GET", "/api/v1/notes"), ("GET", "/api/v1/notes/x")):
        response = requests.request(method, world.server.url(path), json={"title": "x"}, timeout=IO_TIMEOUT)
        assert_error(response, 401, "unauthorized")


def test_openapi_operations(world):
    document = requests.get(world.server.url("/api/v1/openapi.json"), timeout=IO_TIMEOUT).json()
    create = document["paths"]["/api/v1/notes"]["post"]
    assert create["operationId"] == "createNote"
    assert create["requestBody"]["content"]["application/json"]["schema"]["properties"]["title"]["maxLength"] == 200
    assert create["security"] == [{"bearer": []}] and create["tags"] == ["notes-c"]
    assert document["paths"]["/api/v1/notes"]["get"]["operationId"] == "listNotes"
    assert document["paths"]["/api/v1/notes/{id}"]["get"]["operationId"] == "getNote"
