"""Host routing: 404, 405 with Allow, HEAD from GET, and X-Request-Id."""
import pytest

from conftest import assert_error, assert_standard_headers


def allowed(response) -> set[str]:
    return {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("path", ["/nope", "/api/v1/nope", "/api/v1/hello/a/b",
                                  "/api/v1/hello-swift/greetings/a/b"])
def test_unknown_path_is_404(server, path):
    response = server.get(path)
    assert_error(response, 404, "not_found")
    assert_standard_headers(response)


def test_wrong_method_is_405_with_allow(server):
    response = server.request("PUT", "/api/v1/hello-swift/greetings/bob")
    assert_error(response, 405, "method_not_allowed")
    assert_standard_headers(response)
    assert allowed(response) >= {"DELETE", "GET", "HEAD"}
    assert "PUT" not in allowed(response) and "POST" not in allowed(response)


def test_405_on_a_c_route(server):
    response = server.post("/api/v1/hello", data=b"x")
    assert_error(response, 405, "method_not_allowed")
    assert allowed(response) >= {"GET", "HEAD"}


@pytest.mark.parametrize("path", ["/api/v1/hello", "/api/v1/hello/bob",
                                  "/api/v1/hello-swift/greetings/bob"])
def test_head_has_get_headers_and_no_body(server, path):
    with server.connect() as conn:
        get = conn.request("GET", path)
        head = conn.request("HEAD", path)
        # The next response on the same connection parses: HEAD sent no body.
        again = conn.request("GET", path)
    assert head.status == get.status == again.status == 200
    assert head.body == b""
    assert head.header("Content-Length") == get.header("Content-Length") == str(len(get.body))
    assert head.header("Content-Type") == get.header("Content-Type")
    assert_standard_headers(head)


def test_request_id_generated(server):
    first = server.get("/api/v1/hello").headers["X-Request-Id"]
    second = server.get("/api/v1/hello").headers["X-Request-Id"]
    assert first and second and first != second
    assert len(first) <= 128 and first.isprintable() and " " not in first


@pytest.mark.parametrize("request_id", ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e",
                                        "r" * 128, "a.b_c:d/e+f=g~!"])
def test_sane_request_id_is_echoed(server, request_id):
    response = server.get("/api/v1/hello", headers={"X-Request-Id": request_id})
    assert response.headers["X-Request-Id"] == request_id


@pytest.mark.parametrize("request_id", ["r" * 129, "a\tb", "a b", "caf\u00e9"])
def test_insane_request_id_is_replaced(server, request_id):
    with server.connect() as conn:
        conn.send(b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: "
                  + request_id.encode("utf-8") + b"\r\n\r\n")
        response = conn.read_response()
    assert response.status == 200
    echoed = response.header("X-Request-Id")
    assert echoed and echoed != request_id
    assert len(echoed) <= 128 and all(33 <= ord(c) <= 126 for c in echoed), echoed


def test_request_id_on_error_responses(server):
    response = server.get("/api/v1/nope", headers={"X-Request-Id": "trace-404"})
    assert response.headers["X-Request-Id"] == "trace-404"
