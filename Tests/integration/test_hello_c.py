"""The C example plugin (Examples/hello-c), built with cc against the header alone."""
import json
from urllib.parse import quote

import pytest

from conftest import assert_error, assert_standard_headers


def test_hello(server):
    response = server.get("/api/v1/hello")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"message": "hello from C"}
    assert response.headers["X-Hello-C"] == "1"
    assert_standard_headers(response)


@pytest.mark.parametrize("name", [
    "world",
    "J\u00f6rg \U0001F44B",
    'quote " and backslash \\',
    "control \x01 \n \t \x7f chars",
    "<b>&amp; 'single'",
])
def test_hello_name_is_json_escaped(server, name):
    response = server.get("/api/v1/hello/" + quote(name, safe=""))
    assert response.status_code == 200, response.text
    assert response.headers["X-Hello-C"] == "1"
    # json.loads is strict about control characters in strings: raw ones would fail here.
    assert json.loads(response.content.decode("utf-8")) == {"message": f"hello, {name}"}


def test_hello_name_with_malformed_utf8_still_answers_valid_json(server):
    response = server.get("/api/v1/hello/%FFa%C0%AF")
    if response.status_code == 400:  # the host may refuse a non-UTF-8 parameter itself
        return
    assert response.status_code == 200
    message = json.loads(response.content.decode("utf-8"))["message"]
    assert message.startswith("hello, ") and "a" in message


def test_hello_name_with_malformed_percent_encoding_is_refused(server):
    with server.connect() as connection:
        response = connection.request("GET", "/api/v1/hello/a%zz")
    body = assert_error(response, 400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "name"


def test_long_name(server):
    name = "x" * 3000 + '"'
    response = server.get("/api/v1/hello/" + quote(name, safe=""))
    assert response.status_code == 200
    assert response.json() == {"message": f"hello, {name}"}


def test_response_middleware_tags_other_plugins_responses(server):
    assert server.get("/api/v1/hello-swift/greetings/x").headers.get("X-Hello-C") == "1"
    echo = server.post("/api/v1/hello-swift/echo", data="{", headers={
        "Content-Type": "application/json"})
    assert echo.status_code == 400
    assert echo.headers.get("X-Hello-C") == "1"


def test_init_logged_one_info_line(server):
    line = server.wait_for_log(lambda l: "hello-c" in l and "ready" in l)
    assert line is not None, server.stderr()
    assert "level=info" in line
