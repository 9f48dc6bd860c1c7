"""The Swift example plugin (Examples/hello-swift) through the host's pipeline."""
import time

import httpx
import pytest

from conftest import assert_error, assert_standard_headers

BASE = "/api/v1/hello-swift"


def test_greeting_is_percent_decoded(server):
    response = server.get(f"{BASE}/greetings/J%C3%B6rg%20X")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"message": "hello, J\u00f6rg X"}
    assert_standard_headers(response)


def test_delete_greeting(server):
    response = server.request("DELETE", f"{BASE}/greetings/bob")
    assert response.status_code == 204
    assert response.content == b""


def test_echo_counts_unicode_scalars(server):
    text = "h\u00e9llo \U0001F44B"
    response = server.post(f"{BASE}/echo", json={"text": text, "ignored": [1, 2]})
    assert response.status_code == 200, response.text
    assert response.json() == {"text": text, "length": 7}


def test_echo_invalid_json(server):
    response = server.post(f"{BASE}/echo", data=b'{"text": ',
                           headers={"Content-Type": "application/json"})
    assert_error(response, 400, "json_error")


@pytest.mark.parametrize("body", [{}, {"text": 5}, {"text": None}, {"text": ["a"]}])
def test_echo_validation(server, body):
    response = server.post(f"{BASE}/echo", json=body)
    error = assert_error(response, 400, "validation_error")["error"]
    assert error["fields"][0]["field"] == "text", error


def test_echo_wrong_media_type(server):
    response = server.post(f"{BASE}/echo", data=b'{"text": "a"}',
                           headers={"Content-Type": "text/plain"})
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("size", [0, 1, 65536, 300_000])
def test_upload_counts_bytes(server, size):
    response = server.post(f"{BASE}/upload", data=b"\x00\xff" * (size // 2) + b"z" * (size % 2),
                           headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 200, response.text
    assert response.json() == {"bytes": size}


def test_slow(server):
    response = server.get(f"{BASE}/slow", params={"ms": "0"})
    assert response.status_code == 200
    assert response.json() == {"slept_ms": 0}
    assert server.get(f"{BASE}/slow", params={"ms": "50"}).json() == {"slept_ms": 50}


@pytest.mark.parametrize("ms", ["-1", "10001", "abc", ""])
def test_slow_validation(server, ms):
    error = assert_error(server.get(f"{BASE}/slow", params={"ms": ms}), 400,
                         "validation_error")["error"]
    assert error["fields"][0]["field"] == "ms", error


def test_whoami_requires_a_principal(server):
    response = server.get(f"{BASE}/whoami")
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_later_finishes_a_deferred_response_from_a_timer(server):
    started = time.monotonic()
    response = server.get(f"{BASE}/later", params={"ms": "200"})
    assert response.status_code == 200 and response.json() == {"waited_ms": 200}
    assert 0.15 <= time.monotonic() - started < 2


def test_greetings_stream_as_server_sent_events(server):
    with httpx.stream("GET", server.url(f"{BASE}/greetings?ms=20"), timeout=10) as response:
        assert response.headers["content-type"] == "text/event-stream"
        data = [line for line in response.iter_lines() if line.startswith("data:")]
    assert data == ["data: hello #1", "data: hello #2", "data: hello #3"]
